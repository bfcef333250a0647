//! One bounded POST: the only place the client touches the network.

use reqwest::header::{ACCEPT, CONTENT_TYPE};

use super::Error;
use crate::limits::LimitExceeded;

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
    let transport = |source| Error::Http {
        url: url.to_owned(),
        source,
    };
    let mut resp = http
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, accept)
        .body(request.to_string())
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
            return Err(Error::LimitExceeded(LimitExceeded::new(what, limit)));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// `base` without trailing slashes, followed by `path` (which starts with `/`).
pub(super) fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}
