//! One bounded POST: the only place the client touches the network.

use reqwest::header::{ACCEPT, CONTENT_TYPE};

use super::Error;

/// POSTs `body` to `url` and returns the response body, read chunk by chunk and refused past
/// `limit` bytes (`Content-Length` is not trusted). Only 2xx statuses succeed.
pub(super) async fn post(
    http: &reqwest::Client,
    url: &str,
    content_type: &'static str,
    accept: &'static str,
    body: Vec<u8>,
    limit: usize,
    what: &'static str,
) -> Result<Vec<u8>, Error> {
    let transport = |source| Error::Http {
        url: url.to_owned(),
        source,
    };
    let mut resp = http
        .post(url)
        .header(CONTENT_TYPE, content_type)
        .header(ACCEPT, accept)
        .body(body)
        .send()
        .await
        .map_err(transport)?;
    let status = resp.status();
    if !status.is_success() {
        return Err(Error::HttpStatus {
            url: url.to_owned(),
            status: status.as_u16(),
        });
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(transport)? {
        if out.len().saturating_add(chunk.len()) > limit {
            return Err(Error::LimitExceeded { what, limit });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// `base` without trailing slashes, followed by `path` (which starts with `/`).
pub(super) fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}
