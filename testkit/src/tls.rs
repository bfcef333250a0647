//! HTTPS for tests: a CA generated per test ([`TestCa`]), server certificates it issues (valid,
//! expired, for another name), a TLS front ([`HttpsFront`]) that terminates TLS on 127.0.0.1 and
//! forwards the bytes to a plain-HTTP test server (the static file server, the Sigstore mock),
//! and a server that accepts connections and never answers ([`SilentServer`]).
//!
//! Test support: a set-up step that fails panics with what failed and why, as a test should.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate authority made for one test.
pub struct TestCa {
    cert: rcgen::Certificate,
    key: KeyPair,
}

/// When a server certificate is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// From yesterday to next year.
    Current,
    /// From two years ago to yesterday.
    Expired,
}

/// A server certificate chain and its private key.
#[derive(Clone)]
pub struct ServerIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
}

impl TestCa {
    /// A new CA (P-256) named `name`.
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().unwrap_or_else(|e| panic!("generating the CA key: {e}"));
        let mut params = CertificateParams::new(Vec::<String>::new())
            .unwrap_or_else(|e| panic!("CA params: {e}"));
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let now = time_now();
        params.not_before = now - days(1);
        params.not_after = now + days(365);
        let cert = params
            .self_signed(&key)
            .unwrap_or_else(|e| panic!("self-signing the CA: {e}"));
        Self { cert, key }
    }

    /// The CA certificate as PEM.
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// Writes the CA certificate to `dir/<file>` and returns its path.
    pub fn write_pem(&self, dir: &Path, file: &str) -> PathBuf {
        let p = dir.join(file);
        std::fs::write(&p, self.pem()).unwrap_or_else(|e| panic!("writing the CA PEM: {e}"));
        p
    }

    /// A server certificate for `names` (DNS names or IP addresses) valid as `validity` says.
    pub fn issue(&self, names: &[&str], validity: Validity) -> ServerIdentity {
        let key = KeyPair::generate().unwrap_or_else(|e| panic!("generating the server key: {e}"));
        let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        let mut params =
            CertificateParams::new(names).unwrap_or_else(|e| panic!("server params: {e}"));
        params
            .distinguished_name
            .push(DnType::CommonName, "supply test server");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let now = time_now();
        match validity {
            Validity::Current => {
                params.not_before = now - days(1);
                params.not_after = now + days(365);
            }
            Validity::Expired => {
                params.not_before = now - days(730);
                params.not_after = now - days(1);
            }
        }
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .unwrap_or_else(|e| panic!("issuing the server certificate: {e}"));
        ServerIdentity {
            chain: vec![cert.der().clone()],
            key: key.serialize_der(),
        }
    }

    /// A certificate for `127.0.0.1` and `localhost`, valid now.
    pub fn localhost(&self) -> ServerIdentity {
        self.issue(&["127.0.0.1", "localhost"], Validity::Current)
    }
}

impl ServerIdentity {
    /// The certificate chain as PEM (leaf first), for servers that read files (docker-registry).
    pub fn cert_pem(&self) -> String {
        self.chain
            .iter()
            .map(|c| pem("CERTIFICATE", c.as_ref()))
            .collect()
    }

    /// The private key as PKCS#8 PEM.
    pub fn key_pem(&self) -> String {
        pem("PRIVATE KEY", &self.key)
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A self-signed code-signing certificate (P-256, `CA:FALSE`, digital signature, code-signing
/// extended key usage) for `C=US, ST=WA, O=organization, CN=common_name` (notation's trusted
/// identities need C, ST and O), valid from a minute ago for
/// `valid_days`: `(certificate PEM, PKCS#8 private key PEM)`. For signatures made in a test
/// (notation envelopes) without a peer to make the key.
pub fn code_signing_identity(
    organization: &str,
    common_name: &str,
    valid_days: i64,
) -> (String, String) {
    let key = KeyPair::generate().unwrap_or_else(|e| panic!("generating the signing key: {e}"));
    let params = code_signing_params(organization, common_name, valid_days);
    let cert = params
        .self_signed(&key)
        .unwrap_or_else(|e| panic!("self-signing the signing certificate: {e}"));
    (cert.pem(), key.serialize_pem())
}

/// A root CA (P-256, keyCertSign and cRLSign) and a code-signing leaf it issued (P-256,
/// `C=US, ST=WA, O=organization, CN=common_name`, valid from a minute ago for two days) whose
/// `cRLDistributionPoints` name `crl_urls`, for revocation tests: CRLs of the root come from
/// [`CodeSigningPki::crl`].
pub struct CodeSigningPki {
    root: rcgen::Certificate,
    root_key: KeyPair,
    leaf: rcgen::Certificate,
    leaf_key: KeyPair,
    leaf_serial: Vec<u8>,
}

/// An entry of a CRL [`CodeSigningPki::crl`] makes.
#[derive(Debug, Clone, Copy)]
pub struct CrlEntry {
    /// Revoked this many seconds ago.
    pub revoked_secs_ago: i64,
    /// The reason code, if any.
    pub reason: Option<rcgen::RevocationReason>,
    /// An invalidity date this many seconds from now (negative: in the past), if any.
    pub invalidity_in_secs: Option<i64>,
}

impl CodeSigningPki {
    /// A new root and leaf.
    pub fn new(organization: &str, common_name: &str, crl_urls: &[&str]) -> Self {
        Self::with_responders(organization, common_name, crl_urls, &[])
    }

    /// A new root and leaf whose `authorityInfoAccess` also names the OCSP responders
    /// `ocsp_urls`.
    pub fn with_responders(
        organization: &str,
        common_name: &str,
        crl_urls: &[&str],
        ocsp_urls: &[&str],
    ) -> Self {
        let root_key = KeyPair::generate().unwrap_or_else(|e| panic!("root key: {e}"));
        let mut params = CertificateParams::new(Vec::<String>::new())
            .unwrap_or_else(|e| panic!("root params: {e}"));
        params
            .distinguished_name
            .push(DnType::OrganizationName, organization);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("{common_name} root"));
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(1));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let now = time_now();
        params.not_before = now - days(1);
        params.not_after = now + days(365);
        let root = params
            .self_signed(&root_key)
            .unwrap_or_else(|e| panic!("self-signing the root: {e}"));
        let leaf_key = KeyPair::generate().unwrap_or_else(|e| panic!("leaf key: {e}"));
        let mut params = code_signing_params(organization, common_name, 2);
        // Sixteen bytes of the (random) leaf key, positive (top bit clear), never zero-led:
        // a serial unique to this PKI that the CRLs can name.
        let mut serial: Vec<u8> = leaf_key
            .public_key_raw()
            .iter()
            .skip(1)
            .take(16)
            .copied()
            .collect();
        serial[0] = (serial[0] & 0x7f) | 0x01;
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
        params.crl_distribution_points = if crl_urls.is_empty() {
            Vec::new()
        } else {
            vec![rcgen::CrlDistributionPoint {
                uris: crl_urls.iter().map(|u| (*u).to_owned()).collect(),
            }]
        };
        if !ocsp_urls.is_empty() {
            params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 5, 5, 7, 1, 1],
                authority_info_access(ocsp_urls),
            )];
        }
        let leaf = params
            .signed_by(&leaf_key, &root, &root_key)
            .unwrap_or_else(|e| panic!("issuing the leaf: {e}"));
        Self {
            root,
            root_key,
            leaf,
            leaf_key,
            leaf_serial: serial,
        }
    }

    /// The leaf's serial number in upper-case hex (as openssl's CA index lists it).
    pub fn leaf_serial_hex(&self) -> String {
        self.leaf_serial
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    /// The root certificate (PEM).
    pub fn root_pem(&self) -> String {
        self.root.pem()
    }

    /// The leaf certificate (PEM).
    pub fn leaf_pem(&self) -> String {
        self.leaf.pem()
    }

    /// The chain leaf first, root last (PEM), as notation's `certPath` holds it.
    pub fn chain_pem(&self) -> String {
        format!("{}{}", self.leaf.pem(), self.root.pem())
    }

    /// The leaf's private key (PKCS#8 PEM).
    pub fn leaf_key_pem(&self) -> String {
        self.leaf_key.serialize_pem()
    }

    /// The root's private key (PKCS#8 PEM), to sign CRLs a test builds itself.
    pub fn root_key_pem(&self) -> String {
        self.root_key.serialize_pem()
    }

    /// A CRL of the root numbered `number`, current from an hour ago for `valid_secs`
    /// (negative: it expired), listing the leaf when `leaf` says how.
    pub fn crl(&self, number: u64, valid_secs: i64, leaf: Option<CrlEntry>) -> Vec<u8> {
        let now = time_now();
        let revoked_certs = leaf
            .map(|e| rcgen::RevokedCertParams {
                serial_number: rcgen::SerialNumber::from_slice(&self.leaf_serial),
                revocation_time: now - time::Duration::seconds(e.revoked_secs_ago),
                reason_code: e.reason,
                invalidity_date: e
                    .invalidity_in_secs
                    .map(|s| now + time::Duration::seconds(s)),
            })
            .into_iter()
            .collect();
        let params = rcgen::CertificateRevocationListParams {
            // rcgen wants `thisUpdate` before `nextUpdate`: an expired CRL began before.
            this_update: now - time::Duration::hours(1)
                + time::Duration::seconds(valid_secs.min(0)),
            next_update: now + time::Duration::seconds(valid_secs),
            crl_number: rcgen::SerialNumber::from(number),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        params
            .signed_by(&self.root, &self.root_key)
            .unwrap_or_else(|e| panic!("signing the CRL: {e}"))
            .der()
            .to_vec()
    }
}

/// DER of `AuthorityInfoAccessSyntax` naming each URL as an `id-ad-ocsp` responder.
fn authority_info_access(urls: &[&str]) -> Vec<u8> {
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let [hi, lo] = u16::try_from(body.len())
            .unwrap_or_else(|_| panic!("a responder URL over 64 KiB"))
            .to_be_bytes();
        if hi == 0 && lo < 0x80 {
            out.push(lo);
        } else {
            out.extend([0x82, hi, lo]);
        }
        out.extend_from_slice(body);
        out
    }
    // id-ad-ocsp, 1.3.6.1.5.5.7.48.1.
    let oid = tlv(0x06, &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01]);
    let mut descriptions = Vec::new();
    for url in urls {
        let mut one = oid.clone();
        one.extend(tlv(0x86, url.as_bytes()));
        descriptions.extend(tlv(0x30, &one));
    }
    tlv(0x30, &descriptions)
}

/// A code-signing leaf's parameters: `C=US, ST=WA, O=organization, CN=common_name`, `CA:FALSE`,
/// digital signature, the code-signing extended key usage, valid from a minute ago for
/// `valid_days`.
fn code_signing_params(
    organization: &str,
    common_name: &str,
    valid_days: i64,
) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new())
        .unwrap_or_else(|e| panic!("signing certificate params: {e}"));
    params.distinguished_name.push(DnType::CountryName, "US");
    params
        .distinguished_name
        .push(DnType::StateOrProvinceName, "WA");
    params
        .distinguished_name
        .push(DnType::OrganizationName, organization);
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
    let now = time_now();
    params.not_before = now - time::Duration::minutes(1);
    params.not_after = now + days(valid_days);
    params
}

fn time_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

fn days(n: i64) -> time::Duration {
    time::Duration::days(n)
}

/// A TLS front on a free port of 127.0.0.1: each connection's TLS is terminated with the given
/// identity and its bytes are copied both ways to `backend` over plain TCP. Stops when dropped.
pub struct HttpsFront {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl HttpsFront {
    /// Fronts the plain-HTTP server at `backend` with `identity`.
    pub fn start(backend: SocketAddr, identity: &ServerIdentity) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key.clone()));
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|e| panic!("TLS versions: {e}"))
            .with_no_client_auth()
            .with_single_cert(identity.chain.clone(), key)
            .unwrap_or_else(|e| panic!("the server certificate and key: {e}"));
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener =
            TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("binding a free port: {e}"));
        listener
            .set_nonblocking(true)
            .unwrap_or_else(|e| panic!("non-blocking listener: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("the bound address: {e}"));
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap_or_else(|e| panic!("a runtime: {e}"));
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)
                    .unwrap_or_else(|e| panic!("listener: {e}"));
                loop {
                    let conn = tokio::select! {
                        c = listener.accept() => c,
                        _ = &mut stopped => break,
                    };
                    let Ok((tcp, _)) = conn else { continue };
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        // A failed handshake is the client refusing our certificate: the
                        // test asserts on the client's side.
                        let Ok(mut tls) = acceptor.accept(tcp).await else {
                            return;
                        };
                        let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                            return;
                        };
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    });
                }
            });
        });
        Self {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `https://127.0.0.1:PORT/` followed by `path` (no leading slash).
    pub fn url(&self, path: &str) -> String {
        format!("https://{}/{path}", self.addr)
    }

    /// `https://localhost:PORT/` followed by `path`.
    pub fn localhost_url(&self, path: &str) -> String {
        format!("https://localhost:{}/{path}", self.addr.port())
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for HttpsFront {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A server on a free port of 127.0.0.1 that accepts connections, reads nothing and never
/// answers (holding each connection open until dropped).
pub struct SilentServer {
    addr: SocketAddr,
    _thread: JoinHandle<()>,
}

impl SilentServer {
    /// Starts it.
    pub fn start() -> Self {
        let listener =
            TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("binding a free port: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("the bound address: {e}"));
        let thread = std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = Vec::new();
            for conn in listener.incoming().flatten() {
                held.push(conn);
            }
        });
        Self {
            addr,
            _thread: thread,
        }
    }

    /// `https://127.0.0.1:PORT/` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}/{path}", self.addr)
    }
}
