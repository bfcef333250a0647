//! supply-intoto integration tests, one module per area.
mod attestation;
mod github;
mod slsa;
mod vsa;
