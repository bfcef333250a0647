//! Named limits on what this crate reads, each with where its number comes from.
//!
//! Limits that DSSE and Sigstore bundles already impose (payload length, signatures, bundle
//! length) live in [`supply_sig::limits`] and apply before anything here is read.

/// Largest in-toto statement read on its own (bytes of JSON): 16 MiB, the DSSE payload limit
/// ([`supply_sig::limits::MAX_DSSE_PAYLOAD_LEN`]), since a statement is a DSSE payload.
pub const MAX_STATEMENT_LEN: usize = supply_sig::limits::MAX_DSSE_PAYLOAD_LEN;

/// Most subjects in one statement: 1024, as supply-sig's bundle verifier
/// ([`supply_sig::limits::MAX_STATEMENT_SUBJECTS`]); a release lists tens of artifacts.
pub const MAX_SUBJECTS: usize = supply_sig::limits::MAX_STATEMENT_SUBJECTS;

/// Most entries in one digest set: 16. The in-toto spec lists about a dozen algorithm names.
pub const MAX_DIGESTS_PER_DESCRIPTOR: usize = 16;

/// Largest attestation bundle (JSON Lines) or npm attestations document: 64 MiB, four of the
/// largest Sigstore bundles ([`supply_sig::limits::MAX_BUNDLE_LEN`] is 32 MiB) would not fit,
/// but real provenance bundles are under 100 KiB each.
pub const MAX_ATTESTATION_BUNDLE_LEN: usize = 64 * 1024 * 1024;

/// Most lines (envelopes or bundles) in one attestation bundle: 1024, the subject limit; one
/// attestation per subject is already generous.
pub const MAX_ATTESTATION_BUNDLE_LINES: usize = 1024;

/// Most statements in one TACOS attestation: 100 000, one per package of a large application.
pub const MAX_TACOS_STATEMENTS: usize = 100_000;
