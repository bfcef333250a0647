//! # supply-tuf
//!
//! The Update Framework (TUF 1.0.x): metadata for root, timestamp, snapshot, targets and
//! delegated targets with the signed bytes kept raw ([`metadata`]); the client update workflow of
//! the specification (§5) as a transport-free state machine ([`client`]), with a sync driver over
//! local directories ([`client::local`]) and an async HTTP updater (`client::http`, feature
//! `client`); and a repository writer ([`repo`]).
//!
//! Verification is sync and never reads the clock: the caller passes `now`.
//!
//! ```
//! use supply_tuf::metadata::{Metadata, Root};
//! let t = supply_tuf::time::parse("2030-01-01T00:00:00Z")?;
//! assert_eq!(t.unix(), 1_893_456_000);
//! // A document of the wrong type never parses as root metadata.
//! let doc = br#"{"signed": {"_type": "timestamp"}, "signatures": []}"#;
//! assert!(Metadata::<Root>::from_slice(doc).is_err());
//! # Ok::<(), supply_tuf::time::Error>(())
//! ```
//!
//! | feature | what it adds |
//! |---|---|
//! | `client` | `client::http`: the async HTTP updater on reqwest and tokio |
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use supply_sig::cjson;

pub mod client;
pub mod limits;
pub mod metadata;
pub mod names;
pub mod repo;

pub mod time;
