//! Named limits. Each number says where it comes from; callers tighten them in
//! [`crate::client::Config`].

/// Largest root metadata file: 512 000 bytes, python-tuf's `UpdaterConfig.root_max_length`.
pub const MAX_ROOT_LEN: u64 = 512_000;
/// Largest timestamp metadata file when no length is known: 16 384 bytes, python-tuf's
/// `timestamp_max_length`.
pub const MAX_TIMESTAMP_LEN: u64 = 16_384;
/// Largest snapshot metadata file when the timestamp gives no length: 2 000 000 bytes, python-tuf's
/// `snapshot_max_length`.
pub const MAX_SNAPSHOT_LEN: u64 = 2_000_000;
/// Largest targets (or delegated targets) file when the snapshot gives no length: 5 000 000 bytes,
/// python-tuf's `targets_max_length`.
pub const MAX_TARGETS_LEN: u64 = 5_000_000;
/// Largest metadata document of any role that the parser accepts at all: the targets bound.
pub const MAX_METADATA_LEN: u64 = MAX_TARGETS_LEN;
/// Most root versions walked in one refresh: 256, python-tuf's `max_root_rotations`.
pub const MAX_ROOT_ROTATIONS: u64 = 256;
/// Most delegated roles visited in one target lookup: 32, python-tuf's `max_delegations`.
pub const MAX_DELEGATIONS: usize = 32;
/// Most signatures on one document and most key ids in one role: 1024. Sigstore's busiest root
/// carries 10 signatures; the cap bounds signature-verification work on hostile input.
pub const MAX_SIGNATURES: usize = 1024;
/// Largest succinct-delegation `bit_length`: 32, as the TAP 15 reference implementation allows.
pub const MAX_SUCCINCT_BIT_LENGTH: u32 = 32;
/// Largest target file when the caller gives no other cap: the target's own `length` is always the
/// bound; this only caps a `length` claim (4 GiB).
pub const MAX_TARGET_LEN: u64 = 4 << 30;
/// Largest Sigstore target (`trusted_root.json`, `signing_config.v0.2.json`) fetched or read from
/// the cache by [`crate::sigstore`] (feature `sigstore`): 4 MiB, supply-sig's
/// `MAX_TRUST_ROOT_LEN` (the production trusted root is about 7 KiB).
pub const MAX_SIGSTORE_TARGET_LEN: u64 = 4 << 20;
/// Longest cache directory name derived from a repository URL by [`crate::sigstore`]: 200 bytes.
/// A longer percent-encoded URL is named by its SHA-256 instead (file systems cap names at 255).
pub const MAX_CACHE_DIR_NAME_LEN: usize = 200;
