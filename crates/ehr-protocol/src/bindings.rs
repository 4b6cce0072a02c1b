//! Generation of the UI's TypeScript declarations from the Rust types.
//!
//! `ui/src/lib/bindings.ts` is the output of [`typescript`]. Regenerate it with
//! `UPDATE_BINDINGS=1 cargo test -p ehr-protocol`; without the variable the
//! test fails when the checked-in file differs from what the types produce.

use ts_rs::{Config, TS};

use crate::card::{
    CardCode, CardProblem, FieldIssue, IdentityView, ManualIdentityRequest, ReaderStatus,
    ReaderView,
};
use crate::error::{ErrorBody, ErrorCode};
use crate::ipc::{
    AppInfo, AttentionItem, CaptureAdjust, CaptureKind, CaptureView, CentralUrlSource,
    ChangePasswordRequest, ConfigProblem, CounterSite, CounterSiteType, CropBox, DiscardRequest,
    DocumentTypeOption, EnrolCounterRequest, EnrolmentView, KeptSlipView, PolicyView, PrintedView,
    PrinterView, SavedView, ScanFileView, ScanFolderView, SignInRequest, SlipLanguage, SlipView,
    StaffRole, StaffSession, SyncLink, SyncStatus,
};
use crate::task::{
    ApplicationRow, Choice, CompletionForm, ConsentForm, ConsentRow, ContactChangeForm, DraftOffer,
    ExpiringView, FieldRow, FollowUpRow, FollowUpView, LookupQuery, LookupSource, LookupView,
    NewbornForm, PaperDifference, PaperFormFields, PaperIdentity, PaperPerson, PaperView,
    ParticularsForm, RecordRow, TakeOverForm, TaskChoices, TaskEvent, TaskForm, TaskKind,
    TaskResult, TaskSignOffRequest, TaskStage, TaskView, TurningRow, TurningView, WithdrawalForm,
    WorkItemRow,
};

/// The path of the generated file, relative to the workspace root.
pub const BINDINGS_PATH: &str = "ui/src/lib/bindings.ts";

fn decl<T: TS>(cfg: &Config, out: &mut String) {
    if let Some(docs) = T::docs() {
        out.push_str(&docs);
    }
    out.push_str("export ");
    out.push_str(&T::decl(cfg));
    out.push_str("\n\n");
}

/// The whole TypeScript bindings file, deterministic for a given set of types.
pub fn typescript() -> String {
    let cfg = Config::new();
    let mut out = String::from(
        "// Generated from the Rust types in crates/ehr-protocol by `UPDATE_BINDINGS=1 cargo test -p ehr-protocol`.\n// Do not edit by hand: a test fails when this file is stale.\n\n",
    );
    decl::<ErrorCode>(&cfg, &mut out);
    decl::<ErrorBody>(&cfg, &mut out);
    decl::<DocumentTypeOption>(&cfg, &mut out);
    decl::<AppInfo>(&cfg, &mut out);
    decl::<ConfigProblem>(&cfg, &mut out);
    decl::<SignInRequest>(&cfg, &mut out);
    decl::<StaffRole>(&cfg, &mut out);
    decl::<StaffSession>(&cfg, &mut out);
    decl::<ChangePasswordRequest>(&cfg, &mut out);
    decl::<PolicyView>(&cfg, &mut out);
    decl::<CardCode>(&cfg, &mut out);
    decl::<CardProblem>(&cfg, &mut out);
    decl::<ReaderStatus>(&cfg, &mut out);
    decl::<IdentityView>(&cfg, &mut out);
    decl::<ReaderView>(&cfg, &mut out);
    decl::<ManualIdentityRequest>(&cfg, &mut out);
    decl::<FieldIssue>(&cfg, &mut out);
    decl::<SyncLink>(&cfg, &mut out);
    decl::<SyncStatus>(&cfg, &mut out);
    decl::<AttentionItem>(&cfg, &mut out);
    decl::<DiscardRequest>(&cfg, &mut out);
    decl::<EnrolCounterRequest>(&cfg, &mut out);
    decl::<CentralUrlSource>(&cfg, &mut out);
    decl::<CounterSiteType>(&cfg, &mut out);
    decl::<CounterSite>(&cfg, &mut out);
    decl::<EnrolmentView>(&cfg, &mut out);
    decl::<CaptureKind>(&cfg, &mut out);
    decl::<CropBox>(&cfg, &mut out);
    decl::<CaptureAdjust>(&cfg, &mut out);
    decl::<ScanFileView>(&cfg, &mut out);
    decl::<ScanFolderView>(&cfg, &mut out);
    decl::<CaptureView>(&cfg, &mut out);
    decl::<SlipLanguage>(&cfg, &mut out);
    decl::<SlipView>(&cfg, &mut out);
    decl::<PrinterView>(&cfg, &mut out);
    decl::<PrintedView>(&cfg, &mut out);
    decl::<SavedView>(&cfg, &mut out);
    decl::<KeptSlipView>(&cfg, &mut out);
    decl::<LookupQuery>(&cfg, &mut out);
    decl::<LookupSource>(&cfg, &mut out);
    decl::<ApplicationRow>(&cfg, &mut out);
    decl::<ConsentRow>(&cfg, &mut out);
    decl::<RecordRow>(&cfg, &mut out);
    decl::<LookupView>(&cfg, &mut out);
    decl::<TaskKind>(&cfg, &mut out);
    decl::<TaskStage>(&cfg, &mut out);
    decl::<FieldRow>(&cfg, &mut out);
    decl::<TaskForm>(&cfg, &mut out);
    decl::<NewbornForm>(&cfg, &mut out);
    decl::<CompletionForm>(&cfg, &mut out);
    decl::<ConsentForm>(&cfg, &mut out);
    decl::<ParticularsForm>(&cfg, &mut out);
    decl::<ContactChangeForm>(&cfg, &mut out);
    decl::<TakeOverForm>(&cfg, &mut out);
    decl::<PaperPerson>(&cfg, &mut out);
    decl::<PaperFormFields>(&cfg, &mut out);
    decl::<PaperIdentity>(&cfg, &mut out);
    decl::<PaperDifference>(&cfg, &mut out);
    decl::<PaperView>(&cfg, &mut out);
    decl::<WorkItemRow>(&cfg, &mut out);
    decl::<WithdrawalForm>(&cfg, &mut out);
    decl::<TaskEvent>(&cfg, &mut out);
    decl::<TaskResult>(&cfg, &mut out);
    decl::<TaskView>(&cfg, &mut out);
    decl::<DraftOffer>(&cfg, &mut out);
    decl::<TaskSignOffRequest>(&cfg, &mut out);
    decl::<Choice>(&cfg, &mut out);
    decl::<TaskChoices>(&cfg, &mut out);
    decl::<FollowUpRow>(&cfg, &mut out);
    decl::<FollowUpView>(&cfg, &mut out);
    decl::<ExpiringView>(&cfg, &mut out);
    decl::<TurningRow>(&cfg, &mut out);
    decl::<TurningView>(&cfg, &mut out);
    out.push_str("/** Every stable code of the domain rules (crates/ehr-domain). */\nexport type DomainCode =");
    for code in ehr_domain::Code::ALL {
        out.push_str(&format!("\n  | \"{}\"", code.as_str()));
    }
    out.push_str(";\n\n");
    out.push_str("/** Every error code, for exhaustive handling in the UI. */\nexport const ERROR_CODES: readonly ErrorCode[] = [\n");
    for code in ErrorCode::ALL {
        out.push_str(&format!("  \"{}\",\n", code.as_str()));
    }
    out.push_str("] as const;\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn workspace_root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn checked_in_bindings_are_fresh() {
        let path = workspace_root().join(BINDINGS_PATH);
        let want = typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &want).unwrap();
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{BINDINGS_PATH} is stale: run `UPDATE_BINDINGS=1 cargo test -p ehr-protocol` and commit the result"
        );
    }

    #[test]
    fn bindings_declare_every_ipc_type() {
        let ts = typescript();
        for name in [
            "ErrorCode",
            "ErrorBody",
            "AppInfo",
            "SignInRequest",
            "StaffSession",
            "StaffRole",
            "ReaderView",
            "IdentityView",
            "FieldIssue",
            "DomainCode",
            "SyncStatus",
            "AttentionItem",
            "DiscardRequest",
            "EnrolCounterRequest",
            "EnrolmentView",
            "CentralUrlSource",
        ] {
            assert!(
                ts.contains(&format!("export type {name} ")),
                "{name} missing from bindings"
            );
        }
        assert!(ts.contains("\"central.not_configured\""));
        assert!(ts.contains("\"card.old_generation\""));
        assert!(ts.contains("| \"id.check_digit\""));
    }
}
