//! # supply-sig
//!
//! The shared vocabulary of the `supply` crates: content [`digest`]s, [`key`]s in every common
//! encoding, signing and verification traits ([`sign`]) over a pluggable [`crypto::Provider`],
//! [`dsse`] envelopes and canonical JSON ([`cjson`]), X.509 certificates ([`x509`]) and offline
//! Sigstore verification ([`sigstore`]), with one time type ([`time::Timestamp`]).
//!
//! ```
//! use supply_sig::crypto::RUSTCRYPTO;
//! use supply_sig::key::KeyAlgorithm;
//! use supply_sig::sign::{KeySigner, KeyVerifier, Signer, Verifier};
//!
//! let key = (RUSTCRYPTO.sign).generate(KeyAlgorithm::Ed25519)?;
//! let signer = KeySigner::new(&key, key.public_key().default_scheme(), &RUSTCRYPTO)?;
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
//! | `aws-lc-rs` | no | `crypto::AWS_LC`, an aws-lc-rs backend with OpenSSL-class ECDSA and RSA speed |
//! | `sigstore-client` | no | `sigstore::client`: keyless signing against Fulcio, Rekor and a TSA (reqwest) |
//!
//! The RustCrypto backend ([`crypto::RUSTCRYPTO`]) is always present: it is the default and the
//! key-format layer uses the RustCrypto curve crates to validate points.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cjson;
pub mod crypto;
pub mod digest;
pub mod dsse;
pub mod key;
pub mod limits;
pub mod sign;
pub mod sigstore;
pub mod time;
pub mod x509;
