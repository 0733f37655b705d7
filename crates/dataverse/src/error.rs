//! The client's error: what kind of failure, the host's own code and message
//! when it sent one, and a sentence that says what to do.

use std::time::Duration;

/// What went wrong, coarsely, so callers can branch (and map to IPC codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The host could not be reached (DNS, refused, reset, timed out).
    Offline,
    /// 401: the token is missing, expired or for another resource.
    Unauthorized,
    /// 403: signed in, but not allowed.
    Forbidden,
    /// 404: no such row, set, function or action.
    NotFound,
    /// 412: someone else changed the row (etag mismatch) or it already exists.
    Conflict,
    /// 429 after every retry: the host is busy.
    Throttled,
    /// 400 and other refusals: the request was wrong for the host.
    Rejected,
    /// 5xx after every retry.
    HostFailure,
    /// The host answered with something this client cannot read.
    Protocol,
}

/// A failed call to a pipelines host.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    /// HTTP status, when the host answered.
    pub status: Option<u16>,
    /// Dataverse error code such as `0x80040217`, when the host sent one.
    pub code: Option<String>,
    /// A sentence for people: the host's message and what to do.
    pub message: String,
    /// How long the host asked us to wait (429), if it said.
    pub retry_after: Option<Duration>,
    /// The request certainly never reached the host: no connection could be made to it
    /// (refused, no such name, TLS handshake failed), so the host cannot have acted on it.
    pub not_sent: bool,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            status: None,
            code: None,
            message: message.into(),
            retry_after: None,
            not_sent: false,
        }
    }

    /// `refused_here`: a loopback host refused the connection (nothing listens there).
    pub(crate) fn offline(url: &str, err: &reqwest::Error, refused_here: bool) -> Self {
        let mut out = Self::unreachable_because(url, err, refused_here);
        // An error while connecting: nothing of the request left this computer.
        out.not_sent = err.is_connect();
        out
    }

    fn unreachable_because(url: &str, err: &reqwest::Error, refused_here: bool) -> Self {
        if refused_here {
            return Self::new(
                ErrorKind::Offline,
                format!("The pipelines host at {url} is unreachable (connection refused: nothing listens at that address on this computer): start the host (`ferry host serve`) or check the profile's address, then try again."),
            );
        }
        let why = if err.is_timeout() {
            "timed out"
        } else {
            "could not connect"
        };
        Self::new(
            ErrorKind::Offline,
            format!("The pipelines host at {url} is unreachable ({why}): check the address and your network, then try again."),
        )
    }

    /// The host could not be reached, said by a caller that tried another way (its
    /// cloud table): `why` in a few words.
    pub fn unreachable(url: &str, why: &str) -> Self {
        Self::new(
            ErrorKind::Offline,
            format!("The pipelines host at {url} is unreachable ({why}): check the address and your network (is the host running?), then try again."),
        )
    }

    pub(crate) fn protocol(what: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorKind::Protocol,
            format!("The pipelines host sent an answer Ferry cannot read ({what}). Is this address a Dataverse environment with Pipelines installed?"),
        )
    }

    /// The error for a 429/5xx whose `Retry-After` is longer than the client waits: the
    /// host's words, then how long it asked for and that Ferry gave up.
    pub(crate) fn wait_too_long(status: u16, body: &[u8], wait: Duration, max: Duration) -> Self {
        let (_, host_message) = parse_envelope(body);
        let said = host_message.unwrap_or_else(|| format!("The host answered HTTP {status}."));
        let asked = if wait >= crate::client::SERVER_WAIT_CEILING {
            "a day or more".to_string()
        } else {
            format!("{:.0} s", wait.as_secs_f64().ceil())
        };
        let mut err = Self::from_response(status, body, Some(wait));
        err.message = format!(
            "{} The host asked to wait {asked} before trying again, more than the {:.0} s Ferry \
             waits: try again later.",
            said.trim_end(),
            max.as_secs_f64().ceil()
        );
        err
    }

    /// Builds the error for a non-success answer from its status and body.
    pub(crate) fn from_response(status: u16, body: &[u8], retry_after: Option<Duration>) -> Self {
        let (code, host_message) = parse_envelope(body);
        let kind = match status {
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 | 412 => ErrorKind::Conflict,
            429 => ErrorKind::Throttled,
            500..=599 => ErrorKind::HostFailure,
            _ => ErrorKind::Rejected,
        };
        let advice = match kind {
            ErrorKind::Unauthorized => "Sign in again.",
            ErrorKind::Forbidden => "Ask an admin of the pipelines host for access.",
            ErrorKind::NotFound => "It may have been deleted, or this host lacks Pipelines.",
            ErrorKind::Conflict => "It changed meanwhile: reload and try again.",
            ErrorKind::Throttled => "The host is busy: wait a moment and try again.",
            ErrorKind::HostFailure => "The host had a problem: try again later.",
            _ => "",
        };
        let said = host_message.unwrap_or_else(|| format!("The host answered HTTP {status}."));
        let message = if advice.is_empty() {
            said
        } else {
            format!("{} {advice}", said.trim_end())
        };
        Self {
            kind,
            status: Some(status),
            code,
            message,
            retry_after,
            not_sent: false,
        }
    }
}

/// Reads `{"error":{"code":"0x…","message":"…"}}`; empty codes count as none.
fn parse_envelope(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (None, None);
    };
    let err = &value["error"];
    let text = |v: &serde_json::Value| {
        v.as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    (text(&err["code"]), text(&err["message"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_dataverse_envelope() {
        let body = br#"{"error":{"code":"0x80040217","message":"deploymentstagerun With Id = 1 Does Not Exist"}}"#;
        let err = Error::from_response(404, body, None);
        assert_eq!(err.kind, ErrorKind::NotFound);
        assert_eq!(err.code.as_deref(), Some("0x80040217"));
        assert!(err
            .message
            .starts_with("deploymentstagerun With Id = 1 Does Not Exist"));
    }

    #[test]
    fn tolerates_empty_codes_and_non_json_bodies() {
        let err = Error::from_response(400, br#"{"error":{"code":"","message":"bad"}}"#, None);
        assert_eq!(
            (err.kind, err.code, err.message.as_str()),
            (ErrorKind::Rejected, None, "bad")
        );
        let err = Error::from_response(503, b"<html>", None);
        assert_eq!(err.kind, ErrorKind::HostFailure);
        assert!(err.message.contains("HTTP 503"), "{}", err.message);
    }

    #[test]
    fn maps_statuses_to_kinds() {
        for (status, kind) in [
            (401, ErrorKind::Unauthorized),
            (403, ErrorKind::Forbidden),
            (412, ErrorKind::Conflict),
            (429, ErrorKind::Throttled),
        ] {
            assert_eq!(Error::from_response(status, b"", None).kind, kind);
        }
    }
}
