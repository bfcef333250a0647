//! The shared HTTP client (`supply_sig::http`) against a local HTTPS server whose CA the test
//! generates: trusted with the CA added, and each way of being untrustworthy refused with its own
//! typed failure; a server that never answers trips the timeout within its bound.

use std::time::{Duration, Instant};

use supply_sig::http::{read_body, send, Error, Failure, HttpOptions, Timeouts};
use supply_testkit::http::StaticServer;
use supply_testkit::tls::{HttpsFront, SilentServer, TestCa, Validity};

fn get(options: &HttpOptions, url: &str) -> Result<Vec<u8>, Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = options.build()?;
        let resp = send(client.get(url), url).await?;
        read_body(resp, url, 1 << 20, "test body").await
    })
}

fn with_ca(ca: &TestCa) -> HttpOptions {
    let mut o = HttpOptions::new();
    assert_eq!(o.add_ca_pem(ca.pem().as_bytes()).unwrap(), 1);
    o
}

fn failure(r: Result<Vec<u8>, Error>) -> Failure {
    match r {
        Err(Error::Request { failure, .. }) => failure,
        other => panic!("expected a request failure, got {other:?}"),
    }
}

fn served() -> (tempfile::TempDir, StaticServer) {
    let dir = supply_testkit::tempdir();
    std::fs::write(dir.path().join("hello.txt"), b"hello over TLS").unwrap();
    let server = StaticServer::start(dir.path());
    (dir, server)
}

#[test]
fn a_server_of_the_added_ca_is_trusted_by_ip_and_by_name() {
    let (_dir, backend) = served();
    let ca = TestCa::new("supply test CA");
    let front = HttpsFront::start(backend.addr(), &ca.localhost());
    let o = with_ca(&ca);
    assert_eq!(get(&o, &front.url("hello.txt")).unwrap(), b"hello over TLS");
    assert_eq!(
        get(&o, &front.localhost_url("hello.txt")).unwrap(),
        b"hello over TLS"
    );
    // A CA file works as the PEM does.
    let dir = supply_testkit::tempdir();
    let mut o = HttpOptions::new();
    o.add_ca_file(&ca.write_pem(dir.path(), "ca.pem")).unwrap();
    assert_eq!(get(&o, &front.url("hello.txt")).unwrap(), b"hello over TLS");
    // Only the added CA, without the platform's store.
    let o = with_ca(&ca).with_platform_roots(false);
    assert_eq!(get(&o, &front.url("hello.txt")).unwrap(), b"hello over TLS");
    // Statuses are typed too.
    assert!(matches!(
        get(&with_ca(&ca), &front.url("missing")),
        Err(Error::Status { status: 404, .. })
    ));
}

#[test]
fn an_unknown_ca_is_refused() {
    let (_dir, backend) = served();
    let ca = TestCa::new("supply test CA");
    let front = HttpsFront::start(backend.addr(), &ca.localhost());
    // The platform's roots only.
    assert_eq!(
        failure(get(&HttpOptions::new(), &front.url("hello.txt"))),
        Failure::UnknownIssuer
    );
    // Another generated CA.
    let other = TestCa::new("another CA");
    assert_eq!(
        failure(get(&with_ca(&other), &front.url("hello.txt"))),
        Failure::UnknownIssuer
    );
}

#[test]
fn an_expired_server_certificate_is_refused() {
    let (_dir, backend) = served();
    let ca = TestCa::new("supply test CA");
    let front = HttpsFront::start(
        backend.addr(),
        &ca.issue(&["127.0.0.1", "localhost"], Validity::Expired),
    );
    let err = get(&with_ca(&ca), &front.url("hello.txt")).unwrap_err();
    let chain = format!("{err:#}", err = anyhow::Error::new(err));
    assert!(chain.contains("https://127.0.0.1:"), "{chain}");
    assert_eq!(
        failure(get(&with_ca(&ca), &front.url("hello.txt"))),
        Failure::CertificateExpired
    );
    assert!(chain.contains("has expired"), "{chain}");
}

#[test]
fn a_certificate_for_another_host_is_refused() {
    let (_dir, backend) = served();
    let ca = TestCa::new("supply test CA");
    let front = HttpsFront::start(
        backend.addr(),
        &ca.issue(&["registry.example.com"], Validity::Current),
    );
    assert_eq!(
        failure(get(&with_ca(&ca), &front.url("hello.txt"))),
        Failure::WrongHostName
    );
    assert_eq!(
        failure(get(&with_ca(&ca), &front.localhost_url("hello.txt"))),
        Failure::WrongHostName
    );
}

#[test]
fn a_server_that_never_answers_trips_the_timeout() {
    let silent = SilentServer::start();
    let o = HttpOptions::new().with_timeouts(Timeouts::new(
        Duration::from_secs(1),
        Duration::from_secs(1),
        Duration::from_secs(2),
    ));
    let t = Instant::now();
    assert_eq!(failure(get(&o, &silent.url("x"))), Failure::Timeout);
    // The bound is 2 s in all; the margin absorbs a loaded CI machine.
    assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
}

#[test]
fn a_refused_connection_is_told_apart() {
    // A port nobody listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    assert_eq!(
        failure(get(
            &HttpOptions::new(),
            &format!("https://127.0.0.1:{port}/")
        )),
        Failure::Connect
    );
}

#[test]
fn https_never_redirects_down_to_http() {
    // A plain server whose redirect target is http; the front serves it over https.
    let (_d, plain) = served();
    let ca = TestCa::new("supply test CA");
    let redirecting = supply_testkit::http::Redirector::start(&plain.url("hello.txt"));
    let front = HttpsFront::start(redirecting.addr(), &ca.localhost());
    assert_eq!(
        failure(get(&with_ca(&ca), &front.url("anything"))),
        Failure::Redirect
    );
    // http → http is followed.
    assert_eq!(
        get(&with_ca(&ca), &redirecting.url("anything")).unwrap(),
        b"hello over TLS"
    );
}

#[test]
fn confidential_clients_never_follow_a_redirect_to_plain_http_off_loopback() {
    // A secret in a POST body is resent on 307/308: such clients follow redirects only to https
    // or loopback. `.invalid` never resolves, so the refusal is the redirect policy's.
    let off_loopback = supply_testkit::http::Redirector::start("http://tuf.example.invalid/x");
    let confidential = HttpOptions::new().with_confidential_redirects();
    assert_eq!(
        failure(get(&confidential, &off_loopback.url("token"))),
        Failure::Redirect
    );
    assert_ne!(
        failure(get(&HttpOptions::new(), &off_loopback.url("token"))),
        Failure::Redirect
    );
    // To loopback it is followed.
    let (_d, plain) = served();
    let to_loopback = supply_testkit::http::Redirector::start(&plain.url("hello.txt"));
    assert_eq!(
        get(&confidential, &to_loopback.url("x")).unwrap(),
        b"hello over TLS"
    );
}
