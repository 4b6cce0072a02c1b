//! The ehr-central bench: seeds applications, then measures over loopback
//! HTTP (client and server in this one process, sharing the machine):
//!
//! - lookup by document (`POST /v1/applications/search`): an open-loop run
//!   paced at `--rate` requests per second (p50/p99 latency at that load),
//!   then a closed-loop run with `--clients` concurrent clients (maximum
//!   throughput and its p50/p99);
//! - batch ingest: walk-in registrations in batches of `--batch-size`,
//!   sent by 4 concurrent clients (operations per second).
//!
//! Run (release):
//! `cargo run --release -p ehr-central --example bench -- --applications 1000000 --write docs/benchmarks.md`

// A bench reports with panics on setup failures; that is its error handling.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Args {
    applications: usize,
    clients: usize,
    rate: u64,
    seconds: u64,
    batch_size: usize,
    batches: usize,
    write: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        applications: 1_000_000,
        clients: 16,
        rate: 2000,
        seconds: 10,
        batch_size: 100,
        batches: 200,
        write: None,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        let val = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--applications" => a.applications = val.parse().unwrap(),
            "--clients" => a.clients = val.parse().unwrap(),
            "--rate" => a.rate = val.parse().unwrap(),
            "--seconds" => a.seconds = val.parse().unwrap(),
            "--batch-size" => a.batch_size = val.parse().unwrap(),
            "--batches" => a.batches = val.parse().unwrap(),
            "--write" => a.write = Some(PathBuf::from(val)),
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    a
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

struct Run {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    p50: f64,
    p99: f64,
    max: f64,
}

impl Run {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

fn summarise(mut lat: Vec<Duration>, errors: usize, elapsed: Duration) -> Run {
    lat.sort();
    Run {
        requests: lat.len(),
        errors,
        elapsed,
        p50: pct(&lat, 0.50),
        p99: pct(&lat, 0.99),
        max: lat.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0),
    }
}

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
    token: String,
}

impl Client {
    async fn lookup(&self, doc: &(String, String)) -> bool {
        let r = self
            .http
            .post(format!("{}/v1/applications/search", self.base))
            .json(&json!({"document_type": doc.0, "document_number": doc.1}))
            .header("x-counter-key", &self.key)
            .bearer_auth(&self.token)
            .send()
            .await;
        match r {
            Ok(r) if r.status() == 200 => {
                let body: Value = r.json().await.unwrap_or(Value::Null);
                !body["items"].as_array().map(Vec::is_empty).unwrap_or(true)
            }
            _ => false,
        }
    }
}

fn hkid(n: u64) -> String {
    let id = format!("W{:06}", n % 1_000_000);
    let id = if n >= 1_000_000 {
        format!("X{:06}", n % 1_000_000)
    } else {
        id
    };
    let c = ehr_domain::id::hkid_check_char(&id).unwrap();
    format!("{id}({c})")
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let a = args();
    // The machine may be shared: record its load when the bench starts.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into());
    let dir = tempfile::tempdir().unwrap();
    let db = ehr_central::db::Db::open(dir.path()).unwrap();
    let creds = ehr_central::seed::demo(&db, dir.path(), 1, 0).unwrap();
    let t = Instant::now();
    let samples = ehr_central::seed::bulk_applications(
        &db,
        99,
        a.applications,
        (a.applications / 10_000).max(1),
    )
    .unwrap();
    let seed_secs = t.elapsed().as_secs_f64();
    drop(db);
    let db_bytes = std::fs::metadata(dir.path().join(ehr_central::db::DB_FILE))
        .map(|m| m.len())
        .unwrap_or(0);
    eprintln!(
        "seeded {} applications in {seed_secs:.1} s ({:.0} rows/s), database {} MB",
        a.applications,
        a.applications as f64 / seed_secs,
        db_bytes / 1_000_000
    );
    let state = ehr_central::open(dir.path()).unwrap();
    let running = ehr_central::spawn_http(state, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = running.url();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let key = creds
        .counters
        .iter()
        .find(|c| c.site_code == "HA-QEH")
        .unwrap()
        .machine_key
        .clone();
    let signed: Value = http
        .post(format!("{base}/v1/auth/sign-in"))
        .header("x-counter-key", &key)
        .json(&json!({"staff_code": "clerk01", "password": "demo-clerk-01"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client = Client {
        http,
        base: base.clone(),
        key,
        token: signed["token"].as_str().unwrap().to_owned(),
    };
    let samples = Arc::new(samples);
    // Warm-up.
    for i in 0..500 {
        client.lookup(&samples[i % samples.len()]).await;
    }

    // Open loop at a fixed rate.
    let total = (a.rate * a.seconds) as usize;
    let interval = Duration::from_secs_f64(1.0 / a.rate as f64);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        let due = start + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let c = client.clone();
        let s = samples.clone();
        tasks.push(tokio::spawn(async move {
            // Latency from the scheduled time (no coordinated omission).
            let ok = c.lookup(&s[(i * 7919) % s.len()]).await;
            (due.elapsed(), ok)
        }));
    }
    let mut lat = Vec::with_capacity(total);
    let mut errors = 0;
    for t in tasks {
        let (d, ok) = t.await.unwrap();
        if !ok {
            errors += 1;
        }
        lat.push(d);
    }
    let paced = summarise(lat, errors, start.elapsed());
    eprintln!(
        "lookup at {} req/s: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, achieved {:.0} req/s, errors {}",
        a.rate, paced.p50, paced.p99, paced.max, paced.rps(), paced.errors
    );

    // Closed loop: maximum throughput.
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..a.clients {
        let c = client.clone();
        let s = samples.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            let mut i = w * 104_729;
            while Instant::now() < deadline {
                let t = Instant::now();
                if !c.lookup(&s[i % s.len()]).await {
                    errors += 1;
                }
                lat.push(t.elapsed());
                i += 1;
            }
            (lat, errors)
        }));
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        lat.extend(l);
        errors += e;
    }
    let closed = summarise(lat, errors, start.elapsed());
    eprintln!(
        "lookup, {} clients: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, errors {}",
        a.clients,
        closed.rps(),
        closed.p50,
        closed.p99,
        closed.errors
    );

    // Batch ingest: walk-in registrations.
    let start = Instant::now();
    let mut tasks = Vec::new();
    let senders = 4;
    for w in 0..senders {
        let c = client.clone();
        let batches = a.batches / senders;
        let size = a.batch_size;
        tasks.push(tokio::spawn(async move {
            let mut applied = 0usize;
            for b in 0..batches {
                let ops: Vec<Value> = (0..size)
                    .map(|i| {
                        let n = ((w * batches + b) * size + i) as u64;
                        json!({
                            "idempotency_key": uuid::Uuid::new_v4(),
                            "record_key": format!("bench-{n}"),
                            "seq": 1,
                            "op": {
                                "type": "register_in_person",
                                "patient": {"document_type": "hkic", "document_number": hkid(n),
                                    "surname": "CHAN", "given_names": "Tai Man",
                                    "chinese_name": "陳大文", "date_of_birth": "1980-05-06",
                                    "sex": "male"},
                                "capacity": "capable",
                                "applicant": {"role": "self"},
                                "notification": {"channel": "sms", "language": "zh",
                                    "address": "91234567"},
                                "private_provider_consents": ["PP-0001"]
                            }
                        })
                    })
                    .collect();
                let r: Value = c
                    .http
                    .post(format!("{}/v1/batch", c.base))
                    .header("x-counter-key", &c.key)
                    .bearer_auth(&c.token)
                    .json(&json!({"ops": ops}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                applied += r["results"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|r| r["outcome"]["status"] == "applied")
                            .count()
                    })
                    .unwrap_or(0);
            }
            applied
        }));
    }
    let mut applied = 0;
    for t in tasks {
        applied += t.await.unwrap();
    }
    let ingest_secs = start.elapsed().as_secs_f64();
    let ops_per_sec = applied as f64 / ingest_secs;
    eprintln!(
        "batch ingest: {applied} walk-in registrations in {ingest_secs:.1} s = {ops_per_sec:.0} ops/s"
    );
    running.stop().await;

    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let section = format!(
        "## ehr-central\n\n\
Measured by `cargo run --release -p ehr-central --example bench -- --applications {apps} --write docs/benchmarks.md` \
on {cores} cores ({cpu}; 1-minute load average {load} at the start, from other work on the machine); \
client and server in one process over loopback HTTP, sharing the cores. \
Database: SQLCipher (a raw 256-bit key), WAL, `synchronous=FULL`, {apps} pending applications ({mb} MB), seeded in {seed_secs:.0} s \
in one transaction ({seed_rate:.0} rows/s).\n\n\
| measurement | result | goal |\n|---|---|---|\n\
| lookup by document, paced at {rate} req/s: p50 / p99 | {pp50:.2} ms / {pp99:.2} ms (achieved {prps:.0} req/s, {perr} errors) | p99 ≤ 5 ms at ≥ 2,000 req/s |\n\
| lookup by document, {clients} closed-loop clients: throughput, p50 / p99 | {crps:.0} req/s, {cp50:.2} ms / {cp99:.2} ms | ≥ 2,000 req/s |\n\
| batch ingest (walk-in registrations, {bs} per batch, 4 senders) | {ops:.0} ops/s ({applied} applied) | ≥ 2,000 ops/s |\n\n\
Every lookup is authenticated (counter key and bearer token checked in the request's read transaction) and \
every registration assigns an eHR number and access key and writes its notification row, each batch in one \
write transaction. Lookups are also audited (one row per returned application, \
written by the background audit writer).\n",
        apps = a.applications,
        mb = db_bytes / 1_000_000,
        seed_rate = a.applications as f64 / seed_secs,
        rate = a.rate,
        pp50 = paced.p50,
        pp99 = paced.p99,
        prps = paced.rps(),
        perr = paced.errors,
        clients = a.clients,
        crps = closed.rps(),
        cp50 = closed.p50,
        cp99 = closed.p99,
        bs = a.batch_size,
        ops = ops_per_sec,
    );
    println!("{section}");
    if let Some(path) = a.write {
        let old = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n\n".into());
        let new = replace_section(&old, &section);
        std::fs::write(&path, new).unwrap();
        eprintln!("wrote {}", path.display());
    }
}

/// Replaces the `## ehr-central` section (up to the next `## ` heading), or
/// appends it.
fn replace_section(doc: &str, section: &str) -> String {
    let heading = "## ehr-central\n";
    match doc.find(heading) {
        Some(start) => {
            let rest = &doc[start + heading.len()..];
            let end = rest
                .find("\n## ")
                .map(|i| start + heading.len() + i + 1)
                .unwrap_or(doc.len());
            format!("{}{}{}", &doc[..start], section, &doc[end..])
        }
        None => {
            let sep = if doc.ends_with("\n\n") || doc.is_empty() {
                ""
            } else if doc.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            format!("{doc}{sep}{section}")
        }
    }
}
