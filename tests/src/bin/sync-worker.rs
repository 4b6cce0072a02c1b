//! A syncing process for the kill -9 test: signs in, commits the walk-ins
//! `--from`..`--to` that this data folder does not have yet (printing
//! `committed I` once each is durable), and syncs until the queue is empty
//! (printing `drained`). The test kills it at random points.
//!
//! `sync-worker --data-dir D --central URL --counter-key K --staff CODE
//! --from A --to B [--pause-ms N]`, password in `SYNC_WORKER_PASSWORD`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use ehr_protocol::ipc::SignInRequest;
use ehr_tests::bench::arg;
use ehr_tests::outbox;

fn main() -> Result<(), String> {
    let need = |n: &str| arg(n).ok_or_else(|| format!("{n} is required"));
    let dir = PathBuf::from(need("--data-dir")?);
    let url = need("--central")?;
    let key = need("--counter-key")?;
    let staff = need("--staff")?;
    let from: u32 = need("--from")?.parse().map_err(|_| "--from")?;
    let to: u32 = need("--to")?.parse().map_err(|_| "--to")?;
    let pause = Duration::from_millis(arg("--pause-ms").and_then(|v| v.parse().ok()).unwrap_or(0));
    let password = std::env::var("SYNC_WORKER_PASSWORD").map_err(|_| "SYNC_WORKER_PASSWORD")?;

    let app = outbox::app(&dir, &url, &key, 200);
    app.open_store()
        .map_err(|e| format!("open store: {}", e.code))?;
    app.sign_in(&SignInRequest {
        staff_code: staff,
        password,
    })
    .map_err(|e| format!("sign in: {}", e.code))?;
    let mut out = std::io::stdout().lock();
    // The test starts its kill timer here: a sign-in (argon2id, a verifier
    // kept) takes a while, and the kills are meant for commits and sync.
    let _ = writeln!(out, "signed in");
    let _ = out.flush();
    for i in from..to {
        if app
            .local_record(&outbox::record_key(i))
            .map_err(|e| e.code.to_string())?
            .is_none()
        {
            app.commit_change(&outbox::walk_in(i))
                .map_err(|e| format!("commit: {}", e.code))?;
            let _ = writeln!(out, "committed {i}");
            let _ = out.flush();
        }
        std::thread::sleep(pause);
    }
    if app
        .wait_until_drained(Duration::from_secs(60))
        .map_err(|e| e.code.to_string())?
    {
        let _ = writeln!(out, "drained");
        Ok(())
    } else {
        Err("not drained within 60 s".into())
    }
}
