//! The CLI's size caps: what a verb holds in memory at most, whatever file it is given.
//!
//! Files signed or verified with ECDSA or RSA keys have no cap: they are hashed while they are
//! read (64 KiB at a time) and signed or verified by their digest, as cosign does, so memory
//! stays flat in the file size. Only what must be held whole is capped here.

/// Largest file signed or verified with an Ed25519 key (pure Ed25519, RFC 8032, reads the
/// message twice, so it cannot be signed or checked from a digest): 1 GiB, held in memory once.
/// Sign larger files with an ECDSA or RSA key.
pub const MAX_ED25519_MESSAGE: u64 = 1 << 30;

/// Largest key file read (PEM, DER, cosign JSON, OpenSSH, securesystemslib dict): 64 KiB, the
/// PEM limit of `supply_sig` (an RSA-8192 private key in PEM is about 6.5 KiB).
pub const MAX_KEY_FILE: u64 = supply_sig::limits::MAX_PEM_LEN as u64;

/// Largest signature file (base64 text): 64 KiB; an RSA-8192 signature is 1,368 base64
/// characters.
pub const MAX_SIGNATURE_FILE: u64 = 64 * 1024;

/// Largest in-toto statement signed keylessly (`--in-toto`): the DSSE payload limit of
/// `supply_sig`, 16 MiB, which every verifier would refuse past.
pub const MAX_STATEMENT_FILE: u64 = supply_sig::limits::MAX_DSSE_PAYLOAD_LEN as u64;
