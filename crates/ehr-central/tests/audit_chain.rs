//! Counters' audit chains: a chain that follows on is accepted, one that
//! does not (an event edited, missing, replayed, or another counter's) is
//! refused with `audit.chain_broken`, and a retry of an accepted operation
//! is a duplicate.

mod common;

use common::Server;
use ehr_protocol::audit::{to_hex, ChainEntry, GENESIS};
use ehr_protocol::wire::{AuditEvent, AuditEvents, AuditLink, Operation};
use serde_json::Value;
use uuid::Uuid;

/// The chain `chain_id` as a counter would record it: events 1..=n.
fn chain(chain_id: &str, n: u64) -> Vec<AuditEvent> {
    let mut prev = GENESIS;
    (1..=n)
        .map(|seq| {
            let subject = format!("EHR00000000{seq}");
            let entry = ChainEntry {
                chain_id,
                seq,
                at_ms: 1_790_000_000_000 + seq as i64,
                counter_id: "CTR-DEMO-RO-HK",
                staff_code: "clerk01",
                action: "record.view",
                subject: Some(&subject),
                detail_sha256: None,
                prev_hash: prev,
            };
            let hash = entry.hash();
            let event = AuditEvent {
                at: "2026-09-21T00:00:00Z".to_owned(),
                action: "record.view".to_owned(),
                subject: Some(subject.clone()),
                actor: Some("clerk01".to_owned()),
                chain: Some(AuditLink {
                    chain_id: chain_id.to_owned(),
                    seq,
                    at_ms: entry.at_ms,
                    counter_id: "CTR-DEMO-RO-HK".to_owned(),
                    detail_sha256: None,
                    prev_hash: to_hex(&prev),
                    hash: to_hex(&hash),
                }),
            };
            prev = hash;
            event
        })
        .collect()
}

fn op(events: &[AuditEvent]) -> Value {
    serde_json::to_value(Operation::AuditEvents(AuditEvents {
        events: events.to_vec(),
    }))
    .expect("audit events serialise")
}

fn chained(s: &Server, chain_id: &str) -> i64 {
    s.query_i64(&format!(
        "SELECT count(*) FROM audit_events WHERE chain_id = '{chain_id}'"
    ))
}

#[tokio::test]
async fn a_chain_is_accepted_in_order_and_a_broken_one_is_refused() {
    let s = Server::start().await;
    let a = s.session("RO-HK", "clerk01").await;
    let id = Uuid::new_v4().simple().to_string();
    let record = format!("audit-chain:{id}");
    let events = chain(&id, 5);

    // Events 1 and 2 in one operation: accepted.
    let first = Uuid::new_v4();
    let out = a.op(first, &record, 1, op(&events[..2])).await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(out["result"]["count"], 2);
    assert_eq!(chained(&s, &id), 2);
    // The same operation again (an answer lost): a duplicate, nothing new.
    let again = a.op(first, &record, 1, op(&events[..2])).await;
    assert_eq!(again["status"], "duplicate", "{again}");
    assert_eq!(chained(&s, &id), 2);

    // Event 3 edited after it was hashed: refused, nothing kept.
    let mut edited = events[2].clone();
    edited.subject = Some("EHR000000099".to_owned());
    let out = a.op(Uuid::new_v4(), &record, 2, op(&[edited])).await;
    assert_eq!(out["status"], "conflict", "{out}");
    assert_eq!(out["code"], "audit.chain_broken");
    assert_eq!(chained(&s, &id), 2);
    // Event 3 left out: event 4 does not follow 2.
    let out = a.op(Uuid::new_v4(), &record, 3, op(&events[3..4])).await;
    assert_eq!(out["code"], "audit.chain_broken", "{out}");
    // Event 2 sent again under a new key (a replay): refused.
    let out = a.op(Uuid::new_v4(), &record, 4, op(&events[1..2])).await;
    assert_eq!(out["code"], "audit.chain_broken", "{out}");
    // A refusal is final for its key, like any other: a retry says the same.
    let refused = Uuid::new_v4();
    let out = a.op(refused, &record, 5, op(&events[3..4])).await;
    assert_eq!(out["code"], "audit.chain_broken");
    let out = a.op(refused, &record, 5, op(&events[3..4])).await;
    assert_eq!(out["code"], "audit.chain_broken", "{out}");

    // The true events 3 to 5 follow on.
    let out = a.op(Uuid::new_v4(), &record, 6, op(&events[2..])).await;
    assert_eq!(out["status"], "applied", "{out}");
    assert_eq!(chained(&s, &id), 5);
    assert_eq!(
        s.query_i64(&format!(
            "SELECT last_seq FROM audit_chains WHERE chain_id = '{id}'"
        )),
        5
    );

    // A chain the service has never seen starts at 1.
    let other = Uuid::new_v4().simple().to_string();
    let late = chain(&other, 2);
    let out = a
        .op(Uuid::new_v4(), "audit-chain:x", 1, op(&late[1..]))
        .await;
    assert_eq!(out["code"], "audit.chain_broken", "{out}");
    let out = a.op(Uuid::new_v4(), "audit-chain:x", 2, op(&late)).await;
    assert_eq!(out["status"], "applied", "{out}");

    // Another counter cannot continue this counter's chain: to the service
    // it is a chain of its own, which must start at 1.
    let b = s.session("HA-QEH", "clerk01").await;
    let more = chain(&id, 6);
    let out = b.op(Uuid::new_v4(), &record, 1, op(&more[5..])).await;
    assert_eq!(out["code"], "audit.chain_broken", "{out}");
    // Unchained events from counters before the chain still go in.
    let out = a
        .op(
            Uuid::new_v4(),
            "audit-old",
            1,
            serde_json::json!({"type": "audit_events", "events": [
                {"at": "2026-01-01T10:00:00+08:00", "action": "id.reveal"}]}),
        )
        .await;
    assert_eq!(out["status"], "applied", "{out}");
    assert!(s.running.state.db.check().unwrap().is_empty());
}

#[tokio::test]
async fn a_malformed_link_is_rejected_on_its_field() {
    let s = Server::start().await;
    let a = s.session("RO-HK", "clerk01").await;
    let id = Uuid::new_v4().simple().to_string();
    let mut events = chain(&id, 1);
    if let Some(link) = events[0].chain.as_mut() {
        link.hash = "not hex".to_owned();
    }
    let out = a.op(Uuid::new_v4(), "audit-chain:m", 1, op(&events)).await;
    assert_eq!(out["status"], "rejected", "{out}");
    assert_eq!(out["field_errors"][0]["field"], "events[0].chain");
}
