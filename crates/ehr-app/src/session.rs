//! Checks on a sign-in attempt before anything leaves the counter.

use ehr_protocol::ipc::SignInRequest;
use ehr_protocol::{ErrorBody, ErrorCode};

/// Check the shape of a sign-in attempt. The password is only checked for
/// presence: its strength is the central service's business.
pub(crate) fn check_sign_in(req: &SignInRequest) -> Result<(), ErrorBody> {
    let code = req.staff_code.trim();
    if code.is_empty() {
        return Err(ErrorBody::new(ErrorCode::AuthStaffCodeRequired).on_field("staff_code"));
    }
    let well_formed = (3..=20).contains(&code.chars().count())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !well_formed {
        return Err(ErrorBody::new(ErrorCode::AuthStaffCodeFormat).on_field("staff_code"));
    }
    if req.password.is_empty() {
        return Err(ErrorBody::new(ErrorCode::AuthPasswordRequired).on_field("password"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(code: &str, pw: &str) -> SignInRequest {
        SignInRequest {
            staff_code: code.into(),
            password: pw.into(),
        }
    }

    /// Staff code, password, and the expected error code and field.
    type Case<'a> = (&'a str, &'a str, Option<(ErrorCode, &'a str)>);

    #[test]
    fn sign_in_checks_in_field_order() {
        let cases: &[Case<'_>] = &[
            (
                "",
                "",
                Some((ErrorCode::AuthStaffCodeRequired, "staff_code")),
            ),
            (
                "   ",
                "pw",
                Some((ErrorCode::AuthStaffCodeRequired, "staff_code")),
            ),
            (
                "ab",
                "pw",
                Some((ErrorCode::AuthStaffCodeFormat, "staff_code")),
            ),
            (
                "has space",
                "pw",
                Some((ErrorCode::AuthStaffCodeFormat, "staff_code")),
            ),
            (
                "職員001",
                "pw",
                Some((ErrorCode::AuthStaffCodeFormat, "staff_code")),
            ),
            (
                "abcdefghijklmnopqrstu",
                "pw",
                Some((ErrorCode::AuthStaffCodeFormat, "staff_code")),
            ),
            (
                "HA-0042",
                "",
                Some((ErrorCode::AuthPasswordRequired, "password")),
            ),
            (" HA-0042 ", "pw", None),
        ];
        for (code, pw, want) in cases {
            let got = check_sign_in(&req(code, pw))
                .err()
                .map(|e| (e.code, e.field.unwrap_or_default()));
            let want = want.map(|(c, f)| (c, f.to_owned()));
            assert_eq!(got, want, "staff code {code:?}");
        }
    }
}
