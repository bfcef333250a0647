//! OpenSSH public keys: `authorized_keys` / `.pub` lines and the SSH wire encoding (RFC 4253
//! §6.6, RFC 5656 §3.1, RFC 8709 §4).
//!
//! A line is `<type> <base64 wire blob> [comment]`. The type inside the blob must equal the
//! line's type. Supported: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ecdsa-sha2-nistp384` and
//! `ssh-rsa`. `authorized_keys` options before the type are not accepted. Every length prefix is
//! bounded by the bytes that remain, and the blob must be consumed exactly.

use base64::Engine as _;

use crate::key::{Error, KeyAlgorithm, PublicKey};
use crate::limits::{self, LimitExceeded};

const FORMAT: &str = "OpenSSH public key";

fn invalid() -> Error {
    Error::InvalidEncoding { format: FORMAT }
}

/// The OpenSSH key type name of an algorithm (`ssh-ed25519`, `ecdsa-sha2-nistp256` ...).
pub const fn key_type_name(algorithm: KeyAlgorithm) -> &'static str {
    match algorithm {
        KeyAlgorithm::EcdsaP256 => "ecdsa-sha2-nistp256",
        KeyAlgorithm::EcdsaP384 => "ecdsa-sha2-nistp384",
        KeyAlgorithm::Ed25519 => "ssh-ed25519",
        KeyAlgorithm::Rsa => "ssh-rsa",
    }
}

fn algorithm_of(name: &[u8]) -> Option<KeyAlgorithm> {
    match name {
        b"ecdsa-sha2-nistp256" => Some(KeyAlgorithm::EcdsaP256),
        b"ecdsa-sha2-nistp384" => Some(KeyAlgorithm::EcdsaP384),
        b"ssh-ed25519" => Some(KeyAlgorithm::Ed25519),
        b"ssh-rsa" => Some(KeyAlgorithm::Rsa),
        _ => None,
    }
}

/// A bounded reader over the SSH wire encoding (RFC 4251 §5).
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn string(&mut self) -> Result<&'a [u8], Error> {
        let (len, rest) = self.rest.split_first_chunk::<4>().ok_or_else(invalid)?;
        let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| invalid())?;
        if len > rest.len() {
            return Err(invalid());
        }
        let (s, rest) = rest.split_at(len);
        self.rest = rest;
        Ok(s)
    }

    /// A positive `mpint` in minimal two's-complement form; returns its unsigned magnitude.
    fn positive_mpint(&mut self) -> Result<&'a [u8], Error> {
        let bytes = self.string()?;
        match bytes {
            [] => Err(invalid()),
            [b, ..] if b & 0x80 != 0 => Err(invalid()),
            [0] => Err(invalid()),
            [0, b, ..] if b & 0x80 == 0 => Err(invalid()),
            [0, rest @ ..] => Ok(rest),
            _ => Ok(bytes),
        }
    }

    fn finish(&self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(invalid())
        }
    }
}

fn put_string(out: &mut Vec<u8>, s: &[u8]) -> Result<(), Error> {
    let len = u32::try_from(s.len()).map_err(|_| invalid())?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s);
    Ok(())
}

fn put_mpint(out: &mut Vec<u8>, magnitude: &[u8]) -> Result<(), Error> {
    let start = magnitude
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(magnitude.len());
    let m = &magnitude[start..];
    if m.first().is_some_and(|b| b & 0x80 != 0) {
        let len = u32::try_from(m.len() + 1).map_err(|_| invalid())?;
        out.extend_from_slice(&len.to_be_bytes());
        out.push(0);
        out.extend_from_slice(m);
        Ok(())
    } else {
        put_string(out, m)
    }
}

fn curve_name(algorithm: KeyAlgorithm) -> &'static [u8] {
    match algorithm {
        KeyAlgorithm::EcdsaP384 => b"nistp384",
        _ => b"nistp256",
    }
}

/// Reads a public key from its SSH wire encoding (the base64-decoded middle of a `.pub` line).
///
/// # Errors
/// [`Error::LimitExceeded`] above [`limits::MAX_SSH_LINE_LEN`], [`Error::UnsupportedAlgorithm`] for other
/// key types, [`Error::InvalidEncoding`] for bad length prefixes, a curve name that does not match
/// the type, non-minimal or negative integers, or trailing bytes; the key constructors' errors.
pub fn public_key_from_wire(blob: &[u8]) -> Result<PublicKey, Error> {
    if blob.len() > limits::MAX_SSH_LINE_LEN {
        return Err(
            LimitExceeded::new("OpenSSH public key blob", limits::MAX_SSH_LINE_LEN)
                .with_actual(blob.len())
                .into(),
        );
    }
    let mut r = Reader { rest: blob };
    let name = r.string()?;
    let algorithm = algorithm_of(name).ok_or_else(|| {
        Error::unsupported(
            FORMAT,
            "key type",
            &String::from_utf8_lossy(&name[..name.len().min(64)]),
        )
    })?;
    let key = match algorithm {
        KeyAlgorithm::Ed25519 => PublicKey::from_ed25519_bytes(r.string()?)?,
        KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 => {
            if r.string()? != curve_name(algorithm) {
                return Err(invalid());
            }
            let point = r.string()?;
            // RFC 5656 §3.1: the point is uncompressed (SEC1 §2.3.3).
            let field = algorithm.ecdsa_field_len().unwrap_or(0);
            if point.len() != 1 + 2 * field || point.first() != Some(&0x04) {
                return Err(invalid());
            }
            PublicKey::from_sec1_point(algorithm, point)?
        }
        KeyAlgorithm::Rsa => {
            // RFC 4253 §6.6: e, then n.
            let e = r.positive_mpint()?;
            let n = r.positive_mpint()?;
            let pkcs1 = pkcs1::RsaPublicKey {
                modulus: ::der::asn1::UintRef::new(n).map_err(|_| invalid())?,
                public_exponent: ::der::asn1::UintRef::new(e).map_err(|_| invalid())?,
            };
            let der = ::der::Encode::to_der(&pkcs1).map_err(|_| invalid())?;
            PublicKey::from_pkcs1_der(&der)?
        }
    };
    r.finish()?;
    Ok(key)
}

/// Writes a public key in the SSH wire encoding.
///
/// # Errors
/// [`Error::InvalidKey`] only if the stored RSA material cannot be re-read (an internal invariant).
pub fn public_key_to_wire(key: &PublicKey) -> Result<Vec<u8>, Error> {
    let algorithm = key.algorithm();
    let mut out = Vec::with_capacity(key.material().len() + 64);
    put_string(&mut out, key_type_name(algorithm).as_bytes())?;
    match algorithm {
        KeyAlgorithm::Ed25519 => put_string(&mut out, key.material())?,
        KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 => {
            put_string(&mut out, curve_name(algorithm))?;
            put_string(&mut out, key.material())?;
        }
        KeyAlgorithm::Rsa => {
            let pk = <pkcs1::RsaPublicKey<'_> as ::der::Decode<'_>>::from_der(key.material())
                .map_err(|_| Error::InvalidKey("stored RSA key material"))?;
            put_mpint(&mut out, pk.public_exponent.as_bytes())?;
            put_mpint(&mut out, pk.modulus.as_bytes())?;
        }
    }
    Ok(out)
}

/// An OpenSSH public key line: the key and its optional comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshPublicKey {
    key: PublicKey,
    comment: Option<String>,
}

impl SshPublicKey {
    /// Pairs a key with an optional comment.
    pub fn new(key: PublicKey, comment: Option<String>) -> Self {
        Self { key, comment }
    }

    /// Parses one line (`<type> <base64> [comment]`; surrounding whitespace and a final line
    /// break are ignored).
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] above [`limits::MAX_SSH_LINE_LEN`], [`Error::InvalidEncoding`]
    /// for a malformed line, bad base64, or a blob whose type differs from the line's, plus the
    /// errors of [`public_key_from_wire`].
    pub fn parse(line: &[u8]) -> Result<Self, Error> {
        if line.len() > limits::MAX_SSH_LINE_LEN {
            return Err(
                LimitExceeded::new("OpenSSH public key line", limits::MAX_SSH_LINE_LEN)
                    .with_actual(line.len())
                    .into(),
            );
        }
        let line = std::str::from_utf8(line).map_err(|_| invalid())?.trim();
        if line.contains(['\n', '\r']) {
            return Err(invalid());
        }
        let (kind, rest) = line.split_once([' ', '\t']).ok_or_else(invalid)?;
        let rest = rest.trim_start();
        let (b64, comment) = match rest.split_once([' ', '\t']) {
            Some((b64, c)) => (b64, Some(c.trim()).filter(|c| !c.is_empty())),
            None => (rest, None),
        };
        let algorithm = algorithm_of(kind.as_bytes())
            .ok_or_else(|| Error::unsupported(FORMAT, "key type", kind))?;
        let blob = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| invalid())?;
        let key = public_key_from_wire(&blob)?;
        if key.algorithm() != algorithm {
            return Err(invalid());
        }
        Ok(Self {
            key,
            comment: comment.map(str::to_owned),
        })
    }

    /// The key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// Takes the key.
    pub fn into_key(self) -> PublicKey {
        self.key
    }

    /// The comment, if any.
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }

    /// Writes the line back (`<type> <base64>[ <comment>]`, no line break).
    ///
    /// # Errors
    /// [`Error::CommentLineBreak`] when the comment contains a line break, plus the errors of
    /// [`public_key_to_wire`].
    pub fn to_line(&self) -> Result<String, Error> {
        let blob = public_key_to_wire(&self.key)?;
        let mut line = format!(
            "{} {}",
            key_type_name(self.key.algorithm()),
            base64::engine::general_purpose::STANDARD.encode(blob)
        );
        if let Some(c) = &self.comment {
            if c.contains(['\n', '\r']) {
                return Err(Error::CommentLineBreak);
            }
            line.push(' ');
            line.push_str(c);
        }
        Ok(line)
    }
}

/// Parses an OpenSSH public key line and returns the key (the comment is dropped).
///
/// # Errors
/// As [`SshPublicKey::parse`].
pub fn public_key_from_line(line: &[u8]) -> Result<PublicKey, Error> {
    SshPublicKey::parse(line).map(SshPublicKey::into_key)
}

/// Writes a public key as an OpenSSH line without a comment.
///
/// # Errors
/// As [`public_key_to_wire`].
pub fn public_key_to_line(key: &PublicKey) -> Result<String, Error> {
    SshPublicKey::new(key.clone(), None).to_line()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const ED: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA7uY4ptpKW2zrCtM4+P7/N8H52gMh+Q2VkBmthLby35";

    #[test]
    fn round_trip_with_comment() {
        let k = SshPublicKey::parse(format!("{ED}  me@host laptop\n").as_bytes()).unwrap();
        assert_eq!(k.comment(), Some("me@host laptop"));
        assert_eq!(k.to_line().unwrap(), format!("{ED} me@host laptop"));
        assert_eq!(public_key_to_line(k.key()).unwrap(), ED);
    }

    #[test]
    fn bad_length_prefixes_are_errors() {
        let blob = base64::engine::general_purpose::STANDARD
            .decode(ED.split(' ').nth(1).unwrap())
            .unwrap();
        assert!(public_key_from_wire(&blob).is_ok());
        for n in 0..blob.len() {
            assert!(public_key_from_wire(&blob[..n]).is_err());
        }
        let mut long = blob.clone();
        long.push(0);
        assert!(public_key_from_wire(&long).is_err());
        for len in [u32::MAX, 0x8000_0000, 12, 100] {
            let mut b = blob.clone();
            b[..4].copy_from_slice(&len.to_be_bytes());
            assert!(public_key_from_wire(&b).is_err());
            let mut b = blob.clone();
            b[15..19].copy_from_slice(&len.to_be_bytes());
            assert!(public_key_from_wire(&b).is_err());
        }
    }

    #[test]
    fn type_mismatch_is_an_error() {
        let line = ED.replace("ssh-ed25519", "ssh-rsa");
        assert!(SshPublicKey::parse(line.as_bytes()).is_err());
        assert!(SshPublicKey::parse(b"ssh-dss AAAA").is_err());
        assert!(SshPublicKey::parse(b"ssh-ed25519").is_err());
        assert!(SshPublicKey::parse(b"ssh-ed25519 !!!").is_err());
        let huge = vec![b'A'; limits::MAX_SSH_LINE_LEN + 1];
        assert!(matches!(
            SshPublicKey::parse(&huge),
            Err(Error::LimitExceeded(_))
        ));
    }

    #[test]
    fn mpint_rules() {
        let mut r = Reader {
            rest: &[0, 0, 0, 2, 0, 0x80],
        };
        assert_eq!(r.positive_mpint().unwrap(), &[0x80]);
        for bad in [
            &[0, 0, 0, 1, 0x80][..],
            &[0, 0, 0, 2, 0, 0x7f],
            &[0, 0, 0, 0],
            &[0, 0, 0, 1, 0],
        ] {
            assert!(Reader { rest: bad }.positive_mpint().is_err());
        }
        let mut out = Vec::new();
        put_mpint(&mut out, &[0x80, 1]).unwrap();
        assert_eq!(out, [0, 0, 0, 3, 0, 0x80, 1]);
    }
}
