//! One bounded POST: the only place the client touches the network (on the shared client of
//! [`crate::http`]).

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
    let req = http
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, accept)
        .body(request.to_string());
    let resp = send(req, url).await?;
    Ok(read_body(resp, url, limit, what).await?)
}

/// `base` without trailing slashes, followed by `path` (which starts with `/`).
pub(super) fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}
