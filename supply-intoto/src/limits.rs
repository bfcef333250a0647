//! Named limits. Each number says where it comes from; callers tighten the verification budgets
//! in [`crate::verify::Budget`].

/// Largest layout or link document (metablock or DSSE envelope): 32 MiB, supply-sig's
/// `MAX_JSON_LEN`. A link recording 100 000 artifacts with SHA-256 is about 15 MiB.
pub const MAX_METADATA_LEN: usize = supply_sig::limits::MAX_JSON_LEN;
/// Most signatures on one metablock: 64, supply-sig's `MAX_DSSE_SIGNATURES` (the same cap as a
/// DSSE envelope). Bounds signature-verification work per document.
pub const MAX_SIGNATURES: usize = supply_sig::limits::MAX_DSSE_SIGNATURES;
/// Most steps plus inspections in one layout: 1 000. The largest layouts in the wild have tens
/// of steps; the benchmark layout has 100.
pub const MAX_STEPS: usize = 1_000;
/// Most artifact rules on one side (materials or products) of one step or inspection: 1 000.
pub const MAX_RULES: usize = 1_000;
/// Most functionary keys in one layout and most `pubkeys` of one step: 1 000.
pub const MAX_KEYS: usize = 1_000;
/// Most links loaded for one verification, sublayouts included: 10 000.
pub const MAX_LINKS: usize = 10_000;
/// Deepest sublayout nesting: 8. in-toto has no limit; real supply chains nest one or two
/// levels, and each level multiplies the links read.
pub const MAX_SUBLAYOUT_DEPTH: usize = 8;
/// Most artifacts on one side of one link: 1 000 000 (the benchmark layout records 1 000).
pub const MAX_ARTIFACTS: usize = 1_000_000;
/// Most pattern matches (artifacts in a queue times rules applied to it) in one verification:
/// 100 000 000, about a second of glob matching; bounds work on a hostile layout that pairs
/// many rules with many artifacts.
pub const MAX_RULE_WORK: u64 = 100_000_000;
/// Longest artifact-rule pattern: 4 096 bytes (`PATH_MAX` on Linux).
pub const MAX_PATTERN_LEN: usize = 4_096;
/// Most files hashed by one [`crate::record`] call: 1 000 000.
pub const MAX_RECORDED_FILES: usize = 1_000_000;
/// Most bytes of a command's stdout or stderr kept as a link byproduct: 16 MiB.
pub const MAX_BYPRODUCT_LEN: usize = 16 * 1024 * 1024;

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
/// Most provenance entries read from a Google Cloud Build provenance document (GCB writes one
/// per SLSA version and signing key).
pub const MAX_GCB_PROVENANCES: usize = 64;
