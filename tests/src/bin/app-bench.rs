//! The app bench: cold start to a painted sign-in screen, and the memory of
//! all the app's processes idle after a sign-in with a card read.
//!
//! - **Cold start**: from the kernel's start time of the `ehr-counter`
//!   process (`/proc/<pid>/stat`, 10 ms ticks) to the sign-in screen's
//!   `ehr:first-screen` performance mark, set two animation frames after
//!   the screen mounted (so it was painted). The app runs in Xvfb, launched
//!   by tauri-driver through WebKitWebDriver as in the end-to-end tests;
//!   each launch is a new process with a warm page cache.
//! - **Memory**: PSS (`/proc/<pid>/smaps_rollup`) of the app process and
//!   every process under it (WebKit's web and network processes), after a
//!   sign-in at a real ehr-central and a read of the virtual card through
//!   pcscd, then 5 s idle.
//!
//! Run: `cargo build --release -p ehr-counter && cargo run --release -p
//! ehr-tests --bin app-bench -- [--launches N] [--write docs/benchmarks.md]`
//! (the app binary is `EHR_COUNTER_BIN`, default `target/release/ehr-counter`).

use std::collections::BTreeMap;
use std::time::Duration;

use ehr_tests::bench::{arg, pct, write_section};
use ehr_tests::central::Central;
use ehr_tests::harness::{wait_for, wait_for_text, Harness};
use ehr_tests::pcscd::Pcscd;
use ehr_tests::vcard::{sample_person, InsertedCard};
use fantoccini::{Client, Locator};

const WAIT: Duration = Duration::from_secs(30);

/// Epoch milliseconds of a process's start, from `/proc` (10 ms ticks).
fn process_start_ms(pid: u32) -> Result<f64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    // The fields after the command name (which may hold spaces), from 3 on.
    let after = stat.rsplit_once(')').map(|(_, r)| r).ok_or("stat")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields
        .get(19)
        .ok_or("starttime")?
        .parse()
        .map_err(|_| "starttime")?;
    let btime: f64 = std::fs::read_to_string("/proc/stat")
        .map_err(|e| e.to_string())?
        .lines()
        .find_map(|l| l.strip_prefix("btime ").map(|v| v.trim().to_owned()))
        .ok_or("btime")?
        .parse()
        .map_err(|_| "btime")?;
    Ok(btime * 1000.0 + ticks * 10.0)
}

/// Every process: pid → (parent pid, command name).
fn processes() -> BTreeMap<u32, (u32, String)> {
    let mut out = BTreeMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_owned();
        let ppid = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        out.insert(pid, (ppid, comm));
    }
    out
}

/// The running app's pid (the newest `ehr-counter` process).
fn app_pid() -> Result<u32, String> {
    processes()
        .into_iter()
        .filter(|(_, (_, comm))| comm == "ehr-counter")
        .map(|(pid, _)| pid)
        .max()
        .ok_or_else(|| "no ehr-counter process".to_owned())
}

/// PSS in KiB of one process.
fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("Pss:")
                    .map(|v| v.trim().trim_end_matches("kB").trim().to_owned())
            })
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The app and every process under it: (command name, PSS KiB).
fn tree_pss(root: u32) -> Vec<(String, u64)> {
    let all = processes();
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        if let Some((_, comm)) = all.get(&pid) {
            out.push((comm.clone(), pss_kib(pid)));
        }
        todo.extend(
            all.iter()
                .filter(|(_, (pp, _))| *pp == pid)
                .map(|(p, _)| *p),
        );
    }
    out
}

/// When the sign-in screen was painted (epoch ms), by its own mark.
async fn first_screen_ms(client: &Client) -> Result<f64, String> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let v = client
            .execute(
                "const m = performance.getEntriesByName('ehr:first-screen')[0]; \
                 return m ? performance.timeOrigin + m.startTime : null;",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        if let Some(t) = v.as_f64() {
            return Ok(t);
        }
        if std::time::Instant::now() > deadline {
            return Err("the sign-in screen never set its mark".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn main() -> Result<(), String> {
    let launches: usize = arg("--launches")
        .map(|s| {
            s.parse()
                .map_err(|_| "--launches takes a number".to_owned())
        })
        .transpose()?
        .unwrap_or(15);
    let write = arg("--write");
    if std::env::var_os("EHR_COUNTER_BIN").is_none() {
        let release = ehr_tests::workspace::target_dir()
            .join("release")
            .join("ehr-counter");
        std::env::set_var("EHR_COUNTER_BIN", &release);
    }
    let binary = ehr_tests::workspace::app_binary();
    let central = Central::start("app-bench")?;
    let pcscd = Pcscd::start()?;
    let env = vec![
        ("EHR_CENTRAL_URL".to_owned(), central.url.clone()),
        ("EHR_COUNTER_KEY".to_owned(), central.counter_key.clone()),
    ];
    let harness = Harness::start_with("app-bench", env)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (clerk, password) = central.clerk.clone();
    let reader = pcscd.reader_addr(0);
    let (mut starts, memory) = rt.block_on(async {
        let mut starts = Vec::new();
        for i in 0..=launches {
            let client = harness.connect().await?;
            let painted = first_screen_ms(&client).await?;
            let started = process_start_ms(app_pid()?)?;
            // The first launch warms the page cache; it is not counted.
            if i > 0 {
                starts.push(Duration::from_secs_f64(
                    (painted - started).max(0.0) / 1000.0,
                ));
            }
            if i < launches {
                client.close().await.map_err(|e| e.to_string())?;
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            // The last one: sign in, read a card, stay idle, measure.
            let fill = |id: &'static str, text: String| {
                let client = client.clone();
                async move {
                    let el = client
                        .find(Locator::Id(id))
                        .await
                        .map_err(|e| e.to_string())?;
                    el.send_keys(&text).await.map_err(|e| e.to_string())
                }
            };
            fill("staff-code", clerk.clone()).await?;
            fill("password", format!("{password}\u{E007}")).await?;
            wait_for(&client, Locator::Css("[data-testid=card-pane]"), WAIT).await;
            let card = InsertedCard::insert(
                &reader,
                &sample_person(ehr_card::profile::CardGeneration::Gen2018),
            )
            .map_err(|e| format!("{e:?}"))?;
            wait_for_text(
                &client,
                Locator::Css("[data-testid=card-identity-number]"),
                WAIT,
                |t| !t.is_empty(),
            )
            .await;
            tokio::time::sleep(Duration::from_secs(5)).await;
            let tree = tree_pss(app_pid()?);
            card.remove();
            let _ = client.close().await;
            return Ok::<_, String>((starts, tree));
        }
        Err("no launch".to_owned())
    })?;
    drop(harness);
    starts.sort();
    let total_kib: u64 = memory.iter().map(|(_, k)| k).sum();
    let by_kind = |pred: &dyn Fn(&str) -> bool| -> u64 {
        memory.iter().filter(|(c, _)| pred(c)).map(|(_, k)| k).sum()
    };
    let main_kib = by_kind(&|c| c == "ehr-counter");
    let web_kib = by_kind(&|c| c.starts_with("WebKitWebProces"));
    let net_kib = by_kind(&|c| c.starts_with("WebKitNetworkPr"));
    let mib = |k: u64| format!("{:.0} MB", k as f64 / 1024.0);
    let s = |d: Duration| format!("{:.2} s", d.as_secs_f64());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default();
    let section = format!(
        "## The app: cold start and memory\n\n\
Measured by `cargo build --release -p ehr-counter && cargo run --release -p ehr-tests --bin app-bench -- --launches {launches} --write docs/benchmarks.md` on 2 cores \
(1-minute load average {load} at the end; ehr-central, pcscd and Xvfb running beside it). The app ({}) runs in Xvfb under tauri-driver, as in the end-to-end tests.\n\n\
| measurement | result | goal |\n|---|---|---|\n\
| cold start: process start → sign-in screen painted, {launches} launches: p50 / p95 / max | {} / {} / {} | ≤ 1.0 s |\n\
| memory (PSS) of all the app's processes, idle after sign-in with a card read | {} (main {}, web {}, network {}) | ≤ 300 MB |\n\n\
Process start is the kernel's (10 ms ticks); painted is the sign-in screen's own `ehr:first-screen` mark, two animation frames after it mounted. \
The first launch warms the page cache and is not counted. WebKit's accelerated compositing is off (docs/adr/0003; before that: 0.98 s / 1.09 s and 361 MB, web process 237 MB). Processes: {}.\n",
        binary
            .strip_prefix(ehr_tests::workspace::root())
            .unwrap_or(&binary)
            .display(),
        s(pct(&starts, 0.5)),
        s(pct(&starts, 0.95)),
        s(starts.last().copied().unwrap_or_default()),
        mib(total_kib),
        mib(main_kib),
        mib(web_kib),
        mib(net_kib),
        memory
            .iter()
            .map(|(c, k)| format!("{c} {}", mib(*k)))
            .collect::<Vec<_>>()
            .join(", "),
    );
    print!("{section}");
    if let Some(path) = write {
        write_section(&path, "## The app: cold start and memory", &section)?;
    }
    drop(pcscd);
    drop(central);
    Ok(())
}
