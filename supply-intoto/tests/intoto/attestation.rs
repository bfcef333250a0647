//! Statements, predicates and containers: the in-toto attestation spec examples, DSSE
//! envelopes, Sigstore bundles and npm documents of `testdata/intoto`, and shared helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use supply_intoto::attestation::bundle::{read_attestations, Signed};
use supply_intoto::attestation::predicate::Predicate;
use supply_intoto::attestation::statement::{Statement, StatementType};
use supply_intoto::attestation::{danger, AttestationSigner, Error, VerifiedAttestation};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::digest::{Algorithm, Digest};
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::{Artifact, Matcher, Policy};
use supply_testkit::read;

pub(crate) const SV: &str = "intoto/slsa-verifier";

pub(crate) fn prod_root() -> TrustedRoot {
    TrustedRoot::from_json_or_trust_config(
        &read("sigstore/trust/production/trusted_root.json"),
        &RUSTCRYPTO,
    )
    .unwrap()
}

/// GitHub Actions certificates (any workflow): the SLSA layer decides which builder counts.
pub(crate) fn gha_policy() -> Policy {
    Policy::identity_matching(
        Matcher::regex("^https://github\\.com/").unwrap(),
        Matcher::exact("https://token.actions.githubusercontent.com"),
    )
}

/// `artifact-sha256.txt`: artifact path (under slsa-verifier/) to its SHA-256.
pub(crate) fn artifact_digests() -> BTreeMap<String, Digest> {
    let text = String::from_utf8(read(&format!("{SV}/artifact-sha256.txt"))).unwrap();
    text.lines()
        .filter(|l| !l.starts_with("MISSING"))
        .map(|l| {
            let mut it = l.split_whitespace();
            let hex = it.next().unwrap();
            let path = it.next().unwrap();
            (
                path.to_owned(),
                Digest::from_hex(Algorithm::Sha256, hex).unwrap(),
            )
        })
        .collect()
}

pub(crate) fn sha256(rel: &str) -> Digest {
    artifact_digests()
        .remove(rel)
        .unwrap_or_else(|| panic!("{rel} not in artifact-sha256.txt"))
}

/// The SLSA provenance attestation of `rel` verified for `digest`: a Sigstore bundle (or the
/// provenance bundle of an npm document) through supply-sig's verifier at its signed time; a
/// bare envelope through the insecure embedded-certificate path (its Rekor entry is online
/// only).
pub(crate) fn attest(rel: &str, digest: &Digest) -> Result<VerifiedAttestation, Error> {
    let bytes = read(&format!("{SV}/{rel}"));
    let items = read_attestations(&bytes)?;
    let root = prod_root();
    // npm documents: the provenance is the bundle whose statement is SLSA provenance.
    let mut last = None;
    for item in items {
        let r = match item {
            Signed::Bundle(b) => VerifiedAttestation::from_bundle(
                &b,
                Artifact::Digest(digest),
                &gha_policy(),
                &root,
                &RUSTCRYPTO,
            ),
            Signed::Envelope { raw, envelope } => {
                if raw.windows(6).any(|w| w == b"\"cert\"") {
                    danger::insecure_embedded_certificate(&raw, &RUSTCRYPTO)
                } else {
                    danger::insecure_unsigned(&envelope)
                }
            }
            _ => unreachable!(),
        };
        match r {
            Ok(a)
                if a.statement()
                    .predicate_type()
                    .starts_with("https://slsa.dev/provenance/") =>
            {
                return Ok(a)
            }
            Ok(a) => last = Some(Ok(a)),
            Err(e) => {
                if last.is_none() {
                    last = Some(Err(e));
                }
            }
        }
    }
    last.unwrap()
}

#[test]
fn spec_examples_parse_with_their_types() {
    let dir = supply_testkit::testdata("intoto/attestation");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        n += 1;
        if v.get("_type").is_some() {
            let st = Statement::from_json(&bytes);
            // "lenient" examples drop fields the spec requires of statements.
            let st = match st {
                Ok(st) => st,
                Err(e) => {
                    assert!(name.contains("lenient"), "{name}: {e}");
                    continue;
                }
            };
            assert_eq!(st.raw(), &bytes[..]);
            let expected = if v["_type"] == "https://in-toto.io/Statement/v1" {
                StatementType::V1
            } else {
                StatementType::V01
            };
            assert_eq!(st.statement_type(), expected, "{name}");
            st.predicate().unwrap_or_else(|e| panic!("{name}: {e}"));
        } else {
            // Resource descriptors on their own.
            let rd: supply_intoto::attestation::statement::ResourceDescriptor =
                serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            let back = serde_json::to_value(&rd).unwrap();
            assert_eq!(back, v, "{name}: unknown fields are kept");
        }
    }
    assert!(n >= 20, "{n}");
}

#[test]
fn statements_are_strict() {
    let ok = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"x","predicate":{},"extra":1}"#;
    let st = Statement::from_json(ok).unwrap();
    assert_eq!(st.extra()["extra"], 1);
    let dup = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00","sha256":"11"}}],"predicateType":"x"}"#;
    assert!(matches!(Statement::from_json(dup), Err(Error::Json(_))));
    let bad_type = br#"{"_type":"https://in-toto.io/StatementA/v0.1","subject":[{"digest":{"sha256":"00"}}],"predicateType":"x"}"#;
    assert!(matches!(
        Statement::from_json(bad_type),
        Err(Error::UnknownStatementType { .. })
    ));
    let no_subject =
        br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x"}"#;
    assert!(matches!(
        Statement::from_json(no_subject),
        Err(Error::InvalidStatement { .. })
    ));
    let no_digest = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a"}],"predicateType":"x"}"#;
    assert!(matches!(
        Statement::from_json(no_digest),
        Err(Error::InvalidStatement { .. })
    ));
    let bad_prov = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"00"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"runDetails":{}}}"#;
    let st = Statement::from_json(bad_prov).unwrap();
    assert!(matches!(
        st.predicate(),
        Err(Error::InvalidPredicate { .. })
    ));
    assert!(matches!(
        Statement::from_json(b"{\"_type\":1} trailing"),
        Err(Error::Json(_))
    ));
}

#[test]
fn dsse_statement_envelope_verifies_and_types_its_statement() {
    use supply_sig::dsse::{Envelope, TrustedKeys};
    use supply_sig::key::encoding::pem::public_key_from_pem;
    use supply_sig::sign::KeyVerifier;
    let env = Envelope::from_json(&read("intoto/dsse/ed25519-statement.envelope.json")).unwrap();
    let key = public_key_from_pem(&read("intoto/in-toto-python/pems/ed25519_public.pem")).unwrap();
    let keys = TrustedKeys::new().with_verifier(Box::new(
        KeyVerifier::with_default_scheme(&key, &RUSTCRYPTO).unwrap(),
    ));
    let att = VerifiedAttestation::from_envelope(&env, &keys, 1).unwrap();
    assert!(att.is_verified());
    assert!(matches!(att.signer(), AttestationSigner::Keys(k) if k.len() == 1));
    assert_eq!(att.statement().raw(), &env.payload[..]);
    // The same envelope under another key does not verify.
    let other =
        supply_sig::key::PrivateKey::generate(supply_sig::key::KeyAlgorithm::Ed25519, &RUSTCRYPTO)
            .unwrap();
    let keys = TrustedKeys::new().with_verifier(Box::new(
        KeyVerifier::with_default_scheme(other.public_key(), &RUSTCRYPTO).unwrap(),
    ));
    assert!(matches!(
        VerifiedAttestation::from_envelope(&env, &keys, 1),
        Err(Error::Dsse(_))
    ));
}

#[test]
fn every_slsa_verifier_file_reads_as_attestations() {
    let mut n = 0;
    for sub in [
        "bcr",
        "gha_container-based/v2.1.0",
        "gha_delegator/v2.1.0",
        "gha_generic/v1.2.0",
        "gha_generic/v2.1.0",
        "gha_go/v1.10.0",
        "gha_gradle/v2.1.0",
        "gha_maven/v2.1.0",
        "misc",
        "npm",
        "sigstore-bundles",
        "sigstore-bundles/bundle",
        "vsa",
    ] {
        let dir = supply_testkit::testdata(&format!("{SV}/{sub}"));
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let is_att = name.ends_with(".jsonl")
                || name.ends_with(".slsa")
                || name.ends_with(".sigstore")
                || name.ends_with(".tgz.json");
            if !is_att {
                continue;
            }
            let items = match read_attestations(&std::fs::read(&path).unwrap()) {
                Ok(items) => items,
                // Their broken signature / SET is not canonical base64 (see slsa.rs).
                Err(Error::BundleParse(_))
                    if name.starts_with("invalid-dsse-sig") || name.starts_with("invalid-set") =>
                {
                    continue
                }
                Err(e) => panic!("{name}: {e}"),
            };
            let expected = if name.ends_with(".tgz.json") || name.starts_with("npm-") {
                2
            } else {
                1
            };
            assert_eq!(items.len(), expected, "{name}");
            for item in &items {
                // Every payload is a statement of the type INDEX.tsv lists, except the
                // deliberately broken ones.
                let (payload_type, payload) = match item {
                    Signed::Envelope { envelope, .. } => {
                        (&envelope.payload_type, &envelope.payload)
                    }
                    Signed::Bundle(b) => match b.content() {
                        supply_sig::sigstore::bundle::Content::Dsse(env) => {
                            (&env.payload_type, &env.payload)
                        }
                        _ => panic!("{name}: not DSSE"),
                    },
                    _ => unreachable!(),
                };
                let st = Statement::from_json(payload);
                let broken = name.contains("stmt-mismatch")
                    && name.contains("type")
                    && !name.contains("predicatetype")
                    || name.contains("nodigest")
                    || name.contains("publish-invalid-signature")
                    || name.contains("nosubjects");
                if broken {
                    continue;
                }
                let st = st.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(
                    payload_type.starts_with("application/vnd.in-toto+json"),
                    "{name}"
                );
                match st.predicate().unwrap_or_else(|e| panic!("{name}: {e}")) {
                    Predicate::SlsaProvenanceV02(_) => {
                        assert_eq!(st.predicate_type(), "https://slsa.dev/provenance/v0.2")
                    }
                    Predicate::SlsaProvenanceV1(_) => {
                        assert_eq!(st.predicate_type(), "https://slsa.dev/provenance/v1")
                    }
                    Predicate::Vsa(_) => assert!(name.contains("vsa")),
                    Predicate::Other(_) => assert!(
                        st.predicate_type().contains("npm/attestation")
                            || st.predicate_type().contains("provenanc")
                            || st.predicate_type().contains("publis")
                            || name.starts_with("valid.")
                            || name.starts_with("attestation.")
                            || name.starts_with("invalid")
                            || name.starts_with("mismatch"),
                        "{name}: {}",
                        st.predicate_type()
                    ),
                    p => panic!("{name}: {p:?}"),
                }
                n += 1;
            }
        }
    }
    assert_eq!(n, 85);
}

#[test]
fn npm_statement_negatives_fail_where_the_manifest_says() {
    // The statement-level breakages of the npm attestation set.
    for (file, which) in [
        ("npm-stmt-mismatch-prov-type", 0),
        ("npm-stmt-mismatch-pub-type", 1),
        ("npm-att-publish-nodigest", 1),
        ("npm-att-publish-nosubjects", 1),
        // Its digest is a string, not a digest set.
        ("npm-att-publish-invalid-signature", 1),
    ] {
        let bytes = read(&format!("{SV}/sigstore-bundles/{file}.intoto.sigstore"));
        let items = read_attestations(&bytes).unwrap();
        let Signed::Bundle(b) = &items[which] else {
            panic!()
        };
        let supply_sig::sigstore::bundle::Content::Dsse(env) = b.content() else {
            panic!()
        };
        let err = Statement::from_json(&env.payload).unwrap_err();
        assert!(
            matches!(
                err,
                Error::UnknownStatementType { .. }
                    | Error::InvalidStatement { .. }
                    | Error::Shape { .. }
            ),
            "{file}: {err}"
        );
    }
}

#[test]
fn tacos_predicate_exposes_its_statements() {
    let predicate = serde_json::json!({
        "@context": "domain/namespace", "@id": "https://example.com/att/1",
        "signature": {"type": "sha256", "digest": "78ab8"},
        "author": "Firstname Lastname", "role": "Attestor",
        "timestamp": "2022-03-23T05:35:37+04:00", "TACOSversion": "1", "application": "HelloWorld",
        "statements": [{
            "PackageName": "com.fasterxml.jackson.core:jackson-databind", "PackagePlatform": "maven",
            "PURL": "pkg:maven/com.fasterxml.jackson.core/jackson-databind",
            "UpstreamRepositoryURL": "https://github.com/FasterXML/jackson",
            "SPDXLicenseLatestRelease": "Apache-2.0", "LatestRelease": "2.14.2",
            "ReleasesInUse": ["2.14.2", "2.14.0", "2.9.8"],
            "SBOM": [{"type": "cycloneDX", "version": "1.2", "format": "XML"}],
            "PackageManager2FAEnabled": "True", "SourceRepo2FAEnabled": "False"
        }]
    });
    let d = Algorithm::Sha256.digest(b"app");
    let st = Statement::new(
        StatementType::V1,
        vec![supply_intoto::attestation::statement::ResourceDescriptor::new("app", &d)],
        supply_intoto::attestation::tacos::TACOS_V1,
        predicate,
    )
    .unwrap();
    let Predicate::Tacos(t) = st.predicate().unwrap() else {
        panic!()
    };
    assert_eq!(t.version.as_deref(), Some("1"));
    let s = &t.statements()[0];
    assert_eq!(s.platform(), Some("maven"));
    assert_eq!(s.license(), Some("Apache-2.0"));
    assert_eq!(s.releases_in_use(), ["2.14.2", "2.14.0", "2.9.8"]);
    assert_eq!(s.sboms().len(), 1);
    assert_eq!(s.flag("PackageManager2FAEnabled"), Some(true));
    assert_eq!(s.flag("SourceRepo2FAEnabled"), Some(false));
    assert_eq!(s.flag("Missing"), None);
    // Statements must be a list.
    assert!(supply_intoto::attestation::tacos::Tacos::from_json(br#"{"statements": {}}"#).is_err());
}
