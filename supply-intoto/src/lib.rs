#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The signing and verification crate this one builds on.
pub use supply_sig;

pub mod artifact;
pub mod attestation;
pub mod certs;
pub mod limits;
pub mod metadata;
pub mod model;
pub mod record;
pub mod rule;
pub mod verify;

/// Every error's `Display` names its own cause only, never its `source()`'s (the CLI prints the
/// chain, each cause once).
#[cfg(test)]
mod errors_read_once {
    #![allow(clippy::unwrap_used)]
    use supply_sig::key::KeyId;

    fn check(err: &(dyn std::error::Error + 'static)) {
        let mut cur = err;
        while let Some(src) = cur.source() {
            let (outer, inner) = (cur.to_string(), src.to_string());
            assert!(
                !inner.is_empty() && !outer.contains(&inner),
                "{outer:?} repeats {inner:?}"
            );
            cur = src;
        }
    }

    #[test]
    fn chains() {
        let meta = crate::metadata::Metadata::from_slice(
            b"{\"signed\": {\"_type\": \"link\"}, \"signatures\": []}",
        )
        .unwrap_err();
        check(&meta);
        let sig = crate::metadata::Error::NoValidSignature {
            keyid: KeyId::new("k"),
        };
        check(&crate::verify::Error::LayoutSignature {
            keyid: KeyId::new("k"),
            source: sig,
        });
        let dup = crate::metadata::Metadata::from_slice(b"{\"a\":1,\"a\":2}").unwrap_err();
        check(&crate::verify::Error::InvalidLink {
            path: "x.link".into(),
            source: dup,
        });
        let io = std::io::Error::other("disk on fire");
        check(&crate::record::Error::Io {
            path: "p".into(),
            source: io,
        });
        check(&crate::verify::Error::Sublayout {
            step: "s".into(),
            keyid: KeyId::new("k"),
            source: Box::new(crate::verify::Error::ConfigNoLayoutKeys),
        });
    }
}
