//! What went wrong on the way to the central service, in terms a counter
//! clerk (and a field engineer) can act on: the host name was not found
//! (`central.dns`), nothing listens there (`central.refused`), the secure
//! connection failed (`central.tls`), or it took too long or failed some
//! other way (`central.unreachable`); and, when something did answer, whether
//! it is an eHR central service at all (`central.not_a_central_service`).
//!
//! The one place that reads reqwest's errors: [`classify`] walks the error's
//! chain of sources (reqwest → hyper-util → std::io → rustls), so the
//! answer does not depend on how the layers above word their messages,
//! except for DNS, which hyper-util reports only in words.

use std::error::Error as StdError;

use ehr_protocol::{ErrorBody, ErrorCode};

/// What kind of failure is `err`, a request to the central service that got
/// no answer.
pub fn classify(err: &reqwest::Error) -> ErrorCode {
    if err.is_timeout() {
        return ErrorCode::CentralUnreachable;
    }
    let mut found = None;
    let mut next: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = next {
        if let Some(code) = classify_one(e) {
            // The innermost cause that says something wins over wrappers.
            found = Some(code);
        }
        next = match e.downcast_ref::<std::io::Error>() {
            // An io::Error's `source` skips the error it wraps: look at it.
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    found.unwrap_or(ErrorCode::CentralUnreachable)
}

fn classify_one(e: &(dyn StdError + 'static)) -> Option<ErrorCode> {
    if e.downcast_ref::<rustls::Error>().is_some() {
        return Some(ErrorCode::CentralTls);
    }
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        match io.kind() {
            std::io::ErrorKind::ConnectionRefused => return Some(ErrorCode::CentralRefused),
            std::io::ErrorKind::TimedOut => return Some(ErrorCode::CentralUnreachable),
            _ => {}
        }
    }
    // hyper-util's resolver error has no type of its own to test for.
    let text = e.to_string();
    if text.contains("failed to lookup address") || text.starts_with("dns error") {
        return Some(ErrorCode::CentralDns);
    }
    None
}

/// The error a refusal from the central service stands for: the service's
/// own stable code (with our catalogue's messages: the wire's text is not
/// trusted to be fit for the clerk), or, when the answer is not an
/// `ErrorBody` at all, `central.not_a_central_service` (a 404 or a page
/// from something else) or `central.unreachable` (a gateway's 5xx page).
pub fn refusal(status: reqwest::StatusCode, bytes: &[u8]) -> ErrorBody {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(e) => {
            let mut out = ErrorBody::new(e.code);
            out.field = e.field;
            out.retry_after_s = e.retry_after_s;
            out
        }
        Err(_) if status.is_server_error() => ErrorBody::new(ErrorCode::CentralUnreachable),
        Err(_) => ErrorBody::new(ErrorCode::CentralNotACentralService),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> reqwest::blocking::Client {
        crate::central::install_tls_provider();
        reqwest::blocking::Client::builder()
            .no_proxy()
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap()
    }

    #[test]
    fn a_port_nobody_listens_on_is_refused() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let e = client()
            .get(format!("http://127.0.0.1:{port}/v1/health"))
            .send()
            .unwrap_err();
        assert_eq!(classify(&e), ErrorCode::CentralRefused);
    }

    #[test]
    fn a_name_that_does_not_resolve_is_dns() {
        let e = client()
            .get("https://no-such-host.invalid/v1/health")
            .send()
            .unwrap_err();
        assert_eq!(classify(&e), ErrorCode::CentralDns);
    }

    #[test]
    fn a_server_that_is_not_tls_fails_the_handshake() {
        // Something that answers in plain text where TLS is expected: the
        // handshake fails in rustls.
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let t = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut s, _) = l.accept().unwrap();
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        });
        let e = client()
            .get(format!("https://127.0.0.1:{port}/v1/health"))
            .send()
            .unwrap_err();
        assert_eq!(classify(&e), ErrorCode::CentralTls);
        t.join().unwrap();
    }

    #[test]
    fn answers_that_are_not_the_api_are_not_a_central_service() {
        use reqwest::StatusCode as S;
        assert_eq!(
            refusal(S::NOT_FOUND, b"<html>Not Found</html>").code,
            ErrorCode::CentralNotACentralService
        );
        assert_eq!(
            refusal(S::OK, b"hello").code,
            ErrorCode::CentralNotACentralService
        );
        assert_eq!(
            refusal(S::BAD_GATEWAY, b"<html>").code,
            ErrorCode::CentralUnreachable
        );
        let body =
            serde_json::to_vec(&ErrorBody::new(ErrorCode::CounterEnrolmentCodeUsed)).unwrap();
        assert_eq!(
            refusal(S::UNAUTHORIZED, &body).code,
            ErrorCode::CounterEnrolmentCodeUsed
        );
    }
}
