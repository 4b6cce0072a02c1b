//! The outbox bench: local enqueue latency with `synchronous=FULL`, the
//! drain of a long queue to ehr-central on loopback, and the same number of
//! operations sent naively, one request each.
//!
//! `cargo build --release -p ehr-central && cargo run --release -p ehr-tests
//! --bin sync-bench -- --ops 10000 --write docs/benchmarks.md`
//! (uses `target/release/ehr-central` when it exists, else `EHR_CENTRAL_BIN`
//! or the debug build).

use std::time::{Duration, Instant};

use ehr_protocol::ipc::SignInRequest;
use ehr_protocol::wire::batch::{BatchOp, BatchRequest, BatchResponse, Outcome};
use ehr_protocol::wire::COUNTER_KEY_HEADER;
use ehr_tests::bench::{arg, ms, pct, write_section};
use ehr_tests::central::Central;
use ehr_tests::outbox;

fn main() -> Result<(), String> {
    let n: u32 = arg("--ops").and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let write = arg("--write");
    let release = ehr_tests::workspace::target_dir()
        .join("release")
        .join("ehr-central");
    if std::env::var_os("EHR_CENTRAL_BIN").is_none() && release.is_file() {
        std::env::set_var("EHR_CENTRAL_BIN", &release);
    }
    let central_bin = ehr_tests::central::binary();
    let mut central = Central::start("sync-bench")?;
    let dir = std::env::temp_dir().join(format!("ehr-sync-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let app = outbox::app(&dir, &central.url, &central.counter_key, 60_000);
    app.open_store().map_err(|e| e.code.to_string())?;
    app.sign_in(&SignInRequest {
        staff_code: central.clerk.0.clone(),
        password: central.clerk.1.clone(),
    })
    .map_err(|e| format!("sign in: {}", e.code))?;

    // 1. Enqueue while the service is down (the queue only grows).
    central.kill();
    let mut enqueue = Vec::with_capacity(n as usize);
    for i in 0..n {
        let change = outbox::walk_in(i);
        let t = Instant::now();
        app.commit_change(&change).map_err(|e| e.code.to_string())?;
        enqueue.push(t.elapsed());
    }
    enqueue.sort();
    let db_bytes = std::fs::metadata(dir.join("counter.db")).map_or(0, |m| m.len())
        + std::fs::metadata(dir.join("counter.db-wal")).map_or(0, |m| m.len());

    // 2. The service is back: drain.
    central.serve()?;
    let t = Instant::now();
    app.sync_now();
    if !app
        .wait_until_drained(Duration::from_secs(600))
        .map_err(|e| e.code.to_string())?
    {
        return Err("the queue did not drain in 10 minutes".into());
    }
    let drain = t.elapsed();
    let st = app.sync_status().map_err(|e| e.code.to_string())?;
    if st.attention != 0 {
        return Err(format!("{} operations were refused", st.attention));
    }
    let held = outbox::central_records(central.data_dir())?;
    let ours = (0..n)
        .filter(|i| held.get(&outbox::stored_number(*i)) == Some(&1))
        .count();
    if ours != n as usize {
        return Err(format!("the service holds {ours} of {n} exactly once"));
    }
    drop(app);

    // 3. The naive loop: the same number of new operations, one request each.
    ehr_app::central::install_tls_provider();
    let client = reqwest::blocking::Client::new();
    let token: serde_json::Value = client
        .post(format!("{}/v1/auth/sign-in", central.url))
        .header(COUNTER_KEY_HEADER, &central.counter_key)
        .json(&serde_json::json!({"staff_code": central.clerk.0, "password": central.clerk.1}))
        .send()
        .and_then(|r| r.json())
        .map_err(|e| format!("naive sign-in: {e}"))?;
    let token = token["token"].as_str().ok_or("no token")?.to_owned();
    let t = Instant::now();
    for i in n..2 * n {
        let change = outbox::walk_in(i);
        let body = BatchRequest {
            ops: vec![BatchOp::new(
                uuid::Uuid::new_v4(),
                &change.record_key,
                1,
                &change.ops[0].op,
            )],
        };
        let resp: BatchResponse = client
            .post(format!("{}/v1/batch", central.url))
            .header(COUNTER_KEY_HEADER, &central.counter_key)
            .bearer_auth(&token)
            .json(&body)
            .send()
            .and_then(|r| r.json())
            .map_err(|e| format!("naive request: {e}"))?;
        if !matches!(
            resp.results.first().map(|r| &r.outcome),
            Some(Outcome::Applied { .. })
        ) {
            return Err(format!("naive op {i} was not applied"));
        }
    }
    let naive = t.elapsed();

    let rate = |d: Duration| f64::from(n) / d.as_secs_f64().max(1e-9);
    let bin = central_bin
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let profile = if central_bin.starts_with(release.parent().unwrap_or(&release)) {
        "release"
    } else {
        "debug"
    };
    let table = format!(
        "## Outbox sync\n\n\
Measured by `cargo build --release -p ehr-central && cargo run --release -p ehr-tests --bin sync-bench -- --ops {n} --write docs/benchmarks.md` \
on 2 cores: the app crate's store (SQLCipher, WAL, `synchronous=FULL`) and sync driver against {bin} ({profile} build) over loopback HTTP, \
walk-in registrations (each assigns an eHR number and an access key and queues a notification at the service).\n\n\
| measurement | result | goal |\n|---|---|---|\n\
| local enqueue (one change and its outbox row, one transaction), p50 / p99 / max | {} / {} / {} | p99 ≤ 10 ms |\n\
| drain {n} queued operations (batches of up to 200, one in flight) | {:.0} ops/s ({:.2} s) | ≥ 1,000 ops/s |\n\
| naive loop: one request per operation, {n} operations | {:.0} ops/s ({:.2} s) | |\n\n\
Batching is {:.1}× the naive loop. The store held {:.1} MB for {n} queued operations. \
The service held each of the {n} drained registrations exactly once afterwards (checked).\n",
        ms(pct(&enqueue, 0.5)),
        ms(pct(&enqueue, 0.99)),
        ms(enqueue.last().copied().unwrap_or_default()),
        rate(drain),
        drain.as_secs_f64(),
        rate(naive),
        naive.as_secs_f64(),
        naive.as_secs_f64() / drain.as_secs_f64().max(1e-9),
        db_bytes as f64 / 1e6,
    );
    print!("{table}");
    if let Some(path) = write {
        write_section(&path, "## Outbox sync", &table)?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
