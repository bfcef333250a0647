//! Interop with securesystemslib (the peers venv, pinned in `scripts/peers-requirements.txt`):
//! OLPC canonical JSON against `formats.encode_canonical`, and DSSE envelopes signed on one side
//! and verified on the other, for Ed25519 and ECDSA keys, on every provider.

use base64::Engine as _;
use serde_json::{json, Value};
use supply_sig::cjson::olpc;
use supply_sig::crypto::{all_providers, Provider};
use supply_sig::dsse::{Envelope, Error, TrustedKeys};
use supply_sig::key::encoding::pem;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::key::{KeyAlgorithm, KeyId, PrivateKey, PublicKey};
use supply_sig::sign::{KeySigner, KeyVerifier, Signer, Verifier, VerifyPolicy};
use supply_testkit::python_json;

/// The securesystemslib side. Reads one JSON request on stdin, prints one JSON answer.
const PEER: &str = r#"
import base64, json, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from securesystemslib import exceptions
from securesystemslib.dsse import Envelope
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, SSlibKey

def b64(b):
    return base64.b64encode(b).decode()

def new_private(scheme):
    if scheme == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if scheme == "ecdsa-sha2-nistp256":
        return ec.generate_private_key(ec.SECP256R1())
    if scheme == "ecdsa-sha2-nistp384":
        return ec.generate_private_key(ec.SECP384R1())
    if scheme.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(scheme)

def spki_pem(public):
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()

req = json.load(sys.stdin)
cmd = req["cmd"]
if cmd == "canonicalize":
    out = []
    for text in req["texts"]:
        try:
            value = json.loads(text)
            out.append({"ok": b64(encode_canonical(value).encode("utf-8"))})
        except Exception as e:  # floats and the like: encode_canonical refuses them
            out.append({"err": type(e).__name__})
    print(json.dumps(out))
elif cmd == "sign":
    env = Envelope(base64.b64decode(req["payload"]), req["payloadType"], {})
    keys = []
    for scheme in req["schemes"]:
        private = new_private(scheme)
        public = SSlibKey.from_crypto(private.public_key(), scheme=scheme)
        env.sign(CryptoSigner(private, public))
        keys.append({
            "scheme": scheme,
            "keyid": public.keyid,
            "pem": spki_pem(private.public_key()),
            "sslib": public.to_dict(),
        })
    print(json.dumps({"envelope": env.to_dict(), "keys": keys}))
elif cmd == "verify":
    env = Envelope.from_dict(req["envelope"])
    keys = []
    for k in req["keys"]:
        public = serialization.load_pem_public_key(k["pem"].encode())
        keys.append(SSlibKey.from_crypto(public, keyid=k["keyid"], scheme=k["scheme"]))
    try:
        accepted = env.verify(keys, req["threshold"])
        print(json.dumps({"ok": sorted(accepted)}))
    except (exceptions.VerificationError, ValueError) as e:
        print(json.dumps({"err": str(e)}))
else:
    raise SystemExit(f"unknown command {cmd}")
"#;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Runs the peer; `None` when peers are skipped (outside CI only).
fn peer(request: &Value) -> Option<Value> {
    python_json(PEER, request)
}

fn verifier(key: &PublicKey, p: &'static Provider) -> Box<dyn Verifier> {
    Box::new(KeyVerifier::new(key, key.default_scheme(), VerifyPolicy::default(), p).unwrap())
}

/// securesystemslib's scheme name for one of our keys.
fn sslib_scheme(alg: KeyAlgorithm) -> &'static str {
    match alg {
        KeyAlgorithm::EcdsaP256 => "ecdsa-sha2-nistp256",
        KeyAlgorithm::EcdsaP384 => "ecdsa-sha2-nistp384",
        KeyAlgorithm::Ed25519 => "ed25519",
        other => panic!("no securesystemslib scheme for {other:?} here"),
    }
}

/// JSON texts covering what OLPC canonical JSON pins down: key order (including keys that sort
/// differently by UTF-16 unit and by code point), escaping (only `"` and `\`), raw control and
/// non-ASCII characters, big and negative integers, nesting, and inputs both sides refuse.
const CANON_TEXTS: &[&str] = &[
    r#"{"b": 1, "a": 2, "c": {"z": [3, 2, 1], "y": null}}"#,
    r#"{"_type": "root", "version": 1, "keys": {}, "roles": [], "expires": "2030-01-01T00:00:00Z"}"#,
    r#"[true, false, null, 0, -1, 9007199254740993, -9223372036854775808, 18446744073709551615]"#,
    r#"{"quote\"": "back\\slash", "tab\t": "new\nline", "ctl": "\u0001\u001f\u007f"}"#,
    r#"{"é": 1, "e": 2, "z": 3, "Z": 4, "": 5, "ａ": 6}"#,
    r#"{"\uffff": 1, "\ud83d\ude00": 2, "\u00ff": 3}"#,
    r#"{"emoji": "\ud83d\ude00 😀", "cjk": "漢字", "nul": "a\u0000b"}"#,
    r#"  {  "spaced" :  [ 1 , 2 ,  { } , [ ] ]  }  "#,
    r#""just a string""#,
    r#"123456789012345678901234567890"#,
    r#"[[[[[[["deep"]]]]]]]"#,
    r#"{"keyval": {"public": "edcd0a32a07dce33f7c7873aaffbff36d20ea30787574ead335eefd337e4dacd"}, "keytype": "ed25519", "scheme": "ed25519"}"#,
];

/// Inputs OLPC canonical JSON has no form for: both sides must refuse them.
const CANON_REFUSED: &[&str] = &["1.5", r#"{"a": 1e3}"#, r#"[0.0]"#, "-0.5"];

#[test]
fn olpc_canonical_json_matches_securesystemslib() {
    let texts: Vec<&str> = CANON_TEXTS.iter().chain(CANON_REFUSED).copied().collect();
    let Some(answer) = peer(&json!({"cmd": "canonicalize", "texts": texts})) else {
        return;
    };
    let answers = answer.as_array().unwrap();
    assert_eq!(answers.len(), texts.len());
    for (text, theirs) in texts.iter().zip(answers) {
        let ours = olpc::canonicalize(text.as_bytes());
        match (&ours, theirs.get("ok")) {
            (Ok(ours), Some(theirs)) => {
                let theirs = B64.decode(theirs.as_str().unwrap()).unwrap();
                assert_eq!(
                    String::from_utf8_lossy(ours),
                    String::from_utf8_lossy(&theirs),
                    "canonical form of {text}"
                );
                // The canonical form is a fixed point, where it is still JSON: OLPC writes
                // control characters raw, which strict JSON does not allow back in.
                if !ours.iter().any(|b| *b < 0x20) {
                    assert_eq!(&olpc::canonicalize(ours).unwrap(), ours, "{text}");
                }
            }
            (Err(_), None) => {}
            (ours, _) => panic!("{text}: ours {ours:?}, securesystemslib {theirs}"),
        }
    }
    for text in CANON_REFUSED {
        assert!(olpc::canonicalize(text.as_bytes()).is_err(), "{text}");
    }
}

/// Envelopes signed by securesystemslib's `CryptoSigner` (Ed25519, ECDSA P-256 and P-384, each
/// DER-encoded as securesystemslib writes ECDSA) verify here, with thresholds and hints.
#[test]
fn securesystemslib_envelopes_verify_here() {
    let payload = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[]}"#;
    let payload_type = "application/vnd.in-toto+json";
    let schemes = ["ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384"];
    let Some(answer) = peer(&json!({
        "cmd": "sign",
        "payload": B64.encode(payload),
        "payloadType": payload_type,
        "schemes": schemes,
    })) else {
        return;
    };
    let env_json = serde_json::to_vec(&answer["envelope"]).unwrap();
    let env = Envelope::from_json(&env_json).unwrap();
    assert_eq!(env.payload, payload);
    assert_eq!(env.payload_type, payload_type);
    assert_eq!(env.signatures.len(), schemes.len());

    let mut keys = Vec::new();
    for k in answer["keys"].as_array().unwrap() {
        let key = pem::public_key_from_pem(k["pem"].as_str().unwrap().as_bytes()).unwrap();
        // Their key dict parses to the same key, and we compute the keyid they did.
        let dict = SslibKey::from_value(&k["sslib"]).unwrap();
        assert_eq!(dict.public_key(), &key, "{}", k["scheme"]);
        let keyid = KeyId::new(k["keyid"].as_str().unwrap());
        assert_eq!(dict.key_id().unwrap(), keyid, "{}", k["scheme"]);
        keys.push((key, keyid));
    }

    for p in all_providers() {
        // Each key alone, found through its securesystemslib keyid hint or without one.
        for (key, keyid) in &keys {
            let mut hinted = TrustedKeys::new();
            assert!(hinted.insert_with_key_ids(verifier(key, p), [keyid.clone()]));
            let v = env.verify(&hinted, 1).unwrap();
            assert_eq!(v.payload(), payload);
            assert_eq!(v.payload_type(), payload_type);
            assert_eq!(v.key_ids(), [key.key_id()]);

            let plain: TrustedKeys = [verifier(key, p)].into_iter().collect();
            env.verify(&plain, 1).unwrap();
        }
        // All three, threshold 3; threshold 4 cannot be met.
        let all: TrustedKeys = keys.iter().map(|(k, _)| verifier(k, p)).collect();
        assert_eq!(env.verify(&all, 3).unwrap().key_ids().len(), 3);
        assert!(matches!(
            env.verify(&all, 4),
            Err(Error::ThresholdNotMet {
                required: 4,
                verified: 3
            })
        ));

        // A changed payload (same signatures) verifies under no key.
        let mut tampered = env.clone();
        tampered.payload.push(b' ');
        assert!(matches!(
            tampered.verify(&all, 1),
            Err(Error::ThresholdNotMet { verified: 0, .. })
        ));
        // So does a changed payload type: PAE binds it.
        let mut retyped = env.clone();
        retyped.payload_type = "application/json".into();
        assert!(retyped.verify(&all, 1).is_err());
    }
}

/// Envelopes we sign verify in securesystemslib's `Envelope.verify`, which matches keys by keyid:
/// once with our keyid (the SPKI fingerprint) given to securesystemslib, once with the
/// signatures' keyids rewritten to the securesystemslib keyids (as in-toto layouts name keys).
#[test]
fn our_envelopes_verify_in_securesystemslib() {
    let payload = br#"{"payload":"signed here","n":1}"#;
    let payload_type = "application/vnd.supply.test+json";
    for p in all_providers() {
        let privates: Vec<PrivateKey> = [
            KeyAlgorithm::Ed25519,
            KeyAlgorithm::EcdsaP256,
            KeyAlgorithm::EcdsaP384,
        ]
        .into_iter()
        .map(|alg| PrivateKey::generate(alg, p).unwrap())
        .collect();
        let signers: Vec<KeySigner> = privates
            .iter()
            .map(|k| KeySigner::new(k, k.public_key().default_scheme(), p).unwrap())
            .collect();
        let signer_refs: Vec<&dyn Signer> = signers.iter().map(|s| s as &dyn Signer).collect();
        let env = Envelope::sign(payload_type, payload.to_vec(), &signer_refs).unwrap();

        // Keys as securesystemslib sees them: PEM, scheme, and the keyid to match.
        let with_ids = |ids: &[KeyId]| -> Vec<Value> {
            privates
                .iter()
                .zip(ids)
                .map(|(k, id)| {
                    json!({
                        "pem": pem::public_key_to_pem(k.public_key()),
                        "scheme": sslib_scheme(k.public_key().algorithm()),
                        "keyid": id.as_str(),
                    })
                })
                .collect()
        };
        let verify = |env: &Envelope, keys: Vec<Value>, threshold: usize| -> Option<Value> {
            let env_json: Value = serde_json::from_slice(&env.to_json()).unwrap();
            peer(
                &json!({"cmd": "verify", "envelope": env_json, "keys": keys, "threshold": threshold}),
            )
        };

        // 1. Our keyids.
        let ours: Vec<KeyId> = privates.iter().map(|k| k.public_key().key_id()).collect();
        let Some(answer) = verify(&env, with_ids(&ours), 3) else {
            return;
        };
        let mut want: Vec<&str> = ours.iter().map(KeyId::as_str).collect();
        want.sort_unstable();
        assert_eq!(answer["ok"], json!(want), "{}: {answer}", p.name);

        // 2. securesystemslib keyids, written into the envelope's hints.
        let sslib_ids: Vec<KeyId> = privates
            .iter()
            .map(|k| {
                let scheme = k.public_key().default_scheme();
                SslibKey::new(k.public_key().clone(), scheme)
                    .unwrap()
                    .key_id()
                    .unwrap()
            })
            .collect();
        let mut rekeyed = env.clone();
        for (sig, id) in rekeyed.signatures.iter_mut().zip(&sslib_ids) {
            sig.keyid = Some(id.clone());
        }
        let answer = verify(&rekeyed, with_ids(&sslib_ids), 3).unwrap();
        assert!(answer.get("ok").is_some(), "{}: {answer}", p.name);

        // 3. A tampered payload is refused there too.
        let mut tampered = env.clone();
        tampered.payload.push(b'!');
        let answer = verify(&tampered, with_ids(&ours), 1).unwrap();
        assert!(answer.get("err").is_some(), "{}: {answer}", p.name);
    }
}
