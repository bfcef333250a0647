#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The digest types every `supply` crate shares.
pub use supply_sig::digest::{Algorithm, Digest, Hasher};
/// The payload of every size cap.
pub use supply_sig::limits::LimitExceeded;

pub mod descriptor;
pub mod layout;
pub mod limits;
pub mod manifest;
pub mod media_type;
pub mod validate;

pub use descriptor::{Descriptor, Platform};
pub use layout::Layout;
pub use manifest::{Document, Kind, Manifest};
