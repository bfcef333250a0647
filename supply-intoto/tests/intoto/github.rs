//! GitHub artifact attestations (`gh attestation verify`) on the GitHub-built bundles of the
//! test data (BCR, npm).
#![allow(clippy::unwrap_used, clippy::expect_used)]
