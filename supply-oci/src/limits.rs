//! Named size and count caps. Every read of a manifest, index or blob is bounded by what we
//! accept, never by a size a document or a file system claims.

pub use supply_sig::limits::LimitExceeded;

/// Largest manifest or index accepted: 4 MiB, the cap distribution registries apply to
/// manifests (distribution/distribution, containerd and oras-go use 4 MiB).
pub const MAX_MANIFEST_LEN: usize = 4 * 1024 * 1024;

/// Largest `index.json` of an image layout: 16 MiB (one entry is about 300 bytes, so room for
/// about 50 000 tags and referrers).
pub const MAX_LAYOUT_INDEX_LEN: usize = 16 * 1024 * 1024;

/// Largest `oci-layout` file: 4 KiB (it holds one short JSON object).
pub const MAX_LAYOUT_HEADER_LEN: usize = 4 * 1024;

/// Largest blob [`Layout::read_blob`](crate::layout::Layout::read_blob) loads into memory by
/// default: 64 MiB (configs and artifacts; stream layers with
/// [`Layout::copy_blob`](crate::layout::Layout::copy_blob) instead).
pub const MAX_BLOB_READ_LEN: u64 = 64 * 1024 * 1024;

/// Most descriptors (layers, index entries) in one manifest or index: 10 000.
pub const MAX_DESCRIPTORS: usize = 10_000;

/// Most manifests and indexes a layout walk (garbage collection, referrers) visits: 100 000.
pub const MAX_WALK_NODES: usize = 100_000;

/// Largest decoded `data` field of a descriptor: 4 MiB (it cannot be larger than the
/// manifest that carries it).
pub const MAX_DESCRIPTOR_DATA_LEN: usize = MAX_MANIFEST_LEN;
