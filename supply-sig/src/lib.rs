//! # supply-sig
//!
//! The shared vocabulary of the `supply` crates: content [`digest`]s, [`key`]s in every common
//! encoding, signing and verification traits ([`sign`]) over a pluggable [`crypto::Provider`],
//! [`dsse`] envelopes and canonical JSON ([`cjson`]), X.509 certificates (`x509`) and offline
//! Sigstore verification (`sigstore`, both behind the default feature `sigstore`), with one time
//! type ([`time::Timestamp`]).
//!
//! ```
//! use supply_sig::crypto::RUSTCRYPTO;
//! use supply_sig::key::{KeyAlgorithm, PrivateKey};
//! use supply_sig::sign::{KeySigner, KeyVerifier, Signer, Verifier};
//!
//! let key = PrivateKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO)?;
//! let signer = KeySigner::with_default_scheme(&key, &RUSTCRYPTO)?;
//! let sig = signer.try_sign(b"artifact bytes")?;
//! let verifier = KeyVerifier::with_default_scheme(key.public_key(), &RUSTCRYPTO)?;
//! assert!(verifier.verify(b"artifact bytes", &sig).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `sigstore` | yes | `x509` certificates and offline `sigstore` verification |
//! | `aws-lc-rs` | no | `crypto::AWS_LC`, an aws-lc-rs backend with OpenSSL-class ECDSA and RSA speed |
//! | `sigstore-client` | no | `sigstore::client`: keyless signing against Fulcio, Rekor and a TSA (reqwest); implies `sigstore` |
//!
//! The RustCrypto backend ([`crypto::RUSTCRYPTO`]) is always present: it is the default and the
//! key-format layer uses the RustCrypto curve crates to validate points.
//!
//! ## Layers
//!
//! Modules import only modules below them (the test `module_graph` checks it): [`alg`] and
//! [`limits`] at the bottom; then [`time`], [`pem`], [`cjson`] and [`digest`]; [`key`];
//! [`crypto`]; [`sign`]; [`dsse`] and `x509`; `sigstore` on top.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod alg;
pub mod cjson;
pub mod crypto;
pub mod digest;
pub mod dsse;
pub mod key;
pub mod limits;
pub mod pem;
pub mod sign;
#[cfg(feature = "sigstore")]
pub mod sigstore;
pub mod time;
#[cfg(feature = "sigstore")]
pub mod x509;

/// Renders `err` as an application prints it (`{:#}` of an `anyhow::Error`: each cause after a
/// colon) and asserts that each of `causes` appears exactly once: no `Display` repeats its
/// `source()`.
#[cfg(test)]
#[track_caller]
pub(crate) fn assert_causes_once<E>(err: E, causes: &[&str]) -> String
where
    E: std::error::Error + Send + Sync + 'static,
{
    let chain = format!("{:#}", anyhow::Error::new(err));
    for cause in causes {
        assert_eq!(chain.matches(cause).count(), 1, "{cause:?} in {chain:?}");
    }
    chain
}
