//! Bounded requests on the shared client of [`crate::http`]: the only place the keyless client
//! touches the network.

use reqwest::header::{ACCEPT, CONTENT_TYPE};

use super::Error;
use crate::http::{read_body, send};

/// POSTs the JSON `request` to `url` and returns the response body (of media type `accept`),
/// read chunk by chunk and refused past `limit` bytes (`Content-Length` is not trusted). Only
/// 2xx statuses succeed.
pub(super) async fn post_json(
    http: &reqwest::Client,
    url: &str,
    request: &serde_json::Value,
    accept: &'static str,
    limit: usize,
    what: &'static str,
) -> Result<Vec<u8>, Error> {
    post(
        http,
        url,
        "application/json",
        request.to_string().into_bytes(),
        accept,
        limit,
        what,
    )
    .await
}

/// POSTs `body` of media type `content_type` to `url`; the answer as in [`post_json`].
pub(super) async fn post(
    http: &reqwest::Client,
    url: &str,
    content_type: &'static str,
    body: Vec<u8>,
    accept: &'static str,
    limit: usize,
    what: &'static str,
) -> Result<Vec<u8>, Error> {
    let req = http
        .post(url)
        .header(CONTENT_TYPE, content_type)
        .header(ACCEPT, accept)
        .body(body);
    let resp = send(req, url).await?;
    Ok(read_body(resp, url, limit, what).await?)
}

/// `base` without trailing slashes, followed by `path` (which starts with `/`).
pub(super) fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// Whether a credential may be sent to `url`: `https`, or plain `http` to a loopback host
/// (`localhost`, 127.0.0.0/8, `::1`), where nothing crosses a network. Anything else (plain
/// `http` to another host, another scheme, an unparseable URL) is refused
/// ([`crate::http::require_confidential`]).
pub(crate) fn credential_url_allowed(url: &str) -> bool {
    crate::http::require_confidential(url, "a credential").is_ok()
}

#[cfg(test)]
mod tests {
    use super::credential_url_allowed;

    #[test]
    fn credentials_go_over_https_or_to_loopback_only() {
        for ok in [
            "https://fulcio.sigstore.dev",
            "https://10.0.0.1:8080/x",
            "http://localhost:5555",
            "http://LOCALHOST/",
            "http://127.0.0.1:1234",
            "http://127.45.6.7/",
            "http://[::1]:80/",
        ] {
            assert!(credential_url_allowed(ok), "{ok}");
        }
        for bad in [
            "http://fulcio.sigstore.dev",
            "http://10.0.0.1/",
            "http://128.0.0.1/",
            "http://localhost.evil.test/",
            "http://127.0.0.1.evil.test/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::2]/",
            "ftp://localhost/",
            "file:///etc/passwd",
            "not a url",
            "",
        ] {
            assert!(!credential_url_allowed(bad), "{bad}");
        }
    }
}
