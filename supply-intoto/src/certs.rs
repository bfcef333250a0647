//! Functionaries identified by X.509 certificates, as in-toto-golang does.
//!
//! An in-toto-golang layout may carry `rootcas` and `intermediatecas` (maps from an id to a key
//! dict whose `keyval.certificate` is a PEM certificate) and, per step, `cert_constraints`. A
//! link whose metablock signature carries a `cert` (PEM) is then authorized for a step even
//! though its key is not in the layout's `keys`, when:
//!
//! - the certificate chains to one of the layout's roots, through any of its intermediates, at
//!   the caller's `now` ([`supply_sig::x509::verify_path`], leaf profile
//!   [`LeafProfile::DigitalSignature`]: not a CA, keyUsage with digitalSignature when present);
//! - it meets at least one of the step's constraints ([`CertConstraint::check`]);
//! - the link's signature verifies with the certificate's key.
//!
//! Constraint semantics follow in-toto-golang's `CertificateConstraint.Check`: each attribute
//! list (`common_name`, `dns_names`, `emails`, `organizations`, `uris`, `roots`) must equal the
//! certificate's values as a set, one to one; `["*"]` (or `"*"` for `common_name`) allows any
//! value; an empty list (or `""`) requires that the certificate has none. One difference, on the
//! strict side: in-toto-golang compares `roots` with the ids of *all* the layout's roots, we
//! with the id of the root the certificate's chain actually ends in. A constraint field we do
//! not know fails the layout (it is a check we could not make), where in-toto-golang ignores it.

use serde::Deserialize;
use serde_json::Value;
use supply_sig::alg::{KeyAlgorithm, SignatureScheme};
use supply_sig::crypto::Provider;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::time::Timestamp;
use supply_sig::x509::{self, Certificate, LeafProfile};

use crate::limits;
use crate::model::{bounded, Layout, Step};

/// The wildcard that allows any value of an attribute.
pub const ALLOW_ALL: &str = "*";

/// Errors from reading certificate authorities and constraints, and from authorizing a
/// certificate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The layout's `rootcas` or `intermediatecas` is not a map of key dicts with a
    /// `keyval.certificate` string.
    #[error("the layout's {field} is malformed")]
    InvalidAuthorities {
        /// `rootcas` or `intermediatecas`.
        field: &'static str,
    },
    /// A certificate authority's PEM does not hold a usable certificate.
    #[error("certificate authority {id:?} is invalid")]
    InvalidAuthority {
        /// Its id in the layout.
        id: String,
        /// Why.
        #[source]
        source: x509::Error,
    },
    /// A step's `cert_constraints` is not a list of constraints we understand.
    #[error("the cert_constraints of step {step:?} are malformed")]
    InvalidConstraints {
        /// The step.
        step: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The certificate carried by the signature cannot be read.
    #[error("the signer's certificate is invalid")]
    InvalidCertificate(#[source] x509::Error),
    /// The certificate does not chain to the layout's roots at the time given.
    #[error("the signer's certificate does not chain to the layout's roots")]
    Untrusted(#[source] x509::Error),
    /// The step has no certificate constraints, or the layout no root.
    #[error("step {step:?} authorizes no certificates")]
    NoConstraints {
        /// The step.
        step: String,
    },
    /// No constraint of the step is met; this is the first one's mismatch.
    #[error("the certificate does not meet the step's constraints: {attribute} {reason}")]
    ConstraintMismatch {
        /// The attribute (`common name`, `dns name`, `email`, `organization`, `uri`, `root`).
        attribute: &'static str,
        /// How it differs.
        reason: String,
    },
    /// The certificate is authorized but its key did not make the signature it came with.
    #[error("the signature was not made by the certificate's key")]
    SignatureMismatch,
    /// The certificate's key has no signature scheme in-toto uses.
    #[error("the certificate's key type is not usable for in-toto signatures")]
    UnsupportedKey(#[source] supply_sig::key::Error),
    /// Too many authorities or constraints.
    #[error(transparent)]
    LimitExceeded(#[from] supply_sig::limits::LimitExceeded),
}

/// One of a step's `cert_constraints`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CertConstraint {
    /// The subject common name (`"*"`: any; `""`: none).
    #[serde(default)]
    pub common_name: String,
    /// The dNSName SANs.
    #[serde(default)]
    pub dns_names: Vec<String>,
    /// The rfc822Name (email) SANs.
    #[serde(default)]
    pub emails: Vec<String>,
    /// The subject organizations.
    #[serde(default)]
    pub organizations: Vec<String>,
    /// Ids (in the layout's `rootcas`) of the roots the chain may end in.
    #[serde(default)]
    pub roots: Vec<String>,
    /// The URI SANs.
    #[serde(default)]
    pub uris: Vec<String>,
}

/// in-toto-golang's `checkCertConstraint`: `values` must equal `allowed` one to one, unless
/// `allowed` is `["*"]`; `[""]` on either side means none.
fn check_attribute(
    attribute: &'static str,
    allowed: &[String],
    values: &[String],
) -> Result<(), Error> {
    if let [only] = allowed {
        if only == ALLOW_ALL {
            return Ok(());
        }
    }
    let allowed: &[String] = match allowed {
        [only] if only.is_empty() => &[],
        a => a,
    };
    let values: &[String] = match values {
        [only] if only.is_empty() => &[],
        v => v,
    };
    let mismatch = |reason: String| Error::ConstraintMismatch {
        attribute,
        reason: bounded(&reason),
    };
    let mut unmet: std::collections::BTreeSet<&str> = allowed.iter().map(String::as_str).collect();
    for v in values {
        if !unmet.remove(v.as_str()) {
            return Err(mismatch(format!("{v:?} is not allowed")));
        }
    }
    if let Some(first) = unmet.first() {
        return Err(mismatch(format!("{first:?} is required and missing")));
    }
    Ok(())
}

impl CertConstraint {
    /// A constraint that allows any certificate chaining to any of the layout's roots.
    pub fn allow_all() -> Self {
        let any = || vec![ALLOW_ALL.to_owned()];
        Self {
            common_name: ALLOW_ALL.to_owned(),
            dns_names: any(),
            emails: any(),
            organizations: any(),
            roots: any(),
            uris: any(),
        }
    }

    /// Checks `cert`'s names against this constraint; `root_id` is the id of the layout root
    /// its chain ends in. The chain itself is checked by [`Authorities::authorize`].
    ///
    /// # Errors
    /// [`Error::ConstraintMismatch`] for the first attribute that differs,
    /// [`Error::InvalidCertificate`] when a name cannot be read.
    pub fn check(&self, cert: &Certificate, root_id: &str) -> Result<(), Error> {
        // Go's `Subject.CommonName` is the last commonName of the subject.
        let cn: Vec<String> = cert
            .subject_attribute(x509::OID_COMMON_NAME)
            .map_err(Error::InvalidCertificate)?
            .pop()
            .into_iter()
            .collect();
        check_attribute("common name", std::slice::from_ref(&self.common_name), &cn)?;
        let sans = cert.alt_names().map_err(Error::InvalidCertificate)?;
        check_attribute("dns name", &self.dns_names, &sans.dns_names)?;
        check_attribute("email", &self.emails, &sans.emails)?;
        let orgs = cert
            .subject_attribute(x509::OID_ORGANIZATION)
            .map_err(Error::InvalidCertificate)?;
        check_attribute("organization", &self.organizations, &orgs)?;
        check_attribute("root", &self.roots, &[root_id.to_owned()])?;
        check_attribute("uri", &self.uris, &sans.uris)
    }
}

/// The constraints of `step` (none when it has no `cert_constraints`).
///
/// # Errors
/// [`Error::InvalidConstraints`], [`Error::LimitExceeded`] above [`limits::MAX_KEYS`].
pub fn step_constraints(step: &Step) -> Result<Vec<CertConstraint>, Error> {
    let Some(v) = step.extra.get("cert_constraints") else {
        return Ok(Vec::new());
    };
    if v.as_array().is_some_and(|a| a.len() > limits::MAX_KEYS) {
        return Err(
            supply_sig::limits::LimitExceeded::new("cert_constraints", limits::MAX_KEYS).into(),
        );
    }
    // in-toto-golang writes `null` for a step without constraints.
    if v.is_null() {
        return Ok(Vec::new());
    }
    Vec::<CertConstraint>::deserialize(v).map_err(|source| Error::InvalidConstraints {
        step: bounded(&step.name),
        source,
    })
}

/// A layout's certificate authorities.
#[derive(Clone, Debug, Default)]
pub struct Authorities {
    roots: Vec<(String, Certificate)>,
    intermediates: Vec<Certificate>,
}

fn read_cas(layout: &Layout, field: &'static str) -> Result<Vec<(String, Certificate)>, Error> {
    let bad = || Error::InvalidAuthorities { field };
    let Some(v) = layout.extra.get(field) else {
        return Ok(Vec::new());
    };
    if v.is_null() {
        return Ok(Vec::new());
    }
    let map = v.as_object().ok_or_else(bad)?;
    if map.len() > limits::MAX_KEYS {
        return Err(supply_sig::limits::LimitExceeded::new(field, limits::MAX_KEYS).into());
    }
    let mut out = Vec::with_capacity(map.len());
    for (id, dict) in map {
        let pem = dict
            .get("keyval")
            .and_then(|kv| kv.get("certificate"))
            .and_then(Value::as_str)
            .ok_or_else(bad)?;
        let cert =
            Certificate::from_pem(pem.as_bytes()).map_err(|source| Error::InvalidAuthority {
                id: bounded(id),
                source,
            })?;
        out.push((id.clone(), cert));
    }
    Ok(out)
}

impl Authorities {
    /// Reads `rootcas` and `intermediatecas` of `layout` (both may be absent).
    ///
    /// # Errors
    /// [`Error::InvalidAuthorities`], [`Error::InvalidAuthority`], [`Error::LimitExceeded`].
    pub fn from_layout(layout: &Layout) -> Result<Self, Error> {
        Ok(Self {
            roots: read_cas(layout, "rootcas")?,
            intermediates: read_cas(layout, "intermediatecas")?
                .into_iter()
                .map(|(_, c)| c)
                .collect(),
        })
    }

    /// Whether the layout has no root (then no certificate is ever authorized).
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// The roots, by id.
    pub fn roots(&self) -> &[(String, Certificate)] {
        &self.roots
    }

    /// Authorizes the PEM certificate `cert_pem` for a step with `constraints` at `now`: it
    /// chains to a root through the intermediates and meets at least one constraint. Returns
    /// the certificate's key as a securesystemslib key to check the link's signature with
    /// (RSA keys with `rsassa-pss-sha256`, ECDSA with the curve's SHA-2, Ed25519), and the id of
    /// the root.
    ///
    /// # Errors
    /// [`Error::NoConstraints`], [`Error::InvalidCertificate`], [`Error::Untrusted`], the first
    /// constraint's [`Error::ConstraintMismatch`], [`Error::UnsupportedKey`].
    pub fn authorize(
        &self,
        step: &str,
        cert_pem: &str,
        constraints: &[CertConstraint],
        now: Timestamp,
        provider: &Provider,
    ) -> Result<(SslibKey, String), Error> {
        if constraints.is_empty() || self.roots.is_empty() {
            return Err(Error::NoConstraints {
                step: bounded(step),
            });
        }
        let leaf = Certificate::from_pem(cert_pem.as_bytes()).map_err(Error::InvalidCertificate)?;
        let roots: Vec<Certificate> = self.roots.iter().map(|(_, c)| c.clone()).collect();
        let chain = x509::verify_path(
            &leaf,
            &self.intermediates,
            &roots,
            now,
            LeafProfile::DigitalSignature,
            provider,
        )
        .map_err(Error::Untrusted)?;
        let root_id = chain
            .last()
            .and_then(|r| self.roots.iter().find(|(_, c)| c == r))
            .map(|(id, _)| id.clone())
            .ok_or(Error::Untrusted(x509::Error::NoRoot))?;
        let mut first_err = None;
        for c in constraints {
            match c.check(&leaf, &root_id) {
                Ok(()) => {
                    let key = signing_key(&leaf)?;
                    return Ok((key, root_id));
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(first_err.unwrap_or(Error::NoConstraints {
            step: bounded(step),
        }))
    }
}

fn signing_key(cert: &Certificate) -> Result<SslibKey, Error> {
    let key = cert.public_key().clone();
    // in-toto-golang signs with RSA-PSS; ECDSA and Ed25519 keys have one in-toto scheme each.
    let scheme = match key.algorithm() {
        KeyAlgorithm::Rsa => SignatureScheme::RsaPssSha256,
        other => other.default_scheme(),
    };
    SslibKey::new(key, scheme).map_err(Error::UnsupportedKey)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn attribute_semantics_follow_in_toto_golang() {
        // Wildcard allows anything, including nothing.
        check_attribute("uri", &s(&["*"]), &s(&["a", "b"])).unwrap();
        check_attribute("uri", &s(&["*"]), &[]).unwrap();
        // Empty means none.
        check_attribute("uri", &[], &[]).unwrap();
        check_attribute("uri", &s(&[""]), &s(&[""])).unwrap();
        assert!(check_attribute("uri", &[], &s(&["a"])).is_err());
        // One to one.
        check_attribute("uri", &s(&["a", "b"]), &s(&["b", "a"])).unwrap();
        assert!(check_attribute("uri", &s(&["a", "b"]), &s(&["a"])).is_err());
        assert!(check_attribute("uri", &s(&["a"]), &s(&["a", "b"])).is_err());
        // "*" among other values is a literal.
        assert!(check_attribute("uri", &s(&["*", "a"]), &s(&["b"])).is_err());
    }

    #[test]
    fn unknown_constraint_fields_fail_closed() {
        let mut step = Step::new("s");
        step.extra.insert(
            "cert_constraints".into(),
            serde_json::json!([{"common_name": "x", "roles": ["admin"]}]),
        );
        assert!(matches!(
            step_constraints(&step),
            Err(Error::InvalidConstraints { .. })
        ));
    }
}
