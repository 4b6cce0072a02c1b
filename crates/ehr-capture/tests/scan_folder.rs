//! The scanner folder on a real directory: a file still being written is
//! not taken, hidden and temporary files are ignored, each file is offered
//! once, and read + remove leaves no plain file behind.

#![allow(clippy::unwrap_used)]

mod common;

use std::fs::{self, OpenOptions};
use std::io::Write;

use common::*;
use ehr_capture::{normalise, Limits, Options, ScanFolder};

fn names(files: &[ehr_capture::ScanFile]) -> Vec<String> {
    files
        .iter()
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_file_being_written_is_taken_only_once_stable() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = ScanFolder::new(dir.path(), &Limits::default());
    let file = oriented_jpeg(&quadrants(300, 200), 6);
    let path = dir.path().join("scan0001.jpg");
    let (first, rest) = file.split_at(file.len() / 3);

    // The scanner has written a third.
    fs::write(&path, first).unwrap();
    assert!(folder.poll().unwrap().is_empty(), "new: not yet stable");
    // It writes more between polls.
    OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(&rest[..100])
        .unwrap();
    assert!(folder.poll().unwrap().is_empty(), "grew: not stable");
    OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(&rest[100..])
        .unwrap();
    assert!(folder.poll().unwrap().is_empty(), "grew again: not stable");
    // Done: the same size and time on two polls.
    let found = folder.poll().unwrap();
    assert_eq!(names(&found), ["scan0001.jpg"]);
    assert_eq!(found[0].bytes_len, file.len() as u64);
    // Offered once only.
    assert!(folder.poll().unwrap().is_empty());

    // The whole file is read and goes through the pipeline.
    let bytes = folder.read(&found[0]).unwrap();
    assert_eq!(bytes, file);
    let n = normalise(&bytes, &Options::default(), &Limits::default()).unwrap();
    assert_eq!((n.width, n.height, n.orientation), (300, 200, 6));

    // The caller stores the bytes (encrypted, in the store), then removes
    // the scan: nothing of it is left in the folder.
    folder.remove(&found[0]).unwrap();
    assert!(!path.exists());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    assert!(folder.poll().unwrap().is_empty());
    // Debug does not show the file name.
    assert!(!format!("{:?}", found[0]).contains("scan0001"));
}

#[test]
fn a_half_written_file_taken_by_mistake_is_refused_as_truncated() {
    // A scanner that stalls for longer than a poll could let a cut file
    // through the stability check: the pipeline then says it is incomplete.
    let file = oriented_jpeg(&quadrants(300, 200), 1);
    let e = normalise(
        &file[..file.len() * 2 / 3],
        &Options::default(),
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "capture.truncated");
}

#[test]
fn hidden_temporary_and_odd_entries_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = ScanFolder::new(dir.path(), &Limits::default());
    for name in [
        ".hidden.jpg",
        "scan.jpg.part",
        "scan.jpg~",
        "~lock.scan.jpg",
        "x.crdownload",
        "y.TMP",
        "empty.jpg",
    ] {
        let bytes: &[u8] = if name == "empty.jpg" {
            b""
        } else {
            b"\xFF\xD8\xFF\xE0 partial"
        };
        fs::write(dir.path().join(name), bytes).unwrap();
    }
    fs::create_dir(dir.path().join("subfolder.jpg")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", dir.path().join("link.jpg")).unwrap();
    fs::write(dir.path().join("real.png"), png(&quadrants(20, 20))).unwrap();
    assert!(folder.poll().unwrap().is_empty());
    assert_eq!(names(&folder.poll().unwrap()), ["real.png"]);
    assert!(folder.poll().unwrap().is_empty());

    // A file that is replaced after being offered is offered again.
    fs::write(dir.path().join("real.png"), png(&quadrants(30, 30))).unwrap();
    assert!(folder.poll().unwrap().is_empty());
    assert_eq!(names(&folder.poll().unwrap()), ["real.png"]);
}

#[test]
fn a_file_over_the_limit_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_file_bytes: 1_000,
        ..Limits::default()
    };
    let mut folder = ScanFolder::new(dir.path(), &limits);
    fs::write(dir.path().join("big.jpg"), vec![0u8; 5_000]).unwrap();
    folder.poll().unwrap();
    let found = folder.poll().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        folder.read(&found[0]).unwrap_err().code(),
        "capture.file_too_large"
    );
    // Gone before it was read: unreadable, not a crash.
    fs::remove_file(&found[0].path).unwrap();
    assert_eq!(
        folder.read(&found[0]).unwrap_err().code(),
        "capture.unreadable"
    );
    assert!(folder.poll().unwrap().is_empty());
}
