//! Offline sign-in latency: `App::sign_in` while the central service cannot
//! be reached (connection refused on loopback), checked against the
//! verifier in the encrypted store (argon2id, `ehr_app::staff::VERIFIER_PARAMS`).
//!
//! `cargo run --release -p ehr-app --example offline_sign_in_bench -- --runs 40 --write docs/benchmarks.md`

// A bench: a failure is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use ehr_app::{App, Config};
use ehr_protocol::ipc::SignInRequest;

const HEADING: &str = "## Offline sign-in";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let runs: usize = arg("--runs").and_then(|v| v.parse().ok()).unwrap_or(40);
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join(ehr_app::central::COUNTER_KEY_FILE);
    std::fs::write(&key_file, "bench-machine-key").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // A loopback port nobody listens on: every sign-in finds the service
    // unreachable and goes offline.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let d = dir.path().display().to_string();
    let url = format!("http://127.0.0.1:{port}");
    let config = Config::from_lookup(|k| match k {
        "EHR_COUNTER_DATA_DIR" => Some(d.clone()),
        "EHR_COUNTER_KEYRING" => Some("off".to_owned()),
        "EHR_CENTRAL_URL" => Some(url.clone()),
        _ => None,
    });
    let now = ehr_app::Clock::system().now_ms();
    {
        // The verifier an online sign-in would have left.
        let mut store = ehr_store::Store::open(dir.path(), ehr_store::KeyPolicy::FileOnly).unwrap();
        store
            .put_verifier(&ehr_store::StaffVerifier {
                staff_code: "clerk01".into(),
                role: "registration_staff".into(),
                display_name: None,
                verifier: ehr_app::staff::make_verifier("demo-clerk-01").unwrap(),
                online_at_ms: now,
            })
            .unwrap();
    }
    let app = App::new(config);
    app.open_store_without_sync().unwrap();
    let req = SignInRequest {
        staff_code: "clerk01".into(),
        password: "demo-clerk-01".into(),
    };
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let s = app.sign_in(&req).expect("offline sign-in");
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(s.offline);
        app.sign_out();
    }
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).clamp(1, ms.len()) - 1];
    let (m, t, p) = ehr_app::staff::VERIFIER_PARAMS;
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let section = format!(
        "{HEADING}\n\nMeasured by `cargo run --release -p ehr-app --example offline_sign_in_bench -- --runs {runs} --write docs/benchmarks.md` on {cpus} cores: `App::sign_in` with the central service unreachable (connection refused on loopback), checked against the verifier kept in the encrypted store: argon2id m = {m} KiB, t = {t}, p = {p} (the service hashes with m = 19456 KiB, t = 2, p = 1).\n\n| measurement | p50 | p95 | max | goal |\n|---|---|---|---|---|\n| offline sign-in ({runs} runs) | {:.0} ms | {:.0} ms | {:.0} ms | p95 ≤ 500 ms |\n",
        pct(0.50),
        pct(0.95),
        pct(1.0),
    );
    print!("{section}");
    if let Some(path) = arg("--write") {
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let new = match old.find(&format!("{HEADING}\n")) {
            Some(start) => {
                let rest = &old[start..];
                let tail = rest.find("\n## ").map(|e| &rest[e + 1..]).unwrap_or("");
                format!("{}{section}\n{tail}", &old[..start])
            }
            None => format!(
                "{}\n{section}",
                old.trim_end_matches('\n').to_owned() + "\n"
            ),
        };
        std::fs::write(&path, new).unwrap();
    }
}
