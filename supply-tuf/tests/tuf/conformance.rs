//! Regressions found by running the TUF conformance suite (theupdateframework/tuf-conformance)
//! against `supply-tuf-conformance`.

use std::sync::Arc;

use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::key::{KeyAlgorithm, PrivateKey};
use supply_sig::sign::{KeySigner, Signer};
use supply_tuf::client::TrustedSet;
use supply_tuf::metadata::{Common, Expires, Metadata, RoleKeys, Root};
use supply_tuf::repo::SigningKey;

use crate::at;

/// A self-signed root whose single key carries `extra` as an unknown field.
fn root_with_key_field(name: &str, value: serde_json::Value) -> Vec<u8> {
    let sk = PrivateKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO).unwrap();
    let signer: Arc<dyn Signer> = Arc::new(
        KeySigner::new(&sk, supply_sig::sign::SignatureScheme::Ed25519, &RUSTCRYPTO).unwrap(),
    );
    let k = SigningKey::new(signer.clone()).unwrap();
    let mut key = k.key().clone();
    key.extra.insert(name.into(), value);
    let mut root = Root {
        common: Common::new("root", 1, Expires::parse("2031-01-01T00:00:00Z").unwrap()),
        consistent_snapshot: true,
        keys: [("id-1".to_owned(), key)].into(),
        roles: Default::default(),
        extra: Default::default(),
    };
    for r in ["root", "timestamp", "snapshot", "targets"] {
        root.roles.insert(
            r.into(),
            RoleKeys {
                keyids: vec!["id-1".into()],
                threshold: 1,
                extra: Default::default(),
            },
        );
    }
    Metadata::sign(&root, &[("id-1", signer.as_ref())])
        .unwrap()
        .raw()
        .to_vec()
}

/// `keyid_hash_algorithms` is not part of the specification: a misleading or malformed value
/// (test_deprecated_keyid_hash_algorithms sets the string "md5") must not make the key unusable.
#[test]
fn keyid_hash_algorithms_of_any_shape_is_ignored() {
    for v in [
        serde_json::json!("md5"),
        serde_json::json!(["md5"]),
        serde_json::json!({"a": 1}),
        serde_json::json!(null),
    ] {
        let raw = root_with_key_field("keyid_hash_algorithms", v.clone());
        let set = TrustedSet::new(&raw, at("2030-01-01T00:00:00Z"), &RUSTCRYPTO)
            .unwrap_or_else(|e| panic!("{v}: {e:?}"));
        assert_eq!(set.root().version(), 1);
    }
    // Other unknown fields (also ones named like securesystemslib's `keyid`) are ignored too.
    let raw = root_with_key_field("keyid", serde_json::json!(7));
    TrustedSet::new(&raw, at("2030-01-01T00:00:00Z"), &RUSTCRYPTO).unwrap();
}
