//! Bearer tokens from a distribution token server (distribution `docs/spec/auth/token.md` and
//! `oauth.md`), and a cache of them keyed by registry, service and scope set.
//!
//! A token is requested from the challenge's realm with `service` and one `scope` parameter
//! per repository: with `GET` (basic auth when there are credentials, anonymous otherwise),
//! or, for an identity token, with `POST` of `grant_type=refresh_token`. The answer's `token`
//! (or `access_token`) lives `expires_in` seconds (60 when absent) from the caller's `now`.

use std::collections::HashMap;
use std::sync::Mutex;

use supply_sig::time::Timestamp;

use super::challenge::BearerChallenge;
use super::scope::ScopeSet;
use super::{check_realm, Credential, Error};
use crate::limits::{MAX_CACHED_TOKENS, MAX_TOKEN_LEN, MAX_TOKEN_RESPONSE_LEN};

/// Lifetime of a token whose answer gives no `expires_in` (the token spec's default): 60 s.
pub const DEFAULT_EXPIRES_IN: i64 = 60;

/// Longest lifetime believed: a day. A token that claims more is refreshed daily anyway.
pub const MAX_EXPIRES_IN: i64 = 24 * 60 * 60;

/// A cached token is not used in its last 5 seconds (the request that carries it needs time
/// to arrive).
pub const EXPIRY_MARGIN: i64 = 5;

/// The `client_id` sent with refresh-token requests.
pub const CLIENT_ID: &str = "supply";

/// A bearer token and when it expires.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    value: String,
    expires_at: Timestamp,
    refresh_token: Option<String>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("value", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Token {
    /// A token `value` valid until `expires_at`.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] when `value` is empty, too long or not header-safe.
    pub fn new(value: String, expires_at: Timestamp) -> Result<Self, Error> {
        let safe = |b: u8| b.is_ascii_graphic();
        if value.is_empty() || value.len() > MAX_TOKEN_LEN || !value.bytes().all(safe) {
            return Err(Error::InvalidToken);
        }
        Ok(Self {
            value,
            expires_at,
            refresh_token: None,
        })
    }

    /// The token itself.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// When it expires (by the caller's clock at the time it was fetched).
    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }

    /// A new refresh token the server handed out with it, if any.
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_deref()
    }

    /// The `Authorization` header value: `Bearer <token>`.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.value)
    }

    /// Whether it can still be sent at `now` (before its expiry less [`EXPIRY_MARGIN`]).
    pub fn usable_at(&self, now: Timestamp) -> bool {
        now.unix().saturating_add(EXPIRY_MARGIN) < self.expires_at.unix()
    }
}

/// What a token is fetched for.
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest<'a> {
    /// The registry's base URL (`https://ghcr.io/`): decides which realms are acceptable.
    pub registry: &'a reqwest::Url,
    /// The registry's `Bearer` challenge.
    pub challenge: &'a BearerChallenge,
    /// The scopes the request needs.
    pub scopes: &'a ScopeSet,
    /// Credentials, or `None` for an anonymous token.
    pub credential: Option<&'a Credential>,
}

#[derive(serde::Deserialize)]
struct TokenAnswer {
    token: Option<String>,
    access_token: Option<String>,
    expires_in: Option<i64>,
    refresh_token: Option<String>,
}

/// Fetches a token for `request` with `client` (built by `supply_sig::http`), valid from `now`.
/// A [`Credential::RegistryToken`] is returned as is (no request).
///
/// # Errors
/// [`Error::Realm`] (nothing was sent), [`Error::Http`] (transport, a non-2xx status, an
/// answer over [`MAX_TOKEN_RESPONSE_LEN`]), [`Error::TokenJson`], [`Error::NoToken`],
/// [`Error::InvalidToken`].
pub async fn fetch_token(
    client: &reqwest::Client,
    request: &TokenRequest<'_>,
    now: Timestamp,
) -> Result<Token, Error> {
    if let Some(Credential::RegistryToken(t)) = request.credential {
        return Token::new(t.clone(), at(now, DEFAULT_EXPIRES_IN));
    }
    let mut url = check_realm(
        &request.challenge.realm,
        request.registry,
        request.credential.is_some(),
    )?;
    let scopes = request.scopes.to_strings();
    let service = request.challenge.service.as_deref();
    let builder = match request.credential {
        Some(Credential::IdentityToken(refresh)) => {
            let joined = scopes.join(" ");
            let mut form = vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.as_str()),
                ("client_id", CLIENT_ID),
            ];
            if let Some(s) = service {
                form.push(("service", s));
            }
            if !joined.is_empty() {
                form.push(("scope", joined.as_str()));
            }
            client.post(url.clone()).form(&form)
        }
        other => {
            {
                let mut q = url.query_pairs_mut();
                if let Some(s) = service {
                    q.append_pair("service", s);
                }
                for s in &scopes {
                    q.append_pair("scope", s);
                }
            }
            let b = client.get(url.clone());
            match other {
                Some(Credential::Basic { username, password }) => {
                    b.basic_auth(username, Some(password))
                }
                _ => b,
            }
        }
    };
    let shown = url.as_str().to_owned();
    let resp = supply_sig::http::send(builder, &shown)
        .await
        .map_err(Error::Http)?;
    let body = supply_sig::http::read_body(resp, &shown, MAX_TOKEN_RESPONSE_LEN, "token response")
        .await
        .map_err(Error::Http)?;
    let answer: TokenAnswer = serde_json::from_slice(&body).map_err(Error::TokenJson)?;
    let value = answer
        .token
        .filter(|t| !t.is_empty())
        .or(answer.access_token)
        .ok_or(Error::NoToken)?;
    let expires_in = match answer.expires_in {
        Some(s) if s > 0 => s.min(MAX_EXPIRES_IN),
        _ => DEFAULT_EXPIRES_IN,
    };
    let mut token = Token::new(value, at(now, expires_in))?;
    token.refresh_token = answer.refresh_token.filter(|t| !t.is_empty());
    Ok(token)
}

fn at(now: Timestamp, secs: i64) -> Timestamp {
    Timestamp::from_unix(now.unix().saturating_add(secs))
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    registry: String,
    service: String,
    scopes: ScopeSet,
}

/// Tokens by (registry, service, scope set), each until its expiry. The clock is the
/// caller's: every lookup takes `now`.
#[derive(Debug, Default)]
pub struct TokenCache {
    entries: HashMap<CacheKey, (Token, Timestamp)>,
}

impl TokenCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn key(registry: &str, service: Option<&str>, scopes: &ScopeSet) -> CacheKey {
        CacheKey {
            registry: registry.to_owned(),
            service: service.unwrap_or_default().to_owned(),
            scopes: scopes.clone(),
        }
    }

    /// The token for exactly this registry, service and scope set, if one is usable at `now`.
    pub fn get(
        &self,
        registry: &str,
        service: Option<&str>,
        scopes: &ScopeSet,
        now: Timestamp,
    ) -> Option<&Token> {
        self.entries
            .get(&Self::key(registry, service, scopes))
            .map(|(t, _)| t)
            .filter(|t| t.usable_at(now))
    }

    /// Keeps `token`; when the cache is full, expired tokens go first, then the oldest.
    pub fn insert(
        &mut self,
        registry: &str,
        service: Option<&str>,
        scopes: &ScopeSet,
        token: Token,
        now: Timestamp,
    ) {
        if self.entries.len() >= MAX_CACHED_TOKENS {
            self.entries.retain(|_, (t, _)| t.usable_at(now));
        }
        if self.entries.len() >= MAX_CACHED_TOKENS {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, (_, stored))| *stored)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.entries.remove(&k);
            }
        }
        self.entries
            .insert(Self::key(registry, service, scopes), (token, now));
    }

    /// How many tokens are kept (usable or not).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no token is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A token source for one set of credentials: [`fetch_token`] behind a [`TokenCache`].
#[derive(Debug)]
pub struct Authenticator {
    client: reqwest::Client,
    credential: Option<Credential>,
    cache: Mutex<TokenCache>,
}

impl Authenticator {
    /// Fetches with `client` (from `supply_sig::http::HttpOptions::build`), sending
    /// `credential` (anonymous when `None`).
    pub fn new(client: reqwest::Client, credential: Option<Credential>) -> Self {
        Self {
            client,
            credential,
            cache: Mutex::new(TokenCache::new()),
        }
    }

    /// A token for `scopes` at the registry `registry` that answered `challenge`: from the
    /// cache when one is usable at `now`, else fetched and cached.
    ///
    /// # Errors
    /// As [`fetch_token`].
    pub async fn token(
        &self,
        registry: &reqwest::Url,
        challenge: &BearerChallenge,
        scopes: &ScopeSet,
        now: Timestamp,
    ) -> Result<Token, Error> {
        let origin = registry.origin().ascii_serialization();
        let service = challenge.service.as_deref();
        if let Some(t) = self.lock().get(&origin, service, scopes, now) {
            return Ok(t.clone());
        }
        let request = TokenRequest {
            registry,
            challenge,
            scopes,
            credential: self.credential.as_ref(),
        };
        let token = fetch_token(&self.client, &request, now).await?;
        self.lock()
            .insert(&origin, service, scopes, token.clone(), now);
        Ok(token)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TokenCache> {
        // The cache holds plain values: a panic elsewhere while it was locked leaves it
        // consistent.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &str, exp: i64) -> Token {
        Token::new(v.into(), Timestamp::from_unix(exp)).unwrap()
    }

    #[test]
    fn tokens_must_be_header_safe() {
        for bad in ["", "a b", "a\r\nX-Evil: 1", "é"] {
            assert!(
                matches!(
                    Token::new(bad.into(), Timestamp::from_unix(0)),
                    Err(Error::InvalidToken)
                ),
                "{bad:?}"
            );
        }
        let long = "a".repeat(MAX_TOKEN_LEN + 1);
        assert!(matches!(
            Token::new(long, Timestamp::from_unix(0)),
            Err(Error::InvalidToken)
        ));
        assert_eq!(t("abc.def", 0).authorization(), "Bearer abc.def");
        assert!(!format!("{:?}", t("s3cr3t", 0)).contains("s3cr3t"));
    }

    #[test]
    fn the_cache_keys_on_registry_service_and_scopes_until_expiry() {
        let mut c = TokenCache::new();
        let pull = ScopeSet::pull("a/b");
        let now = Timestamp::from_unix(1000);
        c.insert("https://r", Some("svc"), &pull, t("one", 1060), now);
        assert_eq!(
            c.get("https://r", Some("svc"), &pull, now).unwrap().value(),
            "one"
        );
        assert!(c
            .get("https://r", Some("svc"), &pull, Timestamp::from_unix(1054))
            .is_some());
        // Within the margin, and after expiry: gone.
        assert!(c
            .get("https://r", Some("svc"), &pull, Timestamp::from_unix(1055))
            .is_none());
        assert!(c
            .get("https://r", Some("svc"), &pull, Timestamp::from_unix(2000))
            .is_none());
        assert!(c.get("https://other", Some("svc"), &pull, now).is_none());
        assert!(c.get("https://r", None, &pull, now).is_none());
        assert!(c
            .get("https://r", Some("svc"), &ScopeSet::push("a/b"), now)
            .is_none());
    }

    #[test]
    fn a_full_cache_drops_expired_tokens_then_the_oldest() {
        let mut c = TokenCache::new();
        for i in 0..MAX_CACHED_TOKENS {
            let exp = if i == 3 { 10 } else { 100_000 };
            c.insert(
                &format!("r{i}"),
                None,
                &ScopeSet::new(),
                t("x", exp),
                Timestamp::from_unix(i as i64),
            );
        }
        let now = Timestamp::from_unix(1000);
        c.insert("new", None, &ScopeSet::new(), t("y", 100_000), now);
        assert_eq!(c.len(), MAX_CACHED_TOKENS);
        assert!(c.get("r0", None, &ScopeSet::new(), now).is_some());
        c.insert("newer", None, &ScopeSet::new(), t("z", 100_000), now);
        assert_eq!(c.len(), MAX_CACHED_TOKENS);
        assert!(c.get("r0", None, &ScopeSet::new(), now).is_none());
        assert!(c.get("newer", None, &ScopeSet::new(), now).is_some());
    }
}
