//! Signed checkpoints: C2SP `tlog-checkpoint` bodies in C2SP `signed-note` envelopes.
//!
//! ```text
//! rekor.sigstore.dev - 2605736670972794746      <- origin
//! 23081551                                        <- tree size
//! cNA3uL9dxQ3OE7RoCOlb/xpByLwK0pe6FZYVkbT+qzY=    <- root hash (base64)
//! Timestamp: 1689176078293604600                  <- optional extension lines
//!
//! — rekor.sigstore.dev wNI9ajBFAiEA…              <- "— name base64(key hint ‖ signature)"
//! ```
//!
//! The signature covers the note text up to and including the newline before the blank line.
//! The key hint is the first 4 bytes of the key ID: for Rekor v1 (ECDSA) the log ID
//! (SHA-256 of the DER SPKI), for Rekor v2 (Ed25519) the signed-note key ID, which the trusted
//! root also gives as the log ID. Signature lines from other keys (witnesses) are ignored.
//! The origin line is returned to the caller but not compared with the log's URL.

use crate::crypto::Provider;
use crate::limits::LimitExceeded;
use crate::limits::{MAX_CHECKPOINT_LEN, MAX_NOTE_SIGNATURES};
use crate::sign::{KeyVerifier, Verifier as _, VerifyPolicy};

use super::b64;
use super::trust_root::TransparencyLog;

/// Errors from checkpoints.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Larger than [`MAX_CHECKPOINT_LEN`] or with too many signatures.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// Not a well-formed signed note or checkpoint body.
    #[error("malformed checkpoint: {reason}")]
    Malformed {
        /// Why.
        reason: &'static str,
    },
    /// No signature line from the log's key verifies.
    #[error("no valid checkpoint signature from log {origin}")]
    NoValidSignature {
        /// The log's name.
        origin: String,
    },
}

/// One signature line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The 4-byte key hint.
    pub key_hint: [u8; 4],
    /// The signature.
    pub signature: Vec<u8>,
}

/// A parsed (unverified) checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    signed_text: String,
    /// The origin line.
    pub origin: String,
    /// The tree size.
    pub tree_size: u64,
    /// The root hash.
    pub root_hash: Vec<u8>,
    /// Extension lines (e.g. Rekor v1's `Timestamp: …`).
    pub extensions: Vec<String>,
    /// Signature lines.
    pub signatures: Vec<NoteSignature>,
}

impl Checkpoint {
    /// Parses a signed note holding a checkpoint.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`], [`Error::Malformed`].
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.len() > MAX_CHECKPOINT_LEN {
            return Err(Error::LimitExceeded(LimitExceeded::new(
                "checkpoint length",
                MAX_CHECKPOINT_LEN,
            )));
        }
        let bad = |reason| Error::Malformed { reason };
        let split = text
            .find("\n\n")
            .ok_or(bad("no blank line before signatures"))?;
        let signed_text = &text[..=split];
        let sigs = &text[split + 2..];
        let mut lines = signed_text[..split].split('\n');
        let origin = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or(bad("no origin"))?;
        let size = lines.next().ok_or(bad("no tree size"))?;
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(bad("invalid tree size"));
        }
        let tree_size: u64 = size.parse().map_err(|_| bad("invalid tree size"))?;
        let root_hash = lines
            .next()
            .and_then(|l| b64(l, 64))
            .ok_or(bad("invalid root hash"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if !sigs.ends_with('\n') {
            return Err(bad("signature block does not end in a newline"));
        }
        let mut signatures = Vec::new();
        for line in sigs[..sigs.len() - 1].split('\n') {
            let rest = line
                .strip_prefix("\u{2014} ")
                .ok_or(bad("signature line without em dash"))?;
            let (name, sig) = rest.rsplit_once(' ').ok_or(bad("signature line"))?;
            let raw = b64(sig, 4096).ok_or(bad("signature base64"))?;
            if raw.len() < 5 || name.is_empty() {
                return Err(bad("signature too short"));
            }
            if signatures.len() == MAX_NOTE_SIGNATURES {
                return Err(Error::LimitExceeded(LimitExceeded::new(
                    "note signatures",
                    MAX_NOTE_SIGNATURES,
                )));
            }
            let mut key_hint = [0u8; 4];
            key_hint.copy_from_slice(&raw[..4]);
            signatures.push(NoteSignature {
                name: name.to_owned(),
                key_hint,
                signature: raw[4..].to_vec(),
            });
        }
        if signatures.is_empty() {
            return Err(bad("no signatures"));
        }
        Ok(Self {
            signed_text: signed_text.to_owned(),
            origin: origin.to_owned(),
            tree_size,
            root_hash,
            extensions,
            signatures,
        })
    }

    /// The exact text the signatures cover.
    pub fn signed_text(&self) -> &str {
        &self.signed_text
    }

    /// Verifies that `log`'s key signed this checkpoint: a signature line with the log's key
    /// hint that verifies under its key. Other lines (witnesses) are ignored. The key name is
    /// not compared: private Rekor v1 deployments sign with their host name, not the trusted
    /// root's URL, and the binding is the key itself (as Rekor's own `SignedCheckpoint.Verify`).
    ///
    /// # Errors
    /// [`Error::NoValidSignature`].
    pub fn verify(&self, log: &TransparencyLog, provider: &Provider) -> Result<(), Error> {
        let none = || Error::NoValidSignature {
            origin: log.origin().to_owned(),
        };
        let hint = log.log_id.get(..4).ok_or_else(none)?;
        let verifier = KeyVerifier::new(&log.key, log.scheme, VerifyPolicy::default(), provider)
            .map_err(|_| none())?;
        let ok = self.signatures.iter().any(|s| {
            s.key_hint == hint
                && verifier
                    .verify(self.signed_text.as_bytes(), &s.signature)
                    .is_ok()
        });
        if ok {
            Ok(())
        } else {
            Err(none())
        }
    }
}
