//! Integration tests of supply-sbom against the data in `testdata/sbom/`: one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod convert;
mod cyclonedx;
mod cyclonedx_py;
mod formulation;
mod generate;
mod graph;
mod interop;
mod license;
mod limits;
mod lockfile;
mod matching;
mod osv;
mod pkgdb;
mod purl;
mod realworld;
mod rpm;
mod services;
mod spdx;
mod verify;
mod version;
mod vex;
mod vulnerabilities;
