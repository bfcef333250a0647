//! Content digests: the one digest type of every `supply` crate.
//!
//! [`Digest`] follows the strict OCI descriptor grammar for the algorithms it knows:
//! `sha256:` followed by exactly 64 lowercase hex characters, `sha384:` by 96 and `sha512:` by 128
//! (OCI image-spec `descriptor.md`, "Registered algorithms"). Anything else is an [`Error`].
//!
//! ```
//! use supply_sig::digest::{Algorithm, Digest, Hasher};
//! use std::io::Write;
//!
//! let d: Digest = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".parse()?;
//! let mut h = Hasher::new(Algorithm::Sha256);
//! h.write_all(b"ab")?;
//! h.write_all(b"c")?;
//! assert_eq!(h.finish(), d);
//! assert!(Digest::parse("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;

use base64::Engine as _;
use sha2::Digest as _;
use subtle::ConstantTimeEq;

use crate::alg::HashContext;
use crate::limits::{LimitExceeded, DIGEST_READ_BUFFER_LEN};

/// The digest algorithm vocabulary lives in [`crate::alg`] (the bottom of the crate); this path
/// keeps working.
pub use crate::alg::Algorithm;

/// Errors from parsing digests or hashing bounded input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The string has no `:` between the algorithm and the encoded value.
    #[error("the digest has no `:` between the algorithm and the hex value")]
    MissingSeparator,
    /// The algorithm part is not an OCI `algorithm` (`[a-z0-9]+` components joined by `+._-`).
    #[error("the digest algorithm {name:?} is not of the form [a-z0-9]+ joined by + . _ or -")]
    InvalidAlgorithmName {
        /// The algorithm part (at most 80 characters of it).
        name: String,
    },
    /// The algorithm is not one this crate implements.
    #[error("unsupported digest algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// The encoded part has the wrong length or characters for its algorithm.
    #[error("invalid {algorithm} digest: expected {expected} lowercase hex characters")]
    InvalidEncoding {
        /// The algorithm named in the digest.
        algorithm: Algorithm,
        /// The number of hex characters the algorithm requires.
        expected: usize,
    },
    /// Raw digest bytes of the wrong length.
    #[error("{algorithm} digest must be {expected} bytes, got {actual}")]
    InvalidLength {
        /// The algorithm.
        algorithm: Algorithm,
        /// Required length in bytes.
        expected: usize,
        /// Length given.
        actual: usize,
    },
    /// A bounded read saw more bytes than allowed.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// Reading the input to hash failed.
    #[error("reading the input to hash")]
    Io(#[from] io::Error),
}

impl Algorithm {
    /// Hashes `data` in one call with the built-in implementation.
    pub fn digest(self, data: &[u8]) -> Digest {
        let mut h = Hasher::new(self);
        h.update(data);
        h.finish()
    }
}

/// The largest output of any [`Algorithm`].
const MAX_OUTPUT: usize = 64;

/// A digest value: an algorithm and its output bytes.
///
/// Equality is constant-time over the bytes (the algorithm is public).
#[derive(Clone, Copy)]
pub struct Digest {
    algorithm: Algorithm,
    bytes: [u8; MAX_OUTPUT],
}

impl Digest {
    /// Builds a digest from raw output bytes, which must have the algorithm's length.
    ///
    /// # Errors
    /// [`Error::InvalidLength`] when `bytes` is not [`Algorithm::output_len`] long.
    pub fn from_bytes(algorithm: Algorithm, bytes: &[u8]) -> Result<Self, Error> {
        let expected = algorithm.output_len();
        if bytes.len() != expected {
            return Err(Error::InvalidLength {
                algorithm,
                expected,
                actual: bytes.len(),
            });
        }
        let mut out = [0u8; MAX_OUTPUT];
        out[..expected].copy_from_slice(bytes);
        Ok(Self {
            algorithm,
            bytes: out,
        })
    }

    /// Builds a digest from lowercase hex (the form TUF and in-toto digest sets use).
    ///
    /// # Errors
    /// [`Error::InvalidEncoding`] unless `hex` is exactly `2 × output_len` lowercase hex digits.
    pub fn from_hex(algorithm: Algorithm, hex: &str) -> Result<Self, Error> {
        let expected = algorithm.output_len() * 2;
        let bad = || Error::InvalidEncoding {
            algorithm,
            expected,
        };
        if hex.len() != expected || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(bad());
        }
        let mut out = [0u8; MAX_OUTPUT];
        hex::decode_to_slice(hex, &mut out[..expected / 2]).map_err(|_| bad())?;
        Ok(Self {
            algorithm,
            bytes: out,
        })
    }

    /// Parses `algorithm:hex` with the strict OCI grammar.
    ///
    /// # Errors
    /// [`Error::MissingSeparator`], [`Error::InvalidAlgorithmName`], [`Error::UnsupportedAlgorithm`] or [`Error::InvalidEncoding`].
    pub fn parse(s: &str) -> Result<Self, Error> {
        let Some((alg, enc)) = s.split_once(':') else {
            return Err(Error::MissingSeparator);
        };
        let algorithm = Algorithm::from_name(alg).ok_or_else(|| {
            if is_oci_algorithm_component(alg) {
                Error::UnsupportedAlgorithm(truncate(alg))
            } else {
                Error::InvalidAlgorithmName {
                    name: truncate(alg),
                }
            }
        })?;
        Self::from_hex(algorithm, enc)
    }

    /// The algorithm.
    pub const fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The raw output bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.algorithm.output_len()]
    }

    /// Lowercase hex of the output bytes, without the algorithm prefix.
    pub fn hex(&self) -> String {
        hex::encode(self.as_bytes())
    }

    /// Standard base64 (with padding) of the output bytes, as Rekor and Sigstore bundles carry it.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.as_bytes())
    }

    /// Compares with raw bytes in constant time (a length mismatch is simply unequal).
    pub fn ct_eq_bytes(&self, other: &[u8]) -> bool {
        self.as_bytes().ct_eq(other).into()
    }
}

/// Keeps error messages bounded when they echo hostile input.
fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// OCI `algorithm-component`: `[a-z0-9]+`, separated by `[+._-]`.
fn is_oci_algorithm_component(s: &str) -> bool {
    !s.is_empty()
        && s.split(['+', '.', '_', '-']).all(|c| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

impl PartialEq for Digest {
    fn eq(&self, other: &Self) -> bool {
        self.algorithm == other.algorithm && self.as_bytes().ct_eq(other.as_bytes()).into()
    }
}
impl Eq for Digest {}

impl std::hash::Hash for Digest {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.algorithm.hash(state);
        self.as_bytes().hash(state);
    }
}

impl PartialOrd for Digest {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Digest {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.algorithm, self.as_bytes()).cmp(&(other.algorithm, other.as_bytes()))
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl FromStr for Digest {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A hash computation in progress, usable as an [`io::Write`] sink.
///
/// The built-in algorithms are stored inline (no allocation, no dynamic dispatch); a crypto
/// backend may supply its own context through [`Hasher::from_context`].
pub struct Hasher {
    inner: Inner,
}

enum Inner {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
    Backend(Algorithm, Box<dyn HashContext>),
}

impl Hasher {
    /// Starts a hash with the built-in (RustCrypto `sha2`, SHA-NI accelerated) implementation.
    pub fn new(algorithm: Algorithm) -> Self {
        let inner = match algorithm {
            Algorithm::Sha256 => Inner::Sha256(sha2::Sha256::new()),
            Algorithm::Sha384 => Inner::Sha384(sha2::Sha384::new()),
            Algorithm::Sha512 => Inner::Sha512(sha2::Sha512::new()),
        };
        Self { inner }
    }

    /// Wraps a backend's hash context (a `crypto::HashProvider` hands these out).
    pub fn from_context(algorithm: Algorithm, ctx: Box<dyn HashContext>) -> Self {
        Self {
            inner: Inner::Backend(algorithm, ctx),
        }
    }

    /// The algorithm being computed.
    pub fn algorithm(&self) -> Algorithm {
        match &self.inner {
            Inner::Sha256(_) => Algorithm::Sha256,
            Inner::Sha384(_) => Algorithm::Sha384,
            Inner::Sha512(_) => Algorithm::Sha512,
            Inner::Backend(a, _) => *a,
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.inner {
            Inner::Sha256(h) => h.update(data),
            Inner::Sha384(h) => h.update(data),
            Inner::Sha512(h) => h.update(data),
            Inner::Backend(_, h) => h.update(data),
        }
    }

    /// Finishes the computation.
    pub fn finish(self) -> Digest {
        let mut bytes = [0u8; MAX_OUTPUT];
        let algorithm = self.algorithm();
        match self.inner {
            Inner::Sha256(h) => bytes[..32].copy_from_slice(&h.finalize()),
            Inner::Sha384(h) => bytes[..48].copy_from_slice(&h.finalize()),
            Inner::Sha512(h) => bytes[..64].copy_from_slice(&h.finalize()),
            Inner::Backend(_, h) => {
                let n = algorithm.output_len();
                h.finish(&mut bytes[..n]);
            }
        }
        Digest { algorithm, bytes }
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hasher")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Hashes everything `reader` yields, refusing more than `max_bytes` bytes.
///
/// Memory use is constant (one [`DIGEST_READ_BUFFER_LEN`] buffer) whatever the input size. Returns the digest and
/// the number of bytes read.
///
/// # Errors
/// [`Error::LimitExceeded`] past `max_bytes`, [`Error::Io`] when the reader fails.
pub fn digest_reader<R: Read>(
    hasher: Hasher,
    mut reader: R,
    max_bytes: u64,
) -> Result<(Digest, u64), Error> {
    let mut hasher = hasher;
    let mut buf = vec![0u8; DIGEST_READ_BUFFER_LEN];
    let mut total: u64 = 0;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        };
        total = total.saturating_add(n as u64);
        if total > max_bytes {
            return Err(LimitExceeded::new("input to hash (bytes)", max_bytes).into());
        }
        hasher.update(&buf[..n]);
    }
    Ok((hasher.finish(), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_grammar() {
        let good = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let d = Digest::parse(good).unwrap();
        assert_eq!(d.to_string(), good);
        assert_eq!(d, Algorithm::Sha256.digest(b"abc"));
        for bad in [
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015adff",
            "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
            "SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "sha256ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
            "",
            ":",
        ] {
            assert!(Digest::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            Digest::parse("md5:d41d8cd98f00b204e9800998ecf8427e"),
            Err(Error::UnsupportedAlgorithm(_))
        ));
    }

    #[test]
    fn reader_cap() {
        let data = vec![7u8; 1000];
        let (d, n) = digest_reader(Hasher::new(Algorithm::Sha512), &data[..], 1000).unwrap();
        assert_eq!(n, 1000);
        assert_eq!(d, Algorithm::Sha512.digest(&data));
        assert!(matches!(
            digest_reader(Hasher::new(Algorithm::Sha256), &data[..], 999),
            Err(Error::LimitExceeded(LimitExceeded { limit: 999, .. }))
        ));
    }

    #[test]
    fn serde_roundtrip() {
        let d = Algorithm::Sha384.digest(b"x");
        let j = serde_json::to_string(&d).unwrap();
        let back: Digest = serde_json::from_str(&j).unwrap();
        assert_eq!(d, back);
        assert_eq!(d.to_base64().len(), 64);
    }

    #[test]
    fn errors_name_each_cause_once() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let err = digest_reader(Hasher::new(Algorithm::Sha256), Broken, 10).unwrap_err();
        let chain = format!("{:#}", anyhow::Error::new(err));
        assert_eq!(chain, "reading the input to hash: disk on fire");
        let err = digest_reader(Hasher::new(Algorithm::Sha256), &[0u8; 11][..], 10).unwrap_err();
        let chain = format!("{:#}", anyhow::Error::new(err));
        assert_eq!(
            chain.matches("exceeds the limit of 10").count(),
            1,
            "{chain}"
        );
        for (input, text) in [
            ("sha256", "has no `:`"),
            ("SHA256:00", "\"SHA256\" is not of the form"),
            ("md5:00", "\"md5\""),
        ] {
            let chain = format!(
                "{:#}",
                anyhow::Error::new(Digest::parse(input).unwrap_err())
            );
            assert_eq!(chain.matches(text).count(), 1, "{chain}");
        }
    }
}
