//! What the counter keeps for staff sign-in and its policies: the central
//! service's reference data (the only source of the counter's policies),
//! offline sign-in verifiers, sign-in failures counted here, and who made
//! each outbox row.
//!
//! A verifier is an argon2id PHC string made by the app after an online
//! sign-in; the store never sees a password. Nothing here is personal data
//! of the public, but a verifier is a secret: [`StaffVerifier`]'s `Debug`
//! leaves it out.

use ehr_protocol::wire::ReferenceData;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::{Result, Store};

/// A staff member's offline sign-in verifier, from their last online
/// sign-in at this counter. Its `Debug` leaves the verifier out.
#[derive(Clone, PartialEq, Eq)]
pub struct StaffVerifier {
    /// The staff code, as the service returned it.
    pub staff_code: String,
    /// The role's wire code (`registration_staff`, `supervisor`).
    pub role: String,
    /// The name the service gave, if any.
    pub display_name: Option<String>,
    /// The argon2id PHC string of the password.
    pub verifier: String,
    /// When that online sign-in was (Unix ms).
    pub online_at_ms: i64,
}

impl std::fmt::Debug for StaffVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffVerifier")
            .field("staff_code", &self.staff_code)
            .field("role", &self.role)
            .field("online_at_ms", &self.online_at_ms)
            .finish_non_exhaustive()
    }
}

/// The reference data as this counter last fetched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedReference {
    /// The data, version included.
    pub data: ReferenceData,
    /// When it was fetched (Unix ms).
    pub fetched_at_ms: i64,
}

/// Failed sign-ins in a row at this counter for one staff code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignInFailures {
    /// Failures since the last success or lock.
    pub failures: u32,
    /// The end of a lock (Unix ms), if one was set.
    pub locked_until_ms: Option<i64>,
}

impl Store {
    /// Keep `data`, fetched at `fetched_at_ms`, as the counter's reference
    /// data, and delete the verifiers (and failure counts) of the staff it
    /// lists as deactivated, in one transaction. Returns how many verifiers
    /// went.
    pub fn put_reference(&mut self, data: &ReferenceData, fetched_at_ms: i64) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO reference_cache (id, version, data, fetched_at) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data,
             fetched_at = excluded.fetched_at",
            params![
                i64::try_from(data.version).unwrap_or(i64::MAX),
                serde_json::to_string(data)?,
                fetched_at_ms
            ],
        )?;
        let mut gone = 0;
        for code in &data.deactivated_staff {
            gone += tx.execute("DELETE FROM staff_verifiers WHERE staff_code = ?1", [code])?;
            tx.execute("DELETE FROM sign_in_failures WHERE staff_code = ?1", [code])?;
        }
        tx.commit()?;
        Ok(gone)
    }

    /// The reference data as last fetched, if it ever was. A copy that no
    /// longer decodes counts as none (the defaults apply until the next
    /// fetch).
    pub fn reference(&self) -> Result<Option<CachedReference>> {
        let row: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT data, fetched_at FROM reference_cache WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(data, fetched_at_ms)| {
            serde_json::from_str(&data)
                .ok()
                .map(|data| CachedReference {
                    data,
                    fetched_at_ms,
                })
        }))
    }

    /// Keep (or replace) a staff member's verifier.
    pub fn put_verifier(&mut self, v: &StaffVerifier) -> Result<()> {
        self.conn.execute(
            "INSERT INTO staff_verifiers (staff_code, role, display_name, verifier, online_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (staff_code) DO UPDATE SET role = excluded.role,
             display_name = excluded.display_name, verifier = excluded.verifier,
             online_at = excluded.online_at",
            params![
                v.staff_code,
                v.role,
                v.display_name,
                v.verifier,
                v.online_at_ms
            ],
        )?;
        Ok(())
    }

    /// A staff member's verifier, if this counter keeps one.
    pub fn verifier(&self, staff_code: &str) -> Result<Option<StaffVerifier>> {
        Ok(self
            .conn
            .query_row(
                "SELECT staff_code, role, display_name, verifier, online_at FROM staff_verifiers
                 WHERE staff_code = ?1",
                [staff_code],
                |r| {
                    Ok(StaffVerifier {
                        staff_code: r.get(0)?,
                        role: r.get(1)?,
                        display_name: r.get(2)?,
                        verifier: r.get(3)?,
                        online_at_ms: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Delete a staff member's verifier; whether there was one.
    pub fn delete_verifier(&mut self, staff_code: &str) -> Result<bool> {
        Ok(self.conn.execute(
            "DELETE FROM staff_verifiers WHERE staff_code = ?1",
            [staff_code],
        )? > 0)
    }

    /// The failed sign-ins counted here for `staff_code`.
    pub fn sign_in_failures(&self, staff_code: &str) -> Result<SignInFailures> {
        Ok(self
            .conn
            .query_row(
                "SELECT failures, locked_until FROM sign_in_failures WHERE staff_code = ?1",
                [staff_code],
                |r| {
                    Ok(SignInFailures {
                        failures: r.get::<_, i64>(0)?.clamp(0, i64::from(u32::MAX)) as u32,
                        locked_until_ms: r.get(1)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// Count a failed sign-in at `now_ms`; at `max_failures` in a row the
    /// account locks here until `now_ms + lock_ms` (and the count starts
    /// again). Returns the end of the lock when this failure set one.
    pub fn record_sign_in_failure(
        &mut self,
        staff_code: &str,
        max_failures: u32,
        lock_ms: i64,
        now_ms: i64,
    ) -> Result<Option<i64>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before: Option<(i64, Option<i64>)> = tx
            .query_row(
                "SELECT failures, locked_until FROM sign_in_failures WHERE staff_code = ?1",
                [staff_code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        // A failure while locked changes nothing: the lock stands until its
        // end (an online refusal must not clear a lock counted offline).
        if let Some((_, Some(until))) = before {
            if until > now_ms {
                tx.commit()?;
                return Ok(Some(until));
            }
        }
        // A lock that has run out starts a new count.
        let failures = match before {
            Some((_, Some(_))) | None => 1,
            Some((n, None)) => n + 1,
        };
        let lock = (failures >= i64::from(max_failures.max(1))).then(|| now_ms + lock_ms);
        tx.execute(
            "INSERT INTO sign_in_failures (staff_code, failures, locked_until) VALUES (?1, ?2, ?3)
             ON CONFLICT (staff_code) DO UPDATE SET failures = excluded.failures,
             locked_until = excluded.locked_until",
            params![staff_code, if lock.is_some() { 0 } else { failures }, lock],
        )?;
        tx.commit()?;
        Ok(lock)
    }

    /// Lock `staff_code` here until `until_ms` (the service said it is locked).
    pub fn set_sign_in_lock(&mut self, staff_code: &str, until_ms: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sign_in_failures (staff_code, failures, locked_until) VALUES (?1, 0, ?2)
             ON CONFLICT (staff_code) DO UPDATE SET failures = 0, locked_until = excluded.locked_until",
            params![staff_code, until_ms],
        )?;
        Ok(())
    }

    /// A successful sign-in: the count and any lock here are cleared.
    pub fn clear_sign_in_failures(&mut self, staff_code: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM sign_in_failures WHERE staff_code = ?1",
            [staff_code],
        )?;
        Ok(())
    }

    /// Who makes the changes committed from now on through this store, and
    /// whether they are signed in offline (none: nobody is signed in). Every
    /// outbox row inserted afterwards carries it, in the same transaction
    /// as the row (a trigger of this connection), whatever path wrote it.
    pub fn set_author(&mut self, author: Option<(&str, bool)>) -> Result<()> {
        self.conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS author (
                 id INTEGER PRIMARY KEY CHECK (id = 1), staff_code TEXT NOT NULL,
                 offline INTEGER NOT NULL);
             CREATE TEMP TRIGGER IF NOT EXISTS outbox_author AFTER INSERT ON main.outbox
             BEGIN
                 UPDATE main.outbox SET
                     made_by = (SELECT staff_code FROM temp.author WHERE id = 1),
                     made_offline = coalesce((SELECT offline FROM temp.author WHERE id = 1), 0)
                 WHERE id = NEW.id;
             END;",
        )?;
        match author {
            None => {
                self.conn.execute("DELETE FROM temp.author", [])?;
            }
            Some((code, offline)) => {
                self.conn.execute(
                    "INSERT INTO temp.author (id, staff_code, offline) VALUES (1, ?1, ?2)
                     ON CONFLICT (id) DO UPDATE SET staff_code = excluded.staff_code,
                     offline = excluded.offline",
                    params![code, offline],
                )?;
            }
        }
        Ok(())
    }

    /// Queued rows made while signed in offline: they wait for an online
    /// sign-in.
    pub fn queued_made_offline(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            // Changes only: audit events made offline go with the next
            // online session without asking anybody for a password.
            "SELECT count(*) FROM outbox WHERE state = 'queued' AND made_offline = 1 \
             AND record_key NOT LIKE 'audit-chain:%'",
            [],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Who made an outbox row, and whether offline (support and tests).
    pub fn made_by(&self, id: ehr_sync::OpId) -> Result<Option<(Option<String>, bool)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT made_by, made_offline FROM outbox WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Change, KeyPolicy, NewOp};
    use ehr_protocol::wire::batch::{Operation, Withdraw};
    use ehr_protocol::wire::Policies;

    fn open(dir: &std::path::Path) -> Store {
        Store::open(dir, KeyPolicy::FileOnly).unwrap()
    }

    fn verifier(code: &str) -> StaffVerifier {
        StaffVerifier {
            staff_code: code.into(),
            role: "registration_staff".into(),
            display_name: Some("Chan Tai Man".into()),
            verifier: "$argon2id$v=19$m=65536,t=3,p=1$SECRETSALT$SECRETHASH".into(),
            online_at_ms: 1_000,
        }
    }

    fn reference(version: u64, deactivated: &[&str]) -> ReferenceData {
        ReferenceData {
            version,
            document_types: Vec::new(),
            sdm_relationships: Vec::new(),
            sites: Vec::new(),
            public_providers: Vec::new(),
            private_providers: Vec::new(),
            policies: Policies {
                application_expiry_days: 180,
                newborn_follow_up_days: 60,
                idle_lock_minutes: 5,
                application_cache_hours: 24,
                session_minutes: 30,
                counter_retention_days: 30,
                offline_sign_in_days: 7,
                max_failed_sign_ins: 5,
                lockout_minutes: 15,
                transaction_time_tolerance_hours: 168,
                newborn_registration_days: 42,
            },
            deactivated_staff: deactivated.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn a_verifier_is_kept_replaced_and_never_shown_in_debug() {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = open(tmp.path());
        assert_eq!(s.verifier("clerk01").unwrap(), None);
        s.put_verifier(&verifier("clerk01")).unwrap();
        let mut v = s.verifier("clerk01").unwrap().unwrap();
        assert_eq!(v, verifier("clerk01"));
        let shown = format!("{v:?} {v:#?}");
        assert!(
            !shown.contains("SECRET") && !shown.contains("argon2"),
            "{shown}"
        );
        v.verifier = "$argon2id$new".into();
        v.online_at_ms = 2_000;
        s.put_verifier(&v).unwrap();
        drop(s);
        let s = open(tmp.path());
        assert_eq!(s.verifier("clerk01").unwrap().unwrap().online_at_ms, 2_000);
    }

    #[test]
    fn the_reference_data_is_kept_and_deactivated_staff_lose_their_verifiers() {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = open(tmp.path());
        assert_eq!(s.reference().unwrap(), None);
        s.put_verifier(&verifier("clerk01")).unwrap();
        s.put_verifier(&verifier("clerk02")).unwrap();
        assert_eq!(s.put_reference(&reference(3, &[]), 10).unwrap(), 0);
        assert_eq!(s.reference().unwrap().unwrap().data.version, 3);
        assert_eq!(
            s.put_reference(&reference(4, &["clerk01", "gone99"]), 20)
                .unwrap(),
            1
        );
        assert_eq!(s.verifier("clerk01").unwrap(), None);
        assert!(s.verifier("clerk02").unwrap().is_some());
        let r = s.reference().unwrap().unwrap();
        assert_eq!((r.data.version, r.fetched_at_ms), (4, 20));
    }

    #[test]
    fn failures_lock_after_the_policy_count_and_start_again_after() {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = open(tmp.path());
        assert_eq!(s.record_sign_in_failure("c1", 3, 900_000, 0).unwrap(), None);
        assert_eq!(s.record_sign_in_failure("c1", 3, 900_000, 1).unwrap(), None);
        assert_eq!(
            s.record_sign_in_failure("c1", 3, 900_000, 2).unwrap(),
            Some(900_002)
        );
        assert_eq!(
            s.sign_in_failures("c1").unwrap().locked_until_ms,
            Some(900_002)
        );
        // A failure during the lock (an online refusal, say) leaves it as
        // it is: neither cleared nor extended.
        assert_eq!(
            s.record_sign_in_failure("c1", 3, 900_000, 500_000).unwrap(),
            Some(900_002)
        );
        assert_eq!(
            s.sign_in_failures("c1").unwrap().locked_until_ms,
            Some(900_002)
        );
        // After the lock, a failure counts from one again.
        assert_eq!(
            s.record_sign_in_failure("c1", 3, 900_000, 1_000_000)
                .unwrap(),
            None
        );
        assert_eq!(s.sign_in_failures("c1").unwrap().failures, 1);
        s.clear_sign_in_failures("c1").unwrap();
        assert_eq!(s.sign_in_failures("c1").unwrap(), SignInFailures::default());
    }

    #[test]
    fn outbox_rows_carry_who_made_them_and_whether_offline() {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = open(tmp.path());
        let change = |r: &str| Change {
            record_key: r.into(),
            kind: "withdrawal".into(),
            summary: "w".into(),
            ops: vec![NewOp {
                op: Operation::Withdraw(Withdraw {
                    ehr_number: "EHR000000001".into(),
                    confirmed: true,
                }),
                attachment: None,
            }],
        };
        let before = s.commit_change(&change("r0"), 1).unwrap();
        s.set_author(Some(("clerk01", true))).unwrap();
        let offline = s.commit_change(&change("r1"), 2).unwrap();
        s.set_author(Some(("clerk02", false))).unwrap();
        let online = s.commit_change(&change("r2"), 3).unwrap();
        s.set_author(None).unwrap();
        let nobody = s.commit_change(&change("r3"), 4).unwrap();
        assert_eq!(s.made_by(before[0].id).unwrap(), Some((None, false)));
        assert_eq!(
            s.made_by(offline[0].id).unwrap(),
            Some((Some("clerk01".into()), true))
        );
        assert_eq!(
            s.made_by(online[0].id).unwrap(),
            Some((Some("clerk02".into()), false))
        );
        assert_eq!(s.made_by(nobody[0].id).unwrap(), Some((None, false)));
        assert_eq!(s.queued_made_offline().unwrap(), 1);
    }
}
