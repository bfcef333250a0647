#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The signing and verification crate this one builds on.
pub use supply_sig;

pub mod limits;
pub mod metadata;
pub mod model;
pub mod record;
pub mod rule;
pub mod verify;
