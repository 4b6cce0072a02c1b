//! Tasks in progress: what a clerk has read and typed for the person at the
//! counter, kept encrypted as they go so that a crash or a restart loses
//! nothing. One draft per staff member at this counter, offered back only to
//! them; deleted when the task finishes or is abandoned, purged after a day
//! (like the captures it may name).

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

/// How long an unfinished task is kept: a day, like its held captures.
pub const DRAFT_MS: i64 = crate::documents::HELD_CAPTURE_MS;

/// A kept task. Its `Debug` leaves the state out (personal data).
#[derive(Clone, PartialEq, Eq)]
pub struct TaskDraft {
    /// The task's id.
    pub task_id: String,
    /// What kind of task (`lookup`, `activation`, `walk_in`, ...).
    pub kind: String,
    /// The app's serialised task.
    pub state: String,
    /// When it was started (Unix ms).
    pub created_at_ms: i64,
    /// When it was last saved (Unix ms).
    pub updated_at_ms: i64,
}

impl std::fmt::Debug for TaskDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskDraft")
            .field("task_id", &self.task_id)
            .field("kind", &self.kind)
            .field("updated_at_ms", &self.updated_at_ms)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Keep `staff_code`'s task in progress (replacing whatever task of theirs
    /// was kept: a clerk has one task at a time).
    pub fn save_draft(
        &mut self,
        staff_code: &str,
        task_id: &str,
        kind: &str,
        state: &str,
        now_ms: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO task_drafts (staff_code, task_id, kind, state, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (staff_code) DO UPDATE SET
               created_at = CASE WHEN task_drafts.task_id = excluded.task_id
                                 THEN task_drafts.created_at ELSE excluded.created_at END,
               task_id = excluded.task_id, kind = excluded.kind,
               state = excluded.state, updated_at = excluded.updated_at",
            params![staff_code, task_id, kind, state, now_ms],
        )?;
        Ok(())
    }

    /// `staff_code`'s kept task, unless it is older than [`DRAFT_MS`].
    pub fn draft_for(&self, staff_code: &str, now_ms: i64) -> Result<Option<TaskDraft>> {
        Ok(self
            .conn
            .query_row(
                "SELECT task_id, kind, state, created_at, updated_at FROM task_drafts
                 WHERE staff_code = ?1 AND updated_at >= ?2",
                params![staff_code, now_ms.saturating_sub(DRAFT_MS)],
                |r| {
                    Ok(TaskDraft {
                        task_id: r.get(0)?,
                        kind: r.get(1)?,
                        state: r.get(2)?,
                        created_at_ms: r.get(3)?,
                        updated_at_ms: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Forget `staff_code`'s kept task (finished or abandoned). Whether
    /// there was one.
    pub fn drop_draft(&mut self, staff_code: &str) -> Result<bool> {
        Ok(self.conn.execute(
            "DELETE FROM task_drafts WHERE staff_code = ?1",
            [staff_code],
        )? > 0)
    }

    /// How many tasks are kept (for `ehrctl doctor` and tests).
    pub fn draft_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM task_drafts", [], |r| {
                r.get::<_, i64>(0)
            })?
            .max(0) as u64)
    }
}

/// Drafts older than [`DRAFT_MS`] (part of [`Store::purge`]).
pub(crate) fn purge(tx: &rusqlite::Connection, now_ms: i64) -> Result<u64> {
    Ok(tx.execute(
        "DELETE FROM task_drafts WHERE updated_at < ?1",
        [now_ms.saturating_sub(DRAFT_MS)],
    )? as u64)
}

#[cfg(test)]
mod tests {
    use crate::{KeyPolicy, Store};

    fn store(tag: &str) -> (Store, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("ehr-store-drafts-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        (Store::open(&dir, KeyPolicy::FileOnly).unwrap(), dir)
    }

    #[test]
    fn a_draft_is_kept_per_clerk_replaced_and_dropped() {
        let (mut s, dir) = store("kept");
        s.save_draft("S1", "t1", "walk_in", "{\"a\":1}", 1_000)
            .unwrap();
        s.save_draft("S2", "t2", "activation", "{}", 1_000).unwrap();
        s.save_draft("S1", "t1", "walk_in", "{\"a\":2}", 2_000)
            .unwrap();
        let d = s.draft_for("S1", 3_000).unwrap().unwrap();
        assert_eq!((d.task_id.as_str(), d.state.as_str()), ("t1", "{\"a\":2}"));
        assert_eq!((d.created_at_ms, d.updated_at_ms), (1_000, 2_000));
        // Another clerk's draft is theirs only.
        assert_eq!(s.draft_for("S2", 3_000).unwrap().unwrap().task_id, "t2");
        assert!(s.draft_for("S3", 3_000).unwrap().is_none());
        // A new task replaces the clerk's old one.
        s.save_draft("S1", "t3", "activation", "{}", 4_000).unwrap();
        let d = s.draft_for("S1", 4_000).unwrap().unwrap();
        assert_eq!((d.task_id.as_str(), d.created_at_ms), ("t3", 4_000));
        assert!(s.drop_draft("S1").unwrap());
        assert!(!s.drop_draft("S1").unwrap());
        assert_eq!(s.draft_count().unwrap(), 1);
        // It survives reopening the file.
        drop(s);
        let s = Store::open(&dir, KeyPolicy::FileOnly).unwrap();
        assert_eq!(
            s.draft_for("S2", 3_000).unwrap().unwrap().kind,
            "activation"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_draft_older_than_a_day_is_not_offered_and_is_purged() {
        let (mut s, dir) = store("old");
        s.save_draft("S1", "t1", "walk_in", "{}", 0).unwrap();
        let day = super::DRAFT_MS;
        assert!(s.draft_for("S1", day).unwrap().is_some());
        assert!(s.draft_for("S1", day + 1).unwrap().is_none());
        let p = s.purge(day + 1, i64::MAX / 4).unwrap();
        assert_eq!(p.drafts, 1);
        assert_eq!(s.draft_count().unwrap(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
