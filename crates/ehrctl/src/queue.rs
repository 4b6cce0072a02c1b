//! `ehrctl queue` and `ehrctl db`: the outbox and the encrypted store, as a
//! field engineer sees them. Status and verification open the store without
//! syncing, so they work beside a running app.

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;
use ehr_app::App;
use ehr_protocol::ipc::SignInRequest;
use ehr_protocol::ErrorBody;
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Queued and needs-attention counts, ages, and the attention list.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Put needs-attention items back in the queue (new idempotency keys,
    /// audited under the staff code) and sync now, waiting for the queue
    /// to drain. Password from EHR_STAFF_PASSWORD, else standard input.
    Retry {
        /// The staff member doing it (signs in at the central service).
        #[arg(long)]
        staff_code: String,
        /// Only these items (by id; default: every item on the list).
        #[arg(long = "id")]
        ids: Vec<i64>,
        /// Seconds to wait for the queue to drain.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
    /// Sync now and wait for the queue to drain (after an upgrade, or when
    /// no app runs): signs in at the central service, sends what is queued,
    /// and leaves the attention list as it is. Password from
    /// EHR_STAFF_PASSWORD, else standard input.
    Sync {
        /// The staff member doing it (signs in at the central service).
        #[arg(long)]
        staff_code: String,
        /// Seconds to wait for the queue to drain.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Integrity check and key check of the encrypted store.
    Verify {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn fail(e: &ErrorBody) -> ExitCode {
    eprintln!(
        "{}",
        json!({"error": e.code.as_str(), "field": e.field, "message_en": e.message_en, "message_zh": e.message_zh})
    );
    ExitCode::from(1)
}

fn age(now: u64, then: Option<u64>) -> Option<u64> {
    then.map(|t| now.saturating_sub(t) / 1000)
}

/// `ehrctl queue …`.
pub fn run(cmd: &QueueCommand) -> ExitCode {
    let app = App::new(ehr_app::Config::from_env());
    match cmd {
        QueueCommand::Status { json: as_json } => status(&app, *as_json),
        QueueCommand::Retry {
            staff_code,
            ids,
            wait,
        } => retry(&app, staff_code, Some(ids), *wait),
        QueueCommand::Sync { staff_code, wait } => retry(&app, staff_code, None, *wait),
    }
}

fn status(app: &App, as_json: bool) -> ExitCode {
    if let Err(e) = app.open_store_without_sync() {
        return fail(&e);
    }
    // A real write, so a full disk or an I/O error shows here.
    let writable = app.check_store_writable();
    let st = match app.sync_status() {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let items = match app.attention_items_for_support() {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    let oldest = age(st.now_ms, st.oldest_queued_at_ms);
    let last = age(st.now_ms, st.last_success_at_ms);
    if as_json {
        println!("{}", status_json(app, &st, &items, writable.is_ok()));
    } else {
        match &st.store_error {
            None => println!("local store:      writable"),
            Some(e) => println!(
                "local store:      NOT WRITABLE ({}): {}",
                e.code.as_str(),
                e.message_en
            ),
        }
        println!("queued:           {}", st.queued);
        match oldest {
            Some(a) => println!("oldest queued:    {a} s ago"),
            None => println!("oldest queued:    -"),
        }
        println!("needs attention:  {}", st.attention);
        match last {
            Some(a) => println!("last sync:        {a} s ago"),
            None => println!("last sync:        never"),
        }
        for i in &items {
            println!(
                "  #{} {} {}: {}",
                i.id,
                i.op_type,
                i.code.as_str(),
                i.reason_en
            );
        }
    }
    if writable.is_err() {
        // Everything above was read; the store cannot take a change now.
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// The queue's status as JSON: counts, ages and the attention list by type
/// and code, without the summaries (no masked numbers either).
pub(crate) fn status_json(
    app: &App,
    st: &ehr_protocol::ipc::SyncStatus,
    items: &[ehr_protocol::ipc::AttentionItem],
    writable: bool,
) -> serde_json::Value {
    json!({
        "queued": st.queued,
        "attention": st.attention,
        "oldest_queued_age_s": age(st.now_ms, st.oldest_queued_at_ms),
        "last_success_age_s": age(st.now_ms, st.last_success_at_ms),
        "central_url": app.config().central_url,
        "store_writable": writable,
        "store_error": st.store_error.as_ref().map(|e| json!({
            "code": e.code.as_str(), "message_en": e.message_en, "message_zh": e.message_zh,
        })),
        "attention_items": items.iter().map(|i| json!({
            "id": i.id, "op_type": i.op_type, "code": i.code.as_str(),
            "reason_en": i.reason_en, "saved_at_ms": i.saved_at_ms,
        })).collect::<Vec<_>>(),
    })
}

/// [`status_json`] of the store as it is now (opened without syncing).
pub(crate) fn status_now(app: &App) -> Result<serde_json::Value, ErrorBody> {
    app.open_store_without_sync()?;
    let writable = app.check_store_writable();
    let st = app.sync_status()?;
    let items = app.attention_items_for_support()?;
    Ok(status_json(app, &st, &items, writable.is_ok()))
}

pub(crate) fn password() -> Result<String, ExitCode> {
    if let Ok(p) = std::env::var("EHR_STAFF_PASSWORD") {
        return Ok(p);
    }
    let mut s = String::new();
    if std::io::stdin().read_to_string(&mut s).is_err() {
        eprintln!(
            "{}",
            json!({"error": "usage", "message_en": "Give the password in EHR_STAFF_PASSWORD or on standard input."})
        );
        return Err(ExitCode::from(2));
    }
    Ok(s.trim_end_matches(['\r', '\n']).to_owned())
}

/// Sign `staff_code` in at the central service, the password from
/// `EHR_STAFF_PASSWORD` or standard input; the exit code if it fails.
pub(crate) fn sign_in(app: &App, staff_code: &str) -> Result<(), ExitCode> {
    let password = password()?;
    app.sign_in(&SignInRequest {
        staff_code: staff_code.to_owned(),
        password,
    })
    .map(|_| ())
    .map_err(|e| fail(&e))
}

/// Signs in, puts the attention items `ids` (every one when empty; none
/// when `None`: a plain sync) back in the queue, and syncs until the queue
/// drains or `wait` seconds pass.
fn retry(app: &App, staff_code: &str, ids: Option<&[i64]>, wait: u64) -> ExitCode {
    if let Err(code) = sign_in(app, staff_code) {
        return code;
    }
    // A retry is for sending: an offline sign-in (the service cannot be
    // reached) would put the changes back with nobody to send them.
    if app.staff_session().is_some_and(|s| s.offline) {
        app.sign_out();
        return fail(&ErrorBody::new(ehr_protocol::ErrorCode::CentralUnreachable));
    }
    // Sync from here if no app holds the outbox; else the running app
    // sends what this puts back at its next rescan.
    let syncing = match app.open_store() {
        Ok(()) => true,
        Err(e) if e.code == ehr_protocol::ErrorCode::StoreInUse => {
            if let Err(e) = app.open_store_without_sync() {
                return fail(&e);
            }
            false
        }
        Err(e) => return fail(&e),
    };
    let items = match ids {
        Some(_) => match app.attention_list() {
            Ok(i) => i,
            Err(e) => return fail(&e),
        },
        None => Vec::new(),
    };
    let ids = ids.unwrap_or_default();
    let mut retried = Vec::new();
    for i in items
        .iter()
        .filter(|i| ids.is_empty() || ids.contains(&i.id))
    {
        if let Err(e) = app.retry_attention(i.id) {
            return fail(&e);
        }
        retried.push(i.id);
    }
    for id in ids {
        if !retried.contains(id) {
            return fail(&ErrorBody::new(ehr_protocol::ErrorCode::QueueNotAttention));
        }
    }
    app.sync_now();
    let drained = syncing
        && app
            .wait_until_drained(Duration::from_secs(wait))
            .unwrap_or(false);
    let st = app.sync_status().ok();
    println!(
        "{}",
        json!({
            "retried": retried,
            "synced_here": syncing,
            "drained": drained,
            "queued": st.as_ref().map(|s| s.queued),
            "attention": st.as_ref().map(|s| s.attention),
        })
    );
    if !syncing || drained {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `ehrctl db …`.
pub fn run_db(cmd: &DbCommand) -> ExitCode {
    let DbCommand::Verify { json: as_json } = cmd;
    let app = App::new(ehr_app::Config::from_env());
    let v = match app
        .open_store_without_sync()
        .and_then(|()| app.verify_store())
    {
        Ok(v) => v,
        Err(e) => return fail(&e),
    };
    let ok = v.integrity == "ok" && v.cipher_pages_ok && !v.cipher_version.is_empty();
    if *as_json {
        println!(
            "{}",
            json!({
                "ok": ok,
                "integrity": v.integrity,
                "cipher_version": v.cipher_version,
                "cipher_pages_ok": v.cipher_pages_ok,
                "schema_version": v.schema_version,
                "key_source": v.key_source.as_str(),
                "data_dir": app.config().data_dir,
                "rows": v.rows.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
            })
        );
    } else {
        println!("integrity:       {}", v.integrity);
        println!("encryption:      SQLCipher {}", v.cipher_version);
        println!(
            "page HMACs:      {}",
            if v.cipher_pages_ok { "ok" } else { "BAD" }
        );
        println!("schema version:  {}", v.schema_version);
        println!("key:             {}", v.key_source.as_str());
        for (table, n) in &v.rows {
            println!("rows:            {n:>6} {table}");
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
