//! Rekor entries: the entry body checked against the bundle, signed entry timestamps (SETs)
//! and RFC 6962 inclusion proofs with their signed checkpoints.
//!
//! **Body binding** (the CVE-2022-36056 / CVE-2022-23649 / CVE-2026-22703 class): a log entry
//! only proves something about the bundle when its `canonicalizedBody` describes exactly the
//! bundle's signature, key or certificate and artifact. `check_body` decodes the body of
//! every supported kind and compares each field with the bundle:
//!
//! | kind | version | compared |
//! |---|---|---|
//! | hashedrekord | 0.0.1 | `data.hash` (sha256 hex) = message digest, or SHA-256 of the DSSE PAE; `signature.content` = signature, `signature.publicKey.content` = PEM of the certificate or key |
//! | hashedrekord | 0.0.2 | `data` (algorithm + digest) = message digest, or SHA-256 of the DSSE PAE; `signature.content`; `signature.verifier` (certificate DER or SPKI) |
//! | dsse | 0.0.1 | `payloadHash` = SHA-256 of the payload; `signatures` = the envelope's signature and verifier |
//! | dsse | 0.0.2 (Rekor v2) | `dsseV002.payloadHash` (algorithm + digest) = SHA-256 of the payload; `dsseV002.signatures` = the envelope's one signature (`content`) and `verifier` (certificate DER or SPKI) |
//! | intoto | 0.0.2 | `content.payloadHash`, `content.envelope.payloadType`, `content.envelope.signatures` (sig and publicKey, base64 twice) |
//!
//! Any other kind or version is an error.

use serde_json::Value;

use crate::crypto::Provider;
use crate::digest::{Algorithm, Digest};
use crate::key::encoding::pem;
use crate::key::PublicKey;
use crate::sign::{KeyVerifier, Verifier as _, VerifyPolicy};
use crate::time::Timestamp;
use crate::x509::Certificate;

use super::b64;
use super::bundle::{Content, TlogEntry};
use super::checkpoint::{self, Checkpoint};
use super::trust_root::TransparencyLog;

/// Errors from Rekor entry checks.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The entry kind or version is not supported.
    #[error("unsupported log entry kind {kind} {version}")]
    UnsupportedKind {
        /// kind.
        kind: String,
        /// version.
        version: String,
    },
    /// The body does not parse or lacks a field.
    #[error("invalid log entry body: {field}")]
    InvalidBody {
        /// The field.
        field: &'static str,
    },
    /// The body does not describe the bundle.
    #[error("transparency log entry is inconsistent with other materials: {field} differs")]
    BodyMismatch {
        /// The field that differs.
        field: &'static str,
    },
    /// The SET does not verify.
    #[error("signed entry timestamp does not verify under log {log}")]
    BadSet {
        /// The log's URL.
        log: String,
    },
    /// The inclusion proof does not recompute the root hash, or is malformed.
    #[error("invalid inclusion proof: {reason}")]
    BadInclusionProof {
        /// Why.
        reason: &'static str,
    },
    /// The checkpoint is missing, malformed, unsigned or inconsistent with the proof.
    #[error("invalid checkpoint")]
    Checkpoint(#[from] checkpoint::Error),
    /// The checkpoint does not match the proof.
    #[error("checkpoint does not match the inclusion proof ({field})")]
    CheckpointMismatch {
        /// Which field.
        field: &'static str,
    },
}

/// The key material the bundle says signed the content.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum SignerMaterial<'a> {
    /// A signing certificate.
    Certificate(&'a Certificate),
    /// A public key.
    PublicKey(&'a PublicKey),
}

impl SignerMaterial<'_> {
    /// Whether a PEM document (certificate or public key) names this material.
    fn matches_pem(&self, pem_text: &[u8]) -> bool {
        let Ok(block) = pem::decode(pem_text) else {
            return false;
        };
        match self {
            Self::Certificate(c) => block.label() == "CERTIFICATE" && block.contents() == c.der(),
            Self::PublicKey(k) => {
                pem::public_key_from_block(&block).is_ok_and(|p| p.spki_der() == k.spki_der())
            }
        }
    }
}

fn field<'a>(v: &'a Value, path: &[&str], name: &'static str) -> Result<&'a Value, Error> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p).ok_or(Error::InvalidBody { field: name })?;
    }
    Ok(cur)
}

fn string<'a>(v: &'a Value, path: &[&str], name: &'static str) -> Result<&'a str, Error> {
    field(v, path, name)?
        .as_str()
        .ok_or(Error::InvalidBody { field: name })
}

fn b64_field(v: &Value, path: &[&str], name: &'static str) -> Result<Vec<u8>, Error> {
    b64(string(v, path, name)?, crate::limits::MAX_REKOR_BODY_LEN)
        .ok_or(Error::InvalidBody { field: name })
}

fn ensure(ok: bool, field: &'static str) -> Result<(), Error> {
    if ok {
        Ok(())
    } else {
        Err(Error::BodyMismatch { field })
    }
}

/// `{"algorithm": "sha256", "value": hex}` equals `digest`.
fn hex_hash_eq(v: &Value, path: &[&str], name: &'static str, digest: &Digest) -> Result<(), Error> {
    let alg = string(v, &[path, &["algorithm"]].concat(), name)?;
    let value = string(v, &[path, &["value"]].concat(), name)?;
    ensure(
        alg == digest.algorithm().name() && value.eq_ignore_ascii_case(&digest.hex()),
        name,
    )
}

/// Checks that a Rekor v2 `Verifier` (`x509Certificate` or `publicKey`, raw DER) is `signer`.
fn verifier_v2_matches(
    verifier: &Value,
    signer: SignerMaterial<'_>,
    name: &'static str,
) -> Result<(), Error> {
    match (
        signer,
        verifier.get("x509Certificate"),
        verifier.get("publicKey"),
    ) {
        (SignerMaterial::Certificate(c), Some(x), None) => {
            let der = b64_field(x, &["rawBytes"], "x509Certificate.rawBytes")?;
            ensure(der == c.der(), name)
        }
        (SignerMaterial::PublicKey(k), None, Some(p)) => {
            let der = b64_field(p, &["rawBytes"], "publicKey.rawBytes")?;
            ensure(der == k.spki_der(), name)
        }
        _ => Err(Error::BodyMismatch { field: name }),
    }
}

/// What a hashedrekord entry (0.0.1 or 0.0.2) must record for `content`: the message digest
/// and signature, or for a DSSE envelope logged as a hashedrekord (client spec, "Bundle content
/// vs. Rekor entry kind") SHA-256 of its PAE and its single signature.
fn hashedrekord_digest<'c>(
    content: &'c Content,
    provider: &Provider,
) -> Result<(Digest, &'c [u8]), Error> {
    match content {
        Content::MessageSignature(m) => Ok((
            m.digest.ok_or(Error::BodyMismatch {
                field: "messageDigest",
            })?,
            m.signature.as_slice(),
        )),
        Content::Dsse(env) => {
            let [one] = env.signatures.as_slice() else {
                return Err(Error::BodyMismatch {
                    field: "signatures",
                });
            };
            Ok((
                provider.hash.digest(Algorithm::Sha256, &env.pae()),
                one.sig.as_slice(),
            ))
        }
    }
}

/// Checks that `entry`'s body describes exactly `content` signed with `signer`.
///
/// # Errors
/// [`Error::UnsupportedKind`], [`Error::InvalidBody`], [`Error::BodyMismatch`].
pub(crate) fn check_body(
    entry: &TlogEntry,
    content: &Content,
    signer: SignerMaterial<'_>,
    provider: &Provider,
) -> Result<(), Error> {
    let body: Value = serde_json::from_slice(&entry.canonicalized_body)
        .map_err(|_| Error::InvalidBody { field: "JSON" })?;
    let kind = string(&body, &["kind"], "kind")?;
    let version = string(&body, &["apiVersion"], "apiVersion")?;
    ensure(kind == entry.kind, "kind")?;
    ensure(version == entry.version, "apiVersion")?;
    let spec = field(&body, &["spec"], "spec")?;
    match (kind, version, content) {
        ("hashedrekord", "0.0.1", content) => {
            // A DSSE envelope may be logged as a hashedrekord over SHA-256(PAE) (client
            // spec, "Bundle content vs. Rekor entry kind").
            let (digest, signature) = hashedrekord_digest(content, provider)?;
            hex_hash_eq(spec, &["data", "hash"], "data.hash", &digest)?;
            let sig = b64_field(spec, &["signature", "content"], "signature.content")?;
            ensure(sig == signature, "signature.content")?;
            let pem_text = b64_field(
                spec,
                &["signature", "publicKey", "content"],
                "signature.publicKey.content",
            )?;
            ensure(signer.matches_pem(&pem_text), "signature.publicKey")
        }
        ("hashedrekord", "0.0.2", content) => {
            let v2 = field(spec, &["hashedRekordV002"], "hashedRekordV002")?;
            let (digest, sig) = hashedrekord_digest(content, provider)?;
            let alg = string(v2, &["data", "algorithm"], "data.algorithm")?;
            ensure(
                super::bundle::hash_algorithm(alg) == Some(digest.algorithm()),
                "data.algorithm",
            )?;
            let d = b64_field(v2, &["data", "digest"], "data.digest")?;
            ensure(digest.ct_eq_bytes(&d), "data.digest")?;
            let s = b64_field(v2, &["signature", "content"], "signature.content")?;
            ensure(s == sig, "signature.content")?;
            let verifier = field(v2, &["signature", "verifier"], "signature.verifier")?;
            verifier_v2_matches(verifier, signer, "signature.verifier")
        }
        ("dsse", "0.0.2", Content::Dsse(env)) => {
            let v2 = field(spec, &["dsseV002"], "dsseV002")?;
            let payload_hash = provider.hash.digest(Algorithm::Sha256, &env.payload);
            let alg = string(v2, &["payloadHash", "algorithm"], "payloadHash.algorithm")?;
            ensure(
                super::bundle::hash_algorithm(alg) == Some(payload_hash.algorithm()),
                "payloadHash.algorithm",
            )?;
            let d = b64_field(v2, &["payloadHash", "digest"], "payloadHash.digest")?;
            ensure(payload_hash.ct_eq_bytes(&d), "payloadHash.digest")?;
            let sigs =
                field(v2, &["signatures"], "signatures")?
                    .as_array()
                    .ok_or(Error::InvalidBody {
                        field: "signatures",
                    })?;
            let ([logged], [one]) = (sigs.as_slice(), env.signatures.as_slice()) else {
                return Err(Error::BodyMismatch {
                    field: "signatures",
                });
            };
            let s = b64_field(logged, &["content"], "signatures.content")?;
            ensure(s == one.sig, "signatures.content")?;
            let verifier = field(logged, &["verifier"], "signatures.verifier")?;
            verifier_v2_matches(verifier, signer, "signatures.verifier")
        }
        ("dsse", "0.0.1", Content::Dsse(env)) => {
            let payload_hash = provider.hash.digest(Algorithm::Sha256, &env.payload);
            hex_hash_eq(spec, &["payloadHash"], "payloadHash", &payload_hash)?;
            let sigs = field(spec, &["signatures"], "signatures")?
                .as_array()
                .ok_or(Error::InvalidBody {
                    field: "signatures",
                })?;
            let ([logged], [one]) = (sigs.as_slice(), env.signatures.as_slice()) else {
                return Err(Error::BodyMismatch {
                    field: "signatures",
                });
            };
            let s = b64_field(logged, &["signature"], "signatures.signature")?;
            ensure(s == one.sig, "signatures.signature")?;
            let pem_text = b64_field(logged, &["verifier"], "signatures.verifier")?;
            ensure(signer.matches_pem(&pem_text), "signatures.verifier")
        }
        ("intoto", "0.0.2", Content::Dsse(env)) => {
            let content = field(spec, &["content"], "content")?;
            let payload_hash = provider.hash.digest(Algorithm::Sha256, &env.payload);
            hex_hash_eq(content, &["payloadHash"], "payloadHash", &payload_hash)?;
            let pt = string(
                content,
                &["envelope", "payloadType"],
                "envelope.payloadType",
            )?;
            ensure(pt == env.payload_type, "envelope.payloadType")?;
            let sigs = field(content, &["envelope", "signatures"], "envelope.signatures")?
                .as_array()
                .ok_or(Error::InvalidBody {
                    field: "envelope.signatures",
                })?;
            let ([logged], [one]) = (sigs.as_slice(), env.signatures.as_slice()) else {
                return Err(Error::BodyMismatch {
                    field: "signatures",
                });
            };
            // intoto 0.0.2 stores the signature base64-encoded twice.
            let sig_b64 = b64_field(logged, &["sig"], "envelope.signatures.sig")?;
            let sig = std::str::from_utf8(&sig_b64)
                .ok()
                .and_then(|s| b64(s, 4096))
                .ok_or(Error::InvalidBody {
                    field: "envelope.signatures.sig",
                })?;
            ensure(sig == one.sig, "envelope.signatures.sig")?;
            let pem_text = b64_field(logged, &["publicKey"], "envelope.signatures.publicKey")?;
            ensure(
                signer.matches_pem(&pem_text),
                "envelope.signatures.publicKey",
            )
        }
        ("dsse" | "intoto", "0.0.1" | "0.0.2", _) => Err(Error::BodyMismatch { field: "kind" }),
        _ => Err(Error::UnsupportedKind {
            kind: kind.to_owned(),
            version: version.to_owned(),
        }),
    }
}

/// Verifies the entry's SET (Rekor v1 inclusion promise): the log's signature over the
/// canonical JSON `{"body","integratedTime","logID","logIndex"}` (RFC 8785 key order). The
/// log key must be valid at the integrated time. Returns that time, now authenticated.
///
/// # Errors
/// [`Error::BadSet`] when there is no SET or integrated time, or the signature fails.
pub(crate) fn verify_set(
    entry: &TlogEntry,
    log: &TransparencyLog,
    provider: &Provider,
) -> Result<Timestamp, Error> {
    let bad = || Error::BadSet {
        log: log.base_url.clone(),
    };
    let set = entry.signed_entry_timestamp.as_deref().ok_or_else(bad)?;
    let time = entry.integrated_time.ok_or_else(bad)?;
    let t = Timestamp::from_unix(time);
    if !log.valid_for.contains(t) || entry.log_id != log.log_id {
        return Err(bad());
    }
    // Keys in lexical order: body, integratedTime, logID, logIndex (the canonical JSON Rekor
    // signs). The values are a base64 string, integers and a hex string: no escaping needed.
    let payload = format!(
        "{{\"body\":\"{}\",\"integratedTime\":{},\"logID\":\"{}\",\"logIndex\":{}}}",
        super::b64_encode(&entry.canonicalized_body),
        time,
        hex::encode(&entry.log_id),
        entry.log_index
    );
    let v = KeyVerifier::new(&log.key, log.scheme, VerifyPolicy::default(), provider)
        .map_err(|_| bad())?;
    v.verify(payload.as_bytes(), set).map_err(|_| bad())?;
    Ok(t)
}

/// RFC 6962 leaf hash: SHA-256(0x00 ‖ leaf).
pub fn leaf_hash(leaf: &[u8], provider: &Provider) -> Vec<u8> {
    let mut h = provider.hash.hasher(Algorithm::Sha256);
    h.update(&[0]);
    h.update(leaf);
    h.finish().as_bytes().to_vec()
}

fn node_hash(l: &[u8], r: &[u8], provider: &Provider) -> Vec<u8> {
    let mut h = provider.hash.hasher(Algorithm::Sha256);
    h.update(&[1]);
    h.update(l);
    h.update(r);
    h.finish().as_bytes().to_vec()
}

/// Recomputes the root hash from an inclusion proof (RFC 9162 §2.1.3.2).
///
/// # Errors
/// [`Error::BadInclusionProof`] for an index outside the tree or a proof of the wrong length.
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf_hash: &[u8],
    proof: &[Vec<u8>],
    provider: &Provider,
) -> Result<Vec<u8>, Error> {
    if index >= size {
        return Err(Error::BadInclusionProof {
            reason: "index beyond tree size",
        });
    }
    let inner = (u64::BITS - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = (index >> inner).count_ones() as usize;
    if proof.len() != inner + border || proof.iter().any(|h| h.len() != 32) {
        return Err(Error::BadInclusionProof {
            reason: "wrong proof length",
        });
    }
    let mut res = leaf_hash.to_vec();
    for (i, h) in proof[..inner].iter().enumerate() {
        res = if (index >> i) & 1 == 0 {
            node_hash(&res, h, provider)
        } else {
            node_hash(h, &res, provider)
        };
    }
    for h in &proof[inner..] {
        res = node_hash(h, &res, provider);
    }
    Ok(res)
}

/// Verifies the entry's inclusion proof against its root hash, and the signed checkpoint
/// that commits to that root hash and tree size under `log`'s key.
///
/// # Errors
/// [`Error::BadInclusionProof`], [`Error::Checkpoint`], [`Error::CheckpointMismatch`].
pub(crate) fn verify_inclusion(
    entry: &TlogEntry,
    log: &TransparencyLog,
    require_checkpoint: bool,
    provider: &Provider,
) -> Result<(), Error> {
    let proof = entry
        .inclusion_proof
        .as_ref()
        .ok_or(Error::BadInclusionProof {
            reason: "no inclusion proof",
        })?;
    let (Ok(index), Ok(size)) = (
        u64::try_from(proof.log_index),
        u64::try_from(proof.tree_size),
    ) else {
        return Err(Error::BadInclusionProof {
            reason: "negative index or size",
        });
    };
    if proof.root_hash.len() != 32 {
        return Err(Error::BadInclusionProof {
            reason: "root hash length",
        });
    }
    let leaf = leaf_hash(&entry.canonicalized_body, provider);
    let root = root_from_inclusion_proof(index, size, &leaf, &proof.hashes, provider)?;
    if root != proof.root_hash {
        return Err(Error::BadInclusionProof {
            reason: "root hash mismatch",
        });
    }
    match &proof.checkpoint {
        None if require_checkpoint => Err(Error::CheckpointMismatch {
            field: "missing checkpoint",
        }),
        None => Ok(()),
        Some(text) => {
            let cp = Checkpoint::parse(text)?;
            cp.verify(log, provider)?;
            if cp.tree_size != size {
                return Err(Error::CheckpointMismatch { field: "tree size" });
            }
            if cp.root_hash != proof.root_hash {
                return Err(Error::CheckpointMismatch { field: "root hash" });
            }
            Ok(())
        }
    }
}
