//! Named size and count caps for everything supply-sbom reads. Each number says where it
//! comes from.

pub use supply_sig::limits::LimitExceeded;

/// Longest version string parsed: 512 bytes. Real versions are short (a Debian security
/// update `1:2.38.1-5+deb12u1~bpo11+1` has 27 bytes, a Go pseudo-version 34, Maven
/// timestamps about 60); the cap keeps every comparison linear in a small bound.
pub const MAX_VERSION_LEN: usize = 512;
