//! `WWW-Authenticate` challenges (RFC 7235 section 4.1, with the grammar of RFC 9110 section
//! 11): one or more challenges per header, across any number of headers, each a scheme
//! followed by either a `token68` or a comma-separated list of `name=value` auth-params whose
//! values are tokens or quoted strings (with `\` escapes).
//!
//! The parser never panics, reads at most [`MAX_CHALLENGE_LEN`] bytes, and refuses what it
//! cannot read unambiguously (a duplicate parameter, an unterminated quoted string) instead
//! of guessing.
//!
//! ```
//! use supply_oci::auth::challenge::{parse, BearerChallenge};
//!
//! let cs = parse([r#"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull""#])?;
//! let b = BearerChallenge::from_challenges(&cs).ok_or("no Bearer challenge")?;
//! assert_eq!(b.realm, "https://auth.example.com/token");
//! assert_eq!(b.service.as_deref(), Some("registry.example.com"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use crate::limits::{MAX_CHALLENGES, MAX_CHALLENGE_LEN, MAX_CHALLENGE_PARAMS};

/// Why `WWW-Authenticate` headers were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The headers are longer than [`MAX_CHALLENGE_LEN`] bytes together.
    #[error("the WWW-Authenticate headers are longer than {MAX_CHALLENGE_LEN} bytes")]
    TooLong,
    /// More than [`MAX_CHALLENGES`] challenges, or more than [`MAX_CHALLENGE_PARAMS`]
    /// parameters in one.
    #[error("too many challenges or challenge parameters")]
    TooMany,
    /// A character where the grammar allows none (at byte `at` of the header).
    #[error("unexpected character at byte {at} of a WWW-Authenticate header")]
    Unexpected {
        /// Byte offset in the header.
        at: usize,
    },
    /// A quoted string without its closing quote.
    #[error("unterminated quoted string in a WWW-Authenticate header")]
    Unterminated,
    /// A `WWW-Authenticate` header value that is not visible ASCII (HTTP's `obs-text` is not
    /// accepted in challenges).
    #[error("a WWW-Authenticate header is not visible ASCII")]
    NotAscii,
    /// A parameter named twice in one challenge (RFC 7235: each name appears at most once).
    #[error("the parameter {name:?} appears twice in one challenge")]
    DuplicateParam {
        /// The parameter name, lowercased (at most 80 characters).
        name: String,
    },
}

/// One challenge: a scheme and its token68 or parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme as sent (compare with [`Challenge::is`], which ignores case).
    pub scheme: String,
    /// The `token68` form, when the challenge has one instead of parameters.
    pub token68: Option<String>,
    /// The parameters in order: names lowercased, values unquoted and unescaped.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// Whether the scheme is `scheme`, ignoring ASCII case.
    pub fn is(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// The value of the parameter `name` (matched ignoring ASCII case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A `Bearer` challenge of the distribution token protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerChallenge {
    /// Where to ask for a token (validate it with [`crate::auth::check_realm`] before use).
    pub realm: String,
    /// The `service` to name in the token request.
    pub service: Option<String>,
    /// The `scope` the registry asked for (space-separated scopes), if any.
    pub scope: Option<String>,
    /// The `error` parameter (`insufficient_scope`, `invalid_token`), if any.
    pub error: Option<String>,
}

impl BearerChallenge {
    /// The first `Bearer` challenge with a non-empty `realm` among `challenges`.
    pub fn from_challenges(challenges: &[Challenge]) -> Option<Self> {
        challenges.iter().find_map(|c| {
            let realm = c.param("realm").filter(|r| !r.is_empty())?;
            c.is("bearer").then(|| Self {
                realm: realm.to_owned(),
                service: c.param("service").map(str::to_owned),
                scope: c.param("scope").map(str::to_owned),
                error: c.param("error").map(str::to_owned),
            })
        })
    }
}

/// Whether `challenges` offer the `Basic` scheme.
pub fn offers_basic(challenges: &[Challenge]) -> bool {
    challenges.iter().any(|c| c.is("basic"))
}

/// Parses every challenge of `headers` (the values of all `WWW-Authenticate` headers of one
/// response, in order).
///
/// # Errors
/// Every [`Error`] variant.
pub fn parse<'a>(headers: impl IntoIterator<Item = &'a str>) -> Result<Vec<Challenge>, Error> {
    let mut out = Vec::new();
    let mut total = 0usize;
    for h in headers {
        total = total.saturating_add(h.len());
        if total > MAX_CHALLENGE_LEN {
            return Err(Error::TooLong);
        }
        Parser {
            s: h.as_bytes(),
            i: 0,
        }
        .challenges(&mut out)?;
    }
    Ok(out)
}

/// Parses the `WWW-Authenticate` headers of a response.
///
/// # Errors
/// [`Error::NotAscii`], and as [`parse`].
pub fn parse_headers(headers: &reqwest::header::HeaderMap) -> Result<Vec<Challenge>, Error> {
    let values = headers
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .map(|v| v.to_str().map_err(|_| Error::NotAscii))
        .collect::<Result<Vec<_>, _>>()?;
    parse(values)
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    /// Skips whitespace and empty list elements (`, ,`).
    fn skip_ws_commas(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.i += 1;
        }
    }

    fn token(&mut self) -> &str {
        let start = self.i;
        while self.peek().is_some_and(is_tchar) {
            self.i += 1;
        }
        // tchars are ASCII, so the slice is UTF-8.
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default()
    }

    fn unexpected(&self) -> Error {
        Error::Unexpected { at: self.i }
    }

    /// A quoted string after its opening quote, unescaped.
    fn quoted(&mut self) -> Result<String, Error> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(Error::Unterminated),
                Some(b'"') => {
                    self.i += 1;
                    return String::from_utf8(out).map_err(|_| self.unexpected());
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        None => return Err(Error::Unterminated),
                        Some(b) if b == b'\t' || b >= 0x20 && b != 0x7f => {
                            out.push(b);
                            self.i += 1;
                        }
                        Some(_) => return Err(self.unexpected()),
                    }
                }
                // qdtext: HTAB, SP, visible ASCII but `"` and `\`, obs-text.
                Some(b) if b == b'\t' || b >= 0x20 && b != 0x7f => {
                    out.push(b);
                    self.i += 1;
                }
                Some(_) => return Err(self.unexpected()),
            }
        }
    }

    /// Whether a `token BWS "="` (an auth-param) starts here.
    fn at_param(&self) -> bool {
        let mut j = self.i;
        let start = j;
        while self.s.get(j).copied().is_some_and(is_tchar) {
            j += 1;
        }
        if j == start {
            return false;
        }
        while matches!(self.s.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        self.s.get(j) == Some(&b'=')
    }

    /// A token68 followed by the end or a comma, if one starts here.
    fn token68(&mut self) -> Option<String> {
        let start = self.i;
        let mut j = start;
        while self.s.get(j).copied().is_some_and(is_token68_char) {
            j += 1;
        }
        if j == start {
            return None;
        }
        while self.s.get(j) == Some(&b'=') {
            j += 1;
        }
        let end = j;
        while matches!(self.s.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        if matches!(self.s.get(j), None | Some(b',')) {
            self.i = j;
            // token68 characters are ASCII.
            std::str::from_utf8(&self.s[start..end])
                .ok()
                .map(str::to_owned)
        } else {
            None
        }
    }

    fn challenges(&mut self, out: &mut Vec<Challenge>) -> Result<(), Error> {
        loop {
            self.skip_ws_commas();
            if self.peek().is_none() {
                return Ok(());
            }
            let scheme = self.token().to_owned();
            if scheme.is_empty() {
                return Err(self.unexpected());
            }
            if out.len() >= MAX_CHALLENGES {
                return Err(Error::TooMany);
            }
            let mut c = Challenge {
                scheme,
                token68: None,
                params: Vec::new(),
            };
            match self.peek() {
                None | Some(b',') => {
                    out.push(c);
                    continue;
                }
                Some(b' ' | b'\t') => self.skip_ws(),
                Some(_) => return Err(self.unexpected()),
            }
            if matches!(self.peek(), None | Some(b',')) {
                out.push(c);
                continue;
            }
            // A token68 (`abc==`) is followed by the end or a comma; anything else here must
            // be an auth-param.
            if let Some(t) = self.token68() {
                c.token68 = Some(t);
                out.push(c);
                continue;
            }
            if !self.at_param() {
                return Err(self.unexpected());
            }
            // auth-params, until one that is not `name=` (the next challenge) or the end.
            loop {
                let name = self.token().to_ascii_lowercase();
                self.skip_ws();
                if self.peek() != Some(b'=') {
                    return Err(self.unexpected());
                }
                self.i += 1;
                self.skip_ws();
                let value = if self.peek() == Some(b'"') {
                    self.i += 1;
                    self.quoted()?
                } else {
                    let v = self.token().to_owned();
                    if v.is_empty() {
                        return Err(self.unexpected());
                    }
                    v
                };
                if c.params.iter().any(|(n, _)| *n == name) {
                    return Err(Error::DuplicateParam {
                        name: name.chars().take(80).collect(),
                    });
                }
                if c.params.len() >= MAX_CHALLENGE_PARAMS {
                    return Err(Error::TooMany);
                }
                c.params.push((name, value));
                self.skip_ws();
                match self.peek() {
                    None => break,
                    Some(b',') => {
                        self.skip_ws_commas();
                        if !self.at_param() {
                            break;
                        }
                    }
                    Some(_) => return Err(self.unexpected()),
                }
            }
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(h: &str) -> Vec<Challenge> {
        parse([h]).unwrap_or_else(|e| panic!("{h}: {e}"))
    }

    fn params(c: &Challenge) -> Vec<(&str, &str)> {
        c.params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn registry_challenges() {
        let cs = one(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#,
        );
        assert_eq!(cs.len(), 1);
        let b = BearerChallenge::from_challenges(&cs).unwrap();
        assert_eq!(b.realm, "https://auth.docker.io/token");
        assert_eq!(b.service.as_deref(), Some("registry.docker.io"));
        assert_eq!(b.scope.as_deref(), Some("repository:library/alpine:pull"));
        let cs = one(r#"Basic realm="Registry Realm""#);
        assert!(offers_basic(&cs));
        assert_eq!(cs[0].param("REALM"), Some("Registry Realm"));
        assert!(BearerChallenge::from_challenges(&cs).is_none());
    }

    #[test]
    fn several_challenges_in_one_header_and_across_headers() {
        let cs = one(r#"Basic realm="a, b", Bearer realm="https://x/t",service=reg , Newauth"#);
        assert_eq!(cs.len(), 3);
        assert!(cs[0].is("BASIC"));
        assert_eq!(params(&cs[0]), [("realm", "a, b")]);
        assert_eq!(
            params(&cs[1]),
            [("realm", "https://x/t"), ("service", "reg")]
        );
        assert!(cs[2].is("newauth") && cs[2].params.is_empty());
        let cs = parse(["Basic realm=x", "bEaReR realm=\"https://y\", scope=\"a b\""]).unwrap();
        assert_eq!(cs.len(), 2);
        let b = BearerChallenge::from_challenges(&cs).unwrap();
        assert_eq!(
            (b.realm.as_str(), b.scope.as_deref()),
            ("https://y", Some("a b"))
        );
    }

    #[test]
    fn quoted_strings_escapes_and_empty_elements() {
        let cs = one(r#"Bearer realm="a\"b\\c,d", ,, error="" , x = y,"#);
        assert_eq!(
            params(&cs[0]),
            [("realm", r#"a"b\c,d"#), ("error", ""), ("x", "y")]
        );
        // RFC 7235's own example.
        let cs =
            one(r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#);
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].param("title"), Some(r#"Login to "apps""#));
        assert_eq!(cs[1].param("realm"), Some("simple"));
        // Names are lowercased; schemes keep their case.
        let cs = one("BEARER REALM=x");
        assert_eq!(cs[0].scheme, "BEARER");
        assert_eq!(params(&cs[0]), [("realm", "x")]);
        assert!(one("").is_empty() && one(" , ,").is_empty());
    }

    #[test]
    fn token68() {
        let cs = one("Negotiate abc+/def==, Basic realm=x");
        assert_eq!(cs[0].token68.as_deref(), Some("abc+/def=="));
        assert!(cs[0].params.is_empty());
        assert_eq!(cs[1].param("realm"), Some("x"));
        let cs = one("Foo bar=");
        assert_eq!(cs[0].token68.as_deref(), Some("bar="));
    }

    #[test]
    fn malformed_headers_are_refused() {
        for (h, want) in [
            (r#"Bearer realm="unterminated"#, Error::Unterminated),
            (r#"Bearer realm="x\"#, Error::Unterminated),
            ("Bearer realm=x realm2=y", Error::Unexpected { at: 15 }),
            ("Bearer realm=;", Error::Unexpected { at: 13 }),
            ("=x", Error::Unexpected { at: 0 }),
            (
                "Bearer realm=x, REALM=y",
                Error::DuplicateParam {
                    name: "realm".into(),
                },
            ),
            ("Bearer\u{1}", Error::Unexpected { at: 6 }),
            ("Bearer realm=\"a\u{1}\"", Error::Unexpected { at: 15 }),
        ] {
            assert_eq!(parse([h]), Err(want), "{h:?}");
        }
        let long = "a".repeat(MAX_CHALLENGE_LEN + 1);
        assert_eq!(parse([long.as_str()]), Err(Error::TooLong));
        let half = "b".repeat(MAX_CHALLENGE_LEN / 2 + 1);
        assert_eq!(parse([half.as_str(), half.as_str()]), Err(Error::TooLong));
        let many = "A, ".repeat(MAX_CHALLENGES + 1);
        assert_eq!(parse([many.as_str()]), Err(Error::TooMany));
        let params: Vec<String> = (0..=MAX_CHALLENGE_PARAMS)
            .map(|i| format!("p{i}=v"))
            .collect();
        let h = format!("Bearer {}", params.join(","));
        assert_eq!(parse([h.as_str()]), Err(Error::TooMany));
    }

    #[test]
    fn response_headers() {
        use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};
        let mut h = HeaderMap::new();
        h.append(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=x"));
        h.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"https://t\",service=s"),
        );
        let cs = parse_headers(&h).unwrap();
        assert_eq!(cs.len(), 2);
        assert_eq!(
            BearerChallenge::from_challenges(&cs).unwrap().realm,
            "https://t"
        );
        assert!(parse_headers(&HeaderMap::new()).unwrap().is_empty());
        h.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_bytes(b"Bearer realm=\"\xff\"").unwrap(),
        );
        assert_eq!(parse_headers(&h), Err(Error::NotAscii));
    }

    #[test]
    fn a_bearer_challenge_needs_a_realm() {
        assert!(BearerChallenge::from_challenges(&one("Bearer service=x")).is_none());
        assert!(BearerChallenge::from_challenges(&one("Bearer realm=\"\"")).is_none());
        assert!(BearerChallenge::from_challenges(&one("Bearer abc==")).is_none());
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let s = r#"Bearer realm="a\"b",service=x, Basic realm=y, Neg abc=="#;
        for i in 0..=s.len() {
            let _ = parse([&s[..i]]);
            let _ = parse([&s[i..]]);
        }
        for h in [
            "\"", "\\", "a \"", "a b=\"\\", "a ,=", "a b c", "é", "a é=1", "a b=é",
        ] {
            let _ = parse([h]);
        }
    }
}
