//! Named size limits for every untrusted input.
//!
//! Each number says where it comes from. Callers can tighten them through [`Limits`], which the
//! parsers of this crate take where a caller may want a smaller bound.

/// Largest PEM document we read (bytes of text). An RSA-8192 private key in PEM is about 6.5 KiB;
/// a certificate chain of a few certificates stays well below 64 KiB.
pub const MAX_PEM_LEN: usize = 64 * 1024;

/// Longest PEM label accepted: 64 characters. The longest real one, cosign's
/// `ENCRYPTED SIGSTORE PRIVATE KEY`, has 30.
pub const MAX_PEM_LABEL_LEN: usize = 64;

/// Largest DER structure (key or signature) we decode. An RSA-8192 PKCS#8 key is about 4.8 KiB.
pub const MAX_DER_LEN: usize = 16 * 1024;

/// Read buffer of `digest::digest_reader`: 64 KiB, large enough that the per-call overhead of
/// `read` vanishes next to SHA-256 and small enough for any stack of callers.
pub const DIGEST_READ_BUFFER_LEN: usize = 64 * 1024;

/// Largest JSON document accepted by the canonical-JSON parsers: 32 MiB, the size of a large TUF
/// `targets.json` with hundreds of thousands of entries.
pub const MAX_JSON_LEN: usize = 32 * 1024 * 1024;

/// Deepest nesting accepted by the canonical-JSON parsers. serde_json's own recursion limit is
/// 128; real TUF and in-toto metadata nests fewer than 10 levels.
pub const MAX_JSON_DEPTH: usize = 128;

/// Largest DSSE payload (decoded bytes): 16 MiB, as sigstore-go bounds attestation payloads; an
/// SBOM inside an attestation can be several MiB.
pub const MAX_DSSE_PAYLOAD_LEN: usize = 16 * 1024 * 1024;

/// Most signatures accepted in one DSSE envelope. The verification work is bounded by this times
/// the number of trusted keys; no real envelope carries more than a handful.
pub const MAX_DSSE_SIGNATURES: usize = 64;

/// Largest decoded signature accepted in a DSSE envelope or a Sigstore bundle: 1024 bytes, an
/// RSA-8192 signature ([`MAX_RSA_BITS`]), the largest any supported scheme produces.
pub const MAX_SIGNATURE_LEN: usize = 1024;

/// Longest DSSE `keyid` hint accepted, in bytes: 1024. Key ids are hex digests (64–128
/// characters), `SHA256:` fingerprints or KMS URIs, all far shorter.
pub const MAX_KEYID_LEN: usize = 1024;

/// Room in a DSSE envelope for everything but the payload and the signatures (payload type,
/// whitespace, unknown fields): 64 KiB, part of `dsse::max_envelope_len`.
pub const DSSE_ENVELOPE_SLACK: usize = 64 * 1024;

/// Longest OpenSSH public key line (an RSA-16384 key is about 2.8 KiB of base64).
pub const MAX_SSH_LINE_LEN: usize = 16 * 1024;

/// Largest RSA modulus accepted, in bits (Sigstore and TUF keys top out at 4096; 8192 leaves room).
pub const MAX_RSA_BITS: usize = 8192;

/// Smallest RSA modulus accepted, in bits (NIST SP 800-131A forbids less than 2048).
pub const MIN_RSA_BITS: usize = 2048;

/// Largest scrypt cost accepted when reading a cosign key file: N = 2^20, r = 8 needs 1 GiB of
/// memory; cosign writes N = 2^15 and 2^16. Anything larger is a denial-of-service attempt.
pub const MAX_SCRYPT_LOG_N: u8 = 20;

/// Largest scrypt block size `r` accepted when reading a key file (cosign and RFC 7914 use 8).
pub const MAX_SCRYPT_R: u32 = 32;

/// Largest scrypt parallelism `p` accepted when reading a key file (cosign uses 1).
pub const MAX_SCRYPT_P: u32 = 16;

/// Largest scrypt work, 128·N·r·p bytes of memory-hard mixing: 1 GiB, the cost of N = 2^20,
/// r = 8, p = 1 (see [`MAX_SCRYPT_LOG_N`]).
pub const MAX_SCRYPT_WORK: u64 = 1 << 30;

/// Shortest salt accepted in a cosign key file: 16 bytes (NIST SP 800-132 §5.1 asks for at
/// least 128 bits); go-securesystemslib, which writes cosign's key files, uses 32.
pub const MIN_COSIGN_SALT_LEN: usize = 16;

/// Longest salt accepted in a cosign key file: 64 bytes, twice what go-securesystemslib writes
/// (a salt longer than the hash output adds nothing).
pub const MAX_COSIGN_SALT_LEN: usize = 64;

/// Largest PBKDF2 iteration count accepted in an encrypted PKCS#8 key. OpenSSL 3 writes 2048 and
/// OWASP (2023) recommends 600 000 for PBKDF2-HMAC-SHA256; two million leaves room and stays
/// around a second of work.
pub const MAX_PBKDF2_ITERATIONS: u32 = 2_000_000;

/// Largest securesystemslib / TUF key dict read on its own (bytes of JSON). A dict holds at most
/// an RSA-8192 SPKI PEM (about 1.5 KiB); 64 KiB matches [`MAX_PEM_LEN`].
pub const MAX_KEY_DICT_LEN: usize = 64 * 1024;

/// Largest DER certificate accepted: 32 KiB. Fulcio leaves are about 1.5 KiB and the largest
/// certificates seen in the web PKI (many SANs) stay below 20 KiB.
pub const MAX_CERT_DER_LEN: usize = 32 * 1024;

/// Bytes of one CRL: notation's own cap on a CRL download (32 MiB). A CRL that size holds
/// about a million entries, parsed into a few hundred MiB at most.
pub const MAX_CRL_DER_LEN: usize = 32 * 1024 * 1024;

/// Bytes of one OCSP response: notation's cap (20 KiB; a response with its responder
/// certificate is about 2-4 KiB).
pub const MAX_OCSP_RESPONSE_LEN: usize = 20 * 1024;

/// Seconds a CRL's or OCSP response's `thisUpdate` may lie after the verification time: it
/// was made a moment after the caller read its clock, or by a server whose clock is ahead
/// (notation does not check `thisUpdate` at all).
pub const MAX_REVOCATION_CLOCK_SKEW_SECS: i64 = 300;

/// CRL distribution point URLs one certificate (or one base CRL's `freshestCRL`) may name.
pub const MAX_CRL_URLS: usize = 8;

/// Most certificates in one chain (leaf included). Sigstore chains have 2 or 3; webpki caps
/// intermediates at 6 (`MAX_SUB_CA_COUNT`).
pub const MAX_CERT_CHAIN_LEN: usize = 10;

/// Most candidate chains [`crate::x509::verify_path`] validates for one leaf before giving up:
/// a pool of cross-signed intermediates cannot make path building exponential.
pub const MAX_CERT_PATH_ATTEMPTS: usize = 64;

/// Largest Sigstore bundle JSON: 32 MiB, room for a DSSE envelope carrying the largest
/// payload ([`MAX_DSSE_PAYLOAD_LEN`], 16 MiB, about 21.5 MiB in base64) and its material.
pub const MAX_BUNDLE_LEN: usize = 32 * 1024 * 1024;

/// Most transparency-log entries in one bundle: 32, as sigstore-go (`maxAllowedTlogEntries`,
/// the fix for CVE-2024-45395).
pub const MAX_TLOG_ENTRIES: usize = 32;

/// Most RFC 3161 timestamps in one bundle: 32, as sigstore-go (`maxAllowedTimestamps`) and
/// sigstore-python.
pub const MAX_RFC3161_TIMESTAMPS: usize = 32;

/// Largest RFC 3161 timestamp response: 64 KiB (a response with its TSA chain is 2-5 KiB).
pub const MAX_TIMESTAMP_LEN: usize = 64 * 1024;

/// Largest trusted root, client trust config or signing config JSON: 4 MiB (the production
/// trusted root is about 7 KiB).
pub const MAX_TRUST_ROOT_LEN: usize = 4 * 1024 * 1024;

/// Most sibling hashes in an inclusion proof: 64, the height of a Merkle tree of 2^64 leaves
/// (RFC 9162 §2.1.3).
pub const MAX_INCLUSION_PROOF_HASHES: usize = 64;

/// Largest signed checkpoint (signed note) text: 64 KiB; a note has a few lines plus one
/// line per signature (log and witnesses), each under 200 bytes.
pub const MAX_CHECKPOINT_LEN: usize = 64 * 1024;

/// Most signature lines read from a signed note (log key plus witness cosignatures); C2SP
/// `signed-note` verifiers cap it similarly (Go's `note` package stops at 100).
pub const MAX_NOTE_SIGNATURES: usize = 100;

/// Largest Rekor `canonicalizedBody` (decoded): 4 MiB. Rekor v1 stores at most 100 KiB per
/// entry by default (`--max_request_body_size`), bodies here are under 5 KiB.
pub const MAX_REKOR_BODY_LEN: usize = 4 * 1024 * 1024;

/// Most subjects read from an in-toto statement in a bundle: 1024, as sigstore-go
/// (`maxAllowedSubjects`).
pub const MAX_STATEMENT_SUBJECTS: usize = 1024;

/// Largest Sigstore verification policy JSON (`sigstore::verify::Policy::from_json`): 64 KiB,
/// room for a public key PEM and a few dozen extension values.
pub const MAX_POLICY_LEN: usize = 64 * 1024;

/// Most SCTs read from one certificate's SCT list: 32 (Fulcio embeds one; browsers ask for 2-3).
pub const MAX_SCTS: usize = 32;

/// Longest OIDC identity token accepted by the keyless signer: 64 KiB. Real tokens (GitHub
/// Actions, Google, Dex) are 1-3 KiB; HTTP servers commonly cap a header line at 8-16 KiB.
pub const MAX_IDENTITY_TOKEN_LEN: usize = 64 * 1024;

/// Largest answer of a CI's identity-token endpoint (GitHub Actions' `{"value": "<jwt>"}`):
/// 80 KiB, a [`MAX_IDENTITY_TOKEN_LEN`] token plus room for the JSON around it.
pub const MAX_AMBIENT_TOKEN_RESPONSE_LEN: usize = 80 * 1024;

/// Largest Fulcio `signingCert` response: 64 KiB, as [`MAX_PEM_LEN`] (a PEM chain of two or
/// three certificates is about 3 KiB).
pub const MAX_FULCIO_RESPONSE_LEN: usize = 64 * 1024;

/// Largest Rekor entry-creation response: 8 MiB, a [`MAX_REKOR_BODY_LEN`] body in base64
/// (5.4 MiB) plus the SET, the inclusion proof ([`MAX_INCLUSION_PROOF_HASHES`] hashes) and the
/// checkpoint.
pub const MAX_REKOR_RESPONSE_LEN: usize = 8 * 1024 * 1024;

/// Caller-tunable limits. [`Limits::default`] is the set of constants above.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// See [`MAX_JSON_LEN`].
    pub json_len: usize,
    /// See [`MAX_JSON_DEPTH`].
    pub json_depth: usize,
    /// See [`MAX_DSSE_PAYLOAD_LEN`].
    pub dsse_payload_len: usize,
    /// See [`MAX_DSSE_SIGNATURES`].
    pub dsse_signatures: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            json_len: MAX_JSON_LEN,
            json_depth: MAX_JSON_DEPTH,
            dsse_payload_len: MAX_DSSE_PAYLOAD_LEN,
            dsse_signatures: MAX_DSSE_SIGNATURES,
        }
    }
}

/// What went over which limit: the one payload of every `LimitExceeded` error variant in the
/// `supply` crates, so that a message reads the same wherever a cap trips.
///
/// An error enum carries it as `#[error(transparent)] LimitExceeded(#[from] LimitExceeded)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimitExceeded {
    /// What was being read or counted, named as a user would look for it
    /// (`"bundle JSON"`, `"transparency-log entries"`).
    pub what: &'static str,
    /// The limit in force (bytes, entries, depth: the unit `what` implies).
    pub limit: u64,
    /// What was seen, when known. A stream is refused at the first byte past the limit, so its
    /// full size is unknown.
    pub actual: Option<u64>,
}

impl LimitExceeded {
    /// `what` went over `limit`; `actual` is unknown (a stream cut at the limit).
    pub fn new(what: &'static str, limit: impl TryInto<u64>) -> Self {
        Self {
            what,
            limit: limit.try_into().unwrap_or(u64::MAX),
            actual: None,
        }
    }

    /// The same, with the size or count that was seen.
    #[must_use]
    pub fn with_actual(mut self, actual: impl TryInto<u64>) -> Self {
        self.actual = Some(actual.try_into().unwrap_or(u64::MAX));
        self
    }
}

impl core::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.actual {
            Some(actual) => write!(
                f,
                "{} exceeds the limit of {} ({actual})",
                self.what, self.limit
            ),
            None => write!(f, "{} exceeds the limit of {}", self.what, self.limit),
        }
    }
}

impl std::error::Error for LimitExceeded {}

#[cfg(test)]
mod tests {
    use super::LimitExceeded;

    #[test]
    fn limit_exceeded_names_what_limit_and_actual_once() {
        let e = LimitExceeded::new("bundle JSON", 10usize).with_actual(11u64);
        assert_eq!(e.to_string(), "bundle JSON exceeds the limit of 10 (11)");
        assert_eq!(
            LimitExceeded::new("tlog entries", 32usize).to_string(),
            "tlog entries exceeds the limit of 32"
        );
    }
}
