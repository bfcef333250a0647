#![doc = include_str!("../README.md")]
//!
//! Each verb group is a thin adapter in [`cli`]: parse flags, call the libraries, print. No
//! verification logic lives here.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cli;
