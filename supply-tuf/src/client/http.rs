//! The async HTTP updater (feature `client`): the [`Refresh`](super::Refresh) and
//! [`Lookup`](super::Lookup) machines driven over reqwest.
//!
//! Bodies are read chunk by chunk with a running total against the machine's byte cap; the
//! `Content-Length` header is never trusted. `403` and `404` mean "not there" (as python-tuf
//! treats them when probing for the next root); other non-success statuses are errors. This layer
//! decides nothing: it hands bounded bytes to the sync verifier.

use super::{Error, FileKind, MetadataStore, Step, TargetInfo, Updater};
use crate::metadata::bounded;

/// Errors of the HTTP layer itself (wrapped in [`Error::Transport`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The server answered with an unexpected status.
    #[error("HTTP status {status}")]
    Status {
        /// The status code.
        status: u16,
    },
    /// A base URL that is not an absolute `http` or `https` URL.
    #[error("invalid base URL {url:?}")]
    InvalidBaseUrl {
        /// The URL (at most 64 characters).
        url: String,
    },
}

/// A repository reached over HTTP: a metadata base URL and a targets base URL.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    metadata_base: String,
    targets_base: String,
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    }
}

fn transport_err(path: &str, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Transport {
        path: bounded(path),
        source: Box::new(e),
    }
}

impl HttpTransport {
    /// A transport for `metadata_base` and `targets_base` (a `/` is appended when missing).
    ///
    /// # Errors
    /// [`Error::Transport`] with [`HttpError::InvalidBaseUrl`] for a URL that is not absolute
    /// `http(s)`.
    pub fn new(metadata_base: &str, targets_base: &str) -> Result<Self, Error> {
        Self::with_client(reqwest::Client::new(), metadata_base, targets_base)
    }

    /// As [`new`](Self::new) with a caller-configured client (TLS, proxies, timeouts).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_client(
        client: reqwest::Client,
        metadata_base: &str,
        targets_base: &str,
    ) -> Result<Self, Error> {
        for u in [metadata_base, targets_base] {
            let ok = reqwest::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https"));
            if !ok {
                return Err(transport_err(
                    u,
                    HttpError::InvalidBaseUrl { url: bounded(u) },
                ));
            }
        }
        Ok(Self {
            client,
            metadata_base: with_slash(metadata_base),
            targets_base: with_slash(targets_base),
        })
    }

    /// Fetches `path` (already percent-encoded) below the base URL of `kind`, reading at most
    /// `max_len` bytes; `Ok(None)` for 403 and 404.
    ///
    /// # Errors
    /// [`Error::TooLarge`] beyond `max_len`; [`Error::Transport`] for network errors and other
    /// statuses.
    pub async fn fetch(
        &self,
        kind: FileKind,
        path: &str,
        max_len: u64,
    ) -> Result<Option<Vec<u8>>, Error> {
        let base = match kind {
            FileKind::Metadata => &self.metadata_base,
            FileKind::Target => &self.targets_base,
        };
        let url = format!("{base}{path}");
        let mut resp = self
            .client
            .get(&url)
            .send()
            .await
            .map_err(|e| transport_err(path, e))?;
        let status = resp.status().as_u16();
        if status == 403 || status == 404 {
            return Ok(None);
        }
        if !resp.status().is_success() {
            return Err(transport_err(path, HttpError::Status { status }));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport_err(path, e))? {
            if (body.len() as u64).saturating_add(chunk.len() as u64) > max_len {
                return Err(Error::TooLarge {
                    what: bounded(path),
                    limit: max_len,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Some(body))
    }
}

async fn answer(
    step: Step,
    transport: &HttpTransport,
    store: &mut dyn MetadataStore,
) -> Result<Option<Option<Vec<u8>>>, Error> {
    Ok(match step {
        Step::Load { file_name } => Some(store.load(&file_name)?),
        Step::Fetch {
            kind,
            path,
            max_len,
        } => Some(transport.fetch(kind, &path, max_len).await?),
        Step::Store { file_name, bytes } => {
            store.store(&file_name, &bytes)?;
            None
        }
        Step::Done => None,
    })
}

/// Refreshes top-level metadata over HTTP (specification §5.3 – §5.6), persisting verified
/// metadata in `store`.
///
/// # Errors
/// Any workflow error.
pub async fn refresh(
    updater: &mut Updater,
    transport: &HttpTransport,
    store: &mut dyn MetadataStore,
) -> Result<(), Error> {
    let mut m = updater.refresh();
    loop {
        let step = m.next_step()?;
        if step == Step::Done {
            return Ok(());
        }
        if let Some(data) = answer(step, transport, store).await? {
            m.supply(data)?;
        }
    }
}

/// Looks `target_path` up through the delegations (§5.7), fetching and persisting delegated
/// metadata as needed.
///
/// # Errors
/// Any workflow error.
pub async fn lookup(
    updater: &mut Updater,
    target_path: &str,
    transport: &HttpTransport,
    store: &mut dyn MetadataStore,
) -> Result<Option<TargetInfo>, Error> {
    let mut m = updater.lookup(target_path);
    loop {
        let step = m.next_step()?;
        if step == Step::Done {
            return Ok(m.into_result());
        }
        if let Some(data) = answer(step, transport, store).await? {
            m.supply(data)?;
        }
    }
}

/// Downloads a target (hash-prefixed under consistent snapshots), reading at most its trusted
/// length, and verifies its length and every hash.
///
/// # Errors
/// [`Error::NotFound`], [`Error::TooLarge`], [`Error::Target`], [`Error::Transport`].
pub async fn download_target(
    updater: &Updater,
    info: &TargetInfo,
    transport: &HttpTransport,
) -> Result<Vec<u8>, Error> {
    let (path, max_len) = updater.target_request(info);
    let data = transport
        .fetch(FileKind::Target, &path, max_len)
        .await?
        .ok_or(Error::NotFound { path })?;
    Updater::verify_target(info, &data)?;
    Ok(data)
}
