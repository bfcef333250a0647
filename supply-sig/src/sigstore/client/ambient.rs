//! Ambient OIDC identity tokens: the token a CI job already has, found the way cosign and
//! sigstore-python find it.
//!
//! [`detect`] looks, in order, at:
//! 1. `SIGSTORE_ID_TOKEN`: a token given in the environment. This is also GitLab CI's
//!    convention (`id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore` in the job);
//! 2. GitHub Actions: with `permissions: id-token: write`, the runner sets
//!    `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`; the token is the
//!    `value` of the JSON answer to `GET <url>&audience=sigstore` with
//!    `Authorization: Bearer <request token>`.
//!
//! Being on GitLab CI (`GITLAB_CI`) without `SIGSTORE_ID_TOKEN`, or on GitHub Actions
//! (`GITHUB_ACTIONS=true`) without the request variables, is reported as such
//! ([`Error::GitLabNoToken`], [`Error::GitHubNoPermission`]) so that the user learns which line
//! of the workflow is missing.
//!
//! The environment is read through a lookup function (`std::env::var(name).ok()` in an
//! application; a map in tests). The token's claims are read unverified (Fulcio verifies the
//! token); an `aud` claim that does not name `sigstore` is refused here already, since Fulcio
//! would refuse it anyway, less clearly.

use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde::Deserialize;

use super::http::credential_url_allowed;
use super::IdentityToken;
use crate::limits::{LimitExceeded, MAX_AMBIENT_TOKEN_RESPONSE_LEN};
use crate::sigstore::service;

/// The variable holding an identity token given in the environment (also GitLab CI's).
pub const SIGSTORE_ID_TOKEN: &str = "SIGSTORE_ID_TOKEN";
/// GitHub Actions: the token endpoint (set with `permissions: id-token: write`).
pub const ACTIONS_ID_TOKEN_REQUEST_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
/// GitHub Actions: the bearer token for [`ACTIONS_ID_TOKEN_REQUEST_URL`].
pub const ACTIONS_ID_TOKEN_REQUEST_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
/// Set to `true` on GitHub Actions runners.
pub const GITHUB_ACTIONS: &str = "GITHUB_ACTIONS";
/// Set on GitLab CI runners.
pub const GITLAB_CI: &str = "GITLAB_CI";
/// The audience Sigstore's Fulcio expects.
pub const AUDIENCE: &str = "sigstore";
/// How long the token request may take, body included: 30 seconds (GitHub answers in well
/// under a second).
pub const TOKEN_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Errors from ambient identity-token detection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No ambient identity token: not on a CI this module knows, and no `SIGSTORE_ID_TOKEN`.
    #[error(
        "no ambient identity token: SIGSTORE_ID_TOKEN is not set and this is not a GitHub \
         Actions job with id-token permission (ACTIONS_ID_TOKEN_REQUEST_URL, \
         ACTIONS_ID_TOKEN_REQUEST_TOKEN)"
    )]
    NotDetected,
    /// On GitLab CI without `SIGSTORE_ID_TOKEN`.
    #[error(
        "GitLab CI job without an identity token: declare `id_tokens: SIGSTORE_ID_TOKEN: aud: \
         sigstore` in the job"
    )]
    GitLabNoToken,
    /// On GitHub Actions without the token request variables.
    #[error(
        "GitHub Actions job without id-token permission (ACTIONS_ID_TOKEN_REQUEST_URL and \
         ACTIONS_ID_TOKEN_REQUEST_TOKEN are not both set): add `permissions: id-token: write` \
         to the workflow or job"
    )]
    GitHubNoPermission,
    /// The token endpoint is not `https` (nor plain `http` to a loopback host): the request
    /// token is a credential.
    #[error(
        "refusing to send the GitHub token request credential to {url}: only https, or plain \
         http to a loopback host"
    )]
    InsecureUrl {
        /// The endpoint.
        url: String,
    },
    /// The token request failed, was answered with an error status (a wrong or expired
    /// request token) or an oversized body: see [`crate::http::Error`].
    #[error("identity token request failed")]
    Http(#[source] crate::http::Error),
    /// The answer is longer than [`MAX_AMBIENT_TOKEN_RESPONSE_LEN`].
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// The answer is not `{"value": "<token>"}`.
    #[error("invalid identity token response: {reason}")]
    InvalidResponse {
        /// Why.
        reason: &'static str,
    },
    /// The token does not parse as a JWT.
    #[error("invalid ambient identity token")]
    Token(#[source] service::Error),
    /// The token's `aud` claim does not include `sigstore`.
    #[error("the identity token's audience {audiences:?} does not include `sigstore`")]
    Audience {
        /// The token's audiences.
        audiences: Vec<String>,
    },
}

/// Where an ambient token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// The `SIGSTORE_ID_TOKEN` variable (also GitLab CI's `id_tokens`).
    Environment,
    /// GitHub Actions' token endpoint.
    GitHubActions,
}

/// Finds the ambient identity token (see the module documentation for the order), reading the
/// environment through `env` and asking GitHub's token endpoint with `http` (with
/// [`TOKEN_REQUEST_TIMEOUT`] on this request). Empty variables count as unset.
///
/// # Errors
/// [`Error::NotDetected`], [`Error::GitLabNoToken`], [`Error::GitHubNoPermission`] when there
/// is no token; for GitHub: [`Error::InsecureUrl`], [`Error::Http`] (statuses too),
/// [`Error::LimitExceeded`], [`Error::InvalidResponse`]; for any token: [`Error::Token`],
/// [`Error::Audience`].
pub async fn detect(
    env: &dyn Fn(&str) -> Option<String>,
    http: &reqwest::Client,
) -> Result<(IdentityToken, Source), Error> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty());
    if let Some(raw) = var(SIGSTORE_ID_TOKEN) {
        return Ok((checked(&raw)?, Source::Environment));
    }
    match (
        var(ACTIONS_ID_TOKEN_REQUEST_URL),
        var(ACTIONS_ID_TOKEN_REQUEST_TOKEN),
    ) {
        (Some(url), Some(bearer)) => {
            let raw = github_token(http, &url, &bearer).await?;
            return Ok((checked(&raw)?, Source::GitHubActions));
        }
        _ if var(GITHUB_ACTIONS).as_deref() == Some("true") => {
            return Err(Error::GitHubNoPermission)
        }
        _ => {}
    }
    if var(GITLAB_CI).is_some() {
        return Err(Error::GitLabNoToken);
    }
    Err(Error::NotDetected)
}

/// Parses `raw` and checks that its audience, when it names one, includes [`AUDIENCE`].
fn checked(raw: &str) -> Result<IdentityToken, Error> {
    let token = IdentityToken::parse(raw).map_err(Error::Token)?;
    let aud = token.audiences();
    if !aud.is_empty() && !aud.iter().any(|a| a == AUDIENCE) {
        return Err(Error::Audience {
            audiences: aud.to_vec(),
        });
    }
    Ok(token)
}

#[derive(Deserialize)]
#[serde(expecting = "a GitHub Actions token response")]
struct WireToken {
    value: String,
}

/// `GET url` with `audience=sigstore` appended to its query and the request token as bearer;
/// returns the `value` of the JSON answer.
async fn github_token(http: &reqwest::Client, url: &str, bearer: &str) -> Result<String, Error> {
    // The endpoint is reported without its query: nothing secret is in it on GitHub, but a
    // URL given by a user might carry one.
    let shown = url.split(['?', '#']).next().unwrap_or_default().to_owned();
    if !credential_url_allowed(url) {
        return Err(Error::InsecureUrl { url: shown });
    }
    let mut target =
        reqwest::Url::parse(url).map_err(|_| Error::InsecureUrl { url: shown.clone() })?;
    target.query_pairs_mut().append_pair("audience", AUDIENCE);
    // Errors name the endpoint without its query.
    let req = http
        .get(target)
        .header(AUTHORIZATION, format!("Bearer {bearer}"))
        .header(ACCEPT, "application/json")
        .timeout(TOKEN_REQUEST_TIMEOUT);
    let resp = crate::http::send(req, &shown).await.map_err(Error::Http)?;
    let body = crate::http::read_body(
        resp,
        &shown,
        MAX_AMBIENT_TOKEN_RESPONSE_LEN,
        "identity token response",
    )
    .await
    .map_err(|e| match e {
        crate::http::Error::LimitExceeded(l) => Error::LimitExceeded(l),
        e => Error::Http(e),
    })?;
    let wire: WireToken = serde_json::from_slice(&body).map_err(|_| Error::InvalidResponse {
        reason: "not a JSON object with a string `value`",
    })?;
    Ok(wire.value)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use serde_json::json;
    use supply_testkit::http::{FnServer, Reply};
    use supply_testkit::sigstore_mock::unsigned_jwt;

    use super::*;

    fn jwt(aud: serde_json::Value) -> String {
        unsigned_jwt(
            &json!({"iss": "https://token.actions.githubusercontent.com",
            "sub": "repo:supply/x:ref:refs/heads/main", "aud": aud}),
        )
    }

    fn run(vars: &[(&str, &str)]) -> Result<(IdentityToken, Source), Error> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let env = move |name: &str| map.get(name).cloned();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(detect(&env, &reqwest::Client::new()))
    }

    /// A fake GitHub token endpoint: `Bearer request-token` and `audience=sigstore` get
    /// `answer`, anything else 401. Logs each request target.
    fn github(answer: Vec<u8>) -> (FnServer, Arc<Mutex<Vec<String>>>) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&log);
        let server = FnServer::start(move |req| {
            seen.lock().unwrap().push(req.target.clone());
            let authorized = req.header("authorization") == Some("Bearer request-token");
            let audience = req
                .query_pairs()
                .contains(&("audience".into(), "sigstore".into()));
            if req.method == "GET" && authorized && audience {
                Reply::new(200, "application/json", answer.clone())
            } else {
                Reply::new(401, "text/plain", b"unauthorized".to_vec())
            }
        });
        (server, log)
    }

    #[test]
    fn sigstore_id_token_comes_first() {
        let t = jwt(json!("sigstore"));
        // The GitHub variables point nowhere: they must not be used.
        let (token, source) = run(&[
            (SIGSTORE_ID_TOKEN, &t),
            (ACTIONS_ID_TOKEN_REQUEST_URL, "http://127.0.0.1:1/x"),
            (ACTIONS_ID_TOKEN_REQUEST_TOKEN, "request-token"),
            (GITLAB_CI, "true"),
        ])
        .unwrap();
        assert_eq!(source, Source::Environment);
        assert_eq!(token.as_str(), t);
    }

    #[test]
    fn github_token_is_requested_with_bearer_and_audience() {
        let t = jwt(json!(["other", "sigstore"]));
        let (server, log) = github(json!({"value": t, "count": 1}).to_string().into_bytes());
        // The runner's URL already has a query: `audience` is appended with `&`.
        let url = server.url("token?api-version=2.0");
        let (token, source) = run(&[
            (ACTIONS_ID_TOKEN_REQUEST_URL, &url),
            (ACTIONS_ID_TOKEN_REQUEST_TOKEN, "request-token"),
            (GITHUB_ACTIONS, "true"),
            (SIGSTORE_ID_TOKEN, ""),
        ])
        .unwrap();
        assert_eq!(source, Source::GitHubActions);
        assert_eq!(token.as_str(), t);
        assert_eq!(
            log.lock().unwrap().as_slice(),
            ["/token?api-version=2.0&audience=sigstore"]
        );
        // Without a query, with `?`.
        let url = server.url("token");
        run(&[
            (ACTIONS_ID_TOKEN_REQUEST_URL, &url),
            (ACTIONS_ID_TOKEN_REQUEST_TOKEN, "request-token"),
        ])
        .unwrap();
        assert_eq!(log.lock().unwrap()[1], "/token?audience=sigstore");
    }

    #[test]
    fn github_refusals_are_typed() {
        let t = jwt(json!("sigstore"));
        let (server, _) = github(json!({ "value": t }).to_string().into_bytes());
        let url = server.url("token");
        let e = run(&[
            (ACTIONS_ID_TOKEN_REQUEST_URL, &url),
            (ACTIONS_ID_TOKEN_REQUEST_TOKEN, "wrong-token"),
        ])
        .unwrap_err();
        assert!(
            matches!(e, Error::Http(crate::http::Error::Status { status: 401, ref url }) if !url.contains('?')),
            "{e:?}"
        );

        for (answer, what) in [
            (b"<html>not json</html>".to_vec(), "garbage"),
            (br#"{"value": 42}"#.to_vec(), "no string value"),
            (br#"{"token": "x"}"#.to_vec(), "no value"),
        ] {
            let (server, _) = github(answer);
            let e = run(&[
                (ACTIONS_ID_TOKEN_REQUEST_URL, &server.url("token")),
                (ACTIONS_ID_TOKEN_REQUEST_TOKEN, "request-token"),
            ])
            .unwrap_err();
            assert!(matches!(e, Error::InvalidResponse { .. }), "{what}: {e:?}");
        }

        let huge = format!(
            r#"{{"value": "{}"}}"#,
            "a".repeat(MAX_AMBIENT_TOKEN_RESPONSE_LEN)
        );
        let (server, _) = github(huge.into_bytes());
        let e = run(&[
            (ACTIONS_ID_TOKEN_REQUEST_URL, &server.url("token")),
            (ACTIONS_ID_TOKEN_REQUEST_TOKEN, "request-token"),
        ])
        .unwrap_err();
        assert!(matches!(e, Error::LimitExceeded(_)), "{e:?}");

        let (server, _) = github(br#"{"value": "not-a-jwt"}"#.to_vec());
        let e = run(&[
            (ACTIONS_ID_TOKEN_REQUEST_URL, &server.url("token")),
            (ACTIONS_ID_TOKEN_REQUEST_TOKEN, "request-token"),
        ])
        .unwrap_err();
        assert!(matches!(e, Error::Token(_)), "{e:?}");

        let wrong_aud = jwt(json!("https://github.com/supply"));
        let (server, _) = github(json!({ "value": wrong_aud }).to_string().into_bytes());
        let e = run(&[
            (ACTIONS_ID_TOKEN_REQUEST_URL, &server.url("token")),
            (ACTIONS_ID_TOKEN_REQUEST_TOKEN, "request-token"),
        ])
        .unwrap_err();
        assert!(
            matches!(&e, Error::Audience { audiences } if audiences == &["https://github.com/supply"]),
            "{e:?}"
        );
    }

    #[test]
    fn the_request_token_never_goes_over_plain_http_to_another_host() {
        let e = run(&[
            (
                ACTIONS_ID_TOKEN_REQUEST_URL,
                "http://token.actions.example/x?secret=1",
            ),
            (ACTIONS_ID_TOKEN_REQUEST_TOKEN, "request-token"),
        ])
        .unwrap_err();
        assert!(
            matches!(&e, Error::InsecureUrl { url } if url == "http://token.actions.example/x"),
            "{e:?}"
        );
    }

    #[test]
    fn missing_configuration_is_named() {
        assert!(matches!(
            run(&[(GITHUB_ACTIONS, "true")]),
            Err(Error::GitHubNoPermission)
        ));
        // Only one of the two request variables: the permission is missing all the same.
        assert!(matches!(
            run(&[
                (GITHUB_ACTIONS, "true"),
                (ACTIONS_ID_TOKEN_REQUEST_URL, "https://x")
            ]),
            Err(Error::GitHubNoPermission)
        ));
        assert!(matches!(
            run(&[(GITLAB_CI, "true")]),
            Err(Error::GitLabNoToken)
        ));
        assert!(matches!(run(&[]), Err(Error::NotDetected)));
        assert!(matches!(
            run(&[(GITHUB_ACTIONS, "false")]),
            Err(Error::NotDetected)
        ));
        // A GitLab token minted for another audience.
        let t = jwt(json!("https://gitlab.example"));
        assert!(matches!(
            run(&[(GITLAB_CI, "true"), (SIGSTORE_ID_TOKEN, &t)]),
            Err(Error::Audience { .. })
        ));
        // No `aud` claim at all: nothing to check here (Fulcio decides).
        let t = unsigned_jwt(&json!({"sub": "x"}));
        assert!(run(&[(SIGSTORE_ID_TOKEN, &t)]).is_ok());
    }
}
