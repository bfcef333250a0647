//! PEM (RFC 7468) text encoding of keys.
//!
//! Reading accepts exactly one PEM block, with explanatory text before and after it ignored
//! (RFC 7468 §5.2), `\n` or `\r\n` line endings and any line width. The body must be canonical
//! standard base64. Labels accepted:
//!
//! | label | contents |
//! |---|---|
//! | `PUBLIC KEY` | SubjectPublicKeyInfo (RFC 5280) |
//! | `RSA PUBLIC KEY` | PKCS#1 `RSAPublicKey` (RFC 8017 A.1.1) |
//! | `PRIVATE KEY` | PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` v1 or v2 (RFC 5208, RFC 5958) |
//! | `ENCRYPTED PRIVATE KEY` | PKCS#8 `EncryptedPrivateKeyInfo` with PBES2 (RFC 8018) |
//! | `EC PRIVATE KEY` | SEC1 `ECPrivateKey` (RFC 5915) |
//! | `RSA PRIVATE KEY` | PKCS#1 `RSAPrivateKey` (RFC 8017 A.1.2) |
//!
//! **Policy:** legacy OpenSSL PEM encryption (`Proc-Type: 4,ENCRYPTED` and `DEK-Info` headers,
//! RFC 1421) is refused with [`Error::Unsupported`]: its key derivation is one round of MD5
//! (`EVP_BytesToKey`). Convert such keys with `openssl pkcs8 -topk8`.
//!
//! Writing produces `\n` line endings and 64-character lines, as OpenSSL and Go do.

use base64::Engine as _;
use zeroize::Zeroizing;

use super::der as keyder;
use crate::key::{Error, PrivateKey, PublicKey};
use crate::limits;

/// Label of a SubjectPublicKeyInfo.
pub const PUBLIC_KEY_LABEL: &str = "PUBLIC KEY";
/// Label of a PKCS#1 RSA public key.
pub const RSA_PUBLIC_KEY_LABEL: &str = "RSA PUBLIC KEY";
/// Label of an unencrypted PKCS#8 private key.
pub const PRIVATE_KEY_LABEL: &str = "PRIVATE KEY";
/// Label of an encrypted PKCS#8 private key.
pub const ENCRYPTED_PRIVATE_KEY_LABEL: &str = "ENCRYPTED PRIVATE KEY";
/// Label of a SEC1 EC private key.
pub const EC_PRIVATE_KEY_LABEL: &str = "EC PRIVATE KEY";
/// Label of a PKCS#1 RSA private key.
pub const RSA_PRIVATE_KEY_LABEL: &str = "RSA PRIVATE KEY";

/// Longest label accepted (the longest real one, "ENCRYPTED SIGSTORE PRIVATE KEY", is 30).
const MAX_LABEL_LEN: usize = 64;

const FORMAT: &str = "PEM";

/// One decoded PEM block: its label, its RFC 1421 headers (if any) and its binary contents.
///
/// The contents are zeroized on drop, since they may be a private key.
#[derive(Clone)]
pub struct Block {
    label: String,
    headers: Vec<(String, String)>,
    contents: Zeroizing<Vec<u8>>,
}

impl Block {
    /// The label between `-----BEGIN ` and `-----`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// RFC 1421 headers (`Proc-Type`, `DEK-Info` ...) as `(name, value)`, in order. Empty for
    /// RFC 7468 documents.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Whether the block uses legacy OpenSSL encryption (`Proc-Type: 4,ENCRYPTED`).
    pub fn is_legacy_encrypted(&self) -> bool {
        self.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("Proc-Type") && v.contains("ENCRYPTED"))
    }

    /// The decoded base64 body.
    pub fn contents(&self) -> &[u8] {
        &self.contents
    }
}

impl std::fmt::Debug for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Block")
            .field("label", &self.label)
            .field("headers", &self.headers)
            .field("len", &self.contents.len())
            .finish_non_exhaustive()
    }
}

/// Whether `text` looks like PEM (contains a `-----BEGIN ` line), without decoding it.
pub fn looks_like_pem(text: &[u8]) -> bool {
    text.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Decodes the single PEM block in `text`.
///
/// # Errors
/// [`Error::LimitExceeded`] above [`limits::MAX_PEM_LEN`]; [`Error::InvalidEncoding`] when there
/// is no block, no matching end line, more than one block, or the body is not canonical base64.
pub fn decode(text: &[u8]) -> Result<Block, Error> {
    if text.len() > limits::MAX_PEM_LEN {
        return Err(Error::LimitExceeded {
            what: "PEM document",
            limit: limits::MAX_PEM_LEN,
        });
    }
    let invalid = || Error::InvalidEncoding { format: FORMAT };
    let text = std::str::from_utf8(text).map_err(|_| invalid())?;
    let mut lines = text.lines().map(str::trim);
    // Explanatory text before the block is ignored (RFC 7468 §5.2).
    let label = loop {
        let line = lines.next().ok_or_else(invalid)?;
        if let Some(rest) = line.strip_prefix("-----BEGIN ") {
            let label = rest.strip_suffix("-----").ok_or_else(invalid)?;
            if label.is_empty()
                || label.len() > MAX_LABEL_LEN
                || !label.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
                || label.contains("-----")
            {
                return Err(invalid());
            }
            break label;
        }
    };
    let end_line = format!("-----END {label}-----");
    let mut headers = Vec::new();
    let mut body = Zeroizing::new(String::new());
    let mut in_headers = true;
    let mut ended = false;
    for line in lines.by_ref() {
        if line == end_line {
            ended = true;
            break;
        }
        if line.starts_with("-----") {
            return Err(invalid());
        }
        if in_headers {
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
                continue;
            }
            in_headers = false;
            if line.is_empty() && !headers.is_empty() {
                // The blank line that ends RFC 1421 headers.
                continue;
            }
        }
        body.push_str(line);
    }
    if !ended {
        return Err(invalid());
    }
    // A second block would be ambiguous: which key did the caller mean?
    if lines.any(|l| l.starts_with("-----BEGIN ")) {
        return Err(invalid());
    }
    let contents = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|_| invalid())?;
    Ok(Block {
        label: label.to_owned(),
        headers,
        contents: Zeroizing::new(contents),
    })
}

/// Encodes `contents` as a PEM block with `label`, 64-character lines and `\n` line endings.
pub fn encode(label: &str, contents: &[u8]) -> String {
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(contents));
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    // base64 output is ASCII, so every 64-byte chunk is valid UTF-8.
    for chunk in b64.as_bytes().chunks(64) {
        out.extend(chunk.iter().map(|&b| char::from(b)));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

fn unexpected(label: &str) -> Error {
    Error::UnexpectedPemLabel {
        label: label.chars().take(MAX_LABEL_LEN).collect(),
    }
}

fn refuse_headers(block: &Block) -> Result<(), Error> {
    if block.is_legacy_encrypted() {
        return Err(Error::Unsupported(
            "legacy OpenSSL PEM encryption (Proc-Type/DEK-Info, MD5 key derivation) is refused; \
             convert the key with `openssl pkcs8 -topk8`"
                .into(),
        ));
    }
    if !block.headers.is_empty() {
        return Err(Error::InvalidEncoding { format: FORMAT });
    }
    Ok(())
}

/// Reads a public key from a `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1) PEM document.
///
/// # Errors
/// [`Error::UnexpectedPemLabel`] for other labels, plus the errors of [`decode`],
/// [`PublicKey::from_spki_der`] and [`PublicKey::from_pkcs1_der`].
pub fn public_key_from_pem(text: &[u8]) -> Result<PublicKey, Error> {
    let block = decode(text)?;
    public_key_from_block(&block)
}

/// Reads a public key from an already decoded PEM block; see [`public_key_from_pem`].
///
/// # Errors
/// As [`public_key_from_pem`].
pub fn public_key_from_block(block: &Block) -> Result<PublicKey, Error> {
    refuse_headers(block)?;
    match block.label() {
        PUBLIC_KEY_LABEL => PublicKey::from_spki_der(block.contents()),
        RSA_PUBLIC_KEY_LABEL => keyder::public_key_from_pkcs1_der(block.contents()),
        other => Err(unexpected(other)),
    }
}

/// Reads a private key from a PEM document: `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY` (needs
/// `password`), `EC PRIVATE KEY` or `RSA PRIVATE KEY`. A password given for an unencrypted key
/// is ignored.
///
/// # Errors
/// [`Error::PasswordRequired`] for an encrypted key without a password, [`Error::Decryption`] for a
/// wrong one, [`Error::Unsupported`] for legacy `Proc-Type: 4,ENCRYPTED` PEM,
/// [`Error::UnexpectedPemLabel`] for other labels, plus the errors of [`decode`] and of the
/// [`der`](super::der) readers.
pub fn private_key_from_pem(text: &[u8], password: Option<&[u8]>) -> Result<PrivateKey, Error> {
    let block = decode(text)?;
    private_key_from_block(&block, password)
}

/// Reads a private key from an already decoded PEM block; see [`private_key_from_pem`].
///
/// # Errors
/// As [`private_key_from_pem`].
pub fn private_key_from_block(block: &Block, password: Option<&[u8]>) -> Result<PrivateKey, Error> {
    refuse_headers(block)?;
    let der = block.contents();
    match block.label() {
        PRIVATE_KEY_LABEL => keyder::private_key_from_pkcs8_der(der),
        ENCRYPTED_PRIVATE_KEY_LABEL => {
            let password = password.ok_or(Error::PasswordRequired)?;
            keyder::private_key_from_encrypted_pkcs8_der(der, password)
        }
        EC_PRIVATE_KEY_LABEL => keyder::private_key_from_sec1_der(der),
        RSA_PRIVATE_KEY_LABEL => keyder::private_key_from_pkcs1_der(der),
        other => Err(unexpected(other)),
    }
}

/// Writes a public key as a `PUBLIC KEY` (SPKI) PEM document.
pub fn public_key_to_pem(key: &PublicKey) -> String {
    encode(PUBLIC_KEY_LABEL, key.spki_der())
}

/// Writes a private key as an unencrypted `PRIVATE KEY` (PKCS#8 v1) PEM document.
///
/// # Errors
/// As [`super::der::private_key_to_pkcs8_der`].
pub fn private_key_to_pem(key: &PrivateKey) -> Result<Zeroizing<String>, Error> {
    let der = keyder::private_key_to_pkcs8_der(key)?;
    Ok(Zeroizing::new(encode(PRIVATE_KEY_LABEL, &der)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        let data: Vec<u8> = (0..=255u8).collect();
        let text = encode("TEST", &data);
        assert!(text.lines().all(|l| l.len() <= 64));
        let block = decode(text.as_bytes()).unwrap();
        assert_eq!(block.label(), "TEST");
        assert_eq!(block.contents(), &data[..]);
        // CRLF and surrounding text are accepted.
        let crlf = format!("hello\r\n{}trailing\r\n", text.replace('\n', "\r\n"));
        assert_eq!(decode(crlf.as_bytes()).unwrap().contents(), &data[..]);
    }

    #[test]
    fn malformed_pem_is_an_error() {
        for bad in [
            &b""[..],
            b"-----BEGIN X-----\nAAAA\n",
            b"-----BEGIN X-----\nAAAA\n-----END Y-----\n",
            b"-----BEGIN X-----\nA!AA\n-----END X-----\n",
            b"-----BEGIN X-----\nAAA\n-----END X-----\n",
            b"-----BEGIN -----\n-----END -----\n",
            b"-----BEGIN X-----\nAAAA\n-----END X-----\n-----BEGIN X-----\nAAAA\n-----END X-----\n",
            b"\xff\xfe",
        ] {
            assert!(decode(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let huge = vec![b'A'; limits::MAX_PEM_LEN + 1];
        assert!(matches!(decode(&huge), Err(Error::LimitExceeded { .. })));
    }

    #[test]
    fn legacy_encryption_is_refused() {
        let text = b"-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAAA\n-----END EC PRIVATE KEY-----\n";
        let block = decode(text).unwrap();
        assert!(block.is_legacy_encrypted());
        assert!(matches!(
            private_key_from_pem(text, Some(b"pw")),
            Err(Error::Unsupported(_))
        ));
    }

    #[test]
    fn wrong_label_is_an_error() {
        let text = encode("CERTIFICATE", &[0x30, 0x00]);
        assert!(matches!(
            public_key_from_pem(text.as_bytes()),
            Err(Error::UnexpectedPemLabel { .. })
        ));
        assert!(matches!(
            private_key_from_pem(text.as_bytes(), None),
            Err(Error::UnexpectedPemLabel { .. })
        ));
    }
}
