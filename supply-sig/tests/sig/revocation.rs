//! CRL revocation checks: a code-signing chain made with rcgen whose leaf names a CRL
//! distribution point, CRLs of its root (rcgen's, and delta CRLs re-signed here), each outcome
//! of [`revocation::check_chain`], and every way a CRL can fail to speak for the leaf.

use der::{Decode as _, Encode as _};
use supply_sig::crypto::all_providers;
use supply_sig::revocation::{self, Crl, Error, Fetched, Reason, Status, Unavailable};
use supply_sig::time::Timestamp;
use supply_sig::x509::Certificate;
use supply_testkit::tls::{CodeSigningPki, CrlEntry};

const URL: &str = "http://127.0.0.1:1/root.crl";
const DELTA_URL: &str = "http://127.0.0.1:1/delta.crl";

fn now() -> Timestamp {
    Timestamp::from(std::time::SystemTime::now())
}

fn chain(pki: &CodeSigningPki) -> Vec<Certificate> {
    Certificate::from_pem_chain(pki.chain_pem().as_bytes()).unwrap()
}

fn revoked(reason: Option<rcgen::RevocationReason>, invalidity_in_secs: Option<i64>) -> CrlEntry {
    CrlEntry {
        revoked_secs_ago: 60,
        reason,
        invalidity_in_secs,
    }
}

fn leaf_status(pki: &CodeSigningPki, fetched: &Fetched, signing_time: Option<Timestamp>) -> Status {
    let chain = chain(pki);
    let mut all = revocation::check_chain(&chain, fetched, now(), signing_time, all_providers()[0]);
    assert!(matches!(all[1], Status::NonRevocable), "{:?}", all[1]);
    all.remove(0)
}

/// Re-signs `crl` with the root's key after `edit` changed its `tbsCertList`: CRLs with the
/// delta extensions rcgen does not write.
fn resign(
    pki: &CodeSigningPki,
    crl: &[u8],
    edit: impl FnOnce(&mut x509_cert::crl::TbsCertList),
) -> Vec<u8> {
    let mut list = x509_cert::crl::CertificateList::from_der(crl).unwrap();
    edit(&mut list.tbs_cert_list);
    let tbs = list.tbs_cert_list.to_der().unwrap();
    let key =
        supply_sig::key::encoding::pem::private_key_from_pem(pki.root_key_pem().as_bytes(), None)
            .unwrap();
    let signer =
        supply_sig::sign::KeySigner::with_default_scheme(&key, all_providers()[0]).unwrap();
    let sig = supply_sig::sign::Signer::try_sign(&signer, &tbs).unwrap();
    list.signature = der::asn1::BitString::from_bytes(&sig).unwrap();
    list.to_der().unwrap()
}

fn extension(oid: &str, critical: bool, value: Vec<u8>) -> x509_cert::ext::Extension {
    x509_cert::ext::Extension {
        extn_id: der::asn1::ObjectIdentifier::new_unwrap(oid),
        critical,
        extn_value: der::asn1::OctetString::new(value).unwrap(),
    }
}

fn integer(n: u8) -> Vec<u8> {
    vec![0x02, 0x01, n]
}

/// freshestCRL naming `url`: SEQUENCE { DistributionPoint { [0] { [0] { [6] url } } } }.
fn freshest(url: &str) -> Vec<u8> {
    use x509_cert::ext::pkix::crl::dp::DistributionPoint;
    use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
    let dp = DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![
            GeneralName::UniformResourceIdentifier(der::asn1::Ia5String::new(url).unwrap()),
        ])),
        reasons: None,
        crl_issuer: None,
    };
    x509_cert::ext::pkix::FreshestCrl(vec![dp])
        .to_der()
        .unwrap()
}

fn push(tbs: &mut x509_cert::crl::TbsCertList, ext: x509_cert::ext::Extension) {
    tbs.crl_extensions.get_or_insert_with(Vec::new).push(ext);
}

#[test]
fn a_leaf_the_crl_does_not_list_is_good_and_one_it_lists_is_revoked() {
    let pki = CodeSigningPki::new("Supply", "crl.test", &[URL]);
    let chain = chain(&pki);
    assert_eq!(revocation::crl_urls(&chain[0]).unwrap(), [URL]);
    assert_eq!(revocation::urls_for_chain(&chain), [URL]);
    assert!(revocation::ocsp_urls(&chain[0]).unwrap().is_empty());
    for provider in all_providers() {
        let good = Fetched::new().with(URL, pki.crl(1, 3600, None));
        let s = revocation::check(&chain[0], &chain[1], &good, now(), None, provider);
        assert!(matches!(s, Status::Good) && s.is_good(), "{s:?}");
    }
    let listed = Fetched::new().with(
        URL,
        pki.crl(
            2,
            3600,
            Some(revoked(Some(rcgen::RevocationReason::KeyCompromise), None)),
        ),
    );
    match leaf_status(&pki, &listed, None) {
        Status::Revoked(r) => {
            assert_eq!(r.reason, Some(Reason::KeyCompromise));
            assert!(r.time.unix() <= now().unix() - 59, "{:?}", r.time);
            assert!(r.invalidity.is_none());
        }
        other => panic!("{other:?}"),
    }
    // A hold is a revocation (as notation treats it).
    let held = Fetched::new().with(
        URL,
        pki.crl(
            3,
            3600,
            Some(revoked(
                Some(rcgen::RevocationReason::CertificateHold),
                None,
            )),
        ),
    );
    assert!(matches!(leaf_status(&pki, &held, None), Status::Revoked(_)));
}

/// A key that became unsafe after the authenticated signing time does not revoke a signature
/// made before; without an authenticated time, or with an invalidity date before it, it does.
/// An invalidity date written as UTCTime (rcgen 0.13 does) is refused, as notation's parser
/// refuses it: RFC 5280 §5.3.2 says GeneralizedTime.
#[test]
fn an_invalidity_date_after_the_signing_time_spares_the_signature() {
    let pki = CodeSigningPki::new("Supply", "invalidity.test", &[URL]);
    let crl = |invalid_in: i64| {
        let rcgen_crl = pki.crl(1, 3600, Some(revoked(None, Some(invalid_in))));
        let fixed = resign(&pki, &rcgen_crl, |t| {
            let entry = &mut t.revoked_certificates.as_mut().unwrap()[0];
            let at = Timestamp::from_unix(now().unix() + invalid_in).to_rfc3339();
            let digits: String = at.chars().filter(char::is_ascii_digit).collect();
            let mut value = vec![0x18, 15];
            value.extend(format!("{digits}Z").bytes());
            entry.crl_entry_extensions = Some(vec![extension("2.5.29.24", false, value)]);
        });
        Fetched::new().with(URL, fixed)
    };
    let signed = Timestamp::from_unix(now().unix() - 30);
    let s = leaf_status(&pki, &crl(60), Some(signed));
    assert!(matches!(s, Status::Good), "{s:?}");
    assert!(matches!(
        leaf_status(&pki, &crl(60), None),
        Status::Revoked(_)
    ));
    assert!(matches!(
        leaf_status(&pki, &crl(-600), Some(signed)),
        Status::Revoked(r) if r.invalidity.is_some()
    ));
    let utc_time = Fetched::new().with(URL, pki.crl(1, 3600, Some(revoked(None, Some(60)))));
    assert!(matches!(
        leaf_status(&pki, &utc_time, Some(signed)),
        Status::Unavailable(Unavailable::Refused {
            source: Error::InvalidExtension { .. },
            ..
        })
    ));
}

#[test]
fn a_crl_that_cannot_speak_for_the_leaf_leaves_it_unavailable() {
    let pki = CodeSigningPki::new("Supply", "unavailable.test", &[URL]);
    let other = CodeSigningPki::new("Other", "other.test", &[URL]);
    let refused = |fetched: Fetched| match leaf_status(&pki, &fetched, None) {
        Status::Unavailable(Unavailable::Refused { url, source }) => {
            assert_eq!(url, URL);
            source
        }
        s => panic!("{s:?}"),
    };
    // Not fetched at all.
    assert!(matches!(
        leaf_status(&pki, &Fetched::new(), None),
        Status::Unavailable(Unavailable::NotFetched { .. })
    ));
    // Expired an hour ago.
    assert!(matches!(
        refused(Fetched::new().with(URL, pki.crl(1, -3600, None))),
        Error::Expired { .. }
    ));
    // Another authority's CRL.
    assert!(matches!(
        refused(Fetched::new().with(URL, other.crl(1, 3600, None))),
        Error::IssuerMismatch
    ));
    // Our CRL with one byte of its list changed after signing.
    let mut bad = pki.crl(1, 3600, None);
    let at = bad.len() - 80;
    bad[at] ^= 1;
    let e = refused(Fetched::new().with(URL, bad));
    assert!(
        matches!(e, Error::BadSignature | Error::InvalidEncoding),
        "{e:?}"
    );
    // Not DER at all.
    assert!(matches!(
        refused(Fetched::new().with(URL, b"<html>not found</html>".to_vec())),
        Error::InvalidEncoding
    ));
    // A delta CRL where the base is expected.
    let delta = resign(&pki, &pki.crl(2, 3600, None), |t| {
        push(t, extension("2.5.29.27", true, integer(1)));
    });
    assert!(matches!(
        refused(Fetched::new().with(URL, delta)),
        Error::WrongKind { found: "delta", .. }
    ));
    // An unknown critical extension.
    let odd = resign(&pki, &pki.crl(2, 3600, None), |t| {
        push(t, extension("1.2.3.4", true, vec![0x05, 0x00]));
    });
    assert!(matches!(
        refused(Fetched::new().with(URL, odd)),
        Error::UnhandledCriticalExtension { .. }
    ));
    // Scoped to CA certificates only (issuingDistributionPoint, onlyContainsCACerts).
    let scoped = resign(&pki, &pki.crl(2, 3600, None), |t| {
        push(
            t,
            extension("2.5.29.28", true, vec![0x30, 0x03, 0x82, 0x01, 0xff]),
        );
    });
    assert!(matches!(
        refused(Fetched::new().with(URL, scoped)),
        Error::OutOfScope(_)
    ));
}

/// Delta CRLs (RFC 5280 §5.2.4): a base naming a delta in `freshestCRL` needs it fetched; the
/// delta revokes, lifts a hold (`removeFromCRL`), and must apply to the base fetched.
#[test]
fn delta_crls_apply_to_their_base() {
    let pki = CodeSigningPki::new("Supply", "delta.test", &[URL]);
    let base = |entry: Option<CrlEntry>, number: u8| {
        resign(&pki, &pki.crl(u64::from(number), 3600, entry), |t| {
            push(t, extension("2.5.29.46", false, freshest(DELTA_URL)));
        })
    };
    let delta = |entry: Option<CrlEntry>, base_number: u8| {
        resign(&pki, &pki.crl(9, 3600, entry), |t| {
            push(t, extension("2.5.29.27", true, integer(base_number)));
        })
    };
    let crl = Crl::from_der(&base(None, 5)).unwrap();
    assert_eq!(crl.freshest_urls(), [DELTA_URL]);
    assert!(!crl.is_delta());
    // The delta is needed.
    assert!(matches!(
        leaf_status(&pki, &Fetched::new().with(URL, base(None, 5)), None),
        Status::Unavailable(Unavailable::NotFetched { url }) if url == DELTA_URL
    ));
    let both = |b: Vec<u8>, d: Vec<u8>| Fetched::new().with(URL, b).with(DELTA_URL, d);
    assert!(matches!(
        leaf_status(&pki, &both(base(None, 5), delta(None, 5)), None),
        Status::Good
    ));
    let key_compromise = Some(revoked(Some(rcgen::RevocationReason::KeyCompromise), None));
    assert!(matches!(
        leaf_status(&pki, &both(base(None, 5), delta(key_compromise, 4)), None),
        Status::Revoked(r) if r.reason == Some(Reason::KeyCompromise)
    ));
    let hold = Some(revoked(
        Some(rcgen::RevocationReason::CertificateHold),
        None,
    ));
    let lifted = Some(revoked(Some(rcgen::RevocationReason::RemoveFromCrl), None));
    assert!(matches!(
        leaf_status(&pki, &both(base(hold, 5), delta(None, 5)), None),
        Status::Revoked(_)
    ));
    assert!(matches!(
        leaf_status(&pki, &both(base(hold, 5), delta(lifted, 5)), None),
        Status::Good
    ));
    // A delta for base 7 cannot be applied to base 5.
    assert!(matches!(
        leaf_status(&pki, &both(base(None, 5), delta(None, 7)), None),
        Status::Unavailable(Unavailable::Refused {
            source: Error::StaleBase { .. },
            ..
        })
    ));
}

#[test]
fn a_leaf_without_distribution_points_is_not_revocable() {
    let pki = CodeSigningPki::new("Supply", "plain.test", &[]);
    assert!(matches!(
        leaf_status(&pki, &Fetched::new(), None),
        Status::NonRevocable
    ));
    assert!(revocation::urls_for_chain(&chain(&pki)).is_empty());
}

/// A CA run by openssl (`openssl ca`, `openssl ocsp`) in a temporary folder: the peer that
/// writes the CRLs and answers the OCSP requests we make.
struct OpensslCa {
    openssl: std::path::PathBuf,
    dir: tempfile::TempDir,
}

const OPENSSL_CRL: &str = "http://127.0.0.1:1/openssl.crl";
const OPENSSL_OCSP: &str = "http://127.0.0.1:1/ocsp";

impl OpensslCa {
    fn new() -> Option<Self> {
        let openssl = supply_testkit::peer("openssl")?;
        let ca = Self {
            openssl,
            dir: tempfile::tempdir().unwrap(),
        };
        let d = ca.dir.path();
        std::fs::write(d.join("index.txt"), "").unwrap();
        std::fs::write(d.join("crlnumber"), "1000\n").unwrap();
        std::fs::write(d.join("serial"), "1A2B\n").unwrap();
        std::fs::write(
            d.join("ca.cnf"),
            format!(
                "[ca]\ndefault_ca=CA\n[CA]\ndatabase=index.txt\ncrlnumber=crlnumber\n\
                 default_md=sha256\ndefault_crl_days=2\nnew_certs_dir=.\nserial=serial\n\
                 policy=p\ncertificate=ca.pem\nprivate_key=ca.key\nunique_subject=no\n\
                 [p]\ncommonName=supplied\n\
                 [v3_ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
                 [leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
                 crlDistributionPoints=URI:{OPENSSL_CRL}\n\
                 [leaf_ocsp]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
                 authorityInfoAccess=OCSP;URI:{OPENSSL_OCSP}\n\
                 [leaf_both]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
                 authorityInfoAccess=OCSP;URI:{OPENSSL_OCSP}\ncrlDistributionPoints=URI:{OPENSSL_CRL}\n\
                 [responder]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
                 extendedKeyUsage=OCSPSigning\n\
                 [not_responder]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
                 extendedKeyUsage=codeSigning\n"
            ),
        )
        .unwrap();
        ca.run(&[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ca.key",
        ]);
        ca.run(&[
            "req",
            "-new",
            "-x509",
            "-key",
            "ca.key",
            "-subj",
            "/CN=openssl test CA",
            "-days",
            "2",
            "-config",
            "ca.cnf",
            "-extensions",
            "v3_ca",
            "-out",
            "ca.pem",
        ]);
        Some(ca)
    }

    fn run(&self, args: &[&str]) {
        let out = std::process::Command::new(&self.openssl)
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join(name)).unwrap()
    }

    fn cert(&self, name: &str) -> Certificate {
        Certificate::from_pem(&self.file(name)).unwrap()
    }

    /// Issues `NAME.pem` (key `NAME.key`) with the extensions section `ext`.
    fn issue(&self, name: &str, ext: &str) -> Certificate {
        let (key, csr, pem) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        self.run(&[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            &key,
        ]);
        let subj = format!("/CN={name}");
        self.run(&["req", "-new", "-key", &key, "-subj", &subj, "-out", &csr]);
        self.run(&[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-extensions",
            ext,
            "-days",
            "1",
            "-in",
            &csr,
            "-out",
            &pem,
            "-notext",
        ]);
        self.cert(&pem)
    }

    fn revoke(&self, name: &str, reason: &str) {
        self.run(&[
            "ca",
            "-config",
            "ca.cnf",
            "-revoke",
            &format!("{name}.pem"),
            "-crl_reason",
            reason,
        ]);
    }

    fn crl(&self) -> Vec<u8> {
        self.run(&["ca", "-config", "ca.cnf", "-gencrl", "-out", "now.crl.pem"]);
        supply_sig::pem::decode(&self.file("now.crl.pem"))
            .unwrap()
            .contents()
            .to_vec()
    }

    /// openssl's answer to our `request`, signed by `signer` (`ca` or a responder issued
    /// here), with a nextUpdate a day on unless `no_next_update`.
    fn answer(&self, request: &[u8], signer: &str, no_next_update: bool) -> Vec<u8> {
        std::fs::write(self.dir.path().join("req.der"), request).unwrap();
        let (pem, key) = (format!("{signer}.pem"), format!("{signer}.key"));
        let mut args = vec![
            "ocsp",
            "-index",
            "index.txt",
            "-CA",
            "ca.pem",
            "-rsigner",
            &pem,
            "-rkey",
            &key,
            "-reqin",
            "req.der",
            "-respout",
            "resp.der",
        ];
        if !no_next_update {
            args.extend(["-ndays", "1"]);
        }
        self.run(&args);
        self.file("resp.der")
    }
}

/// What the responder answered to `request`, as fetched.
fn ocsp_fetched(request: &[u8], answer: Vec<u8>) -> Fetched {
    let mut fetched = Fetched::new();
    fetched.insert_ocsp(OPENSSL_OCSP, request.to_vec(), answer);
    fetched
}

/// The status of the first certificate of `chain`.
fn first_status(
    chain: &[Certificate],
    fetched: &Fetched,
    provider: &supply_sig::crypto::Provider,
) -> Status {
    revocation::check_chain(chain, fetched, now(), None, provider).remove(0)
}

/// A CRL openssl's `ca -gencrl` wrote (openssl as the peer), revoking a certificate openssl
/// issued: we read it, verify it against the openssl CA and find the revoked serial.
#[test]
fn openssl_crls_read_and_verify() {
    let Some(ca) = OpensslCa::new() else { return };
    let leaf = ca.issue("leaf", "leaf");
    let root = ca.cert("ca.pem");
    assert_eq!(revocation::crl_urls(&leaf).unwrap(), [OPENSSL_CRL]);
    let before = Fetched::new().with(OPENSSL_CRL, ca.crl());
    ca.revoke("leaf", "superseded");
    let after = Fetched::new().with(OPENSSL_CRL, ca.crl());
    for provider in all_providers() {
        assert!(matches!(
            revocation::check(&leaf, &root, &before, now(), None, provider),
            Status::Good
        ));
        match revocation::check(&leaf, &root, &after, now(), None, provider) {
            Status::Revoked(r) => assert_eq!(r.reason, Some(Reason::Superseded)),
            s => panic!("{s:?}"),
        }
    }
}

/// OCSP both ways with openssl: `openssl ocsp` answers the requests we make (SHA-1 CertIDs),
/// signed by the CA or by a delegated responder, and we check its answers: good, revoked
/// with its reason, unknown; a responder without OCSPSigning, a response without nextUpdate
/// and a tampered one are refused.
#[test]
fn openssl_answers_our_ocsp_requests() {
    use revocation::ocsp::{self, Answer};
    let Some(ca) = OpensslCa::new() else { return };
    let leaf = ca.issue("leaf", "leaf_ocsp");
    let root = ca.cert("ca.pem");
    ca.issue("responder", "responder");
    ca.issue("impostor", "not_responder");
    assert_eq!(revocation::ocsp_urls(&leaf).unwrap(), [OPENSSL_OCSP]);
    let request = ocsp::request(&leaf, &root).unwrap();
    let get = ocsp::get_url(OPENSSL_OCSP, &request).unwrap();
    assert!(get.starts_with("http://127.0.0.1:1/ocsp/M"), "{get}");
    let provider = all_providers()[0];
    let check = |der: &[u8]| ocsp::check_response(der, &leaf, &root, now(), provider);
    for signer in ["ca", "responder"] {
        assert_eq!(
            check(&ca.answer(&request, signer, false)).unwrap(),
            Answer::Good,
            "{signer}"
        );
    }
    assert!(matches!(
        check(&ca.answer(&request, "impostor", false)),
        Err(Error::OcspResponder(_))
    ));
    assert!(matches!(
        check(&ca.answer(&request, "ca", true)),
        Err(Error::Expired { .. })
    ));
    let mut tampered = ca.answer(&request, "ca", false);
    let at = tampered.len() / 2;
    tampered[at] ^= 1;
    assert!(check(&tampered).is_err());
    // Through the chain check: pending asks the responder first, then nothing more.
    let chain = [leaf.clone(), root.clone()];
    let asks = revocation::pending(&chain, &Fetched::new(), now(), provider);
    assert_eq!(
        asks,
        [revocation::Fetch::Ocsp {
            url: OPENSSL_OCSP.to_owned(),
            request: request.clone()
        }]
    );
    let fetched = ocsp_fetched(&request, ca.answer(&request, "responder", false));
    assert!(revocation::pending(&chain, &fetched, now(), provider).is_empty());
    assert!(matches!(
        first_status(&chain, &fetched, provider),
        Status::Good
    ));
    ca.revoke("leaf", "keyCompromise");
    match check(&ca.answer(&request, "ca", false)).unwrap() {
        Answer::Revoked(r) => assert_eq!(r.reason, Some(Reason::KeyCompromise)),
        a => panic!("{a:?}"),
    }
    let fetched = ocsp_fetched(&request, ca.answer(&request, "ca", false));
    assert!(matches!(
        first_status(&chain, &fetched, provider),
        Status::Revoked(_)
    ));
    // Nothing fetched: unavailable.
    assert!(matches!(
        revocation::check_chain(&chain, &Fetched::new(), now(), None, provider)[0],
        Status::Unavailable(Unavailable::NotFetched { .. })
    ));
}

/// A certificate naming both an OCSP responder and a CRL: a valid OCSP answer decides alone;
/// when the responder does not know it (or gave nothing), the CRL decides.
#[test]
fn the_crl_decides_when_the_responder_cannot() {
    use revocation::ocsp;
    let Some(ca) = OpensslCa::new() else { return };
    let leaf = ca.issue("both", "leaf_both");
    let root = ca.cert("ca.pem");
    let provider = all_providers()[0];
    let chain = [leaf.clone(), root.clone()];
    let request = ocsp::request(&leaf, &root).unwrap();
    // The responder answers `unknown` for a serial its index does not hold.
    let index = ca.file("index.txt");
    let without: String = String::from_utf8(index.clone())
        .unwrap()
        .lines()
        .filter(|l| !l.ends_with("/CN=both"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(ca.dir.path().join("index.txt"), without).unwrap();
    let unknown = ca.answer(&request, "ca", false);
    assert_eq!(
        ocsp::check_response(&unknown, &leaf, &root, now(), provider).unwrap(),
        ocsp::Answer::Unknown
    );
    let mut fetched = Fetched::new();
    fetched.insert_ocsp(OPENSSL_OCSP, request.clone(), unknown);
    assert_eq!(
        revocation::pending(&chain, &fetched, now(), provider),
        [revocation::Fetch::Crl {
            url: OPENSSL_CRL.to_owned()
        }]
    );
    // With no CRL to fall back on, `unknown` leaves the status unavailable.
    let ghost = ca.issue("ghost", "leaf_ocsp");
    let ghost_request = ocsp::request(&ghost, &root).unwrap();
    std::fs::write(ca.dir.path().join("index.txt"), &index).unwrap();
    let ghost_fetched = ocsp_fetched(&ghost_request, ca.answer(&ghost_request, "ca", false));
    assert!(matches!(
        revocation::check_chain(
            &[ghost, root.clone()],
            &ghost_fetched,
            now(),
            None,
            provider
        )[0],
        Status::Unavailable(Unavailable::OcspUnknown { .. })
    ));
    ca.revoke("both", "superseded");
    fetched.insert(OPENSSL_CRL, ca.crl());
    assert!(matches!(
        first_status(&chain, &fetched, provider),
        Status::Revoked(_)
    ));
    // A good OCSP answer from the CA (before the revocation reached it) decides alone; here
    // the index already says revoked, so the answer is revoked too.
    let fetched = ocsp_fetched(&request, ca.answer(&request, "ca", false));
    assert!(revocation::pending(&chain, &fetched, now(), provider).is_empty());
    assert!(matches!(
        first_status(&chain, &fetched, provider),
        Status::Revoked(_)
    ));
}

/// A CRL made a moment after the verifier read its clock (its `thisUpdate` a minute ahead, as
/// a CA a little fast or a fetch in the next second gives) is accepted; one an hour ahead is
/// not yet valid.
#[test]
fn a_crl_from_a_moment_ahead_is_accepted_and_from_an_hour_ahead_is_not() {
    let pki = CodeSigningPki::new("Supply", "skew.test", &[URL]);
    let ahead = |secs: u64| {
        let crl = resign(&pki, &pki.crl(1, 7200, None), |t| {
            let unix = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let at = std::time::Duration::from_secs(unix + secs);
            t.this_update =
                x509_cert::time::Time::UtcTime(der::asn1::UtcTime::from_unix_duration(at).unwrap());
        });
        Fetched::new().with(URL, crl)
    };
    let s = leaf_status(&pki, &ahead(60), None);
    assert!(matches!(s, Status::Good), "{s:?}");
    let s = leaf_status(&pki, &ahead(3600), None);
    assert!(
        matches!(
            s,
            Status::Unavailable(Unavailable::Refused {
                source: Error::NotYetValid { .. },
                ..
            })
        ),
        "{s:?}"
    );
}
