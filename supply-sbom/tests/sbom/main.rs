//! supply-sbom integration tests against the data in `testdata/sbom/` (one binary, one module
//! per area).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod lockfile;
mod matching;
mod osv;
mod version;
mod vex;
