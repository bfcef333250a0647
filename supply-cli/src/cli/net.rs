//! The network flags every verb that talks to a server shares: private CAs and time bounds, turned
//! into supply-sig's one HTTP client builder ([`HttpOptions`]).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use supply_sig::http::{HttpOptions, Timeouts};

/// `--ca-file`, `--connect-timeout`, `--read-timeout`, `--timeout`.
#[derive(Debug, Clone, Args)]
pub struct HttpArgs {
    /// Also trust the CA certificates in this PEM file for HTTPS (a private CA; repeatable).
    /// The platform's roots stay trusted; SSL_CERT_FILE / SSL_CERT_DIR replace them, as with
    /// OpenSSL.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Vec<PathBuf>,
    /// Seconds allowed to connect to a server (TCP and TLS).
    #[arg(long, value_name = "SECS", default_value_t = Timeouts::DEFAULT_CONNECT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub connect_timeout: u64,
    /// Seconds allowed without receiving any byte.
    #[arg(long, value_name = "SECS", default_value_t = Timeouts::DEFAULT_READ.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub read_timeout: u64,
    /// Seconds allowed for each whole request, body included (raise it for large downloads).
    #[arg(long, value_name = "SECS", default_value_t = Timeouts::DEFAULT_TOTAL.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}

impl HttpArgs {
    /// The time bounds the flags give.
    pub fn timeouts(&self) -> Timeouts {
        Timeouts::new(
            Duration::from_secs(self.connect_timeout),
            Duration::from_secs(self.read_timeout),
            Duration::from_secs(self.timeout),
        )
    }

    /// The HTTP client options: the platform's roots, every `--ca-file`, the time bounds.
    pub fn options(&self) -> anyhow::Result<HttpOptions> {
        let mut o = HttpOptions::new().with_timeouts(self.timeouts());
        for f in &self.ca_file {
            o.add_ca_file(f)
                .with_context(|| format!("--ca-file {}", f.display()))?;
        }
        Ok(o)
    }
}
