#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

//! What the task tests share: signing a demo clerk in, the view's needs as
//! `field:code`, waiting until the outbox has drained, and a valid HKIC
//! number from its digits.

use std::time::Duration;

use ehr_protocol::task::TaskView;

use crate::staff::service_tests::Rig;
use crate::App;

/// Sign the demo staff member `staff` in at `app`.
pub(crate) fn sign_in(app: &App, staff: &str) {
    app.sign_in(&ehr_protocol::ipc::SignInRequest {
        staff_code: staff.to_owned(),
        password: Rig::password(staff),
    })
    .unwrap();
}

/// The view's needs, as `field:code`.
pub(crate) fn needs(v: &TaskView) -> Vec<String> {
    v.needs
        .iter()
        .map(|n| format!("{}:{}", n.field, n.code))
        .collect()
}

/// Sync now and wait until nothing is queued (naming what is left, and
/// what is on attention, if that takes over 30 s).
pub(crate) fn drained(app: &App) {
    app.sync_now();
    let ok = app.wait_until_drained(Duration::from_secs(30)).unwrap();
    assert!(
        ok,
        "{:?} {:?}",
        app.sync_status(),
        app.attention_list().map(|l| l
            .iter()
            .map(|i| (i.op_type.clone(), i.code))
            .collect::<Vec<_>>())
    );
}

/// The valid HKIC number `digits(c)`, with its check character.
pub(crate) fn hkic(digits: &str) -> String {
    "0123456789A"
        .chars()
        .map(|c| format!("{digits}({c})"))
        .find(|n| ehr_domain::DocumentNumber::parse(ehr_domain::DocumentType::Hkic, n).is_ok())
        .unwrap_or_else(|| panic!("no check character for {digits}"))
}
