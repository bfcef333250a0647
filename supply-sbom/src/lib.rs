#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod convert;
pub mod cyclonedx;
pub mod format;
pub mod generate;
pub mod graph;
pub mod license;
pub mod limits;
pub mod lockfile;
pub mod model;
pub mod osv;
pub mod pkgdb;
pub mod purl;
pub mod spdx2;
pub mod spdx3;
mod tree;
pub mod validate;
pub mod verify;
pub mod version;
