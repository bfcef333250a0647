//! PEM (RFC 7468) as a neutral container: one labelled block of base64, whatever it holds.
//!
//! Keys ([`crate::key::encoding::pem`]), certificates (`x509`) and Rekor's public keys all read
//! their PEM through [`decode`] and write it through [`encode`]; what a label means is their
//! business.
//!
//! Reading accepts exactly one PEM block, with explanatory text before and after it ignored
//! (RFC 7468 §5.2), `\n` or `\r\n` line endings and any line width. The body must be canonical
//! standard base64. RFC 1421 headers (`Proc-Type`, `DEK-Info`) are kept on the [`Block`] for the
//! caller to judge. Writing produces `\n` line endings and 64-character lines, as OpenSSL and Go
//! do.
//!
//! ```
//! use supply_sig::pem;
//!
//! let text = pem::encode("CERTIFICATE", &[0x30, 0x00]);
//! let block = pem::decode(text.as_bytes())?;
//! assert_eq!(block.label(), "CERTIFICATE");
//! assert_eq!(block.contents(), &[0x30, 0x00]);
//! # Ok::<(), supply_sig::pem::Error>(())
//! ```

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::limits::{self, LimitExceeded, MAX_PEM_LABEL_LEN};

/// Label of an X.509 certificate (RFC 7468 §5.1).
pub const CERTIFICATE_LABEL: &str = "CERTIFICATE";

/// Errors from reading a PEM document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is larger than [`limits::MAX_PEM_LEN`].
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// The document is not UTF-8 text.
    #[error("the PEM document is not UTF-8 text")]
    NotUtf8,
    /// There is no `-----BEGIN <label>-----` line.
    #[error("the PEM document has no `-----BEGIN <label>-----` line")]
    NoBeginLine,
    /// The label is empty, too long or not printable ASCII.
    #[error(
        "the PEM label is empty, longer than {MAX_PEM_LABEL_LEN} characters or not printable ASCII"
    )]
    InvalidLabel,
    /// The block has no matching end line, or another boundary line inside it.
    #[error("the PEM block labelled {label:?} has no matching `-----END` line")]
    NoEndLine {
        /// The label of the begin line (at most [`MAX_PEM_LABEL_LEN`] characters).
        label: String,
    },
    /// A second block follows the first: which one did the caller mean?
    #[error("the PEM document holds more than one block")]
    MultipleBlocks,
    /// The body is not canonical standard base64.
    #[error("the body of the PEM block labelled {label:?} is not canonical base64")]
    InvalidBase64 {
        /// The block's label.
        label: String,
        /// What the decoder reported.
        #[source]
        source: base64::DecodeError,
    },
}

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
/// [`Error::LimitExceeded`] above [`limits::MAX_PEM_LEN`]; another [`Error`] when there is no
/// block, no matching end line, more than one block, or the body is not canonical base64.
pub fn decode(text: &[u8]) -> Result<Block, Error> {
    if text.len() > limits::MAX_PEM_LEN {
        return Err(LimitExceeded::new("PEM document", limits::MAX_PEM_LEN)
            .with_actual(text.len())
            .into());
    }
    let text = std::str::from_utf8(text).map_err(|_| Error::NotUtf8)?;
    let mut lines = text.lines().map(str::trim);
    // Explanatory text before the block is ignored (RFC 7468 §5.2).
    let label = loop {
        let line = lines.next().ok_or(Error::NoBeginLine)?;
        if let Some(rest) = line.strip_prefix("-----BEGIN ") {
            let label = rest.strip_suffix("-----").ok_or(Error::InvalidLabel)?;
            if label.is_empty()
                || label.len() > MAX_PEM_LABEL_LEN
                || !label.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
                || label.contains("-----")
            {
                return Err(Error::InvalidLabel);
            }
            break label;
        }
    };
    let no_end = || Error::NoEndLine {
        label: label.to_owned(),
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
            return Err(no_end());
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
        return Err(no_end());
    }
    // A second block would be ambiguous: which key or certificate did the caller mean?
    if lines.any(|l| l.starts_with("-----BEGIN ")) {
        return Err(Error::MultipleBlocks);
    }
    let contents = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|source| Error::InvalidBase64 {
            label: label.to_owned(),
            source,
        })?;
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
        assert!(matches!(decode(&huge), Err(Error::LimitExceeded(_))));
    }

    #[test]
    fn errors_name_each_cause_once() {
        let err = decode(b"-----BEGIN X-----\nA!AA\n-----END X-----\n").unwrap_err();
        let chain = format!("{:#}", anyhow::Error::new(err));
        assert_eq!(chain.matches("not canonical base64").count(), 1, "{chain}");
        assert_eq!(chain.matches("Invalid symbol").count(), 1, "{chain}");
        let huge = vec![b'A'; limits::MAX_PEM_LEN + 1];
        let chain = format!("{:#}", anyhow::Error::new(decode(&huge).unwrap_err()));
        assert_eq!(chain.matches("PEM document exceeds").count(), 1, "{chain}");
    }
}
