//! The async HTTP updater (feature `client`): the [`Refresh`](super::Refresh) and
//! [`Lookup`](super::Lookup) machines driven over reqwest, with the same functions as the sync
//! drivers of [`client`](super) ([`refresh`], [`lookup`], [`fetch_target`], [`fetch_target_to`])
//! and the same transport shape (`&mut dyn AsyncTransport` beside `&mut dyn Transport`).
//!
//! Bodies are read chunk by chunk with a running total against the machine's byte cap; the
//! `Content-Length` header is never trusted. `403` and `404` mean "not there" (as python-tuf
//! treats them when probing for the next root); other non-success statuses are errors. This layer
//! decides nothing: it hands bounded bytes to the sync verifier.
//!
//! Every request is bounded in time ([`Timeouts`]): connecting, waiting for the next bytes, and
//! the whole request including its body, so a server that never answers or drips one byte a
//! second fails within the bound instead of hanging the client.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use supply_sig::limits::LimitExceeded;

use super::{
    fetch_what, load_cached, local, Error, FileKind, MetadataStore, Step, TargetCheck, TargetInfo,
    Updater,
};
use crate::metadata::bounded;

/// Errors of the HTTP layer itself (wrapped in [`Error::Transport`]): the shared HTTP layer's
/// errors, with TLS failures told apart ([`supply_sig::http::Failure`]).
pub use supply_sig::http::Error as HttpError;
/// The shared HTTP client options (roots, private CAs, timeouts) of every supply crate.
pub use supply_sig::http::HttpOptions;
/// Time bounds of every request: connecting (TCP and TLS), waiting for the next bytes, the
/// whole request. The CLI overrides them with `--connect-timeout`, `--read-timeout` and
/// `--timeout`.
pub use supply_sig::http::Timeouts;

/// A boxed future of the transport trait (object-safe async).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A chunk consumer for [`AsyncTransport::fetch_chunks`].
pub type Sink<'a> = dyn FnMut(&[u8]) -> Result<(), Error> + Send + 'a;

/// An async source of remote files: the twin of the sync [`Transport`](super::Transport).
pub trait AsyncTransport: Send {
    /// Streams `path` below the base URL of `kind` to `sink`, refusing it as soon as more than
    /// `max_len` bytes arrived; `Ok(false)` when the file does not exist.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] beyond `max_len`; [`Error::Transport`] for network errors,
    /// timeouts and unexpected statuses; whatever `sink` returns.
    fn fetch_chunks<'a>(
        &'a mut self,
        kind: FileKind,
        path: &'a str,
        max_len: u64,
        sink: &'a mut Sink<'_>,
    ) -> BoxFuture<'a, Result<bool, Error>>;

    /// Fetches `path` into memory (at most `max_len` bytes); `Ok(None)` when it does not exist.
    ///
    /// # Errors
    /// As [`fetch_chunks`](Self::fetch_chunks).
    fn fetch<'a>(
        &'a mut self,
        kind: FileKind,
        path: &'a str,
        max_len: u64,
    ) -> BoxFuture<'a, Result<Option<Vec<u8>>, Error>> {
        Box::pin(async move {
            let mut body = Vec::new();
            let found = self
                .fetch_chunks(kind, path, max_len, &mut |c: &[u8]| {
                    body.extend_from_slice(c);
                    Ok(())
                })
                .await?;
            Ok(found.then_some(body))
        })
    }
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
    /// A transport for `metadata_base` and `targets_base` (a `/` is appended when missing) on
    /// the shared HTTPS client ([`HttpOptions::new`]: the platform's roots, the default
    /// [`Timeouts`]). Plain `http` is allowed: TUF metadata carries its own security.
    ///
    /// # Errors
    /// [`Error::Transport`] with [`HttpError::InvalidUrl`] for a URL that is not absolute
    /// `http(s)`.
    pub fn new(metadata_base: &str, targets_base: &str) -> Result<Self, Error> {
        Self::with_options(metadata_base, targets_base, &HttpOptions::new())
    }

    /// As [`new`](Self::new) with other time bounds.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_timeouts(
        metadata_base: &str,
        targets_base: &str,
        timeouts: Timeouts,
    ) -> Result<Self, Error> {
        Self::with_options(
            metadata_base,
            targets_base,
            &HttpOptions::new().with_timeouts(timeouts),
        )
    }

    /// As [`new`](Self::new) with the caller's options (a private CA, timeouts).
    ///
    /// # Errors
    /// As [`new`](Self::new); the errors of [`HttpOptions::build`].
    pub fn with_options(
        metadata_base: &str,
        targets_base: &str,
        options: &HttpOptions,
    ) -> Result<Self, Error> {
        let client = options
            .build()
            .map_err(|e| transport_err(metadata_base, e))?;
        Self::with_client(client, metadata_base, targets_base)
    }

    /// As [`new`](Self::new) with a caller-configured client (TLS, proxies). The caller's client
    /// brings its own timeouts: set them (see [`Timeouts`] for the defaults used otherwise).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_client(
        client: reqwest::Client,
        metadata_base: &str,
        targets_base: &str,
    ) -> Result<Self, Error> {
        for u in [metadata_base, targets_base] {
            supply_sig::http::parse_url(u).map_err(|e| transport_err(u, e))?;
        }
        Ok(Self {
            client,
            metadata_base: with_slash(metadata_base),
            targets_base: with_slash(targets_base),
        })
    }

    async fn stream(
        &self,
        kind: FileKind,
        path: &str,
        max_len: u64,
        sink: &mut Sink<'_>,
    ) -> Result<bool, Error> {
        let base = match kind {
            FileKind::Metadata => &self.metadata_base,
            FileKind::Target => &self.targets_base,
        };
        let url = format!("{base}{path}");
        let req_err = |e| transport_err(path, supply_sig::http::request_error(&url, e));
        let mut resp = supply_sig::http::send(self.client.get(&url), &url)
            .await
            .map_err(|e| transport_err(path, e))?;
        let status = resp.status().as_u16();
        if status == 403 || status == 404 {
            return Ok(false);
        }
        if !resp.status().is_success() {
            return Err(transport_err(
                path,
                HttpError::Status {
                    url: supply_sig::http::shown(&url),
                    status,
                },
            ));
        }
        let mut total = 0u64;
        while let Some(chunk) = resp.chunk().await.map_err(req_err)? {
            total = total.saturating_add(chunk.len() as u64);
            if total > max_len {
                return Err(LimitExceeded::new(fetch_what(kind, path), max_len).into());
            }
            sink(&chunk)?;
        }
        Ok(true)
    }
}

impl AsyncTransport for HttpTransport {
    fn fetch_chunks<'a>(
        &'a mut self,
        kind: FileKind,
        path: &'a str,
        max_len: u64,
        sink: &'a mut Sink<'_>,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(self.stream(kind, path, max_len, sink))
    }
}

async fn answer(
    step: Step,
    transport: &mut dyn AsyncTransport,
    store: &mut dyn MetadataStore,
) -> Result<Option<Option<Vec<u8>>>, Error> {
    Ok(match step {
        Step::Load { file_name } => Some(load_cached(store, &file_name)),
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
    transport: &mut dyn AsyncTransport,
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
/// Any workflow error; [`Error::UnsafeTargetPath`] for a path that cannot be requested safely.
pub async fn lookup(
    updater: &mut Updater,
    target_path: &str,
    transport: &mut dyn AsyncTransport,
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

/// Downloads a target into memory (hash-prefixed under consistent snapshots), reading at most
/// its trusted length, and verifies its length and every hash. For large targets use
/// [`fetch_target_to`].
///
/// # Errors
/// [`Error::NotFound`], [`Error::LimitExceeded`], [`Error::Target`], [`Error::Transport`].
pub async fn fetch_target(
    updater: &Updater,
    info: &TargetInfo,
    transport: &mut dyn AsyncTransport,
) -> Result<Vec<u8>, Error> {
    let (path, max_len) = updater.target_request(info)?;
    let mut check = TargetCheck::new(info, max_len);
    let mut data = Vec::new();
    let found = transport
        .fetch_chunks(FileKind::Target, &path, max_len, &mut |chunk: &[u8]| {
            check.update(chunk)?;
            data.extend_from_slice(chunk);
            Ok(())
        })
        .await?;
    if !found {
        return Err(Error::NotFound { path });
    }
    check.finish()?;
    Ok(data)
}

/// The former name of [`fetch_target`].
#[doc(hidden)]
pub use self::fetch_target as download_target;

/// Downloads a target straight to `dest`: hashed while written to a temporary file next to
/// `dest`, renamed to `dest` only once length and hashes match (memory stays flat in the
/// target's size; the small blocking writes go to local disk). Returns the bytes written.
///
/// # Errors
/// As [`fetch_target`], and [`Error::Io`].
pub async fn fetch_target_to(
    updater: &Updater,
    info: &TargetInfo,
    transport: &mut dyn AsyncTransport,
    dest: &Path,
) -> Result<u64, Error> {
    let (path, max_len) = updater.target_request(info)?;
    let mut out = local::TempFile::next_to(dest)?;
    let mut check = TargetCheck::new(info, max_len);
    let found = transport
        .fetch_chunks(FileKind::Target, &path, max_len, &mut |chunk: &[u8]| {
            check.update(chunk)?;
            out.write(chunk)
        })
        .await?;
    if !found {
        return Err(Error::NotFound { path });
    }
    let n = check.finish()?;
    out.persist(dest)?;
    Ok(n)
}
