#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
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
