//! Named size and count caps for SBOM inputs. Every parser refuses input over these before it
//! does work proportional to it.

pub use supply_sig::limits::LimitExceeded;

/// Longest package URL parsed: 8 KiB. Real purls are under 300 bytes; the longest in the
/// purl-spec suite (an mlflow model with an Azure ML `repository_url`) is about 330.
pub const MAX_PURL_LEN: usize = 8 * 1024;

/// Longest license expression parsed: 64 KiB. Real expressions are under 1 KiB; ScanCode's
/// longest license-detection results (hundreds of `AND`ed ids) stay well below this.
pub const MAX_LICENSE_EXPR_LEN: usize = 64 * 1024;

/// Deepest parenthesis nesting in a license expression: 32 (real ones nest 2 or 3 deep; the
/// parser recurses once per level).
pub const MAX_LICENSE_EXPR_DEPTH: usize = 32;

/// Largest SBOM document read: 256 MiB. The largest real SBOMs (full container images with
/// every file listed) are tens of MiB; a 50 000-component SPDX JSON is about 60 MiB.
pub const MAX_SBOM_LEN: usize = 256 * 1024 * 1024;

/// Deepest nesting of JSON arrays/objects or XML elements in an SBOM: 128 (as
/// [`supply_sig::limits::MAX_JSON_DEPTH`]; CycloneDX nests components a few levels deep).
pub const MAX_DEPTH: usize = 128;

/// Deepest nesting of packages the CycloneDX writer produces from `CONTAINS` (a package nested
/// deeper, or in a cycle of `CONTAINS`, is written at the top level instead).
pub const MAX_WRITTEN_NESTING: usize = 16;

/// Most XML elements in one CycloneDX XML document: 10 million (a 50 000-component BOM with
/// hashes, licenses and properties has under 2 million).
pub const MAX_ELEMENTS: usize = 10_000_000;

/// Most elements (packages, files, relationships…) of one kind in one document: 1 million.
pub const MAX_ITEMS: usize = 1_000_000;

/// Most issues one validation report holds (the rest are counted out, not stored).
pub const MAX_REPORTED_ISSUES: usize = 10_000;

/// Most paths [`Graph::why`](crate::graph::Graph::why) returns: 1 000 (a package reached by
/// more paths than that is everywhere; the first, shortest ones say why).
pub const MAX_PATHS: usize = 1_000;

/// Longest version string parsed: 512 bytes. Real versions are short (a Debian security
/// update `1:2.38.1-5+deb12u1~bpo11+1` has 27 bytes, a Go pseudo-version 34, Maven
/// timestamps about 60); the cap keeps every comparison linear in a small bound.
pub const MAX_VERSION_LEN: usize = 512;

/// Largest OSV record read: 8 MiB. The largest records on osv.dev (Debian and Ubuntu
/// records that list thousands of versions) are around 1 MiB.
pub const MAX_OSV_RECORD_LEN: usize = 8 * 1024 * 1024;

/// Most `affected` entries in one OSV record: 10 000 (Linux-distribution records with one
/// entry per source package and release reach a few hundred).
pub const MAX_OSV_AFFECTED: usize = 10_000;

/// Most events in one OSV range: 4096. Real ranges carry a handful; GIT ranges of long-lived
/// backports a few dozen. Evaluation sorts them, so this also bounds the work per range.
pub const MAX_OSV_EVENTS: usize = 4096;

/// Most records an OSV database holds by default: 2 000 000 (all of osv.dev is about
/// 500 000 records).
pub const MAX_OSV_RECORDS: usize = 2_000_000;

/// Most entries read from one OSV zip file: 1 000 000 (osv.dev's `all.zip` has about
/// 500 000; a per-ecosystem zip at most a few hundred thousand).
pub const MAX_ZIP_ENTRIES: usize = 1_000_000;

/// Largest OSV file read from a folder or zip entry: [`MAX_OSV_RECORD_LEN`].
pub const MAX_OSV_FILE_LEN: u64 = MAX_OSV_RECORD_LEN as u64;

/// Largest lockfile read: 64 MiB (the largest real `package-lock.json` files of monorepos
/// are a few tens of MiB).
pub const MAX_LOCKFILE_LEN: usize = 64 * 1024 * 1024;

/// Most packages taken from one lockfile: 200 000.
pub const MAX_LOCKFILE_PACKAGES: usize = 200_000;

/// Largest VEX document read: 16 MiB (a CycloneDX BOM with vulnerabilities embedded).
pub const MAX_VEX_LEN: usize = 16 * 1024 * 1024;

/// Most statements taken from one VEX document: 100 000.
pub const MAX_VEX_STATEMENTS: usize = 100_000;

/// Largest package database file read (dpkg `status`, apk `installed`): 256 MiB. A Debian
/// desktop's `status` is a few MiB; apk's `installed` lists every file and reaches tens of
/// MiB on large images.
pub const MAX_PKGDB_LEN: usize = 256 * 1024 * 1024;

/// Most packages taken from one package database: 200 000 (a full Debian archive install
/// would be about 60 000).
pub const MAX_PKGDB_PACKAGES: usize = 200_000;

/// Largest `rpmdb.sqlite` read: 512 MiB. RPM headers carry each package's file list, file
/// digests and changelog, so the database grows with them: tens of MiB for a container
/// image, more for a full install with thousands of packages. The file is read whole.
pub const MAX_RPMDB_LEN: usize = 512 * 1024 * 1024;

/// Largest RPM header data store read: 64 MiB. rpm itself accepts up to 256 MiB
/// (`HEADER_DATA_MAX`, room for file signatures); real headers are tens of KiB, and those of
/// packages with tens of thousands of files a few MiB. A header over the cap skips its
/// package (reported); it is not read.
pub const MAX_RPM_HEADER_LEN: usize = 64 * 1024 * 1024;

/// Most index entries in one RPM header: 65 535, rpm's own `HEADER_TAGS_MAX` (real headers
/// have one to two hundred).
pub const MAX_RPM_HEADER_TAGS: u32 = 0xffff;

/// Most bytes kept from the headers of one RPM database: 256 MiB, counting each string
/// kept (requirements, provides, file paths joined from DIRNAMES and BASENAMES, …) with 32
/// bytes of bookkeeping. A full Fedora install's headers keep a few tens of MiB. File paths
/// are expanded from shared directory names, so a small header can ask for far more
/// memory than it takes; past this the database is refused.
pub const MAX_RPM_KEPT_BYTES: usize = 256 * 1024 * 1024;

/// Deepest SQLite B-tree walked: 20 levels, the depth SQLite's own cursors stop at
/// (`BTCURSOR_MAX_DEPTH`). With 512-byte pages, 20 levels hold far more rows than any file
/// under [`MAX_RPMDB_LEN`].
pub const MAX_SQLITE_DEPTH: usize = 20;

/// Most skipped records and lines listed per database (the rest are not listed).
pub const MAX_PKGDB_SKIPPED: usize = 1_000;

/// Largest part of a Debian copyright file read: 4 MiB (the largest in Debian, such as the
/// kernel's, are about 1 MiB; the rest is ignored, not refused).
pub const MAX_COPYRIGHT_LEN: usize = 4 * 1024 * 1024;

/// Largest `os-release` file read: 64 KiB (real ones are under 1 KiB).
pub const MAX_OS_RELEASE_LEN: usize = 64 * 1024;

/// Most layers in one image given to the generator: 256 (Docker's storage drivers stop at
/// 125-127).
pub const MAX_LAYERS: usize = 256;

/// Most tar entries in one layer: 2 million (a full distribution layer has a few hundred
/// thousand files).
pub const MAX_LAYER_ENTRIES: usize = 2_000_000;

/// Most decompressed bytes read from one layer: 32 GiB (the largest real layers, CUDA and ML
/// framework images, are around 10 GiB unpacked). Only package databases, os-release,
/// copyright files and lockfiles are kept in memory; the rest is streamed past.
pub const MAX_LAYER_UNPACKED: u64 = 32 * 1024 * 1024 * 1024;

/// Most bytes of files kept in memory while applying layers: 1 GiB.
pub const MAX_GENERATE_KEPT_BYTES: usize = 1024 * 1024 * 1024;

/// Most directory entries visited when walking a root filesystem for lockfiles: 2 million.
pub const MAX_WALK_ENTRIES: usize = 2_000_000;

/// Deepest directory visited when walking a root filesystem: 48 levels (node_modules trees
/// reach 20-30).
pub const MAX_WALK_DEPTH: usize = 48;

/// Most symlinks followed while resolving one path inside a root: 40 (Linux's own limit).
pub const MAX_SYMLINK_HOPS: usize = 40;
/// Largest SBOM blob the attachment verifier reads: 64 MiB (an image SBOM with tens of
/// thousands of components and files).
pub const MAX_ATTACHED_SBOM_LEN: usize = 64 * 1024 * 1024;
