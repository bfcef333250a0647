#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

/// The digest types every `supply` crate shares.
pub use supply_sig::digest::{Algorithm, Digest, Hasher};
/// The payload of every size cap.
pub use supply_sig::limits::LimitExceeded;

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod auth;
#[cfg(feature = "sigstore")]
#[cfg_attr(docsrs, doc(cfg(feature = "sigstore")))]
pub mod cosign;
pub mod descriptor;
pub mod engine;
pub mod layout;
pub mod limits;
pub mod manifest;
pub mod media_type;
#[cfg(feature = "notation")]
#[cfg_attr(docsrs, doc(cfg(feature = "notation")))]
pub mod notation;
pub mod reference;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod registry;
pub mod validate;

pub use descriptor::{Descriptor, Platform};
pub use layout::Layout;
pub use manifest::{Document, Kind, Manifest};
