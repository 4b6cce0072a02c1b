//! The main-path bench: from PC/SC reporting a card present to the matching
//! pending application rendered on screen, through the real window, over
//! inserts of different people who each applied through ehr-central's real
//! online form.
//!
//! Split, per insert, from the window's own marks:
//! - **card → screen**: PC/SC reported the card present (the app crate's
//!   `ReaderView.present_at_us`) → the identity arrived in the page
//!   (`ehr:card-shown`): the read, the checks and the channel to the page;
//! - **look-up**: `ehr:card-shown` → `ehr:lookup-done`: the task command
//!   (the audit event, the two searches at ehr-central over loopback HTTP,
//!   the encrypted cache write, the detail prefetch, the draft save);
//! - **render**: `ehr:lookup-done` → `ehr:task-painted`, two animation
//!   frames after the row is in the page.
//!
//! Run: `cargo build --release -p ehr-counter -p ehr-central && cargo run
//! --release -p ehr-tests --bin lookup-bench -- [--inserts N] [--write
//! docs/benchmarks.md]` (the app is `EHR_COUNTER_BIN`, default
//! `target/release/ehr-counter`; ehr-central `EHR_CENTRAL_BIN`, default
//! the release build).

use std::time::Duration;

use ehr_tests::bench::{arg, ms, pct, write_section};
use ehr_tests::central::Central;
use ehr_tests::harness::{wait_for, wait_for_text, Harness};
use ehr_tests::pcscd::Pcscd;
use ehr_tests::vcard::{InsertedCard, PersonFile};
use fantoccini::{Client, Locator};

const WAIT: Duration = Duration::from_secs(30);

/// The i-th person: a valid HKIC number and a name of their own.
fn person(i: usize) -> (String, String, String) {
    let head = format!("B{:06}", 200_000 + i);
    let number = "0123456789A"
        .chars()
        .map(|c| format!("{head}{c}"))
        .find(|n| ehr_domain::DocumentNumber::parse(ehr_domain::DocumentType::Hkic, n).is_ok())
        .expect("a check digit");
    let given = format!(
        "TAI {}",
        ["MAN", "WAI", "MING", "KIN", "FAI", "WING", "KEUNG", "CHUN"][i % 8]
    );
    let surname = ["CHAN", "WONG", "LEE", "CHEUNG", "LAU", "HO", "NG", "LAM"][(i / 8) % 8];
    (number, surname.to_owned(), given)
}

fn card(number: &str, surname: &str, given: &str) -> PersonFile {
    let json = serde_json::json!({
        "generation": "gen2018",
        "document_number": number,
        "english_name": format!("{surname}, {given}"),
        "chinese_ccc": [],
        "date_of_birth": "19800115",
        "sex": "M",
        "date_of_issue": "20190301",
    });
    PersonFile::from_json(&json.to_string()).expect("card")
}

/// The marks of the last insert: present (µs), shown, looked up, painted
/// (ms, all wall clock).
async fn marks(client: &Client) -> Result<(f64, f64, f64, f64), String> {
    let v = client
        .execute(
            "const e = (n) => performance.getEntriesByName(n).slice(-1)[0];\
             const s = e('ehr:card-shown'), l = e('ehr:lookup-done'), p = e('ehr:task-painted');\
             if (!s || !l || !p) return null;\
             const o = performance.timeOrigin;\
             return [s.detail, o + s.startTime, o + l.startTime, o + p.startTime];",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let a = v.as_array().ok_or("no marks")?;
    let f = |i: usize| a.get(i).and_then(|x| x.as_f64()).ok_or("a mark is missing");
    Ok((f(0)? / 1000.0, f(1)?, f(2)?, f(3)?))
}

fn main() -> Result<(), String> {
    let inserts: usize = arg("--inserts")
        .map(|s| s.parse().map_err(|_| "--inserts takes a number".to_owned()))
        .transpose()?
        .unwrap_or(50);
    let write = arg("--write");
    let release = ehr_tests::workspace::target_dir().join("release");
    if std::env::var_os("EHR_COUNTER_BIN").is_none() {
        std::env::set_var("EHR_COUNTER_BIN", release.join("ehr-counter"));
    }
    if std::env::var_os("EHR_CENTRAL_BIN").is_none() && release.join("ehr-central").is_file() {
        std::env::set_var("EHR_CENTRAL_BIN", release.join("ehr-central"));
    }
    let central = Central::start("lookup-bench")?;
    let mut people = Vec::new();
    for i in 0..inserts {
        let (number, surname, given) = person(i);
        let reference = central.apply_online(&[
            ("document_type", "hkic"),
            ("document_number", &number),
            ("surname", &surname),
            ("given_names", &given),
            ("date_of_birth", "1980-01-15"),
            ("sex", "male"),
            ("capacity", "capable"),
            ("role", "self"),
            ("channel", "sms"),
            ("notice_lang", "zh"),
            ("address", "91234567"),
            ("declare", "yes"),
        ])?;
        people.push((card(&number, &surname, &given), reference));
    }
    let pcscd = Pcscd::start()?;
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), central.url.clone()),
        ("EHR_COUNTER_KEY".to_owned(), central.counter_key.clone()),
    ];
    let harness = Harness::start_with("lookup-bench", env)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (clerk, password) = central.clerk.clone();
    let reader = pcscd.reader_addr(0);
    let samples = rt.block_on(async {
        let client = harness.connect().await?;
        let el = wait_for(&client, Locator::Id("staff-code"), WAIT).await;
        el.send_keys(&clerk).await.map_err(|e| e.to_string())?;
        let el = client
            .find(Locator::Id("password"))
            .await
            .map_err(|e| e.to_string())?;
        el.send_keys(&format!("{password}\u{E007}"))
            .await
            .map_err(|e| e.to_string())?;
        wait_for_text(
            &client,
            Locator::Css("[data-testid=reader-status]"),
            WAIT,
            |t| t.contains("Ready"),
        )
        .await;
        let mut samples = Vec::new();
        // The first insert warms the caches (page, TLS-less client, SQLite)
        // and is not counted.
        for (i, (person, reference)) in people.iter().enumerate() {
            let _ = client
                .execute("performance.clearMarks(); return true;", vec![])
                .await;
            let inserted = InsertedCard::insert(&reader, person).map_err(|e| format!("{e:?}"))?;
            wait_for(
                &client,
                Locator::Css(&format!(
                    "[data-testid=application-row][data-reference='{reference}']"
                )),
                WAIT,
            )
            .await;
            let mut m = marks(&client).await;
            for _ in 0..40 {
                if m.is_ok() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
                m = marks(&client).await;
            }
            let (present, shown, looked_up, painted) = m?;
            if i > 0 {
                samples.push((present, shown, looked_up, painted));
            }
            inserted.remove();
            let finish = client
                .find(Locator::Css("[data-testid=finish-task]"))
                .await
                .map_err(|e| e.to_string())?;
            finish.click().await.map_err(|e| e.to_string())?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = client.close().await;
        Ok::<_, String>(samples)
    })?;
    drop(harness);
    let d = |a: f64, b: f64| Duration::from_secs_f64(((b - a) / 1000.0).max(0.0));
    let mut total: Vec<Duration> = samples.iter().map(|s| d(s.0, s.3)).collect();
    let mut card_part: Vec<Duration> = samples.iter().map(|s| d(s.0, s.1)).collect();
    let mut lookup: Vec<Duration> = samples.iter().map(|s| d(s.1, s.2)).collect();
    let mut render: Vec<Duration> = samples.iter().map(|s| d(s.2, s.3)).collect();
    for v in [&mut total, &mut card_part, &mut lookup, &mut render] {
        v.sort();
    }
    let n = samples.len();
    let row = |name: &str, v: &[Duration], goal: &str| {
        format!(
            "| {name} | {} | {} | {} | {goal} |\n",
            ms(pct(v, 0.5)),
            ms(pct(v, 0.95)),
            ms(v.last().copied().unwrap_or_default())
        )
    };
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default();
    let section = format!(
        "## Card to pending application on screen\n\n\
Measured by `cargo build --release -p ehr-counter -p ehr-central && cargo run --release -p ehr-tests --bin lookup-bench -- --inserts {inserts} --write docs/benchmarks.md` on 2 cores \
(1-minute load average {load} at the end): {inserts} people apply through ehr-central's online form; each one's virtual card goes into vpcd's reader through a private pcscd, \
and the built app (release, in Xvfb under tauri-driver, signed in at ehr-central on loopback) looks them up by itself. {n} inserts counted (the first warms the caches).\n\n\
| measurement | p50 | p95 | max | goal |\n|---|---|---|---|---|\n\
{}{}{}{}\n\
The parts are the window's own marks: PC/SC's card-present time as the app crate saw it (`ReaderView.present_at_us`), the identity arriving in the page (`ehr:card-shown`), \
the task command returning with the look-up (`ehr:lookup-done`: an audit event, the application and record searches at ehr-central, the encrypted cache write, \
the application's detail fetched and cached for an offline activation, the draft saved), and two animation frames after the row is in the page (`ehr:task-painted`). \
pcscd's own detection of an inserted card (about 400 ms of polling, see Card reading) comes before PC/SC reports it and is not the app's.\n",
        row("PC/SC card present → application row painted", &total, "≤ 300 ms at p95 (moonshot ≤ 100 ms)"),
        row("card present → identity in the page", &card_part, ""),
        row("look-up (task command)", &lookup, ""),
        row("render", &render, ""),
    );
    print!("{section}");
    if let Some(path) = write {
        write_section(&path, "## Card to pending application on screen", &section)?;
    }
    drop(pcscd);
    drop(central);
    Ok(())
}
