//! The engine's collecting half against Debian's docker-registry (`supply_testkit::registry`):
//! a cosign `.sig` tag and a cosign 3 bundle referrer written with this crate, a forged
//! fallback-index entry, collected with `engine::collect_from_registry` and dispatched.

use std::sync::Arc;

use supply_oci::manifest::{Document, ImageIndex, ImageManifest, Manifest};
use supply_oci::reference::{referrers_tag, Reference};
use supply_oci::registry::{Anonymous, Client, Options};
use supply_oci::{cosign, engine, media_type, Descriptor};
use supply_sig::crypto::RUSTCRYPTO;
use supply_sig::sigstore::referrer::BundleVerifier;
use supply_sig::sigstore::trust_root::TrustedRoot;
use supply_sig::sigstore::verify::Policy;
use supply_sig::time::Timestamp;
use supply_sig::verify::{
    dispatch, AdmissionPolicy, ArtifactVerifier, Requirement, Source, Subject,
};
use supply_testkit::registry::Registry;

use crate::read;

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn image(c: &Client, repo: &Reference, content: &[u8], tag: &str) -> Manifest {
    let config = block_on(c.push_blob(repo, media_type::OCI_CONFIG, b"{}")).unwrap();
    let layer = block_on(c.push_blob(repo, media_type::OCI_LAYER_TAR, content)).unwrap();
    let m = Manifest::encode(&Document::OciManifest(ImageManifest::new(
        config,
        vec![layer],
    )))
    .unwrap();
    block_on(c.push_manifest(&repo.with_tag(tag).unwrap(), &m)).unwrap();
    m
}

fn empty_root() -> Arc<TrustedRoot> {
    Arc::new(
        TrustedRoot::from_json(
            br#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[],"certificateAuthorities":[],"ctlogs":[],"timestampAuthorities":[]}"#,
            &RUSTCRYPTO,
        )
        .unwrap(),
    )
}

#[test]
fn signatures_written_here_are_collected_and_verified_and_forged_entries_are_reported() {
    let Some(reg) = Registry::start() else { return };
    let c = Client::new(Options::new(), Box::new(Anonymous)).unwrap();
    let repo = Reference::parse(&format!("{}/engine/img", reg.host())).unwrap();
    let subject = image(&c, &repo, b"the subject", "v1");
    let other = image(&c, &repo, b"another image", "v2");
    let sref = repo.with_digest(subject.digest());

    let key = supply_sig::key::encoding::cosign::decrypt(&read("generated/keys/cosign.key"), b"")
        .unwrap();
    let signer = supply_sig::sign::KeySigner::with_default_scheme(&key, &RUSTCRYPTO).unwrap();
    // Two `.sig` signatures: cosign appends to the layers already under the tag.
    for note in ["first", "second"] {
        let mut optional = std::collections::BTreeMap::new();
        optional.insert("note".to_owned(), note.to_owned());
        let payload = cosign::SimpleSigning::new(repo.name(), subject.digest(), optional);
        let sig = cosign::sign(&payload, &signer).unwrap();
        block_on(cosign::push_signature(&c, &sref, &subject.digest(), sig)).unwrap();
    }
    // A cosign 3 bundle referrer.
    let statement = cosign::sign_statement(&subject.digest());
    let bundle = supply_sig::sigstore::sign::sign_dsse(
        cosign::IN_TOTO_PAYLOAD_TYPE,
        &statement,
        &signer,
        &RUSTCRYPTO,
    )
    .unwrap();
    let referrer = cosign::bundle_referrer(
        bundle.raw(),
        cosign::SIGN_PREDICATE_TYPE,
        subject.descriptor(),
    )
    .unwrap();
    let bundle_digest = block_on(cosign::push_bundle_referrer(&c, &sref, &referrer)).unwrap();
    // A referrer of the other image, listed (by a forger) under the subject's fallback tag.
    let forged = cosign::bundle_referrer(
        bundle.raw(),
        cosign::SIGN_PREDICATE_TYPE,
        other.descriptor(),
    )
    .unwrap();
    block_on(c.push_manifest(
        &repo.with_digest(forged.manifest.digest()),
        &forged.manifest,
    ))
    .unwrap();
    let tag = repo.with_tag(&referrers_tag(&subject.digest())).unwrap();
    let index = block_on(c.fetch_manifest(&tag)).unwrap();
    let mut entries = index.document().as_index().unwrap().manifests.clone();
    assert_eq!(entries.len(), 1, "the bundle referrer's entry");
    entries.push(forged.manifest.descriptor());
    let index = Manifest::encode(&Document::OciIndex(ImageIndex::new(entries))).unwrap();
    block_on(c.push_manifest(&tag, &index)).unwrap();

    // The listing hands back the manifests it fetched to check them (at most `keep`).
    let (listed, kept) = block_on(c.referrers_with_manifests(&sref, None, 0)).unwrap();
    assert_eq!((listed.referrers.len(), kept.len()), (1, 0));
    let (listed, kept) = block_on(c.referrers_with_manifests(&sref, None, 5)).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].digest(), listed.referrers[0].digest);
    assert_eq!(kept[0].digest(), bundle_digest);

    let got = block_on(engine::collect_from_registry(&c, &sref)).unwrap();
    assert_eq!(got.over_limit, 0);
    assert_eq!(got.attachments.len(), 2, "{:?}", got.attachments);
    let from_referrers: Vec<_> = got
        .attachments
        .iter()
        .filter(|a| *a.source() == Source::Referrers)
        .collect();
    assert_eq!(from_referrers.len(), 1);
    assert_eq!(*from_referrers[0].digest(), bundle_digest);
    assert_eq!(
        from_referrers[0].artifact_type(),
        cosign::BUNDLE_ARTIFACT_TYPE
    );
    let sig = got
        .attachments
        .iter()
        .find(|a| *a.source() == Source::DerivedTag(cosign::signature_tag(&subject.digest())))
        .unwrap();
    assert_eq!(sig.blobs().len(), 2, "both signatures kept under the tag");
    assert_eq!(got.unreadable.len(), 1, "{:?}", got.unreadable);
    let (d, e) = &got.unreadable[0];
    assert_eq!(*d, forged.manifest.digest());
    assert!(
        matches!(e, engine::Error::NotAReferrer { actual: Some(a), .. } if **a == other.digest()),
        "{e:?}"
    );

    // Dispatched with the key: the .sig and the bundle pass; another key passes nothing.
    let now = Timestamp::from(std::time::SystemTime::now());
    let verdicts = |pem: &[u8]| {
        let key = supply_sig::key::encoding::pem::public_key_from_pem(pem).unwrap();
        let policy = Policy::public_key(key)
            .insecure_ignore_tlog()
            .insecure_caller_time(now)
            .unwrap();
        let sig = cosign::SignatureVerifier::new(policy.clone(), empty_root(), &RUSTCRYPTO);
        let bundles = BundleVerifier::new(policy, empty_root(), &RUSTCRYPTO);
        let verifiers: [&dyn ArtifactVerifier; 2] = [&sig, &bundles];
        dispatch(
            &Subject::new(subject.digest()),
            &got.attachments,
            &verifiers,
            now,
        )
    };
    let report = verdicts(&read("generated/keys/cosign.pub"));
    assert_eq!(report.passes_by(cosign::SignatureVerifier::NAME).count(), 1);
    let bundle_pass: Vec<_> = report.passes_by(BundleVerifier::NAME).collect();
    assert_eq!(bundle_pass.len(), 1);
    assert_eq!(
        bundle_pass[0].predicate_type(),
        Some(cosign::SIGN_PREDICATE_TYPE)
    );
    let either = [
        Requirement::passed_by(cosign::SignatureVerifier::NAME),
        Requirement::passed_by(BundleVerifier::NAME),
    ];
    assert!(AdmissionPolicy::new()
        .require_any(either.clone())
        .evaluate(&report)
        .is_ok());
    // containers/image's test key, not ours.
    let report = verdicts(&read("containers-image/sigstore/cosign.pub"));
    assert!(AdmissionPolicy::new()
        .require_any(either)
        .evaluate(&report)
        .is_err());
}

#[test]
fn a_sig_tag_holding_something_else_is_not_overwritten() {
    let Some(reg) = Registry::start() else { return };
    let c = Client::new(Options::new(), Box::new(Anonymous)).unwrap();
    let repo = Reference::parse(&format!("{}/engine/squat", reg.host())).unwrap();
    let subject = image(&c, &repo, b"the subject", "v1");
    // An index under the `.sig` tag.
    let squatter = Manifest::encode(&Document::OciIndex(ImageIndex::new(
        Vec::<Descriptor>::new(),
    )))
    .unwrap();
    let tag = cosign::signature_tag(&subject.digest());
    block_on(c.push_manifest(&repo.with_tag(&tag).unwrap(), &squatter)).unwrap();
    let key = supply_sig::key::encoding::cosign::decrypt(&read("generated/keys/cosign.key"), b"")
        .unwrap();
    let signer = supply_sig::sign::KeySigner::with_default_scheme(&key, &RUSTCRYPTO).unwrap();
    let payload = cosign::SimpleSigning::new(repo.name(), subject.digest(), Default::default());
    let sig = cosign::sign(&payload, &signer).unwrap();
    let err = block_on(cosign::push_signature(
        &c,
        &repo.with_digest(subject.digest()),
        &subject.digest(),
        sig,
    ))
    .unwrap_err();
    assert!(
        matches!(err, cosign::Error::NotASignatureImage(_)),
        "{err:?}"
    );
    let still = block_on(c.fetch_manifest(&repo.with_tag(&tag).unwrap())).unwrap();
    assert_eq!(still.digest(), squatter.digest());
}
