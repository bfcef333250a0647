#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use supply_sig::cjson;

/// The signing and verification crate this one builds on, for items not re-exported below.
pub use supply_sig;
/// The AWS-LC backend (feature `aws-lc-rs` of supply-sig).
#[cfg(feature = "aws-lc-rs")]
pub use supply_sig::crypto::AWS_LC;
/// The crypto backends [`client::Config::with_provider`] and [`repo::SigningKey`] take.
pub use supply_sig::crypto::{Provider, RUSTCRYPTO};
/// Key types [`repo::SigningKey`] is made from.
pub use supply_sig::key::{KeyAlgorithm, PrivateKey};
/// The payload of every size cap ([`client::Error::LimitExceeded`],
/// [`metadata::Error::LimitExceeded`]).
pub use supply_sig::limits::LimitExceeded;
/// Signature schemes and the signer interface [`repo::SigningKey::new`] wraps.
pub use supply_sig::sign::{KeySigner, SignatureScheme, Signer};

pub mod client;
pub mod limits;
pub mod metadata;
pub mod names;
pub mod repo;
#[cfg(feature = "sigstore")]
pub mod sigstore;

pub mod time;

/// `{:#}` of each error enum, as the CLI prints it: every cause appears exactly once (no
/// `Display` repeats its `source()`).
#[cfg(test)]
mod errors_read_once {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    fn assert_each_cause_once(err: impl std::error::Error + Send + Sync + 'static) {
        let mut causes = vec![err.to_string()];
        let mut src = err.source();
        while let Some(s) = src {
            causes.push(s.to_string());
            src = s.source();
        }
        let text = format!("{:#}", anyhow::Error::new(err));
        for c in &causes {
            assert!(!c.is_empty(), "an empty message in {text:?}");
            assert_eq!(text.matches(c.as_str()).count(), 1, "{c:?} in {text:?}");
        }
    }

    fn json_error() -> serde_json::Error {
        serde_json::from_slice::<serde_json::Value>(b"{oops").unwrap_err()
    }

    #[test]
    fn metadata_errors() {
        use crate::metadata::{Error, Metadata, Root};
        assert_each_cause_once(Error::InvalidJson(json_error()));
        assert_each_cause_once(Error::Serialize(json_error()));
        let e = Metadata::<Root>::from_slice_with_limit(&[b' '; 10], 5).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded(_)));
        assert_eq!(
            e.to_string(),
            "metadata document exceeds the limit of 5 (10)"
        );
        assert_each_cause_once(e);
        let doc = br#"{"signed": {"_type": "root", "_type": "root"}, "signatures": []}"#;
        assert_each_cause_once(Metadata::<Root>::from_slice(doc).unwrap_err());
    }

    #[test]
    fn client_errors() {
        use crate::client::Error;
        assert_each_cause_once(Error::Metadata {
            role: "snapshot".into(),
            source: crate::metadata::Error::InvalidJson(json_error()),
        });
        assert_each_cause_once(Error::Transport {
            path: "timestamp.json".into(),
            source: Box::new(std::io::Error::other("connection reset by peer")),
        });
        assert_each_cause_once(Error::Io {
            path: "cache/root.json".into(),
            source: std::io::Error::other("disk on fire"),
        });
        assert_each_cause_once(Error::from(supply_sig::limits::LimitExceeded::new(
            "snapshot metadata",
            2_000_000u64,
        )));
        assert_each_cause_once(Error::Target {
            path: "a.txt".into(),
            source: crate::metadata::Error::LengthMismatch {
                what: "a.txt".into(),
                expected: 7,
                actual: 8,
            },
        });
    }

    #[test]
    fn local_errors() {
        use crate::client::local::LocalError;
        assert_each_cause_once(LocalError::UnsafeFileName { name: "..".into() });
        assert_each_cause_once(crate::client::Error::Io {
            path: "x".into(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                LocalError::UnsafeRemotePath { path: "%2F".into() },
            ),
        });
    }

    #[cfg(feature = "client")]
    #[test]
    fn http_errors() {
        use crate::client::http::HttpError;
        assert_each_cause_once(HttpError::Status {
            url: "https://tuf.example/1.root.json".into(),
            status: 500,
        });
        let req = reqwest::Client::new()
            .get("http://[::1")
            .build()
            .unwrap_err();
        assert_each_cause_once(crate::client::Error::Transport {
            path: "1.root.json".into(),
            source: Box::new(supply_sig::http::request_error("http://[::1", req)),
        });
    }

    #[test]
    fn repo_errors() {
        use crate::repo::Error;
        assert_each_cause_once(Error::Metadata(crate::metadata::Error::Serialize(
            json_error(),
        )));
        assert_each_cause_once(Error::Io {
            path: "repo/metadata".into(),
            source: std::io::Error::other("read-only file system"),
        });
        assert_each_cause_once(Error::NotEnoughKeys {
            role: "root".into(),
            held: 0,
            threshold: 1,
        });
    }

    #[cfg(feature = "sigstore")]
    #[test]
    fn sigstore_errors() {
        use crate::sigstore::Error;
        assert_each_cause_once(Error::Refresh {
            url: "https://tuf-repo-cdn.sigstore.dev".into(),
            source: Box::new(crate::client::Error::Expired {
                role: "timestamp".into(),
                expires: "2026-08-28T19:25:56Z".into(),
            }),
        });
        assert_each_cause_once(Error::CacheExpired {
            role: "timestamp".into(),
            expires: "2026-08-28T19:25:56Z".into(),
        });
        assert_each_cause_once(Error::CacheIo {
            path: "cache".into(),
            source: std::io::Error::other("read-only file system"),
        });
    }

    #[test]
    fn time_errors() {
        assert_each_cause_once(crate::time::parse("tomorrow").unwrap_err());
    }
}
