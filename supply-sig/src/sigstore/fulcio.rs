//! Fulcio signing certificates: the signer identity (SAN and OIDC issuer), the Fulcio
//! extensions under 1.3.6.1.4.1.57264.1 as typed fields, and embedded SCTs (RFC 6962 §3.3)
//! verified against the trusted root's CT logs.
//!
//! Extensions .1.1–.1.6 are deprecated and hold raw UTF-8 bytes; .1.8 onwards hold a DER
//! UTF8String (<https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md>). The issuer is
//! .1.8, falling back to the deprecated .1.1.

use der::asn1::{ObjectIdentifier, OctetStringRef, Utf8StringRef};
use der::{Decode as _, Encode as _};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;

use crate::crypto::Provider;
use crate::digest::Algorithm;
use crate::limits::MAX_SCTS;
use crate::sign::{KeyVerifier, Verifier as _, VerifyPolicy};
use crate::time::Timestamp;
use crate::x509::{Certificate, OID_SUBJECT_ALT_NAME};

use super::trust_root::TrustedRoot;

/// The embedded SCT list extension (RFC 6962 §3.3).
pub const OID_SCT_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");
/// The SAN otherName type Fulcio uses for usernames.
pub const OID_OTHERNAME_USERNAME: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7");

/// Errors from Fulcio certificate checks.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The certificate has no usable SAN, or more than one identity.
    #[error("invalid subject alternative name: {reason}")]
    InvalidSan {
        /// Why.
        reason: &'static str,
    },
    /// A Fulcio extension is malformed.
    #[error("invalid Fulcio extension {oid}")]
    InvalidExtension {
        /// The OID.
        oid: String,
    },
    /// The SCT list is missing or malformed.
    #[error("invalid SCT list: {reason}")]
    InvalidSct {
        /// Why.
        reason: &'static str,
    },
    /// Fewer SCTs verified than required.
    #[error("{verified} SCTs verified, {required} required")]
    SctThreshold {
        /// Required.
        required: usize,
        /// Verified.
        verified: usize,
    },
}

/// The identity in the SAN.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Identity {
    /// rfc822Name.
    Email(String),
    /// uniformResourceIdentifier.
    Uri(String),
    /// otherName 1.3.6.1.4.1.57264.1.7 (a username such as `foo!oidc.local`).
    OtherName(String),
}

impl Identity {
    /// The identity as a string (what policies match).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(s) | Self::Uri(s) | Self::OtherName(s) => s,
        }
    }
}

macro_rules! fulcio_extensions {
    ($( $(#[$doc:meta])* $field:ident = $arc:literal, $raw:literal; )*) => {
        /// The Fulcio extensions of a certificate, one typed field each.
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct Extensions {
            $( $(#[$doc])* pub $field: Option<String>, )*
        }

        /// The extensions' field names, OID arcs and whether the value is raw UTF-8.
        const FIELDS: &[(&str, u32, bool)] = &[ $( (stringify!($field), $arc, $raw), )* ];

        impl Extensions {
            fn set(&mut self, arc: u32, value: String) {
                match arc {
                    $( $arc => self.$field = Some(value), )*
                    _ => {}
                }
            }

            /// The value of the extension named `name` (the field name, e.g.
            /// `source_repository_uri`), or `None` when absent. Unknown names give `None`.
            pub fn get(&self, name: &str) -> Option<&str> {
                match name {
                    $( stringify!($field) => self.$field.as_deref(), )*
                    _ => None,
                }
            }
        }
    };
}

fulcio_extensions! {
    /// .1.1 Issuer (deprecated, raw bytes).
    issuer_v1 = 1, true;
    /// .1.2 GitHub workflow trigger (deprecated).
    github_workflow_trigger = 2, true;
    /// .1.3 GitHub workflow SHA (deprecated).
    github_workflow_sha = 3, true;
    /// .1.4 GitHub workflow name (deprecated).
    github_workflow_name = 4, true;
    /// .1.5 GitHub workflow repository (deprecated).
    github_workflow_repository = 5, true;
    /// .1.6 GitHub workflow ref (deprecated).
    github_workflow_ref = 6, true;
    /// .1.8 Issuer (V2).
    issuer = 8, false;
    /// .1.9 Build Signer URI.
    build_signer_uri = 9, false;
    /// .1.10 Build Signer Digest.
    build_signer_digest = 10, false;
    /// .1.11 Runner Environment.
    runner_environment = 11, false;
    /// .1.12 Source Repository URI.
    source_repository_uri = 12, false;
    /// .1.13 Source Repository Digest.
    source_repository_digest = 13, false;
    /// .1.14 Source Repository Ref.
    source_repository_ref = 14, false;
    /// .1.15 Source Repository Identifier.
    source_repository_identifier = 15, false;
    /// .1.16 Source Repository Owner URI.
    source_repository_owner_uri = 16, false;
    /// .1.17 Source Repository Owner Identifier.
    source_repository_owner_identifier = 17, false;
    /// .1.18 Build Config URI.
    build_config_uri = 18, false;
    /// .1.19 Build Config Digest.
    build_config_digest = 19, false;
    /// .1.20 Build Trigger.
    build_trigger = 20, false;
    /// .1.21 Run Invocation URI.
    run_invocation_uri = 21, false;
    /// .1.22 Source Repository Visibility At Signing.
    source_repository_visibility_at_signing = 22, false;
}

impl Extensions {
    /// Every extension field name, in OID order.
    pub fn field_names() -> impl Iterator<Item = &'static str> {
        FIELDS.iter().map(|(n, _, _)| *n)
    }
}

/// The signer identity of a Fulcio certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FulcioIdentity {
    /// The SAN identity.
    pub san: Identity,
    /// The OIDC issuer: extension .1.8, or the deprecated .1.1.
    pub issuer: Option<String>,
    /// All Fulcio extensions.
    pub extensions: Extensions,
}

/// Reads the identity of a Fulcio certificate.
///
/// # Errors
/// [`Error::InvalidSan`] (none, or several identities), [`Error::InvalidExtension`].
pub fn identity(cert: &Certificate) -> Result<FulcioIdentity, Error> {
    let (_, san_der) = cert
        .extension(OID_SUBJECT_ALT_NAME)
        .ok_or(Error::InvalidSan {
            reason: "no subjectAltName",
        })?;
    let san = SubjectAltName::from_der(san_der).map_err(|_| Error::InvalidSan {
        reason: "malformed subjectAltName",
    })?;
    let mut found = None;
    for name in &san.0 {
        let id = match name {
            GeneralName::Rfc822Name(s) => Identity::Email(s.to_string()),
            GeneralName::UniformResourceIdentifier(s) => Identity::Uri(s.to_string()),
            GeneralName::OtherName(o) if o.type_id == OID_OTHERNAME_USERNAME => {
                let v =
                    o.value
                        .decode_as::<Utf8StringRef<'_>>()
                        .map_err(|_| Error::InvalidSan {
                            reason: "otherName is not a UTF8String",
                        })?;
                Identity::OtherName(v.as_str().to_owned())
            }
            _ => continue,
        };
        if found.replace(id).is_some() {
            return Err(Error::InvalidSan {
                reason: "more than one identity",
            });
        }
    }
    let san = found.ok_or(Error::InvalidSan {
        reason: "no email, URI or username",
    })?;
    let mut extensions = Extensions::default();
    for (_, arc, raw) in FIELDS {
        let oid = ObjectIdentifier::new(&format!("1.3.6.1.4.1.57264.1.{arc}")).map_err(|_| {
            Error::InvalidExtension {
                oid: format!("1.3.6.1.4.1.57264.1.{arc}"),
            }
        })?;
        let Some((_, v)) = cert.extension(oid) else {
            continue;
        };
        let bad = || Error::InvalidExtension {
            oid: oid.to_string(),
        };
        let s = if *raw {
            std::str::from_utf8(v).map_err(|_| bad())?.to_owned()
        } else {
            Utf8StringRef::from_der(v)
                .map_err(|_| bad())?
                .as_str()
                .to_owned()
        };
        extensions.set(*arc, s);
    }
    let issuer = extensions
        .issuer
        .clone()
        .or_else(|| extensions.issuer_v1.clone());
    Ok(FulcioIdentity {
        san,
        issuer,
        extensions,
    })
}

/// One parsed SCT.
struct Sct<'a> {
    log_id: &'a [u8],
    timestamp_ms: u64,
    extensions: &'a [u8],
    hash: u8,
    sig_alg: u8,
    signature: &'a [u8],
}

struct Tls<'a>(&'a [u8]);

impl<'a> Tls<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<usize> {
        self.take(2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(n)
    }
}

fn parse_scts(list: &[u8]) -> Option<Vec<Sct<'_>>> {
    let mut outer = Tls(list);
    let body = outer.vec16()?;
    if !outer.0.is_empty() {
        return None;
    }
    let mut r = Tls(body);
    let mut out = Vec::new();
    while !r.0.is_empty() {
        if out.len() == MAX_SCTS {
            return None;
        }
        let mut s = Tls(r.vec16()?);
        if s.u8()? != 0 {
            // Only v1 SCTs exist (RFC 6962 §3.2).
            return None;
        }
        let log_id = s.take(32)?;
        let ts = s.take(8)?;
        let timestamp_ms = u64::from_be_bytes(ts.try_into().ok()?);
        let extensions = s.vec16()?;
        let hash = s.u8()?;
        let sig_alg = s.u8()?;
        let signature = s.vec16()?;
        if !s.0.is_empty() {
            return None;
        }
        out.push(Sct {
            log_id,
            timestamp_ms,
            extensions,
            hash,
            sig_alg,
            signature,
        });
    }
    Some(out)
}

/// Verifies the SCTs embedded in `leaf` (issued by `issuer`) against the trusted root's CT
/// logs: each SCT signs the precertificate entry (the leaf's TBS without the SCT extension and
/// the issuer's key hash, RFC 6962 §3.2), with a CT log key valid at the SCT's time. Returns
/// how many distinct logs' SCTs verified; fewer than `threshold` is an error.
///
/// # Errors
/// [`Error::InvalidSct`], [`Error::SctThreshold`].
pub(crate) fn verify_embedded_scts(
    leaf: &Certificate,
    issuer: &Certificate,
    root: &TrustedRoot,
    threshold: usize,
    provider: &Provider,
) -> Result<usize, Error> {
    let (_, ext) = leaf.extension(OID_SCT_LIST).ok_or(Error::InvalidSct {
        reason: "no embedded SCT list",
    })?;
    let list = OctetStringRef::from_der(ext).map_err(|_| Error::InvalidSct {
        reason: "SCT list is not an OCTET STRING",
    })?;
    let scts = parse_scts(list.as_bytes()).ok_or(Error::InvalidSct {
        reason: "malformed SCT list",
    })?;
    // The precertificate TBS: the TBS re-encoded without the SCT extension (RFC 6962 §3.2
    // defines the signed data this way; there are no received bytes for it).
    let mut tbs = leaf.parsed().tbs_certificate.clone();
    if let Some(exts) = tbs.extensions.as_mut() {
        exts.retain(|e| e.extn_id != OID_SCT_LIST);
    }
    let tbs = tbs.to_der().map_err(|_| Error::InvalidSct {
        reason: "cannot rebuild the precertificate",
    })?;
    let issuer_key_hash = provider
        .hash
        .digest(Algorithm::Sha256, issuer.public_key().spki_der());
    let tbs_len = u32::try_from(tbs.len())
        .ok()
        .filter(|n| *n < 1 << 24)
        .ok_or(Error::InvalidSct {
            reason: "precertificate too large",
        })?;
    let mut verified: Vec<&[u8]> = Vec::new();
    for sct in &scts {
        // hash sha256 (4) with ecdsa (3) or rsa (1): what CT logs use.
        if sct.hash != 4 || !(sct.sig_alg == 3 || sct.sig_alg == 1) {
            continue;
        }
        let ext_len = u16::try_from(sct.extensions.len()).unwrap_or(u16::MAX);
        let mut signed = Vec::with_capacity(tbs.len() + 64);
        signed.push(0); // sct_version v1
        signed.push(0); // signature_type certificate_timestamp
        signed.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes()); // entry_type precert_entry
        signed.extend_from_slice(issuer_key_hash.as_bytes());
        signed.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
        signed.extend_from_slice(&tbs);
        signed.extend_from_slice(&ext_len.to_be_bytes());
        signed.extend_from_slice(sct.extensions);
        let time = Timestamp::from_unix(i64::try_from(sct.timestamp_ms / 1000).unwrap_or(i64::MAX));
        let ok = root.ctlogs_by_id(sct.log_id).any(|log| {
            log.valid_for.contains(time)
                && KeyVerifier::new(&log.key, log.scheme, VerifyPolicy::default(), provider)
                    .is_ok_and(|v| v.verify(&signed, sct.signature).is_ok())
        });
        if ok && !verified.contains(&sct.log_id) {
            verified.push(sct.log_id);
        }
    }
    if verified.len() < threshold {
        return Err(Error::SctThreshold {
            required: threshold,
            verified: verified.len(),
        });
    }
    Ok(verified.len())
}
