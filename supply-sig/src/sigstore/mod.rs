//! Offline Sigstore verification: trusted roots, bundles v0.1–v0.3, Fulcio certificates and
//! SCTs, Rekor entries with SETs, inclusion proofs and signed checkpoints, RFC 3161
//! timestamps, and the policy-driven [`verify::verify`].
//!
//! Everything here is sync and does no I/O; nothing reads the clock. Times come only from
//! signed sources: a Rekor signed entry timestamp (SET) or an RFC 3161 timestamp, never from
//! an unauthenticated `integratedTime` and never from "now".
//!
//! | module | what |
//! |---|---|
//! | [`trust_root`] | `trusted_root.json`, client trust config, signing config v0.2 |
//! | [`bundle`] | the bundle model (v0.1, v0.2, v0.3; message signature or DSSE) |
//! | [`fulcio`] | Fulcio identities (SAN, issuer, extensions 1.3.6.1.4.1.57264.1.*), embedded SCTs |
//! | [`rekor`] | entry bodies checked against the bundle, SETs, RFC 6962 inclusion proofs |
//! | [`checkpoint`] | signed checkpoints (C2SP signed notes), Rekor v1 ECDSA and v2 Ed25519 |
//! | [`tsa`] | RFC 3161 timestamp responses |
//! | [`verify`] | policies and the verification of a bundle against an artifact |
//! | [`referrer`] | bundles attached to images (cosign 3 referrers) as an artifact verifier |
//! | [`sign`] | keyed signing producing v0.3 bundles (message signature, DSSE) |
//! | [`service`] | identity tokens, Fulcio and Rekor responses, parsed for the keyless signer |
//! | `client` | keyless signing over the network: Fulcio, Rekor, TSA (feature `sigstore-client`) |

pub mod bundle;
pub mod checkpoint;
#[cfg(feature = "sigstore-client")]
pub mod client;
pub mod fulcio;
pub mod referrer;
pub mod rekor;
pub mod service;
pub mod sign;
pub mod trust_root;
pub mod tsa;
pub mod verify;

/// The individual verification steps and service parsers, for the fuzz targets in `fuzz/` only.
/// Not part of the API: use [`verify::verify`] (and the `client` feature) instead; nothing here
/// is stable and a step alone proves nothing about a bundle.
#[doc(hidden)]
pub mod __fuzz {
    use crate::crypto::Provider;
    use crate::time::Timestamp;
    use crate::x509::{self, Certificate, LeafProfile};

    use super::bundle::{Content, TlogEntry};
    use super::rekor::{self, SignerMaterial};
    use super::trust_root::{TransparencyLog, TrustedRoot};
    use super::{fulcio, service};

    /// `rekor::check_body`.
    pub fn check_body(
        entry: &TlogEntry,
        content: &Content,
        signer: SignerMaterial<'_>,
        provider: &Provider,
    ) -> Result<(), rekor::Error> {
        rekor::check_body(entry, content, signer, provider)
    }

    /// `rekor::verify_set`.
    pub fn verify_set(
        entry: &TlogEntry,
        log: &TransparencyLog,
        provider: &Provider,
    ) -> Result<Timestamp, rekor::Error> {
        rekor::verify_set(entry, log, provider)
    }

    /// `rekor::verify_inclusion`.
    pub fn verify_inclusion(
        entry: &TlogEntry,
        log: &TransparencyLog,
        require_checkpoint: bool,
        provider: &Provider,
    ) -> Result<(), rekor::Error> {
        rekor::verify_inclusion(entry, log, require_checkpoint, provider)
    }

    /// `fulcio::verify_embedded_scts`.
    pub fn verify_embedded_scts(
        leaf: &Certificate,
        issuer: &Certificate,
        root: &TrustedRoot,
        threshold: usize,
        provider: &Provider,
    ) -> Result<usize, fulcio::Error> {
        fulcio::verify_embedded_scts(leaf, issuer, root, threshold, provider)
    }

    /// `x509::verify_chain`.
    pub fn verify_chain(
        leaf: &Certificate,
        chain: &[Certificate],
        time: Timestamp,
        profile: LeafProfile,
        provider: &Provider,
    ) -> Result<(), x509::Error> {
        x509::verify_chain(leaf, chain, time, profile, provider)
    }

    /// `service::fulcio_leaf`.
    pub fn fulcio_leaf(
        response: &[u8],
        key: &crate::key::PublicKey,
    ) -> Result<Certificate, service::Error> {
        service::fulcio_leaf(response, key)
    }

    /// `service::rekor_v1_entry`.
    pub fn rekor_v1_entry(response: &[u8]) -> Result<serde_json::Value, service::Error> {
        service::rekor_v1_entry(response)
    }

    /// `service::rekor_v2_entry`.
    pub fn rekor_v2_entry(response: &[u8]) -> Result<serde_json::Value, service::Error> {
        service::rekor_v2_entry(response)
    }
}

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

const STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes proto3-JSON `bytes`: standard or URL-safe base64, padding optional (proto3 JSON
/// accepts both alphabets). `None` when malformed or when the decoded size would exceed `limit`.
pub(crate) fn b64(s: &str, limit: usize) -> Option<Vec<u8>> {
    if s.len() / 4 * 3 > limit.saturating_add(3) {
        return None;
    }
    let engine = if s.bytes().any(|b| b == b'-' || b == b'_') {
        &URL
    } else {
        &STD
    };
    let v = engine.decode(s).ok()?;
    (v.len() <= limit).then_some(v)
}

/// Standard base64 with padding, as Sigstore writes it.
pub(crate) fn b64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Reads a proto3-JSON int64, which may be a JSON string or a number. Messages name what was
/// wrong in plain words: a number out of range is not shown as a float, and no internal type
/// name appears.
pub(crate) mod int64 {
    use std::fmt;

    use serde::de::{self, Deserializer, Visitor};

    struct Int64;

    impl Visitor<'_> for Int64 {
        type Value = i64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a 64-bit integer (a JSON number or a decimal string)")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom(format_args!("{v} is out of the int64 range")))
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<i64, E> {
            // serde_json reads integers beyond u64 as floats: say what it was, not the float.
            Err(E::custom(
                "a number that is not an integer or is out of the int64 range",
            ))
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<i64, E> {
            if s.is_empty() || s.len() > 20 || s.starts_with('+') {
                return Err(E::custom(format_args!("{s:.24?} is not an int64")));
            }
            s.parse()
                .map_err(|_| E::custom(format_args!("{s:.24?} is not an int64")))
        }
    }

    pub(crate) fn de<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_any(Int64)
    }

    pub(crate) fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        de(d).map(Some)
    }
}

/// Reads a proto3-JSON uint32 (a JSON number), with a plain message for out-of-range values.
pub(crate) mod uint32 {
    use std::fmt;

    use serde::de::{self, Deserializer, Visitor};

    struct Uint32;

    impl Visitor<'_> for Uint32 {
        type Value = u32;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a 32-bit unsigned integer")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| E::custom(format_args!("{v} is out of the uint32 range")))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| E::custom(format_args!("{v} is out of the uint32 range")))
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<u32, E> {
            Err(E::custom(
                "a number that is not an integer or is out of the uint32 range",
            ))
        }
    }

    pub(crate) fn de<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        d.deserialize_any(Uint32)
    }

    pub(crate) fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        de(d).map(Some)
    }
}
