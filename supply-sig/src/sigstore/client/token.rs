//! OIDC identity tokens, read only as far as the signer needs: the claim Fulcio's proof of
//! possession is computed over. The token is not verified here; Fulcio verifies it.

use serde_json::Value;

use super::Error;
use crate::limits::MAX_IDENTITY_TOKEN_LEN;
use crate::sigstore::b64;

/// An OIDC identity token (a JWT), with the claims the signer reads from its unverified
/// payload.
#[derive(Clone)]
pub struct IdentityToken {
    raw: String,
    subject: String,
    issuer: Option<String>,
}

impl std::fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a bearer credential: never print it.
        f.debug_struct("IdentityToken")
            .field("subject", &self.subject)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl IdentityToken {
    /// Reads the payload of a compact JWT (`header.payload.signature`, base64url) without
    /// verifying it.
    ///
    /// The proof-of-possession subject is the `email` claim when there is one, else `sub`, as
    /// Fulcio expects for email and for other (workload) identities.
    ///
    /// # Errors
    /// [`Error::ConfigToken`] when the token is too long, is not a JWT, or has neither an
    /// `email` nor a `sub` string claim.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let bad = |reason| Error::ConfigToken { reason };
        let raw = raw.trim();
        if raw.len() > MAX_IDENTITY_TOKEN_LEN {
            return Err(Error::LimitExceeded {
                what: "identity token",
                limit: MAX_IDENTITY_TOKEN_LEN,
            });
        }
        let mut parts = raw.split('.');
        let (Some(_header), Some(payload), Some(_sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("not a compact JWT (three dot-separated parts)"));
        };
        let json = b64(payload, MAX_IDENTITY_TOKEN_LEN).ok_or(bad("payload is not base64url"))?;
        let claims: Value =
            serde_json::from_slice(&json).map_err(|_| bad("payload is not a JSON object"))?;
        let claim = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        let subject = claim("email")
            .or_else(|| claim("sub"))
            .filter(|s| !s.is_empty())
            .ok_or(bad("no `email` or `sub` claim"))?;
        Ok(Self {
            raw: raw.to_owned(),
            subject,
            issuer: claim("iss"),
        })
    }

    /// The token as given (the bearer credential sent to Fulcio).
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The claim the proof of possession signs: `email`, else `sub`.
    pub fn proof_subject(&self) -> &str {
        &self.subject
    }

    /// The `iss` claim, unverified.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use base64::Engine as _;

    fn jwt(claims: &str) -> String {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.", e(r#"{"alg":"none"}"#), e(claims))
    }

    #[test]
    fn email_wins_over_sub() {
        let t = IdentityToken::parse(&jwt(r#"{"sub":"123","email":"a@b.c","iss":"https://i"}"#))
            .unwrap();
        assert_eq!(t.proof_subject(), "a@b.c");
        assert_eq!(t.issuer(), Some("https://i"));
        let t = IdentityToken::parse(&jwt(r#"{"sub":"repo:x/y"}"#)).unwrap();
        assert_eq!(t.proof_subject(), "repo:x/y");
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for t in [
            "",
            "a.b",
            "a.b.c.d",
            &jwt(r#"{"iss":"x"}"#),
            &jwt("[1]"),
            "a.!!!.c",
        ] {
            assert!(IdentityToken::parse(t).is_err(), "{t}");
        }
        let long = "a".repeat(MAX_IDENTITY_TOKEN_LEN + 1);
        assert!(matches!(
            IdentityToken::parse(&long),
            Err(Error::LimitExceeded { .. })
        ));
    }
}
