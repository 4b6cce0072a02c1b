//! Unit tests of the engine: a fake clock (plain [`Time`] values) and tables
//! of events, each with the exact instructions it must give.

use super::*;

/// Small limits so batching rules show with a handful of operations.
fn cfg() -> Config {
    Config {
        max_batch_ops: 4,
        max_batch_bytes: 1_000,
        request_timeout_ms: 10_000,
        backoff_base_ms: 1_000,
        backoff_cap_ms: 8_000,
    }
}

const TIMEOUT: u64 = 10_000;
const BASE: u64 = 1_000;
const CAP: u64 = 8_000;

fn op(id: OpId, record: &str) -> QueuedOp {
    sized(id, record, 100)
}

fn sized(id: OpId, record: &str, bytes: u64) -> QueuedOp {
    QueuedOp {
        id,
        record_key: record.to_owned(),
        bytes,
    }
}

fn write(id: OpId, record: &str) -> Event {
    Event::LocalWrite(op(id, record))
}

fn send(batch: BatchId, ops: &[OpId]) -> Instruction {
    Instruction::Send {
        batch,
        ops: ops.to_vec(),
    }
}

fn wake(ms: u64) -> Instruction {
    Instruction::WakeAt(Time(ms))
}

fn attention(op: OpId, code: &str) -> Instruction {
    Instruction::Attention {
        op,
        code: code.to_owned(),
    }
}

fn answer(batch: BatchId, answer: Answer) -> Event {
    Event::Response { batch, answer }
}

/// Every operation of the batch done.
fn all_done(batch: BatchId, ops: &[OpId]) -> Event {
    answer(
        batch,
        Answer::Results(ops.iter().map(|&id| (id, OpOutcome::Done)).collect()),
    )
}

fn results(batch: BatchId, outcomes: &[(OpId, Option<&str>)]) -> Event {
    answer(
        batch,
        Answer::Results(
            outcomes
                .iter()
                .map(|&(id, o)| {
                    let outcome = match o {
                        None => OpOutcome::Done,
                        Some(code) => OpOutcome::Attention(code.to_owned()),
                    };
                    (id, outcome)
                })
                .collect(),
        ),
    )
}

fn refused(batch: BatchId) -> Event {
    answer(
        batch,
        Answer::Refused {
            status: 400,
            code: "batch.invalid".to_owned(),
        },
    )
}

fn mark_done(ids: &[OpId]) -> Vec<Instruction> {
    ids.iter().map(|&id| Instruction::MarkDone(id)).collect()
}

/// One row of a table: at this time, this event, exactly these instructions.
type Step = (u64, Event, Vec<Instruction>);

fn run(e: &mut Engine, steps: Vec<Step>) {
    for (i, (at, event, want)) in steps.into_iter().enumerate() {
        let shown = format!("{event:?}");
        let got = e.handle(Time(at), event);
        assert_eq!(got, want, "step {i} at {at} ms: {shown}");
    }
}

fn engine(seed: u64) -> Engine {
    Engine::new(cfg(), seed)
}

fn signed_in(seed: u64) -> Engine {
    let mut e = engine(seed);
    assert_eq!(e.handle(Time(0), Event::SignedIn), vec![]);
    e
}

/// After a failed round at `now`, checks the exact instructions against the
/// next attempt the engine chose: a wake at that time, or (a zero wait was
/// drawn) `ops` sent again at once as `batch`. Returns the next attempt time
/// and whether the resend already happened.
fn expect_backoff(
    e: &Engine,
    now: u64,
    out: &[Instruction],
    batch: BatchId,
    ops: &[OpId],
) -> (u64, bool) {
    if out
        .first()
        .is_some_and(|i| matches!(i, Instruction::Send { .. }))
    {
        assert_eq!(out, [send(batch, ops), wake(now + TIMEOUT)]);
        assert_eq!(e.status().next_attempt, None);
        (now, true)
    } else {
        let next = e
            .status()
            .next_attempt
            .expect("a failed round sets a next attempt");
        assert!(next.0 > now, "a wait of zero sends at once");
        assert_eq!(out, [Instruction::WakeAt(next)]);
        (next.0, false)
    }
}

// ---------------------------------------------------------------- sign-in

#[test]
fn nothing_is_sent_before_signed_in() {
    let mut e = engine(1);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![]),
            (5, write(2, "b"), vec![]),
            (10, Event::Timeout, vec![]),
            (20, Event::Connectivity(true), vec![]),
            (30, Event::SignedOut, vec![]),
            (40, Event::Timeout, vec![]),
        ],
    );
    let s = e.status();
    assert_eq!((s.queued, s.in_flight, s.link), (2, 0, Link::Unknown));
    run(
        &mut e,
        vec![(
            50,
            Event::SignedIn,
            vec![send(1, &[1, 2]), wake(50 + TIMEOUT)],
        )],
    );
}

#[test]
fn signed_out_stops_sending_until_signed_in_again() {
    let mut e = signed_in(1);
    run(
        &mut e,
        vec![
            (10, write(1, "a"), vec![send(1, &[1]), wake(10 + TIMEOUT)]),
            (20, Event::SignedOut, vec![]),
            // The answer to what was already sent still counts.
            (30, all_done(1, &[1]), mark_done(&[1])),
            (40, write(2, "a"), vec![]),
            (50, Event::Timeout, vec![]),
            (60, Event::SignedIn, vec![send(2, &[2]), wake(60 + TIMEOUT)]),
            (70, all_done(2, &[2]), mark_done(&[2])),
        ],
    );
    assert_eq!(e.status().queued, 0);
}

#[test]
fn local_write_after_sign_in_sends_at_once() {
    let mut e = signed_in(1);
    run(
        &mut e,
        vec![
            (100, write(1, "a"), vec![send(1, &[1]), wake(100 + TIMEOUT)]),
            (150, all_done(1, &[1]), mark_done(&[1])),
            (160, write(2, "a"), vec![send(2, &[2]), wake(160 + TIMEOUT)]),
        ],
    );
    let s = e.status();
    assert_eq!(s.link, Link::Online);
    assert_eq!(s.last_success, Some(Time(150)));
    assert_eq!((s.queued, s.in_flight), (1, 1));
}

// --------------------------------------------------------------- batching

#[test]
fn one_op_per_record_per_batch_in_global_id_order() {
    let mut e = engine(1);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![]),
            (0, write(2, "a"), vec![]),
            (0, write(3, "b"), vec![]),
            (0, write(4, "c"), vec![]),
            (0, write(5, "b"), vec![]),
            (0, write(6, "a"), vec![]),
            (
                10,
                Event::SignedIn,
                vec![send(1, &[1, 3, 4]), wake(10 + TIMEOUT)],
            ),
            (20, all_done(1, &[1, 3, 4]), {
                let mut v = mark_done(&[1, 3, 4]);
                v.extend([send(2, &[2, 5]), wake(20 + TIMEOUT)]);
                v
            }),
            (30, all_done(2, &[2, 5]), {
                let mut v = mark_done(&[2, 5]);
                v.extend([send(3, &[6]), wake(30 + TIMEOUT)]);
                v
            }),
            (40, all_done(3, &[6]), mark_done(&[6])),
        ],
    );
    assert_eq!(e.status().queued, 0);
}

#[test]
fn writes_told_out_of_order_are_sent_in_id_order() {
    let mut e = engine(1);
    run(
        &mut e,
        vec![
            (0, write(7, "a"), vec![]),
            (0, write(2, "b"), vec![]),
            (0, write(5, "a"), vec![]),
            (
                10,
                Event::SignedIn,
                vec![send(1, &[2, 5]), wake(10 + TIMEOUT)],
            ),
            (20, all_done(1, &[2, 5]), {
                let mut v = mark_done(&[2, 5]);
                v.extend([send(2, &[7]), wake(20 + TIMEOUT)]);
                v
            }),
        ],
    );
}

#[test]
fn max_batch_ops_cuts_batches() {
    let mut e = engine(1);
    for id in 1..=6 {
        let record = format!("r{id}");
        assert_eq!(e.handle(Time(0), write(id, &record)), vec![]);
    }
    run(
        &mut e,
        vec![
            (
                10,
                Event::SignedIn,
                vec![send(1, &[1, 2, 3, 4]), wake(10 + TIMEOUT)],
            ),
            (20, all_done(1, &[1, 2, 3, 4]), {
                let mut v = mark_done(&[1, 2, 3, 4]);
                v.extend([send(2, &[5, 6]), wake(20 + TIMEOUT)]);
                v
            }),
        ],
    );
}

#[test]
fn max_batch_bytes_cuts_batches_and_a_large_op_goes_alone() {
    // (sizes, expected batches)
    let table: Vec<(Vec<u64>, Vec<Vec<OpId>>)> = vec![
        (vec![400, 400, 400], vec![vec![1, 2], vec![3]]),
        (vec![500, 500, 1], vec![vec![1, 2], vec![3]]), // exactly the limit fits
        (vec![100, 1_500, 100], vec![vec![1], vec![2], vec![3]]),
        (vec![1_500, 100, 100], vec![vec![1], vec![2, 3]]),
        (vec![2_000, 3_000], vec![vec![1], vec![2]]),
    ];
    for (sizes, batches) in table {
        let mut e = engine(1);
        for (i, &bytes) in sizes.iter().enumerate() {
            let id = i as OpId + 1;
            let record = format!("r{id}");
            assert_eq!(
                e.handle(Time(0), Event::LocalWrite(sized(id, &record, bytes))),
                vec![]
            );
        }
        let mut out = e.handle(Time(1), Event::SignedIn);
        for (n, batch) in batches.iter().enumerate() {
            let b = n as BatchId + 1;
            let now = 1 + n as u64;
            let mut want = if n == 0 {
                vec![]
            } else {
                mark_done(&batches[n - 1])
            };
            want.extend([send(b, batch), wake(now + TIMEOUT)]);
            assert_eq!(out, want, "sizes {sizes:?}, batch {b}");
            out = e.handle(Time(now + 1), all_done(b, batch));
        }
        assert_eq!(
            out,
            mark_done(&batches[batches.len() - 1]),
            "sizes {sizes:?}"
        );
        assert_eq!(e.status().queued, 0);
    }
}

#[test]
fn one_batch_in_flight_at_a_time() {
    let mut e = signed_in(1);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![send(1, &[1]), wake(TIMEOUT)]),
            (10, write(2, "b"), vec![]),
            (20, write(3, "c"), vec![]),
            (30, Event::Timeout, vec![]),
            (40, Event::Connectivity(true), vec![]),
            (50, Event::SignedIn, vec![]),
            (60, all_done(1, &[1]), {
                let mut v = mark_done(&[1]);
                v.extend([send(2, &[2, 3]), wake(60 + TIMEOUT)]);
                v
            }),
        ],
    );
    assert_eq!(e.status().in_flight, 2);
}

// -------------------------------------------------------------- attention

#[test]
fn attention_blocks_the_record_until_retried() {
    let mut e = engine(1);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![]),
            (0, write(2, "a"), vec![]),
            (0, write(3, "b"), vec![]),
            (0, Event::SignedIn, vec![send(1, &[1, 3]), wake(TIMEOUT)]),
            (
                10,
                results(1, &[(1, Some("conflict.x")), (3, None)]),
                vec![attention(1, "conflict.x"), Instruction::MarkDone(3)],
            ),
            (20, write(4, "a"), vec![]),
            (30, Event::Timeout, vec![]),
            (35, Event::Connectivity(true), vec![]),
        ],
    );
    assert!(e.is_attention(1) && !e.is_queued(1));
    let s = e.status();
    assert_eq!((s.queued, s.attention, s.in_flight), (2, 1, 0));
    run(
        &mut e,
        vec![
            // Unknown or not on the list: nothing.
            (36, Event::Retried(2), vec![]),
            (37, Event::Discarded(99), vec![]),
            // The retried op goes to the head of its record and is sent next.
            (
                40,
                Event::Retried(1),
                vec![send(2, &[1]), wake(40 + TIMEOUT)],
            ),
            (50, all_done(2, &[1]), {
                let mut v = mark_done(&[1]);
                v.extend([send(3, &[2]), wake(50 + TIMEOUT)]);
                v
            }),
            (60, all_done(3, &[2]), {
                let mut v = mark_done(&[2]);
                v.extend([send(4, &[4]), wake(60 + TIMEOUT)]);
                v
            }),
            (70, all_done(4, &[4]), mark_done(&[4])),
        ],
    );
    let s = e.status();
    assert_eq!((s.queued, s.attention), (0, 0));
}

#[test]
fn attention_discarded_lets_the_later_ops_go() {
    let mut e = engine(1);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![]),
            (0, write(2, "a"), vec![]),
            (0, Event::SignedIn, vec![send(1, &[1]), wake(TIMEOUT)]),
            (
                10,
                results(1, &[(1, Some("conflict.x"))]),
                vec![attention(1, "conflict.x")],
            ),
            (20, write(3, "b"), vec![send(2, &[3]), wake(20 + TIMEOUT)]),
            (30, all_done(2, &[3]), mark_done(&[3])),
            (
                40,
                Event::Discarded(1),
                vec![send(3, &[2]), wake(40 + TIMEOUT)],
            ),
            // Discarded twice, or retried after the discard: nothing.
            (41, Event::Discarded(1), vec![]),
            (42, Event::Retried(1), vec![]),
            (50, all_done(3, &[2]), mark_done(&[2])),
        ],
    );
    assert!(!e.is_attention(1) && !e.is_queued(1));
    assert_eq!(e.status().queued, 0);
}

#[test]
fn a_retried_op_keeps_its_size() {
    let mut e = engine(1);
    run(
        &mut e,
        vec![
            (0, Event::LocalWrite(sized(1, "a", 900)), vec![]),
            (0, Event::SignedIn, vec![send(1, &[1]), wake(TIMEOUT)]),
            (
                10,
                results(1, &[(1, Some("conflict.x"))]),
                vec![attention(1, "conflict.x")],
            ),
            (
                20,
                Event::LocalWrite(sized(2, "b", 300)),
                vec![send(2, &[2]), wake(20 + TIMEOUT)],
            ),
            (30, Event::LocalWrite(sized(3, "c", 300)), vec![]),
            (40, Event::Retried(1), vec![]),
            // 900 + 300 bytes do not fit in 1000: the retried op goes alone.
            (50, all_done(2, &[2]), {
                let mut v = mark_done(&[2]);
                v.extend([send(3, &[1]), wake(50 + TIMEOUT)]);
                v
            }),
            (60, all_done(3, &[1]), {
                let mut v = mark_done(&[1]);
                v.extend([send(4, &[3]), wake(60 + TIMEOUT)]);
                v
            }),
        ],
    );
}

#[test]
fn an_answer_for_ops_not_in_the_batch_or_twice_changes_nothing_for_them() {
    let mut e = engine(1);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![]),
            (0, write(2, "b"), vec![]),
            (0, write(3, "c"), vec![]),
            (0, Event::SignedIn, vec![send(1, &[1, 2, 3]), wake(TIMEOUT)]),
            (0, write(4, "d"), vec![]),
            (
                10,
                results(
                    1,
                    &[
                        (1, None),
                        (1, Some("conflict.x")),
                        (4, None),
                        (2, None),
                        (3, None),
                    ],
                ),
                {
                    let mut v = mark_done(&[1, 2, 3]);
                    v.extend([send(2, &[4]), wake(10 + TIMEOUT)]);
                    v
                },
            ),
        ],
    );
    assert!(!e.is_attention(1));
}

// ---------------------------------------------------------------- backoff

#[test]
fn first_failure_waits_within_base_then_retries_on_timeout_without_a_new_write() {
    let failures = [
        Answer::Network,
        Answer::ServerError(503),
        Answer::ServerError(429),
        Answer::ServerError(408),
    ];
    let mut waited = 0;
    for seed in 0..200u64 {
        let fail = failures[(seed % 4) as usize].clone();
        let mut e = signed_in(seed);
        run(
            &mut e,
            vec![(
                1_000,
                write(1, "a"),
                vec![send(1, &[1]), wake(1_000 + TIMEOUT)],
            )],
        );
        let out = e.handle(Time(1_500), answer(1, fail));
        let s = e.status();
        assert_eq!((s.failures, s.link, s.queued), (1, Link::Offline, 1));
        let (next, sent) = expect_backoff(&e, 1_500, &out, 2, &[1]);
        assert!(
            (1_500..=1_500 + BASE).contains(&next),
            "seed {seed}: {next}"
        );
        if !sent {
            waited += 1;
            // The "stuck queue" bug: the retry must come from the wake alone.
            run(
                &mut e,
                vec![
                    (next - 1, Event::Timeout, vec![]),
                    (
                        next,
                        Event::Timeout,
                        vec![send(2, &[1]), wake(next + TIMEOUT)],
                    ),
                ],
            );
        }
        run(
            &mut e,
            vec![(next + 10, all_done(2, &[1]), mark_done(&[1]))],
        );
        let s = e.status();
        assert_eq!(
            (s.failures, s.link, s.next_attempt),
            (0, Link::Online, None)
        );
    }
    assert!(waited > 150, "the jitter almost never draws zero: {waited}");
}

#[test]
fn a_late_timeout_still_retries() {
    // The driver may wake late (a suspended laptop): the retry still goes.
    let mut e = signed_in(3);
    run(
        &mut e,
        vec![(0, write(1, "a"), vec![send(1, &[1]), wake(TIMEOUT)])],
    );
    let out = e.handle(Time(10), answer(1, Answer::Network));
    let (next, sent) = expect_backoff(&e, 10, &out, 2, &[1]);
    assert!(!sent);
    run(
        &mut e,
        vec![(
            next + 500_000,
            Event::Timeout,
            vec![send(2, &[1]), wake(next + 500_000 + TIMEOUT)],
        )],
    );
}

/// Fails `rounds` rounds in a row from a fresh engine; the waits drawn.
fn waits(seed: u64, rounds: u32, fail: &Answer) -> Vec<u64> {
    let mut e = signed_in(seed);
    let mut now = 0;
    let mut batch = 1;
    run(
        &mut e,
        vec![(now, write(1, "a"), vec![send(1, &[1]), wake(TIMEOUT)])],
    );
    let mut waits = Vec::new();
    for round in 1..=rounds {
        now += 7;
        let out = e.handle(Time(now), answer(batch, fail.clone()));
        assert_eq!(e.status().failures, round);
        batch += 1;
        let (next, sent) = expect_backoff(&e, now, &out, batch, &[1]);
        waits.push(next - now);
        now = next;
        if !sent {
            run(
                &mut e,
                vec![(
                    now,
                    Event::Timeout,
                    vec![send(batch, &[1]), wake(now + TIMEOUT)],
                )],
            );
        }
    }
    waits
}

#[test]
fn backoff_grows_exponentially_and_is_capped() {
    let rounds = 40;
    let mut max = vec![0u64; rounds as usize];
    for seed in 0..64 {
        let fail = if seed % 2 == 0 {
            Answer::Network
        } else {
            Answer::ServerError(502)
        };
        for (k, w) in waits(seed, rounds, &fail).into_iter().enumerate() {
            let bound = (BASE << k.min(20)).min(CAP);
            assert!(
                w <= bound,
                "seed {seed}, failure {}: waited {w} > {bound}",
                k + 1
            );
            max[k] = max[k].max(w);
        }
    }
    // Full jitter draws from the whole range: over 64 seeds the longest wait
    // of each round is near its bound, so the bound visibly doubles.
    for (k, m) in max.iter().enumerate() {
        let bound = (BASE << k.min(20)).min(CAP);
        assert!(
            *m > bound / 2,
            "failure {}: longest wait {m} of {bound}",
            k + 1
        );
    }
}

#[test]
fn a_timeout_at_the_deadline_retries_later_and_the_late_answer_is_ignored() {
    let mut e = signed_in(5);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![send(1, &[1]), wake(TIMEOUT)]),
            (TIMEOUT - 1, Event::Timeout, vec![]),
        ],
    );
    assert_eq!(e.status().in_flight, 1);
    let out = e.handle(Time(TIMEOUT), Event::Timeout);
    let (next, sent) = expect_backoff(&e, TIMEOUT, &out, 2, &[1]);
    assert!(next <= TIMEOUT + BASE);
    let s = e.status();
    assert_eq!((s.link, s.failures, s.queued), (Link::Offline, 1, 1));
    // The late answer to batch 1 changes nothing: no MarkDone, nothing lost.
    run(&mut e, vec![(TIMEOUT, all_done(1, &[1]), vec![])]);
    if !sent {
        run(
            &mut e,
            vec![(
                next,
                Event::Timeout,
                vec![send(2, &[1]), wake(next + TIMEOUT)],
            )],
        );
    }
    assert!(e.is_queued(1));
    run(
        &mut e,
        vec![
            // Late again, while batch 2 is in flight: still nothing.
            (next + 1, all_done(1, &[1]), vec![]),
            (next + 2, answer(1, Answer::Unauthorized), vec![]),
            (next + 3, refused(1), vec![]),
            (next + 4, all_done(2, &[1]), mark_done(&[1])),
            // And after batch 2 was answered.
            (next + 5, answer(2, Answer::Network), vec![]),
        ],
    );
    let s = e.status();
    assert_eq!((s.queued, s.failures, s.link), (0, 0, Link::Online));
}

#[test]
fn connectivity_back_retries_at_once() {
    // A seed whose first wait is not zero (the jitter is reproducible).
    let seed = (0..)
        .find(|&s| waits(s, 1, &Answer::Network)[0] > 100)
        .expect("some seed");
    let mut e = signed_in(seed);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![send(1, &[1]), wake(TIMEOUT)]),
            (7, answer(1, Answer::Network), {
                let next = 7 + waits(seed, 1, &Answer::Network)[0];
                vec![wake(next)]
            }),
            (8, Event::Connectivity(false), vec![]),
            (9, Event::Timeout, vec![]),
        ],
    );
    assert_eq!(e.status().link, Link::Offline);
    run(
        &mut e,
        vec![
            (
                10,
                Event::Connectivity(true),
                vec![send(2, &[1]), wake(10 + TIMEOUT)],
            ),
            // While in flight a reconnect sends nothing more.
            (11, Event::Connectivity(true), vec![]),
        ],
    );
    let s = e.status();
    assert_eq!((s.failures, s.next_attempt), (0, None));
}

#[test]
fn results_that_skip_ops_retry_them_after_a_backoff() {
    let mut e = engine(11);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![]),
            (0, write(2, "b"), vec![]),
            (0, write(3, "c"), vec![]),
            (0, write(4, "b"), vec![]),
            (0, Event::SignedIn, vec![send(1, &[1, 2, 3]), wake(TIMEOUT)]),
        ],
    );
    let out = e.handle(Time(20), results(1, &[(1, None), (3, None)]));
    assert_eq!(out[..2], mark_done(&[1, 3])[..]);
    assert_eq!(e.status().link, Link::Online);
    assert_eq!(e.status().last_success, Some(Time(20)));
    let (next, sent) = expect_backoff(&e, 20, &out[2..], 2, &[2]);
    assert!(next <= 20 + BASE);
    assert!(!e.is_queued(1) && e.is_queued(2) && e.is_queued(4));
    if !sent {
        run(
            &mut e,
            vec![(
                next,
                Event::Timeout,
                vec![send(2, &[2]), wake(next + TIMEOUT)],
            )],
        );
    }
    run(
        &mut e,
        vec![(next + 1, all_done(2, &[2]), {
            let mut v = mark_done(&[2]);
            v.extend([send(3, &[4]), wake(next + 1 + TIMEOUT)]);
            v
        })],
    );
}

// ------------------------------------------------------- 401 and refusals

#[test]
fn unauthorized_asks_once_and_resends_the_same_ops_after_sign_in() {
    let mut e = engine(1);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![]),
            (0, write(2, "b"), vec![]),
            (0, Event::SignedIn, vec![send(1, &[1, 2]), wake(TIMEOUT)]),
            (
                10,
                answer(1, Answer::Unauthorized),
                vec![Instruction::AskSignIn],
            ),
        ],
    );
    let s = e.status();
    assert!(s.needs_sign_in);
    assert_eq!((s.queued, s.in_flight, s.failures), (2, 0, 0));
    run(
        &mut e,
        vec![
            (20, write(3, "c"), vec![]),
            (30, Event::Timeout, vec![]),
            (40, Event::Connectivity(true), vec![]),
            (50, answer(1, Answer::Unauthorized), vec![]),
            (60, Event::SignedOut, vec![]),
            (TIMEOUT * 5, Event::Timeout, vec![]),
            (
                TIMEOUT * 6,
                Event::SignedIn,
                vec![send(2, &[1, 2, 3]), wake(TIMEOUT * 7)],
            ),
            (
                TIMEOUT * 6 + 1,
                all_done(2, &[1, 2, 3]),
                mark_done(&[1, 2, 3]),
            ),
        ],
    );
    let s = e.status();
    assert!(!s.needs_sign_in);
    assert_eq!(s.queued, 0);
    // A later 401 is a new episode: asked again, once.
    run(
        &mut e,
        vec![
            (
                TIMEOUT * 6 + 2,
                write(4, "a"),
                vec![send(3, &[4]), wake(TIMEOUT * 7 + 2)],
            ),
            (
                TIMEOUT * 6 + 3,
                answer(3, Answer::Unauthorized),
                vec![Instruction::AskSignIn],
            ),
        ],
    );
}

#[test]
fn a_refused_batch_is_bisected_down_to_the_one_refused_op() {
    let mut e = Engine::new(
        Config {
            max_batch_ops: 8,
            ..cfg()
        },
        1,
    );
    for id in 1..=8 {
        let record = format!("r{id}");
        assert_eq!(e.handle(Time(0), write(id, &record)), vec![]);
    }
    // Op 7 is the one the service cannot take; the others are fine.
    let then = |done: &[OpId], next: BatchId, ops: &[OpId], now: u64| {
        let mut v = mark_done(done);
        v.extend([send(next, ops), wake(now + TIMEOUT)]);
        v
    };
    run(
        &mut e,
        vec![
            (
                0,
                Event::SignedIn,
                vec![send(1, &[1, 2, 3, 4, 5, 6, 7, 8]), wake(TIMEOUT)],
            ),
            (
                1,
                refused(1),
                vec![send(2, &[1, 2, 3, 4]), wake(1 + TIMEOUT)],
            ),
            (
                2,
                all_done(2, &[1, 2, 3, 4]),
                then(&[1, 2, 3, 4], 3, &[5, 6, 7, 8], 2),
            ),
            (3, refused(3), vec![send(4, &[5, 6]), wake(3 + TIMEOUT)]),
            (4, all_done(4, &[5, 6]), then(&[5, 6], 5, &[7, 8], 4)),
            (5, refused(5), vec![send(6, &[7]), wake(5 + TIMEOUT)]),
            (
                6,
                refused(6),
                vec![
                    attention(7, "batch.invalid"),
                    send(7, &[8]),
                    wake(6 + TIMEOUT),
                ],
            ),
            (7, all_done(7, &[8]), mark_done(&[8])),
        ],
    );
    let s = e.status();
    assert_eq!((s.queued, s.attention, s.failures), (0, 1, 0));
    assert!(e.is_attention(7));
    // The refused op's record waits until the op is discarded.
    run(
        &mut e,
        vec![
            (8, write(9, "r7"), vec![]),
            (8, write(10, "r1"), vec![send(8, &[10]), wake(8 + TIMEOUT)]),
            (9, all_done(8, &[10]), mark_done(&[10])),
            (
                10,
                Event::Discarded(7),
                vec![send(9, &[9]), wake(10 + TIMEOUT)],
            ),
        ],
    );
}

#[test]
fn a_refused_single_op_goes_to_attention_with_the_code() {
    let mut e = signed_in(1);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![send(1, &[1]), wake(TIMEOUT)]),
            (0, write(2, "a"), vec![]),
            (
                1,
                answer(
                    1,
                    Answer::Refused {
                        status: 413,
                        code: "batch.too_large".to_owned(),
                    },
                ),
                vec![attention(1, "batch.too_large")],
            ),
            (2, Event::Retried(1), vec![send(2, &[1]), wake(2 + TIMEOUT)]),
        ],
    );
}

// ---------------------------------------------------------------- restore

#[test]
fn restored_rebuilds_the_queue_and_the_attention_list() {
    let mut e = engine(1);
    run(
        &mut e,
        vec![
            (
                0,
                Event::Restored {
                    queued: vec![op(5, "c"), op(2, "b"), op(1, "a"), op(3, "a")],
                    attention: vec![sized(4, "c", 950)],
                },
                vec![],
            ),
            (
                1,
                Event::SignedIn,
                vec![send(1, &[1, 2]), wake(1 + TIMEOUT)],
            ),
        ],
    );
    let s = e.status();
    assert_eq!((s.queued, s.attention, s.in_flight), (4, 1, 2));
    assert!(e.is_attention(4) && e.is_queued(5));
    run(
        &mut e,
        vec![
            (2, Event::Retried(4), vec![]),
            (3, all_done(1, &[1, 2]), {
                // 950 + 100 bytes do not fit: the restored size is kept.
                let mut v = mark_done(&[1, 2]);
                v.extend([send(2, &[3]), wake(3 + TIMEOUT)]);
                v
            }),
            (4, all_done(2, &[3]), {
                let mut v = mark_done(&[3]);
                v.extend([send(3, &[4]), wake(4 + TIMEOUT)]);
                v
            }),
            (5, all_done(3, &[4]), {
                let mut v = mark_done(&[4]);
                v.extend([send(4, &[5]), wake(5 + TIMEOUT)]);
                v
            }),
            (6, all_done(4, &[5]), mark_done(&[5])),
        ],
    );
}

#[test]
fn restored_replaces_what_the_engine_knew() {
    let mut e = signed_in(1);
    run(
        &mut e,
        vec![
            (0, write(9, "z"), vec![send(1, &[9]), wake(TIMEOUT)]),
            (
                1,
                Event::Restored {
                    queued: vec![op(1, "a")],
                    attention: vec![op(0, "b")],
                },
                // Still signed in: sent at once, under a batch id never used.
                vec![send(2, &[1]), wake(1 + TIMEOUT)],
            ),
            // The batch in flight before is forgotten: its answer is late.
            (2, all_done(1, &[9]), vec![]),
            (3, all_done(2, &[1]), mark_done(&[1])),
        ],
    );
    assert!(!e.is_queued(9) && e.is_attention(0));
    assert_eq!(e.status().queued, 0);
}

#[test]
fn restored_forgets_the_backoff() {
    let seed = (0..)
        .find(|&s| waits(s, 1, &Answer::Network)[0] > 100)
        .expect("some seed");
    let mut e = signed_in(seed);
    run(
        &mut e,
        vec![(0, write(1, "a"), vec![send(1, &[1]), wake(TIMEOUT)])],
    );
    let out = e.handle(Time(7), answer(1, Answer::Network));
    assert!(matches!(out[..], [Instruction::WakeAt(_)]), "{out:?}");
    assert_eq!(e.status().failures, 1);
    run(
        &mut e,
        vec![(
            8,
            Event::Restored {
                queued: vec![op(1, "a")],
                attention: vec![],
            },
            vec![send(2, &[1]), wake(8 + TIMEOUT)],
        )],
    );
    assert_eq!(e.status().failures, 0);
}

// ------------------------------------------------------------- duplicates

#[test]
fn a_duplicate_local_write_is_ignored() {
    let mut e = engine(1);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![]),
            (0, write(1, "a"), vec![]),
            (0, write(2, "a"), vec![]),
        ],
    );
    assert_eq!(e.status().queued, 2);
    run(
        &mut e,
        vec![
            (1, Event::SignedIn, vec![send(1, &[1]), wake(1 + TIMEOUT)]),
            (2, write(1, "a"), vec![]),
            (3, write(2, "a"), vec![]),
            (
                4,
                results(1, &[(1, Some("conflict.x"))]),
                vec![attention(1, "conflict.x")],
            ),
            // On the attention list: told again, it stays there.
            (5, write(1, "a"), vec![]),
        ],
    );
    let s = e.status();
    assert_eq!((s.queued, s.attention), (1, 1));
    run(
        &mut e,
        vec![
            (
                6,
                Event::Discarded(1),
                vec![send(2, &[2]), wake(6 + TIMEOUT)],
            ),
            (7, all_done(2, &[2]), mark_done(&[2])),
        ],
    );
    assert_eq!(e.status().queued, 0);
}

// ----------------------------------------------------------------- jitter

#[test]
fn the_jitter_is_reproducible_from_the_seed() {
    let runs: Vec<Vec<u64>> = (0..32).map(|s| waits(s, 6, &Answer::Network)).collect();
    for (s, w) in runs.iter().enumerate() {
        assert_eq!(*w, waits(s as u64, 6, &Answer::Network), "seed {s}");
    }
    for (i, a) in runs.iter().enumerate() {
        for (j, b) in runs.iter().enumerate().skip(i + 1) {
            assert_ne!(a, b, "seeds {i} and {j} drew the same waits");
        }
    }
}

#[test]
fn huge_limits_do_not_overflow() {
    let mut e = Engine::new(
        Config {
            max_batch_ops: usize::MAX,
            max_batch_bytes: u64::MAX,
            request_timeout_ms: u64::MAX,
            backoff_base_ms: u64::MAX,
            backoff_cap_ms: u64::MAX,
        },
        1,
    );
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![]),
            (0, write(2, "b"), vec![]),
            (1, Event::SignedIn, vec![send(1, &[1, 2]), wake(u64::MAX)]),
            (2, all_done(1, &[1, 2]), mark_done(&[1, 2])),
            // The deadline saturates; the driver's wake is already there.
            (3, write(3, "a"), vec![send(2, &[3])]),
        ],
    );
    // Seventy failures in a row: the exponent and the sums saturate.
    let mut batch = 2;
    for round in 1..=70u32 {
        let out = e.handle(Time(4), answer(batch, Answer::Network));
        let s = e.status();
        assert_eq!(s.failures, round);
        batch += 1;
        if out.first() != Some(&send(batch, &[3])) {
            assert!(s.next_attempt.is_some_and(|t| t >= Time(4)), "{out:?}");
            // A sign-in ends the wait but not the count of failures.
            let out = e.handle(Time(4), Event::SignedIn);
            assert_eq!(out.first(), Some(&send(batch, &[3])));
        }
    }
}

/// A lost batch (a slow link that never carries it within the timeout) is
/// followed by one half its size, in operations and in bytes; answered
/// batches let it grow back.
#[test]
fn a_lost_batch_is_followed_by_a_smaller_one() {
    let mut e = signed_in(7);
    // Four records, one op each, 200 bytes: one full batch.
    let mut t = Time(0);
    let mut first = Vec::new();
    for (i, r) in ["a", "b", "c", "d"].iter().enumerate() {
        first = e.handle(t, Event::LocalWrite(sized(i as OpId + 1, r, 200)));
    }
    // Only the first write was sent at once; the rest wait for its answer.
    assert!(matches!(first.as_slice(), [] | [Instruction::WakeAt(_)]));
    let out = e.handle(t, all_done(1, &[1]));
    assert_eq!(out[..2], [Instruction::MarkDone(1), send(2, &[2, 3, 4])]);
    // It is lost: the retry carries half (one op of the three, 200 bytes of 600).
    // (The jittered wait may be zero, so the retry may go at either wake.)
    t = t.plus(TIMEOUT);
    let mut out = e.handle(t, Event::Timeout);
    t = t.plus(CAP + 1);
    out.extend(e.handle(t, Event::Timeout));
    assert!(out.contains(&send(3, &[2])), "{out:?}");
    // Answered: the limit doubles again, to two.
    let out = e.handle(t, all_done(3, &[2]));
    assert!(out.contains(&send(4, &[3, 4])), "{out:?}");
}

fn unsendable(op: OpId, code: &str) -> Event {
    Event::Unsendable {
        op,
        code: code.to_owned(),
    }
}

#[test]
fn an_unsendable_op_in_flight_goes_to_attention_and_the_batch_goes_on_without_it() {
    let mut e = signed_in(1);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![send(1, &[1]), wake(TIMEOUT)]),
            (0, write(2, "a"), vec![]),
            (0, write(3, "b"), vec![]),
            (10, all_done(1, &[1]), {
                let mut v = mark_done(&[1]);
                v.extend([send(2, &[2, 3]), wake(10 + TIMEOUT)]);
                v
            }),
            // Row 2 no longer decodes: attention at once, its record waits,
            // and the batch in flight carries only row 3.
            (
                11,
                unsendable(2, "outbox.undecodable"),
                vec![attention(2, "outbox.undecodable")],
            ),
            (20, all_done(2, &[3]), mark_done(&[3])),
        ],
    );
    let s = e.status();
    assert_eq!(
        (s.queued, s.attention, s.in_flight, s.failures),
        (0, 1, 0, 0)
    );
    assert!(e.is_attention(2));
}

#[test]
fn a_batch_of_only_unsendable_ops_waits_for_no_answer_and_the_queue_goes_on() {
    let mut e = signed_in(2);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![send(1, &[1]), wake(TIMEOUT)]),
            (0, write(2, "b"), vec![]),
            // The whole batch is unsendable: nothing is in flight any more,
            // so the next batch goes at once, and a late answer for the
            // abandoned one changes nothing.
            (
                5,
                unsendable(1, "outbox.too_large"),
                vec![
                    attention(1, "outbox.too_large"),
                    send(2, &[2]),
                    wake(5 + TIMEOUT),
                ],
            ),
            (6, all_done(1, &[1]), vec![]),
            (7, all_done(2, &[2]), mark_done(&[2])),
            // Told twice, or about an op it does not hold: nothing.
            (8, unsendable(1, "outbox.too_large"), vec![]),
            (9, unsendable(42, "outbox.too_large"), vec![]),
        ],
    );
    let s = e.status();
    assert_eq!((s.queued, s.attention, s.in_flight), (0, 1, 0));
}

#[test]
fn an_unsendable_queued_op_that_is_not_in_flight_goes_to_attention_too() {
    let mut e = signed_in(3);
    run(
        &mut e,
        vec![
            (0, write(1, "a"), vec![send(1, &[1]), wake(TIMEOUT)]),
            (0, write(2, "a"), vec![]),
            (
                1,
                unsendable(2, "outbox.undecodable"),
                vec![attention(2, "outbox.undecodable")],
            ),
            (2, all_done(1, &[1]), mark_done(&[1])),
        ],
    );
    let s = e.status();
    assert_eq!((s.queued, s.attention), (0, 1));
}

#[test]
fn a_probe_tells_the_link_while_nothing_is_queued_and_never_sends() {
    let mut e = signed_in(4);
    assert_eq!(e.status().link, Link::Unknown);
    run(&mut e, vec![(0, Event::Probed(true), vec![])]);
    assert_eq!(e.status().link, Link::Online);
    run(&mut e, vec![(5, Event::Probed(false), vec![])]);
    assert_eq!(e.status().link, Link::Offline);
    // With work queued, the batches say it: a probe changes nothing.
    run(
        &mut e,
        vec![
            (10, write(1, "a"), vec![send(1, &[1]), wake(10 + TIMEOUT)]),
            (11, Event::Probed(true), vec![]),
        ],
    );
    assert_eq!(e.status().link, Link::Offline);
    run(&mut e, vec![(12, all_done(1, &[1]), mark_done(&[1]))]);
    assert_eq!(e.status().link, Link::Online);
    run(&mut e, vec![(13, Event::Probed(false), vec![])]);
    assert_eq!(e.status().link, Link::Offline);
}

#[test]
fn with_nobody_signed_in_to_send_the_queue_a_probe_tells_the_link_and_nothing_goes() {
    // Changes made under an offline sign-in: queued, nobody signed in online.
    let mut e = engine(5);
    run(&mut e, vec![(0, write(1, "a"), vec![])]);
    run(&mut e, vec![(5, Event::Probed(true), vec![])]);
    assert_eq!((e.status().link, e.status().queued), (Link::Online, 1));
    run(&mut e, vec![(6, Event::Probed(false), vec![])]);
    assert_eq!(e.status().link, Link::Offline);
    // An online sign-in sends them.
    run(
        &mut e,
        vec![(7, Event::SignedIn, vec![send(1, &[1]), wake(7 + TIMEOUT)])],
    );
}
