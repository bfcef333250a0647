#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod limits;
pub mod lockfile;
pub mod osv;
pub mod version;
