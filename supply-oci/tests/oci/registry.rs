//! The registry client against Debian's docker-registry (distribution 2.8, started by
//! `supply_testkit::registry`) and, for the faults a real registry will not produce, against
//! in-process servers (`FnServer`): each fault must come back as its typed error.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use supply_oci::auth::Credential;
use supply_oci::manifest::{Document, ImageManifest, Manifest};
use supply_oci::reference::{referrers_tag, Reference};
use supply_oci::registry::{
    Anonymous, Client, Error, Limits, Options, Retry, SkipReason, StaticCredentials,
};
use supply_oci::{media_type, Descriptor, Digest, Layout};
use supply_sig::http::{Failure, HttpOptions, Timeouts};
use supply_testkit::http::{FnServer, Reply, Request};
use supply_testkit::registry::{Registry, PASSWORD, USER};

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn fast_retry() -> Retry {
    let mut r = Retry::default();
    r.base_delay = Duration::from_millis(10);
    r.max_delay = Duration::from_millis(50);
    r
}

fn client() -> Client {
    Client::new(Options::new().with_retry(fast_retry()), Box::new(Anonymous)).unwrap()
}

fn reference(host: &str, rest: &str) -> Reference {
    Reference::parse(&format!("{host}/{rest}")).unwrap()
}

/// An artifact manifest: empty config, one layer, optional subject and artifact type.
fn artifact(
    c: &Client,
    repo: &Reference,
    layer: &[u8],
    layer_type: &str,
    artifact_type: Option<&str>,
    config_type: Option<&str>,
    subject: Option<Descriptor>,
) -> Manifest {
    let config = match config_type {
        Some(t) => block_on(c.push_blob(repo, t, b"{}")).unwrap(),
        None => block_on(c.push_blob(repo, media_type::OCI_EMPTY, b"{}")).unwrap(),
    };
    let layer = block_on(c.push_blob(repo, layer_type, layer)).unwrap();
    let mut m = ImageManifest::new(config, vec![layer]);
    m.artifact_type = artifact_type.map(str::to_owned);
    m.subject = subject;
    let mut ann = BTreeMap::new();
    ann.insert("org.example.note".to_owned(), "supply test".to_owned());
    m.annotations = Some(ann);
    Manifest::encode(&Document::OciManifest(m)).unwrap()
}

fn subject_image(c: &Client, repo: &Reference, content: &[u8]) -> Manifest {
    let m = artifact(
        c,
        repo,
        content,
        media_type::OCI_LAYER_TAR,
        None,
        Some(media_type::OCI_CONFIG),
        None,
    );
    block_on(c.push_manifest(&repo.with_tag("v1").unwrap(), &m)).unwrap();
    m
}

#[test]
fn blobs_push_monolithic_and_chunked_and_stream_back_verified() {
    let Some(reg) = Registry::start() else { return };
    let c = Client::new(
        Options::new()
            .with_chunk_size(1000)
            .with_retry(fast_retry()),
        Box::new(Anonymous),
    )
    .unwrap();
    block_on(c.ping(&reg.host())).unwrap();
    let repo = reference(&reg.host(), "test/blobs");
    let small = b"hello registry".to_vec();
    let d = block_on(c.push_blob(&repo, "text/plain", &small)).unwrap();
    assert_eq!(d.size, small.len() as u64);
    assert_eq!(
        block_on(c.blob_exists(&repo, &d.digest)).unwrap(),
        Some(small.len() as u64)
    );
    assert_eq!(
        block_on(c.fetch_blob_bytes(&repo, &d, 1 << 20)).unwrap(),
        small
    );
    // Chunked: 4 500 bytes in 1 000-byte PATCHes.
    let big: Vec<u8> = (0..4500u32).map(|i| (i % 251) as u8).collect();
    let d2 = block_on(c.push_blob_chunked(&repo, "application/octet-stream", &big[..])).unwrap();
    assert_eq!(d2, Descriptor::for_bytes("application/octet-stream", &big));
    assert_eq!(
        block_on(c.fetch_blob_bytes(&repo, &d2, 1 << 20)).unwrap(),
        big
    );
    // A descriptor that lies about the size or digest is caught while streaming.
    let mut short = d2.clone();
    short.size = 10;
    assert!(matches!(
        block_on(c.fetch_blob_bytes(&repo, &short, 1 << 20)),
        Err(Error::LimitExceeded(_))
    ));
    let missing = Digest::parse(&format!("sha256:{}", "0".repeat(64))).unwrap();
    assert_eq!(block_on(c.blob_exists(&repo, &missing)).unwrap(), None);
    // The cap applies before anything is read.
    assert!(matches!(
        block_on(c.fetch_blob_bytes(&repo, &d2, 100)),
        Err(Error::LimitExceeded(_))
    ));
}

#[test]
fn manifests_push_fetch_resolve_delete_and_mount() {
    let Some(reg) = Registry::start() else { return };
    let c = client();
    let repo = reference(&reg.host(), "test/app");
    let m = subject_image(&c, &repo, b"layer one");
    let by_tag = block_on(c.fetch_manifest(&repo.with_tag("v1").unwrap())).unwrap();
    assert_eq!(by_tag.raw(), m.raw());
    let by_digest = block_on(c.fetch_manifest(&repo.with_digest(m.digest()))).unwrap();
    assert_eq!(by_digest.digest(), m.digest());
    let desc = block_on(c.resolve(&repo.with_tag("v1").unwrap())).unwrap();
    assert_eq!(desc.digest, m.digest());
    assert_eq!(desc.size, m.raw().len() as u64);
    assert_eq!(desc.media_type, media_type::OCI_MANIFEST);

    // Mount the layer into another repository of the same registry.
    let other = reference(&reg.host(), "test/other");
    let layer = m.document().as_manifest().unwrap().layers[0].clone();
    assert_eq!(
        block_on(c.blob_exists(&other, &layer.digest)).unwrap(),
        None
    );
    assert!(block_on(c.mount_blob(&other, "test/app", &layer.digest)).unwrap());
    assert_eq!(
        block_on(c.blob_exists(&other, &layer.digest)).unwrap(),
        Some(layer.size)
    );
    // A blob the source does not have is not mounted (and the session is cancelled).
    let missing = Digest::parse(&format!("sha256:{}", "1".repeat(64))).unwrap();
    assert!(!block_on(c.mount_blob(&other, "test/app", &missing)).unwrap());

    // Tags.
    for t in ["a", "b", "c"] {
        block_on(c.push_manifest(&repo.with_tag(t).unwrap(), &m)).unwrap();
    }
    let mut tags = block_on(c.tags(&repo, None, None)).unwrap();
    tags.sort();
    assert_eq!(tags, ["a", "b", "c", "v1"]);

    // Delete: the digest (and its tags) are gone.
    block_on(c.delete_manifest(&repo, &m.digest())).unwrap();
    let err = block_on(c.fetch_manifest(&repo.with_digest(m.digest()))).unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    match err {
        Error::Status { status, codes, .. } => {
            assert_eq!(status, 404);
            assert_eq!(codes, ["MANIFEST_UNKNOWN"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn referrers_go_through_the_fallback_tag_on_distribution_2_8() {
    let Some(reg) = Registry::start() else { return };
    let c = client();
    let repo = reference(&reg.host(), "test/subject");
    let subject = subject_image(&c, &repo, b"the subject");
    let sd = subject.descriptor();
    let sbom = artifact(
        &c,
        &repo,
        b"{\"spdxVersion\":\"SPDX-2.3\"}",
        "application/spdx+json",
        Some("application/spdx+json"),
        None,
        Some(sd.clone()),
    );
    // No artifactType: the fallback entry takes the config's media type.
    let sig = artifact(
        &c,
        &repo,
        b"signature",
        "application/cose",
        None,
        Some("application/vnd.cncf.notary.signature"),
        Some(sd.clone()),
    );
    let pushed = block_on(c.attach(&repo, &sbom)).unwrap();
    assert_eq!(pushed.digest, sbom.digest());
    assert_eq!(
        pushed.oci_subject, None,
        "distribution 2.8 has no Referrers API"
    );
    block_on(c.attach(&repo, &sig)).unwrap();
    // Attaching again does not duplicate the entry.
    block_on(c.attach(&repo, &sig)).unwrap();

    let index =
        block_on(c.fetch_manifest(&repo.with_tag(&referrers_tag(&sd.digest)).unwrap())).unwrap();
    let entries = &index.document().as_index().unwrap().manifests;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].digest, sbom.digest());
    assert_eq!(
        entries[0].artifact_type.as_deref(),
        Some("application/spdx+json")
    );
    assert_eq!(
        entries[1].artifact_type.as_deref(),
        Some("application/vnd.cncf.notary.signature")
    );
    assert_eq!(
        entries[1].annotation("org.example.note"),
        Some("supply test"),
        "annotations are copied"
    );

    let subject_ref = repo.with_digest(sd.digest);
    let all = block_on(c.referrers(&subject_ref, None)).unwrap();
    assert!(!all.from_api);
    assert!(all.skipped.is_empty());
    let digests: Vec<_> = all.referrers.iter().map(|d| d.digest).collect();
    assert_eq!(digests, [sbom.digest(), sig.digest()]);
    let only = block_on(c.referrers(&subject_ref, Some("application/spdx+json"))).unwrap();
    assert_eq!(only.referrers.len(), 1);
    assert_eq!(only.referrers[0].digest, sbom.digest());

    // A subject without referrers: the tag is absent, the list empty.
    let lonely = block_on(c.referrers(&repo.with_digest(sbom.digest()), None)).unwrap();
    assert!(lonely.referrers.is_empty());

    // Detach removes the manifest and its entry.
    block_on(c.detach(&repo, &sig.digest())).unwrap();
    let after = block_on(c.referrers(&subject_ref, None)).unwrap();
    assert_eq!(after.referrers.len(), 1);
    assert_eq!(after.referrers[0].digest, sbom.digest());
    assert!(block_on(c.fetch_manifest(&repo.with_digest(sig.digest())))
        .unwrap_err()
        .is_not_found());
}

/// Pushes `desc` from `layout` (children first) to `repo`.
fn push_from_layout(c: &Client, layout: &Layout, repo: &Reference, desc: &Descriptor) {
    let m = layout.read_manifest(desc).unwrap();
    if let Some(i) = m.document().as_index() {
        for child in &i.manifests {
            push_from_layout(c, layout, repo, child);
        }
    } else {
        for child in m.document().children() {
            let bytes = layout.read_blob(child).unwrap();
            let pushed = block_on(c.push_blob(repo, &child.media_type, &bytes)).unwrap();
            assert_eq!(pushed.digest, child.digest);
        }
    }
    let pushed = block_on(c.push_manifest(&repo.with_digest(desc.digest), &m)).unwrap();
    assert_eq!(pushed.digest, desc.digest, "stored byte-exact");
}

#[test]
fn the_generated_fallback_fixtures_read_back_as_the_spec_referrers() {
    let Some(reg) = Registry::start() else { return };
    let c = client();
    let repo = reference(&reg.host(), "test/subject");
    let layout = Layout::open(crate::oci("generated/layout-registry-fallback")).unwrap();
    for (tag, desc) in layout.tags().unwrap() {
        push_from_layout(&c, &layout, &repo, &desc);
        let m = layout.read_manifest(&desc).unwrap();
        block_on(c.push_manifest(&repo.with_tag(&tag).unwrap(), &m)).unwrap();
    }
    let expected = crate::json("generated/expected.json");
    for (subject, want) in expected["specReferrers"].as_object().unwrap() {
        let subject_ref = repo.with_digest(Digest::parse(subject).unwrap());
        let got = block_on(c.referrers(&subject_ref, None)).unwrap();
        assert!(!got.from_api);
        assert!(got.skipped.is_empty(), "{:?}", got.skipped);
        let mut got: Vec<serde_json::Value> = got
            .referrers
            .iter()
            .map(|d| serde_json::to_value(d).unwrap())
            .collect();
        got.sort_by_key(|v| v["digest"].as_str().unwrap().to_owned());
        assert_eq!(
            &serde_json::Value::Array(got),
            want,
            "referrers of {subject}"
        );
    }
    // The stored index still carries cosign's empty.v1 entries: the reader fixed them.
    let stored = block_on(
        c.fetch_manifest(
            &repo
                .with_tag("sha256-f5a8f8219437135853aed6518b96f9614d3276f7cbe05c988d2a2513929e813b")
                .unwrap(),
        ),
    )
    .unwrap();
    let empties = stored
        .document()
        .as_index()
        .unwrap()
        .manifests
        .iter()
        .filter(|d| d.artifact_type.as_deref() == Some(media_type::OCI_EMPTY))
        .count();
    assert_eq!(empties, 2);
    // Filtering is done on the verified types, so cosign's bundles are found.
    let subject_ref = repo.with_digest(
        Digest::parse("sha256:f5a8f8219437135853aed6518b96f9614d3276f7cbe05c988d2a2513929e813b")
            .unwrap(),
    );
    let bundles = block_on(c.referrers(
        &subject_ref,
        Some("application/vnd.dev.sigstore.bundle.v0.3+json"),
    ))
    .unwrap();
    assert_eq!(bundles.referrers.len(), 2);
}

#[test]
fn a_fallback_entry_for_another_subject_or_a_deleted_manifest_is_skipped() {
    let Some(reg) = Registry::start() else { return };
    let c = client();
    let repo = reference(&reg.host(), "test/forged");
    let subject = subject_image(&c, &repo, b"real subject");
    let other = artifact(
        &c,
        &repo,
        b"other",
        media_type::OCI_LAYER_TAR,
        None,
        None,
        None,
    );
    block_on(c.push_manifest(&repo.with_digest(other.digest()), &other)).unwrap();
    // A referrer of `other`, listed (by a forger) under `subject`'s tag.
    let foreign = artifact(
        &c,
        &repo,
        b"x",
        "text/plain",
        Some("application/x-forged"),
        None,
        Some(other.descriptor()),
    );
    block_on(c.push_manifest(&repo.with_digest(foreign.digest()), &foreign)).unwrap();
    let gone = Descriptor::new(
        media_type::OCI_MANIFEST,
        Digest::parse(&format!("sha256:{}", "2".repeat(64))).unwrap(),
        10,
    );
    let mut forged_entry = foreign.descriptor();
    forged_entry.artifact_type = Some("application/spdx+json".into());
    let index = Manifest::encode(&Document::OciIndex(supply_oci::manifest::ImageIndex::new(
        vec![forged_entry, gone.clone()],
    )))
    .unwrap();
    // distribution checks that index entries exist: only the existing one is pushed there.
    let index_one = Manifest::encode(&Document::OciIndex(supply_oci::manifest::ImageIndex::new(
        vec![index.document().as_index().unwrap().manifests[0].clone()],
    )))
    .unwrap();
    block_on(c.push_manifest(
        &repo.with_tag(&referrers_tag(&subject.digest())).unwrap(),
        &index_one,
    ))
    .unwrap();
    let got = block_on(c.referrers(&repo.with_digest(subject.digest()), None)).unwrap();
    assert!(got.referrers.is_empty());
    assert_eq!(got.skipped.len(), 1);
    assert_eq!(
        got.skipped[0].reason,
        SkipReason::SubjectMismatch {
            actual: Some(other.digest())
        }
    );
    // The forged type is not believed, so a filter on it finds nothing either.
    let filtered = block_on(c.referrers(
        &repo.with_digest(subject.digest()),
        Some("application/spdx+json"),
    ))
    .unwrap();
    assert!(filtered.referrers.is_empty());
}

#[test]
fn basic_auth_over_tls_with_a_private_ca() {
    let Some(reg) = Registry::start_basic_auth() else {
        return;
    };
    let mut http = HttpOptions::new().with_platform_roots(false);
    http.add_ca_pem(reg.ca().unwrap().pem().as_bytes()).unwrap();
    let options = || {
        Options::new()
            .with_http(http.clone())
            .with_https(&reg.host())
            .with_retry(fast_retry())
    };
    let creds = StaticCredentials::new().with(
        &reg.host(),
        Credential::Basic {
            username: USER.into(),
            password: PASSWORD.into(),
        },
    );
    let c = Client::new(options(), Box::new(creds)).unwrap();
    block_on(c.ping(&reg.host())).unwrap();
    let repo = reference(&reg.host(), "private/app");
    let m = subject_image(&c, &repo, b"secret layer");
    assert_eq!(
        block_on(c.fetch_manifest(&repo.with_tag("v1").unwrap()))
            .unwrap()
            .digest(),
        m.digest()
    );

    let anon = Client::new(options(), Box::new(Anonymous)).unwrap();
    assert!(matches!(
        block_on(anon.fetch_manifest(&repo.with_tag("v1").unwrap())),
        Err(Error::Unauthorized { status: 401, .. })
    ));
    let wrong = StaticCredentials::new().with(
        &reg.host(),
        Credential::Basic {
            username: USER.into(),
            password: "wrong".into(),
        },
    );
    let bad = Client::new(options(), Box::new(wrong)).unwrap();
    assert!(matches!(
        block_on(bad.ping(&reg.host())),
        Err(Error::Unauthorized { status: 401, .. })
    ));
    // Without the CA, TLS fails as an untrusted issuer.
    let untrusted = Client::new(
        Options::new()
            .with_http(HttpOptions::new().with_platform_roots(false))
            .with_https(&reg.host()),
        Box::new(Anonymous),
    )
    .unwrap();
    match block_on(untrusted.ping(&reg.host())) {
        Err(Error::Http(supply_sig::http::Error::Request { failure, .. })) => {
            assert_eq!(failure, Failure::UnknownIssuer);
        }
        other => panic!("{other:?}"),
    }
}

// ---- faults from in-process servers -----------------------------------------------------------

fn host_of(server: &FnServer) -> String {
    server
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

fn manifest_bytes() -> Vec<u8> {
    let m = ImageManifest::new(
        Descriptor::empty(),
        vec![Descriptor::for_bytes(media_type::OCI_LAYER_TAR, b"x")],
    );
    Manifest::encode(&Document::OciManifest(m))
        .unwrap()
        .raw()
        .to_vec()
}

#[test]
fn a_truncated_blob_is_an_error() {
    let body = b"0123456789".to_vec();
    let desc = Descriptor::for_bytes("text/plain", &body);
    let b = body.clone();
    let server = FnServer::start(move |_| {
        Reply::new(200, "application/octet-stream", b[..4].to_vec()).with_declared_len(b.len())
    });
    let repo = reference(&host_of(&server), "x/y");
    let err = block_on(client().fetch_blob_bytes(&repo, &desc, 1 << 20)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Http(supply_sig::http::Error::Request { .. }) | Error::SizeMismatch { .. }
        ),
        "{err:?}"
    );
}

#[test]
fn a_blob_with_other_content_is_a_digest_mismatch() {
    let desc = Descriptor::for_bytes("text/plain", b"expected!!");
    let server = FnServer::start(|_| Reply::new(200, "text/plain", b"tampered!!".to_vec()));
    let repo = reference(&host_of(&server), "x/y");
    assert!(matches!(
        block_on(client().fetch_blob_bytes(&repo, &desc, 1 << 20)),
        Err(Error::DigestMismatch { what: "blob", .. })
    ));
}

#[test]
fn an_oversized_manifest_is_refused() {
    let server = FnServer::start(|_| {
        Reply::new(
            200,
            media_type::OCI_MANIFEST,
            vec![b' '; supply_oci::limits::MAX_MANIFEST_LEN + 1],
        )
    });
    let r = reference(&host_of(&server), "x/y:v1");
    assert!(matches!(
        block_on(client().fetch_manifest(&r)),
        Err(Error::LimitExceeded(_))
    ));
}

#[test]
fn docker_content_digest_must_match_the_body_and_the_request() {
    let raw = manifest_bytes();
    let good = supply_oci::Algorithm::Sha256.digest(&raw);
    let other = supply_oci::Algorithm::Sha256.digest(b"other");
    let (r2, o2) = (raw.clone(), other);
    let server = FnServer::start(move |_| {
        Reply::new(200, media_type::OCI_MANIFEST, r2.clone())
            .with_header("Docker-Content-Digest", &o2.to_string())
    });
    let host = host_of(&server);
    // By tag: the header disagrees with the body.
    assert!(matches!(
        block_on(client().fetch_manifest(&reference(&host, "x/y:v1"))),
        Err(Error::HeaderDigestMismatch { .. })
    ));
    // By digest: the body is right but the header is not.
    assert!(matches!(
        block_on(client().fetch_manifest(&reference(&host, &format!("x/y@{good}")))),
        Err(Error::HeaderDigestMismatch { .. })
    ));
    // By digest, another body: the body check comes first.
    assert!(matches!(
        block_on(client().fetch_manifest(&reference(&host, &format!("x/y@{other}")))),
        Err(Error::DigestMismatch { .. })
    ));
}

#[test]
fn an_endless_link_chain_stops_at_the_page_cap() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let server = FnServer::start(move |req| {
        let n = h.fetch_add(1, Ordering::SeqCst);
        Reply::new(
            200,
            "application/json",
            br#"{"name":"x/y","tags":["t"]}"#.to_vec(),
        )
        .with_header(
            "Link",
            &format!(
                "<{}?last=t{n}>; rel=\"next\"",
                req.target.split('?').next().unwrap()
            ),
        )
    });
    let mut limits = Limits::default();
    limits.max_tag_pages = 5;
    let c = Client::new(Options::new().with_limits(limits), Box::new(Anonymous)).unwrap();
    let repo = reference(&host_of(&server), "x/y");
    assert!(matches!(
        block_on(c.tags(&repo, Some(1), None)),
        Err(Error::TooManyPages {
            what: "tag list",
            limit: 5
        })
    ));
    assert_eq!(hits.load(Ordering::SeqCst), 5);
}

#[test]
fn tag_pages_follow_link_with_n_and_last() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let server = FnServer::start(move |req: &Request| {
        s.lock().unwrap().push(req.target.clone());
        let last = req
            .query_pairs()
            .into_iter()
            .find(|(k, _)| k == "last")
            .map(|(_, v)| v);
        let (tags, next) = match last.as_deref() {
            None => (r#"["a","b"]"#, Some("b")),
            Some("b") => (r#"["c","d"]"#, Some("d")),
            _ => (r#"["e"]"#, None),
        };
        let mut r = Reply::new(
            200,
            "application/json",
            format!(r#"{{"name":"x/y","tags":{tags}}}"#).into_bytes(),
        );
        if let Some(n) = next {
            r = r.with_header(
                "Link",
                &format!("</v2/x/y/tags/list?n=2&last={n}>; rel=\"next\""),
            );
        }
        r
    });
    let repo = reference(&host_of(&server), "x/y");
    let tags = block_on(client().tags(&repo, Some(2), None)).unwrap();
    assert_eq!(tags, ["a", "b", "c", "d", "e"]);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "/v2/x/y/tags/list?n=2",
            "/v2/x/y/tags/list?n=2&last=b",
            "/v2/x/y/tags/list?n=2&last=d"
        ]
    );
    // A Link to another host is refused.
    let evil = FnServer::start(|_| {
        Reply::new(200, "application/json", br#"{"tags":[]}"#.to_vec()).with_header(
            "Link",
            "<http://evil.example/v2/x/y/tags/list>; rel=\"next\"",
        )
    });
    assert!(matches!(
        block_on(client().tags(&reference(&host_of(&evil), "x/y"), None, None)),
        Err(Error::BadHeader { what: "Link", .. })
    ));
}

#[test]
fn idempotent_requests_are_retried_on_429_and_5xx_others_not() {
    let raw = manifest_bytes();
    let gets = Arc::new(AtomicUsize::new(0));
    let posts = Arc::new(AtomicUsize::new(0));
    let (g, p, r) = (gets.clone(), posts.clone(), raw.clone());
    let server = FnServer::start(move |req| {
        if req.method == "POST" {
            p.fetch_add(1, Ordering::SeqCst);
            return Reply::new(503, "text/plain", b"busy".to_vec());
        }
        match g.fetch_add(1, Ordering::SeqCst) {
            0 => Reply::new(503, "text/plain", b"busy".to_vec()),
            1 => {
                Reply::new(429, "text/plain", b"slow down".to_vec()).with_header("Retry-After", "0")
            }
            _ => Reply::new(200, media_type::OCI_MANIFEST, r.clone()),
        }
    });
    let host = host_of(&server);
    let m = block_on(client().fetch_manifest(&reference(&host, "x/y:v1"))).unwrap();
    assert_eq!(m.raw(), raw);
    assert_eq!(gets.load(Ordering::SeqCst), 3);
    // A POST (starting an upload session) is not idempotent: sent once.
    let r = block_on(client().mount_blob(&reference(&host, "x/y"), "a/b", &m.digest()));
    assert!(matches!(r, Err(Error::Status { status: 503, .. })), "{r:?}");
    assert_eq!(posts.load(Ordering::SeqCst), 1);
    // When the retries run out, the last status is reported.
    let always = FnServer::start(|_| Reply::new(502, "text/plain", Vec::new()));
    assert!(matches!(
        block_on(client().fetch_manifest(&reference(&host_of(&always), "x/y:v1"))),
        Err(Error::Status { status: 502, .. })
    ));
}

#[test]
fn a_slow_registry_times_out() {
    let server = FnServer::start(|_| {
        Reply::new(200, media_type::OCI_MANIFEST, manifest_bytes())
            .with_delay(Duration::from_secs(3))
    });
    let http = HttpOptions::new().with_timeouts(Timeouts::new(
        Duration::from_secs(2),
        Duration::from_millis(300),
        Duration::from_millis(600),
    ));
    let c = Client::new(Options::new().with_http(http), Box::new(Anonymous)).unwrap();
    match block_on(c.fetch_manifest(&reference(&host_of(&server), "x/y:v1"))) {
        Err(Error::Http(supply_sig::http::Error::Request { failure, .. })) => {
            assert_eq!(failure, Failure::Timeout);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn credentials_do_not_follow_a_redirect_to_another_host() {
    let blob = b"blob from the CDN".to_vec();
    let desc = Descriptor::for_bytes("text/plain", &blob);
    let cdn_auth = Arc::new(Mutex::new(Vec::new()));
    let (seen, b) = (cdn_auth.clone(), blob.clone());
    let cdn = FnServer::start(move |req| {
        seen.lock()
            .unwrap()
            .push(req.header("authorization").map(str::to_owned));
        Reply::new(200, "application/octet-stream", b.clone())
    });
    // The CDN is reached as `localhost`, the registry as 127.0.0.1: another host.
    let cdn_url = cdn.url("blob").replace("127.0.0.1", "localhost");
    let registry_auth = Arc::new(Mutex::new(Vec::new()));
    let seen = registry_auth.clone();
    let registry = FnServer::start(move |req| {
        let auth = req.header("authorization").map(str::to_owned);
        seen.lock().unwrap().push(auth.clone());
        if auth.is_none() {
            return Reply::new(401, "application/json", b"{}".to_vec())
                .with_header("WWW-Authenticate", "Basic realm=\"test\"");
        }
        Reply::new(307, "text/plain", Vec::new()).with_header("Location", &cdn_url)
    });
    let host = host_of(&registry);
    let creds = StaticCredentials::new().with(
        &host,
        Credential::Basic {
            username: "u".into(),
            password: "p".into(),
        },
    );
    let c = Client::new(Options::new(), Box::new(creds)).unwrap();
    let got = block_on(c.fetch_blob_bytes(&reference(&host, "x/y"), &desc, 1 << 20)).unwrap();
    assert_eq!(got, blob);
    let reg_seen = registry_auth.lock().unwrap().clone();
    assert_eq!(reg_seen.len(), 2);
    assert!(reg_seen[1].as_deref().unwrap().starts_with("Basic "));
    assert_eq!(
        *cdn_auth.lock().unwrap(),
        [None],
        "no Authorization at the CDN"
    );
}

#[test]
fn bearer_tokens_are_fetched_per_scope_and_cached() {
    let token_hits = Arc::new(Mutex::new(Vec::new()));
    let raw = manifest_bytes();
    let t = token_hits.clone();
    let server = Arc::new(Mutex::new(None::<String>));
    let s2 = server.clone();
    let fs = FnServer::start(move |req| {
        if req.target.starts_with("/token") {
            t.lock().unwrap().push(req.query_pairs());
            return Reply::new(
                200,
                "application/json",
                br#"{"token":"tok-123","expires_in":300}"#.to_vec(),
            );
        }
        if req.header("authorization") != Some("Bearer tok-123") {
            let realm = format!("{}token", s2.lock().unwrap().clone().unwrap());
            return Reply::new(401, "application/json", b"{}".to_vec()).with_header(
                "WWW-Authenticate",
                &format!(
                    "Bearer realm=\"{realm}\",service=\"reg.test\",scope=\"repository:x/y:pull\""
                ),
            );
        }
        Reply::new(200, media_type::OCI_MANIFEST, raw.clone())
    });
    *server.lock().unwrap() = Some(fs.url(""));
    let c = client();
    let r = reference(&host_of(&fs), "x/y:v1");
    block_on(c.fetch_manifest(&r)).unwrap();
    block_on(c.fetch_manifest(&r)).unwrap();
    let hits = token_hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 1, "the second request uses the cached token");
    assert!(hits[0].contains(&("service".into(), "reg.test".into())));
    assert!(hits[0].contains(&("scope".into(), "repository:x/y:pull".into())));
}

// ---- interop with oras and crane --------------------------------------------------------------

/// Runs a peer CLI with a private home in `dir`, returning stdout.
fn peer(name: &str, dir: &std::path::Path, args: &[&str]) -> Option<Vec<u8>> {
    let program = supply_testkit::peer(name)?;
    let mut cmd = supply_testkit::peer_command(&program, dir);
    cmd.current_dir(dir).args(args);
    Some(supply_testkit::run_ok(&mut cmd))
}

#[test]
fn oras_attaches_and_we_discover() {
    let Some(reg) = Registry::start() else { return };
    let c = client();
    let repo = reference(&reg.host(), "interop/oras");
    let subject = subject_image(&c, &repo, b"oras subject");
    let dir = supply_testkit::tempdir();
    std::fs::write(
        dir.path().join("sbom.spdx.json"),
        b"{\"spdxVersion\":\"SPDX-2.3\"}",
    )
    .unwrap();
    let target = format!("{}@{}", repo.name(), subject.digest());
    let Some(out) = peer(
        "oras",
        dir.path(),
        &[
            "attach",
            "--plain-http",
            "--artifact-type",
            "application/spdx+json",
            "--annotation",
            "org.example.by=oras",
            "--format",
            "json",
            &target,
            "sbom.spdx.json:application/spdx+json",
        ],
    ) else {
        return;
    };
    let attached: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let digest = Digest::parse(attached["digest"].as_str().unwrap()).unwrap();
    let got = block_on(c.referrers(&repo.with_digest(subject.digest()), None)).unwrap();
    assert!(!got.from_api);
    assert_eq!(got.referrers.len(), 1);
    let r = &got.referrers[0];
    assert_eq!(r.digest, digest);
    assert_eq!(r.artifact_type.as_deref(), Some("application/spdx+json"));
    assert_eq!(r.annotation("org.example.by"), Some("oras"));
    // And the SBOM layer streams back verified.
    let m = block_on(c.fetch_manifest(&repo.with_digest(digest))).unwrap();
    let layer = &m.document().as_manifest().unwrap().layers[0];
    assert_eq!(
        block_on(c.fetch_blob_bytes(&repo, layer, 1 << 20)).unwrap(),
        b"{\"spdxVersion\":\"SPDX-2.3\"}"
    );
}

#[test]
fn we_attach_and_oras_discover_and_crane_read_it() {
    let Some(reg) = Registry::start() else { return };
    let c = client();
    let repo = reference(&reg.host(), "interop/ours");
    let subject = subject_image(&c, &repo, b"our subject");
    let sig = artifact(
        &c,
        &repo,
        b"signature bytes",
        "application/cose",
        Some("application/vnd.example.signature"),
        None,
        Some(subject.descriptor()),
    );
    block_on(c.attach(&repo, &sig)).unwrap();
    let dir = supply_testkit::tempdir();
    let target = format!("{}@{}", repo.name(), subject.digest());
    let Some(out) = peer(
        "oras",
        dir.path(),
        &["discover", "--plain-http", "--format", "json", &target],
    ) else {
        return;
    };
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let refs = v["referrers"].as_array().unwrap();
    assert_eq!(refs.len(), 1, "{v}");
    assert_eq!(refs[0]["digest"], sig.digest().to_string());
    assert_eq!(refs[0]["artifactType"], "application/vnd.example.signature");
    assert_eq!(refs[0]["annotations"]["org.example.note"], "supply test");

    let Some(raw) = peer(
        "crane",
        dir.path(),
        &[
            "manifest",
            "--insecure",
            &format!("{}@{}", repo.name(), sig.digest()),
        ],
    ) else {
        return;
    };
    assert_eq!(raw, sig.raw(), "crane reads our bytes exactly");
    let Some(digest) = peer(
        "crane",
        dir.path(),
        &["digest", "--insecure", &format!("{}:v1", repo.name())],
    ) else {
        return;
    };
    assert_eq!(
        String::from_utf8(digest).unwrap().trim(),
        subject.digest().to_string()
    );
}

// ---- the recorded distribution 2.8 transcripts, replayed ---------------------------------------

/// A `curl -si` transcript as a reply: status, headers (Content-Length is the body's, or the
/// recorded one for a HEAD), body.
fn transcript(name: &str) -> Reply {
    let raw = crate::read(&format!("generated/transcripts/{name}"));
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut content_type = String::new();
    let mut headers = Vec::new();
    let mut declared = None;
    for l in lines {
        let (k, v) = l.split_once(':').unwrap();
        let v = v.trim();
        match k.to_ascii_lowercase().as_str() {
            "content-type" => content_type = v.to_owned(),
            "content-length" => declared = v.parse::<usize>().ok(),
            "date" => {}
            _ => headers.push((k.to_owned(), v.to_owned())),
        }
    }
    let mut r = Reply::new(status, &content_type, body);
    r.headers = headers;
    if r.body.is_empty() && declared.unwrap_or(0) > 0 {
        r = r.with_declared_len(declared.unwrap());
    }
    r
}

const SUBJECT: &str = "sha256:f5a8f8219437135853aed6518b96f9614d3276f7cbe05c988d2a2513929e813b";
const SBOM: &str = "sha256:389d5d81dce588df8a5abb60171418505e3f5f845c1fa1fcd617079cb31be050";

#[test]
fn the_recorded_registry_transcripts_drive_the_client_to_the_expected_outcomes() {
    let layout = Layout::open(crate::oci("generated/layout-registry-fallback")).unwrap();
    let blobs = layout.root().join("blobs/sha256");
    let server = FnServer::start(move |req| {
        let path = req.target.split('?').next().unwrap();
        let hex = |d: &str| d.trim_start_matches("sha256:").to_owned();
        match (req.method.as_str(), path) {
            ("GET", "/v2/") => transcript("00-ping.txt"),
            ("GET", p) if p.starts_with("/v2/test/subject/referrers/") => {
                if req.target.contains("artifactType=") {
                    transcript("02-get-referrers-api-filtered.txt")
                } else {
                    transcript("01-get-referrers-api.txt")
                }
            }
            ("GET", p) if p.starts_with("/v2/unknown/") => {
                transcript("07-get-referrers-unknown-repo.txt")
            }
            ("GET", p) if p == format!("/v2/test/subject/manifests/sha256-{}", hex(SUBJECT)) => {
                transcript("03-get-fallback-tag-index.txt")
            }
            ("GET", p) if p == format!("/v2/test/subject/manifests/sha256-{}", hex(SBOM)) => {
                transcript("04-get-fallback-tag-index-nested.txt")
            }
            ("GET", p) if p.starts_with("/v2/test/subject/manifests/sha256-") => {
                transcript("06-get-fallback-tag-absent.txt")
            }
            ("GET", "/v2/test/subject/tags/list") => transcript("08-tags-list.txt"),
            ("HEAD", p) if p.ends_with(&format!("/manifests/{SUBJECT}")) => {
                transcript("09-head-subject.txt")
            }
            ("GET", p) if p.starts_with("/v2/test/subject/manifests/sha256:") => {
                // The referrers themselves, from the dump of the same registry repo.
                let d = p.rsplit('/').next().unwrap();
                match std::fs::read(blobs.join(hex(d))) {
                    Ok(b) => Reply::new(200, media_type::OCI_MANIFEST, b)
                        .with_header("Docker-Content-Digest", d),
                    Err(_) => transcript("06-get-fallback-tag-absent.txt"),
                }
            }
            ("PUT", _) => transcript("10-put-wrong-digest.txt"),
            _ => Reply::new(404, "text/plain", b"404 page not found\n".to_vec()),
        }
    });
    let host = host_of(&server);
    let c = client();
    block_on(c.ping(&host)).unwrap();
    let repo = reference(&host, "test/subject");
    let expected = crate::json("generated/expected.json");

    // 01 → no API, 03 → the stored index (cosign's empty.v1 entries included), each entry
    // checked against its manifest: the spec's four referrers.
    let got =
        block_on(c.referrers(&repo.with_digest(Digest::parse(SUBJECT).unwrap()), None)).unwrap();
    assert!(!got.from_api);
    let mut got: Vec<serde_json::Value> = got
        .referrers
        .iter()
        .map(|d| serde_json::to_value(d).unwrap())
        .collect();
    got.sort_by_key(|v| v["digest"].as_str().unwrap().to_owned());
    assert_eq!(
        serde_json::Value::Array(got),
        expected["specReferrers"][SUBJECT]
    );
    // 02 with a filter: the filter is applied to the verified types.
    let sboms = block_on(c.referrers(
        &repo.with_digest(Digest::parse(SUBJECT).unwrap()),
        Some("application/spdx+json"),
    ))
    .unwrap();
    assert_eq!(sboms.referrers.len(), 1);
    assert_eq!(sboms.referrers[0].digest.to_string(), SBOM);
    // 04: the nested index.
    let nested =
        block_on(c.referrers(&repo.with_digest(Digest::parse(SBOM).unwrap()), None)).unwrap();
    assert_eq!(nested.referrers.len(), 1);
    // 06: no fallback index, no referrers; 07: an unknown repository answers the same 404.
    let none = block_on(c.referrers(
        &repo.with_digest(supply_oci::Algorithm::Sha256.digest(b"nothing")),
        None,
    ))
    .unwrap();
    assert!(none.referrers.is_empty());
    let unknown = reference(&host, "unknown/repo");
    let none =
        block_on(c.referrers(&unknown.with_digest(Digest::parse(SUBJECT).unwrap()), None)).unwrap();
    assert!(none.referrers.is_empty() && !none.from_api);
    // 08: the tags as recorded.
    let mut tags = block_on(c.tags(&repo, None, None)).unwrap();
    tags.sort();
    let mut want: Vec<String> = expected["tags"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .chain(["v1".to_owned()])
        .collect();
    want.sort();
    want.dedup();
    assert_eq!(tags, want);
    // 09: HEAD resolves the subject without a body.
    let d = block_on(c.resolve(&repo.with_digest(Digest::parse(SUBJECT).unwrap()))).unwrap();
    assert_eq!((d.digest.to_string().as_str(), d.size), (SUBJECT, 345));
    assert_eq!(d.media_type, media_type::OCI_MANIFEST);
    // 10: a refused PUT carries its distribution error code.
    let m = Manifest::parse(manifest_bytes(), None).unwrap();
    match block_on(c.push_manifest(&repo.with_tag("x").unwrap(), &m)) {
        Err(Error::Status { status, codes, .. }) => {
            assert_eq!(status, 400);
            assert_eq!(codes, ["DIGEST_INVALID"]);
        }
        other => panic!("{other:?}"),
    }
    // 11: a Basic challenge and no credentials.
    let locked = FnServer::start(|_| transcript("11-basic-auth-challenge.txt"));
    assert!(matches!(
        block_on(c.ping(&host_of(&locked))),
        Err(Error::Unauthorized { status: 401, .. })
    ));
}

// ---- the Referrers API and conditional fallback writes, against servers we control ----------

/// A subject and two referrers of it (manifest bytes), for the in-process servers.
fn referrer_set() -> (Manifest, Manifest, Manifest) {
    let subject = Manifest::parse(manifest_bytes(), None).unwrap();
    let make = |t: &str| {
        let mut m = ImageManifest::new(
            Descriptor::empty(),
            vec![Descriptor::for_bytes("text/plain", t.as_bytes())],
        );
        m.artifact_type = Some(t.to_owned());
        m.subject = Some(subject.descriptor());
        Manifest::encode(&Document::OciManifest(m)).unwrap()
    };
    let (a, b) = (make("application/x-a"), make("application/x-b"));
    (subject, a, b)
}

fn index_of(entries: &[&Manifest]) -> Vec<u8> {
    let descs = entries
        .iter()
        .map(|m| {
            // As cosign 3.1.1 writes them: an empty type and no annotations.
            let mut d = m.descriptor();
            d.artifact_type = Some(media_type::OCI_EMPTY.to_owned());
            d
        })
        .collect();
    Manifest::encode(&Document::OciIndex(supply_oci::manifest::ImageIndex::new(
        descs,
    )))
    .unwrap()
    .raw()
    .to_vec()
}

#[test]
fn the_referrers_api_is_paged_and_its_entries_verified() {
    let (subject, a, b) = referrer_set();
    let (page1, page2) = (index_of(&[&a]), index_of(&[&b]));
    let manifests: Vec<(String, Vec<u8>)> = [&a, &b]
        .iter()
        .map(|m| {
            (
                format!("/v2/x/y/manifests/{}", m.digest()),
                m.raw().to_vec(),
            )
        })
        .collect();
    let api_path = format!("/v2/x/y/referrers/{}", subject.digest());
    let server = FnServer::start(move |req| {
        if req.target == api_path || req.target.starts_with(&format!("{api_path}?artifactType")) {
            return Reply::new(200, media_type::OCI_INDEX, page1.clone())
                .with_header("Link", &format!("<{api_path}?page=2>; rel=\"next\""))
                .with_header("OCI-Filters-Applied", "artifactType");
        }
        if req.target == format!("{api_path}?page=2") {
            return Reply::new(200, media_type::OCI_INDEX, page2.clone());
        }
        match manifests.iter().find(|(p, _)| *p == req.target) {
            Some((_, m)) => Reply::new(200, media_type::OCI_MANIFEST, m.clone()),
            None => Reply::new(404, "application/json", b"{}".to_vec()),
        }
    });
    let c = client();
    let r = reference(&host_of(&server), "x/y").with_digest(subject.digest());
    let got = block_on(c.referrers(&r, None)).unwrap();
    assert!(got.from_api);
    let types: Vec<_> = got
        .referrers
        .iter()
        .map(|d| d.artifact_type.clone().unwrap())
        .collect();
    assert_eq!(types, ["application/x-a", "application/x-b"]);
    // The registry claims to have filtered, but page 1 holds x-a: the client filters again
    // on the verified types.
    let only_b = block_on(c.referrers(&r, Some("application/x-b"))).unwrap();
    assert_eq!(only_b.referrers.len(), 1);
    assert_eq!(only_b.referrers[0].digest, b.digest());

    // An endless chain of pages stops at the cap.
    let endless = FnServer::start(move |req| {
        Reply::new(200, media_type::OCI_INDEX, index_of(&[])).with_header(
            "Link",
            &format!(
                "<{}?n=1>; rel=\"next\"",
                req.target.split('?').next().unwrap()
            ),
        )
    });
    let mut limits = Limits::default();
    limits.max_referrer_pages = 3;
    let c = Client::new(Options::new().with_limits(limits), Box::new(Anonymous)).unwrap();
    let r = reference(&host_of(&endless), "x/y").with_digest(subject.digest());
    assert!(matches!(
        block_on(c.referrers(&r, None)),
        Err(Error::TooManyPages {
            what: "referrers",
            limit: 3
        })
    ));
}

#[test]
fn fallback_writes_are_conditional_and_retried_when_another_writer_won() {
    let (subject, a, b) = referrer_set();
    let tag_path = format!("/v2/x/y/manifests/{}", referrers_tag(&subject.digest()));
    let stored = Arc::new(Mutex::new(index_of(&[&a])));
    let if_matches = Arc::new(Mutex::new(Vec::new()));
    let conflicts = Arc::new(AtomicUsize::new(1));
    let (st, im, cf) = (stored.clone(), if_matches.clone(), conflicts.clone());
    let b_path = format!("/v2/x/y/manifests/{}", b.digest());
    let server = FnServer::start(move |req| {
        if req.method == "PUT" && req.target == b_path {
            return Reply::new(201, "text/plain", Vec::new());
        }
        if req.target == tag_path && req.method == "GET" {
            let body = st.lock().unwrap().clone();
            let etag = format!("\"{}\"", supply_oci::Algorithm::Sha256.digest(&body));
            return Reply::new(200, media_type::OCI_INDEX, body).with_header("ETag", &etag);
        }
        if req.target == tag_path && req.method == "PUT" {
            im.lock()
                .unwrap()
                .push(req.header("if-match").map(str::to_owned));
            if cf.fetch_sub(1, Ordering::SeqCst) == 1 {
                return Reply::new(412, "application/json", b"{}".to_vec());
            }
            *st.lock().unwrap() = req.body.clone();
            return Reply::new(201, "text/plain", Vec::new());
        }
        Reply::new(404, "application/json", b"{}".to_vec())
    });
    let c = client();
    let repo = reference(&host_of(&server), "x/y");
    block_on(c.attach(&repo, &b)).unwrap();
    let sent = if_matches.lock().unwrap().clone();
    assert_eq!(sent.len(), 2, "one 412, then the write");
    let etag = format!(
        "\"{}\"",
        supply_oci::Algorithm::Sha256.digest(&index_of(&[&a]))
    );
    assert!(
        sent.iter().all(|e| e.as_deref() == Some(etag.as_str())),
        "{sent:?}"
    );
    let written = Manifest::parse(stored.lock().unwrap().clone(), None).unwrap();
    let entries = &written.document().as_index().unwrap().manifests;
    assert_eq!(entries.len(), 2, "the existing entry kept, ours appended");
    assert_eq!(entries[1].digest, b.digest());
    assert_eq!(entries[1].artifact_type.as_deref(), Some("application/x-b"));
}

#[test]
fn bearer_tokens_from_a_token_server_for_a_real_registry() {
    let Some(reg) = Registry::start_token_auth() else {
        return;
    };
    let creds = StaticCredentials::new().with(
        &reg.host(),
        Credential::Basic {
            username: USER.into(),
            password: PASSWORD.into(),
        },
    );
    let c = Client::new(Options::new().with_retry(fast_retry()), Box::new(creds)).unwrap();
    let repo = reference(&reg.host(), "team/app");
    let m = subject_image(&c, &repo, b"token-protected layer");
    assert_eq!(
        block_on(c.fetch_manifest(&repo.with_tag("v1").unwrap()))
            .unwrap()
            .digest(),
        m.digest()
    );
    // A mount asks for pull on the source and pull,push on the target in one token.
    let other = reference(&reg.host(), "team/other");
    let layer = m.document().as_manifest().unwrap().layers[0].clone();
    assert!(block_on(c.mount_blob(&other, "team/app", &layer.digest)).unwrap());
    let scopes: Vec<Vec<String>> = reg
        .token_requests()
        .iter()
        .map(|r| {
            r.query_pairs()
                .into_iter()
                .filter(|(k, _)| k == "scope")
                .map(|(_, v)| v)
                .collect()
        })
        .collect();
    assert!(
        scopes.contains(&vec![
            "repository:team/app:pull".to_owned(),
            "repository:team/other:pull,push".to_owned()
        ]),
        "{scopes:?}"
    );
    // Tokens are cached: another pull of the same repository asks for none.
    let before = reg.token_requests().len();
    block_on(c.fetch_manifest(&repo.with_tag("v1").unwrap())).unwrap();
    assert_eq!(reg.token_requests().len(), before);

    // Anonymous: a pull-only token reads, but cannot push.
    let anon = client();
    assert_eq!(
        block_on(anon.fetch_manifest(&repo.with_tag("v1").unwrap()))
            .unwrap()
            .digest(),
        m.digest()
    );
    assert!(matches!(
        block_on(anon.push_blob(&repo, "text/plain", b"not allowed")),
        Err(Error::Unauthorized { .. })
    ));
}

/// Runs a Debian tool (`umoci`, `skopeo`) with a private home in `dir`.
fn tool(name: &str, dir: &std::path::Path, args: &[&str]) -> Option<Vec<u8>> {
    peer(name, dir, args)
}

#[test]
fn skopeo_and_umoci_write_we_read_we_write_skopeo_reads() {
    let Some(reg) = Registry::start() else { return };
    let c = client();
    let dir = supply_testkit::tempdir();
    let d = dir.path();
    std::fs::write(d.join("hello.txt"), b"hello from umoci\n").unwrap();
    let steps: [&[&str]; 3] = [
        &["init", "--layout", "L"],
        &["new", "--image", "L:v1"],
        &["insert", "--image", "L:v1", "hello.txt", "/hello.txt"],
    ];
    for s in steps {
        if tool("umoci", d, s).is_none() {
            return;
        }
    }
    let theirs = Layout::open(d.join("L")).unwrap().resolve("v1").unwrap();
    let target = format!("docker://{}/interop/umoci:v1", reg.host());
    let Some(_) = tool(
        "skopeo",
        d,
        &[
            "copy",
            "--preserve-digests",
            "--dest-tls-verify=false",
            "oci:L:v1",
            &target,
        ],
    ) else {
        return;
    };
    // skopeo pushed umoci's manifest (no top-level mediaType) byte for byte; we read it and
    // every blob, verified.
    let repo = reference(&reg.host(), "interop/umoci");
    let m = block_on(c.fetch_manifest(&repo.with_tag("v1").unwrap())).unwrap();
    assert_eq!(m.digest(), theirs.digest);
    for child in m.document().children() {
        block_on(c.fetch_blob_bytes(&repo, child, 1 << 20)).unwrap();
    }

    // We push; skopeo copies it into a layout with the same digest.
    let ours_repo = reference(&reg.host(), "interop/ours");
    let ours = subject_image(&c, &ours_repo, b"pushed by supply");
    let src = format!("docker://{}/interop/ours:v1", reg.host());
    let Some(_) = tool(
        "skopeo",
        d,
        &[
            "copy",
            "--preserve-digests",
            "--src-tls-verify=false",
            &src,
            "oci:OUT:v1",
        ],
    ) else {
        return;
    };
    let out = Layout::open(d.join("OUT")).unwrap();
    let desc = out.resolve("v1").unwrap();
    assert_eq!(desc.digest, ours.digest());
    assert_eq!(out.read_manifest(&desc).unwrap().raw(), ours.raw());
}
