//! A second launch on the same desktop does not open a second counter.

use std::time::{Duration, Instant};

use ehr_tests::harness::{run, wait_for, window_names};
use fantoccini::Locator;

#[test]
fn second_launch_exits_and_leaves_one_window() {
    run(
        "second_launch_exits_and_leaves_one_window",
        |client, env| async move {
            wait_for(
                &client,
                Locator::Css("h1#enrol-heading"),
                Duration::from_secs(15),
            )
            .await;
            let mut second = env
                .app_command()
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(20);
            let status = loop {
                if let Some(s) = second.try_wait().unwrap() {
                    break Some(s);
                }
                if Instant::now() > deadline {
                    let _ = second.kill();
                    let _ = second.wait();
                    break None;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
            let status = status.expect("the second instance was still running after 20 s");
            assert!(
                status.success(),
                "the second instance hands over to the first and exits 0: {status}"
            );
            let windows = window_names(&env.display).unwrap();
            let count = windows.iter().filter(|n| *n == "eHR Counter").count();
            assert_eq!(count, 1, "exactly one counter window; windows: {windows:?}");
            // The first instance still answers (on its first-run screen:
            // this counter is not enrolled).
            let h = client.find(Locator::Css("h1#enrol-heading")).await.unwrap();
            assert!(h.is_displayed().await.unwrap());
        },
    );
}
