//! A real ehr-central process on loopback, seeded with the demo data, for
//! tests that need the central service (sign-in, lookups).

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{free_port, Group};
use crate::workspace;

/// A running ehr-central; stopped (and its data removed) on drop.
pub struct Central {
    server: Option<Group>,
    dir: PathBuf,
    port: u16,
    /// The base URL, for example `http://127.0.0.1:41234`.
    pub url: String,
    /// A demo counter's machine key.
    pub counter_key: String,
    /// Every demo counter's machine key, by site code.
    pub counter_keys: Vec<(String, String)>,
    /// A demo registration clerk's staff code and password.
    pub clerk: (String, String),
    /// Another demo clerk's staff code and password.
    pub clerk2: (String, String),
    /// A demo supervisor's staff code and password.
    pub supervisor: (String, String),
}

impl Drop for Central {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Opens the existing ehr-central database in `data_dir` (read-write, never
/// creating one) with the key the service keeps beside it in `central.key`
/// (64 hex digits, SQLCipher's raw-key form).
pub fn open_db(data_dir: &std::path::Path) -> Result<rusqlite::Connection, String> {
    let key = std::fs::read_to_string(data_dir.join("central.key"))
        .map_err(|e| format!("central key: {e}"))?;
    let key = key.trim();
    if key.len() != 64 || !key.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err("central key: not 64 hex digits".into());
    }
    let conn = rusqlite::Connection::open_with_flags(
        data_dir.join("central.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("open central db: {e}"))?;
    conn.execute_batch(&format!("PRAGMA key = \"x'{key}'\";"))
        .map_err(|e| format!("central db key: {e}"))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(|e| e.to_string())?;
    // The first read decrypts: a wrong key fails here, not later.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| format!("central db: {e}"))?;
    Ok(conn)
}

/// `application/x-www-form-urlencoded` of `fields`.
fn url_encoded(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                b => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The ehr-central binary: `EHR_CENTRAL_BIN`, else the debug build.
pub fn binary() -> PathBuf {
    match std::env::var_os("EHR_CENTRAL_BIN") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => workspace::target_dir().join("debug").join("ehr-central"),
    }
}

impl Central {
    /// Seed a fresh data folder with the demo data and serve it on loopback.
    pub fn start(name: &str) -> Result<Central, String> {
        let bin = binary();
        if !bin.is_file() {
            return Err(format!(
                "{} does not exist: build it with `cargo build -p ehr-central` (the test command does)",
                bin.display()
            ));
        }
        let dir = std::env::temp_dir().join(format!("ehr-central-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("central data folder: {e}"))?;
        let out = Command::new(&bin)
            .args(["seed", "--demo", "--applications", "40", "--data-dir"])
            .arg(&dir)
            .env("EHR_CENTRAL_LOG", "warn")
            .output()
            .map_err(|e| format!("ehr-central seed: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "ehr-central seed failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let creds: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| format!("seed output: {e}"))?;
        let counter_key = creds["counters"][0]["machine_key"]
            .as_str()
            .ok_or("seed output has no counter key")?
            .to_owned();
        let counter_keys = creds["counters"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| {
                        Some((
                            c["site_code"].as_str()?.to_owned(),
                            c["machine_key"].as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let staff_nth = |role: &str, n: usize| {
            creds["staff"]
                .as_array()
                .and_then(|s| s.iter().filter(|s| s["role"] == role).nth(n))
                .and_then(|s| {
                    Some((
                        s["staff_code"].as_str()?.to_owned(),
                        s["password"].as_str()?.to_owned(),
                    ))
                })
                .ok_or_else(|| format!("seed output has no {role} {n}"))
        };
        let clerk = staff_nth("registration_staff", 0)?;
        let clerk2 = staff_nth("registration_staff", 1)?;
        let supervisor = staff_nth("supervisor", 0)?;
        let port = free_port()?;
        let mut central = Central {
            server: None,
            dir,
            port,
            url: format!("http://127.0.0.1:{port}"),
            counter_key,
            counter_keys,
            clerk,
            clerk2,
            supervisor,
        };
        central.serve()?;
        Ok(central)
    }

    /// The machine key of the demo counter at `site`.
    pub fn counter_key_at(&self, site: &str) -> String {
        self.counter_keys
            .iter()
            .find(|(s, _)| s == site)
            .map(|(_, k)| k.clone())
            .unwrap_or_else(|| panic!("no demo counter at {site}"))
    }

    /// One number from the service's database (`sql` with `?1` = `param`).
    pub fn query_i64(&self, sql: &str, param: &str) -> Result<i64, String> {
        self.db()?
            .query_row(sql, [param], |r| r.get(0))
            .map_err(|e| format!("query: {e}"))
    }

    /// Send `ops` (the batch's `ops` array) as the demo counter at `site`,
    /// the demo clerk signed in there; the outcomes, in order.
    pub fn batch_as(
        &self,
        site: &str,
        ops: serde_json::Value,
    ) -> Result<Vec<serde_json::Value>, String> {
        ehr_app::central::install_tls_provider();
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| e.to_string())?;
        let key = self.counter_key_at(site);
        let signed: serde_json::Value = client
            .post(format!("{}/v1/auth/sign-in", self.url))
            .header("x-counter-key", &key)
            .json(&serde_json::json!({"staff_code": self.clerk.0, "password": self.clerk.1}))
            .send()
            .and_then(|r| r.json())
            .map_err(|e| format!("sign-in: {e}"))?;
        let token = signed["token"].as_str().ok_or("no token")?.to_owned();
        let body: serde_json::Value = client
            .post(format!("{}/v1/batch", self.url))
            .header("x-counter-key", &key)
            .bearer_auth(token)
            .json(&serde_json::json!({ "ops": ops }))
            .send()
            .and_then(|r| r.json())
            .map_err(|e| format!("batch: {e}"))?;
        Ok(body["results"]
            .as_array()
            .ok_or_else(|| format!("no results: {body}"))?
            .iter()
            .map(|r| r["outcome"].clone())
            .collect())
    }

    /// Register a newborn through the API as the demo counter at `site`
    /// (the clerk signs in there): the hospital document's image uploaded,
    /// then `register_newborn` of `parent` (an HKIC number), born today at
    /// 00:00. The operation's outcome as JSON.
    pub fn register_newborn_at(
        &self,
        site: &str,
        hospital: &str,
        serial: &str,
        parent: (&str, &str, &str, &str),
    ) -> Result<serde_json::Value, String> {
        use base64::Engine as _;
        let image = uuid::Uuid::new_v4();
        let png = {
            let mut buf = std::io::Cursor::new(Vec::new());
            image::RgbImage::from_pixel(64, 48, image::Rgb([240, 240, 240]))
                .write_to(&mut buf, image::ImageFormat::Png)
                .map_err(|e| e.to_string())?;
            buf.into_inner()
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs() as i64;
        let today = ehr_domain::Date::from_days_since_epoch((now + 8 * 3600).div_euclid(86_400))
            .map_err(|e| format!("{e:?}"))?;
        let (number, surname, given, dob) = parent;
        let out = self.batch_as(
            site,
            serde_json::json!([
                {"idempotency_key": uuid::Uuid::new_v4(), "record_key": format!("img-{image}"),
                 "seq": 1, "op": {"type": "upload_document", "image_id": image,
                 "kind": "birth_hospital_document",
                 "data_base64": base64::engine::general_purpose::STANDARD.encode(&png)}},
                {"idempotency_key": uuid::Uuid::new_v4(), "record_key": format!("nb-{image}"),
                 "seq": 1, "op": {"type": "register_newborn", "hospital_code": hospital,
                 "serial": serial, "date_of_birth": today.to_string(), "time_of_birth": "00:00",
                 "sex": "female", "parent": {"document_type": "hkic", "document_number": number,
                 "surname": surname, "given_names": given, "date_of_birth": dob, "sex": "male"},
                 "relationship": "parent", "certifying_document_image": image,
                 "notification": {"channel": "sms", "language": "zh", "address": "61234567"}}}
            ]),
        )?;
        out.get(1).cloned().ok_or_else(|| "no outcome".to_owned())
    }

    /// Register an adult walk-in through the API as the demo counter at
    /// `site`; the eHR number.
    pub fn register_walk_in_at(
        &self,
        site: &str,
        person: (&str, &str, &str, &str),
    ) -> Result<String, String> {
        let (number, surname, given, dob) = person;
        let out = self.batch_as(
            site,
            serde_json::json!([{"idempotency_key": uuid::Uuid::new_v4(),
                "record_key": format!("walk-{}", uuid::Uuid::new_v4()), "seq": 1,
                "op": {"type": "register_in_person", "patient": {"document_type": "hkic",
                "document_number": number, "surname": surname, "given_names": given,
                "date_of_birth": dob, "sex": "male"}, "capacity": "capable",
                "applicant": {"role": "self"},
                "notification": {"channel": "sms", "language": "zh", "address": "91234567"},
                "private_provider_consents": []}}]),
        )?;
        out.first()
            .and_then(|o| o["result"]["ehr_number"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("walk-in: {out:?}"))
    }

    /// Register a child through the API as the demo counter at `site`, by
    /// a parent as SDM (the child's document copy uploaded); the eHR
    /// number. `child` and `parent` are (HKIC number, surname, given
    /// names, date of birth).
    pub fn register_child_at(
        &self,
        site: &str,
        child: (&str, &str, &str, &str),
        parent: (&str, &str, &str, &str),
    ) -> Result<String, String> {
        self.register_child_with("hkic", site, child, parent)
    }

    /// A child registered at `site` by a parent years ago with their Hong
    /// Kong birth certificate (`number`), who has since turned 16 (born
    /// `dob`): the record as time would have left it (registered at 10,
    /// the date of birth as on the certificate). The eHR number.
    pub fn register_grown_child_at(
        &self,
        site: &str,
        child: (&str, &str, &str, &str),
        parent: (&str, &str, &str, &str),
    ) -> Result<String, String> {
        // Registered while under 16 (the service judges by today), then
        // aged to the certificate's date of birth.
        let ehr = self.register_child_with(
            "hk_birth_certificate",
            site,
            (child.0, child.1, child.2, "2016-01-01"),
            parent,
        )?;
        self.db()?
            .execute(
                "UPDATE records SET person = json_set(person, '$.date_of_birth', ?1) \
                 WHERE ehr_number = ?2",
                [child.3, &ehr],
            )
            .map_err(|e| format!("age the record: {e}"))?;
        Ok(ehr)
    }

    /// A paper form's image uploaded as the demo counter at `site` (the
    /// Registration Office); its id, for `key_paper_application`'s
    /// `form_image`.
    pub fn paper_form_image(&self, site: &str) -> Result<uuid::Uuid, String> {
        use base64::Engine as _;
        let image = uuid::Uuid::new_v4();
        let mut png = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_pixel(64, 48, image::Rgb([250, 250, 245]))
            .write_to(&mut png, image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        let out = self.batch_as(
            site,
            serde_json::json!([
                {"idempotency_key": uuid::Uuid::new_v4(), "record_key": format!("img-{image}"),
                 "seq": 1, "op": {"type": "upload_document", "image_id": image,
                 "kind": "paper_form",
                 "data_base64": base64::engine::general_purpose::STANDARD.encode(png.into_inner())}}
            ]),
        )?;
        if out.first().is_some_and(|o| o["status"] == "applied") {
            Ok(image)
        } else {
            Err(format!("paper form image: {out:?}"))
        }
    }

    fn register_child_with(
        &self,
        doc_type: &str,
        site: &str,
        child: (&str, &str, &str, &str),
        parent: (&str, &str, &str, &str),
    ) -> Result<String, String> {
        use base64::Engine as _;
        let image = uuid::Uuid::new_v4();
        let mut png = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_pixel(64, 48, image::Rgb([235, 235, 235]))
            .write_to(&mut png, image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        let who = |p: (&str, &str, &str, &str)| {
            serde_json::json!({"document_type": "hkic", "document_number": p.0,
                "surname": p.1, "given_names": p.2, "date_of_birth": p.3, "sex": "female"})
        };
        let mut patient = who(child);
        patient["document_type"] = serde_json::json!(doc_type);
        let out = self.batch_as(
            site,
            serde_json::json!([
                {"idempotency_key": uuid::Uuid::new_v4(), "record_key": format!("img-{image}"),
                 "seq": 1, "op": {"type": "upload_document", "image_id": image,
                 "kind": "patient_document_copy",
                 "data_base64": base64::engine::general_purpose::STANDARD.encode(png.into_inner())}},
                {"idempotency_key": uuid::Uuid::new_v4(), "record_key": format!("child-{image}"),
                 "seq": 1, "op": {"type": "register_in_person", "patient": patient,
                 "capacity": "capable",
                 "applicant": {"role": "sdm", "relationship": "parent", "person": who(parent)},
                 "patient_document_copy_image": image,
                 "notification": {"channel": "sms", "language": "zh", "address": "91234567"}}}
            ]),
        )?;
        out.get(1)
            .and_then(|o| o["result"]["ehr_number"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("child: {out:?}"))
    }

    /// Make a record look registered `days` days earlier than it was (the
    /// follow-up list's seeded case).
    pub fn backdate_record(&self, serial: &str, days: i64) -> Result<(), String> {
        let db = self.db()?;
        let (on, lifecycle): (String, String) = db
            .query_row(
                "SELECT registered_on, lifecycle FROM records WHERE hospital_serial = ?1",
                [serial],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| format!("record: {e}"))?;
        let day = ehr_domain::Date::parse(&on)
            .map_err(|e| format!("{e:?}"))?
            .add_days(-days)
            .map_err(|e| format!("{e:?}"))?;
        let lifecycle = lifecycle.replace(&on, &day.to_string());
        db.execute(
            "UPDATE records SET registered_on = ?1, lifecycle = ?2 WHERE hospital_serial = ?3",
            [day.to_string(), lifecycle, serial.to_owned()],
        )
        .map_err(|e| format!("backdate: {e}"))?;
        Ok(())
    }

    /// The service's data folder (its SQLCipher file is `central.sqlite3`,
    /// its key `central.key`).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// The service's database, opened with its key.
    pub fn db(&self) -> Result<rusqlite::Connection, String> {
        open_db(&self.dir)
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stop the service (SIGTERM, then SIGKILL); its data stays.
    pub fn stop(&mut self) {
        self.server = None;
    }

    /// Kill the service at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(g) = self.server.take() {
            g.kill_now();
        }
    }

    /// Start the service again on the same port and data.
    pub fn serve(&mut self) -> Result<(), String> {
        self.serve_with(&["--insecure-http"])?;
        self.url = format!("http://127.0.0.1:{}", self.port);
        Ok(())
    }

    /// Serve HTTPS on the same port and data with this certificate and
    /// key, and with `client_ca`, identify counters by client certificate.
    pub fn serve_tls(
        &mut self,
        cert: &std::path::Path,
        key: &std::path::Path,
        client_ca: Option<&std::path::Path>,
    ) -> Result<(), String> {
        let mut args = vec![
            "--tls-cert".to_owned(),
            cert.display().to_string(),
            "--tls-key".to_owned(),
            key.display().to_string(),
        ];
        if let Some(ca) = client_ca {
            args.push("--client-ca".to_owned());
            args.push(ca.display().to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.serve_with(&args)?;
        self.url = format!("https://127.0.0.1:{}", self.port);
        Ok(())
    }

    /// A new counter at `site` and its one-time enrolment code, as
    /// `ehr-central counter enrol` prints it for a field engineer.
    pub fn mint_enrolment_code(&self, site: &str, name: &str) -> Result<String, String> {
        let out = Command::new(binary())
            .args([
                "counter",
                "enrol",
                "--site",
                site,
                "--name",
                name,
                "--data-dir",
            ])
            .arg(&self.dir)
            .env("EHR_CENTRAL_LOG", "warn")
            .output()
            .map_err(|e| format!("ehr-central counter enrol: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines()
            .find_map(|l| l.split_once("enrolment code").map(|(_, rest)| rest))
            .and_then(|rest| rest.rsplit(':').next())
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .ok_or_else(|| format!("no enrolment code in: {text}"))
    }

    /// Enrol another counter at `site`, bound to a client certificate by
    /// its SHA-256 fingerprint (lower-case hex).
    pub fn enrol_certificate_counter(&self, site: &str, fingerprint: &str) -> Result<(), String> {
        let out = Command::new(binary())
            .args(["counter", "enrol", "--site", site, "--name", "CERT-COUNTER"])
            .args(["--cert-fingerprint", fingerprint, "--data-dir"])
            .arg(&self.dir)
            .env("EHR_CENTRAL_LOG", "warn")
            .output()
            .map_err(|e| format!("ehr-central counter enrol: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Apply through the service's real online form (`/apply`): fetch the
    /// form for its anti-forgery token and cookie, post `fields` (the form's
    /// own names: `document_type`, `document_number`, `surname`, ...,
    /// `role`, `applicant_*`, `channel`, `address`, `declare`), and read
    /// the reference from the confirmation page.
    pub fn apply_online(&self, fields: &[(&str, &str)]) -> Result<String, String> {
        ehr_app::central::install_tls_provider();
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| e.to_string())?;
        let form = client
            .get(format!("{}/apply?lang=en", self.url))
            .send()
            .map_err(|e| format!("GET /apply: {e}"))?;
        let cookie = form
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
            .join("; ");
        let page = form.text().map_err(|e| e.to_string())?;
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .ok_or("no csrf token on the form")?
            .to_owned();
        let mut body: Vec<(&str, &str)> = vec![("csrf", &csrf), ("lang", "en")];
        body.extend_from_slice(fields);
        let done = client
            .post(format!("{}/apply", self.url))
            .header(reqwest::header::COOKIE, cookie)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(url_encoded(&body))
            .send()
            .map_err(|e| format!("POST /apply: {e}"))?
            .text()
            .map_err(|e| e.to_string())?;
        done.split("id=\"reference\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .map(str::to_owned)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| format!("the form did not accept the application: {done}"))
    }

    /// Move an application's submission `days` days into the past (to test
    /// expiry without waiting half a year).
    pub fn backdate_application(&self, reference: &str, days: i64) -> Result<(), String> {
        let db = self.db()?;
        let n = db
            .execute(
                "UPDATE applications SET
                   submitted_on = date(submitted_on, ?2),
                   lifecycle = json_set(lifecycle,
                     '$.submitted_on', date(json_extract(lifecycle, '$.submitted_on'), ?2),
                     '$.last_event_on', date(json_extract(lifecycle, '$.last_event_on'), ?2))
                 WHERE reference = ?1",
                rusqlite::params![reference, format!("-{days} days")],
            )
            .map_err(|e| e.to_string())?;
        if n == 1 {
            Ok(())
        } else {
            Err(format!("no application {reference}"))
        }
    }

    /// An application's stored state (`pending`, `activated`, ...).
    pub fn application_state(&self, reference: &str) -> Result<String, String> {
        self.db()?
            .query_row(
                "SELECT state FROM applications WHERE reference = ?1",
                [reference],
                |r| r.get(0),
            )
            .map_err(|e| e.to_string())
    }

    /// How many records settle (activate) the application `reference`, and
    /// their flags.
    pub fn records_settling(&self, reference: &str) -> Result<Vec<String>, String> {
        let db = self.db()?;
        let mut st = db
            .prepare("SELECT flags FROM records WHERE settled_application = ?1")
            .map_err(|e| e.to_string())?;
        let rows = st
            .query_map([reference], |r| r.get::<_, String>(0))
            .map_err(|e| e.to_string())?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        Ok(rows)
    }

    /// How many records the service holds for a document (its type code
    /// and normalised number, without brackets).
    pub fn records_for_document(&self, doc_type: &str, number: &str) -> Result<i64, String> {
        self.db()?
            .query_row(
                "SELECT count(*) FROM records WHERE doc_type = ?1 AND doc_number = ?2",
                [doc_type, number],
                |r| r.get(0),
            )
            .map_err(|e| e.to_string())
    }

    fn serve_with(&mut self, mode: &[&str]) -> Result<(), String> {
        self.server = None;
        let bin = binary();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .map_err(|e| e.to_string())?;
        let port = self.port;
        let server = Group::spawn(
            "ehr-central",
            Command::new(&bin)
                .arg("serve")
                .args(mode)
                .args(["--addr", &format!("127.0.0.1:{port}"), "--data-dir"])
                .arg(&self.dir)
                .env("EHR_CENTRAL_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(log),
        )?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("ehr-central did not listen within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.server = Some(server);
        Ok(())
    }
}
