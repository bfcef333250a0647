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

/// Longest repository name, domain included (`registry.example.com:5000/team/app`): 255
/// characters, docker/distribution's `NameTotalLengthMax`.
pub const MAX_NAME_LEN: usize = 255;

/// Longest reference string parsed: 1024 bytes. A name (255), a tag (128), a SHA-512 digest
/// (135) and their separators need 520; anything longer is refused before it is scanned.
pub const MAX_REFERENCE_LEN: usize = 1024;

/// Longest tag: 128 characters (`[\w][\w.-]{0,127}`, the distribution grammar).
pub const MAX_TAG_LEN: usize = 128;

/// Longest `WWW-Authenticate` text parsed, all headers together: 16 KiB. Registries send a
/// few hundred bytes (a realm, a service and a scope).
pub const MAX_CHALLENGE_LEN: usize = 16 * 1024;

/// Most challenges accepted in the `WWW-Authenticate` headers of one response.
pub const MAX_CHALLENGES: usize = 16;

/// Most auth-params accepted in one challenge.
pub const MAX_CHALLENGE_PARAMS: usize = 32;

/// Largest token-server answer read: 256 KiB. Docker Hub's JWTs are about 1 KiB, the largest
/// seen (with many scopes, GitLab) a few tens of KiB.
pub const MAX_TOKEN_RESPONSE_LEN: usize = 256 * 1024;

/// Longest bearer token accepted (it goes into every request header): 64 KiB.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// Largest docker `config.json` read: 1 MiB (a config with dozens of registries is a few KiB).
pub const MAX_DOCKER_CONFIG_LEN: u64 = 1024 * 1024;

/// Largest output read from a docker credential helper: 64 KiB (its answer is one small JSON
/// object).
pub const MAX_HELPER_OUTPUT_LEN: u64 = 64 * 1024;

/// Most tokens kept in a token cache (`auth::TokenCache`): expired ones go first, then
/// the oldest.
pub const MAX_CACHED_TOKENS: usize = 256;

/// Largest error body read from a registry (to extract its distribution error codes): 64 KiB.
pub const MAX_ERROR_BODY_LEN: usize = 64 * 1024;

/// Most pages of one tag listing followed: 1 000 (distribution pages 100 tags by default, so
/// room for 100 000 tags; an endless `Link` chain stops here).
pub const MAX_TAG_PAGES: usize = 1_000;

/// Most tags of one listing: 100 000.
pub const MAX_TAGS: usize = 100_000;

/// Largest tag list page: 4 MiB (a page of 10 000 tags of 128 characters is 1.3 MiB).
pub const MAX_TAG_PAGE_LEN: usize = 4 * 1024 * 1024;

/// Most pages of one Referrers API listing followed: 100 (oras-go has no cap; a subject with
/// thousands of referrers is already unusual).
pub const MAX_REFERRER_PAGES: usize = 100;

/// Most referrers of one subject accepted (all pages, or the fallback index): 10 000, the
/// descriptor cap of one index.
pub const MAX_REFERRERS: usize = MAX_DESCRIPTORS;

/// Largest cosign simple signing payload (and `dev.sigstore.cosign/bundle` annotation) read:
/// 64 KiB. cosign's payloads are a few hundred bytes; `-a` annotations make them grow a little.
pub const MAX_SIMPLE_SIGNING_LEN: usize = 64 * 1024;

/// Largest notation signature envelope read (COSE or JWS): 1 MiB. notation's own limit on a
/// signature blob is 4 MiB; an envelope with a three-certificate chain is a few KiB.
pub const MAX_NOTATION_ENVELOPE_LEN: usize = 1024 * 1024;

/// Most certificates in a notation envelope's chain: 10.
pub const MAX_NOTATION_CHAIN_LEN: usize = 10;

/// Largest notation `trustpolicy.json` read: 1 MiB.
pub const MAX_TRUST_POLICY_LEN: usize = 1024 * 1024;

/// Most referrers of one subject read by the verification engine (`engine`): 1,000. The rest
/// are counted, not read, so a flood of attachments cannot exhaust memory or time.
pub const MAX_REFERRERS_PER_SUBJECT: usize = 1_000;

/// Most layers of one attachment read by the engine: 64 (cosign's `.sig` has one per signature).
pub const MAX_ATTACHMENT_BLOBS: usize = 64;

/// Most bytes of one attachment's layers read by the engine, together: 64 MiB (an SBOM of a
/// large image is a few MiB).
pub const MAX_ATTACHMENT_BYTES: u64 = 64 * 1024 * 1024;
