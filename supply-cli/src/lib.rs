//! The `supply` command-line interface and the peers' conformance clients.
//!
//! Each verb group is a thin adapter in [`cli`]: parse flags, call the libraries, print. No
//! verification logic lives here.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cli;
