#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod alg;
pub mod cjson;
pub mod crypto;
pub mod digest;
pub mod dsse;
#[cfg(feature = "http")]
pub mod http;
pub mod key;
pub mod limits;
pub mod pem;
#[cfg(feature = "sigstore")]
pub mod revocation;
pub mod sign;
#[cfg(feature = "sigstore")]
pub mod sigstore;
pub mod time;
pub mod verify;
#[cfg(feature = "sigstore")]
pub mod x509;

/// Renders `err` as an application prints it (`{:#}` of an `anyhow::Error`: each cause after a
/// colon) and asserts that each of `causes` appears exactly once: no `Display` repeats its
/// `source()`.
#[cfg(test)]
#[track_caller]
pub(crate) fn assert_causes_once<E>(err: E, causes: &[&str]) -> String
where
    E: std::error::Error + Send + Sync + 'static,
{
    let chain = format!("{:#}", anyhow::Error::new(err));
    for cause in causes {
        assert_eq!(chain.matches(cause).count(), 1, "{cause:?} in {chain:?}");
    }
    chain
}
