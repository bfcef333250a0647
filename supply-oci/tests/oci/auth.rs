//! The token client against a local token server (`FnServer`) behind HTTPS with a CA the test
//! generates: what it sends (query, `Authorization`, the refresh-token form), how it caches,
//! and what it refuses.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use supply_oci::auth::challenge::BearerChallenge;
use supply_oci::auth::{
    fetch_token, Authenticator, Credential, Error, RealmRefusal, ScopeSet, TokenRequest,
};
use supply_oci::limits::MAX_TOKEN_RESPONSE_LEN;
use supply_sig::http::HttpOptions;
use supply_sig::time::Timestamp;
use supply_testkit::http::{FnServer, Reply, Request};
use supply_testkit::tls::{HttpsFront, TestCa};

struct TokenServer {
    server: FnServer,
    front: HttpsFront,
    ca: TestCa,
    hits: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl TokenServer {
    fn start(answer: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (h, s) = (hits.clone(), seen.clone());
        let server = FnServer::start(move |req| {
            h.fetch_add(1, Ordering::SeqCst);
            s.lock().unwrap().push(req.clone());
            answer(req)
        });
        let addr: SocketAddr = server
            .url("")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        let ca = TestCa::new("supply-oci test CA");
        let front = HttpsFront::start(addr, &ca.localhost());
        Self {
            server,
            front,
            ca,
            hits,
            seen,
        }
    }

    fn client(&self) -> reqwest::Client {
        let mut o = HttpOptions::new().with_platform_roots(false);
        o.add_ca_pem(self.ca.pem().as_bytes()).unwrap();
        o.build().unwrap()
    }

    fn registry(&self) -> reqwest::Url {
        reqwest::Url::parse(&self.front.url("")).unwrap()
    }

    fn challenge(&self) -> BearerChallenge {
        BearerChallenge {
            realm: self.front.url("token"),
            service: Some("registry.test".into()),
            scope: None,
            error: None,
        }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn last(&self) -> Request {
        self.seen.lock().unwrap().last().cloned().unwrap()
    }
}

fn json(body: &str) -> Reply {
    Reply::new(200, "application/json", body.as_bytes().to_vec())
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

const NOW: Timestamp = Timestamp::from_unix(1_700_000_000);

fn fetch(
    ts: &TokenServer,
    challenge: &BearerChallenge,
    scopes: &ScopeSet,
    credential: Option<&Credential>,
) -> Result<supply_oci::auth::Token, Error> {
    let registry = ts.registry();
    let request = TokenRequest {
        registry: &registry,
        challenge,
        scopes,
        credential,
    };
    block_on(fetch_token(&ts.client(), &request, NOW))
}

#[test]
fn an_anonymous_token_carries_service_and_scopes_and_no_authorization() {
    let ts = TokenServer::start(|_| {
        json(r#"{"token": "anon.jwt", "expires_in": 300, "issued_at": "2023-11-14T22:13:20Z"}"#)
    });
    let t = fetch(
        &ts,
        &ts.challenge(),
        &ScopeSet::mount("team/app", "base/x"),
        None,
    )
    .unwrap();
    assert_eq!(t.value(), "anon.jwt");
    assert_eq!(t.expires_at(), Timestamp::from_unix(NOW.unix() + 300));
    let req = ts.last();
    assert_eq!(req.method, "GET");
    assert!(req.target.starts_with("/token?"), "{}", req.target);
    assert_eq!(
        req.query_pairs(),
        [
            ("service".to_owned(), "registry.test".to_owned()),
            ("scope".to_owned(), "repository:base/x:pull".to_owned()),
            (
                "scope".to_owned(),
                "repository:team/app:pull,push".to_owned()
            ),
        ]
    );
    assert_eq!(req.header("authorization"), None);
}

#[test]
fn basic_credentials_go_to_the_realm() {
    let ts = TokenServer::start(|req| {
        if req.header("authorization") == Some("Basic bWU6czNjcjN0") {
            json(r#"{"access_token": "user.jwt"}"#)
        } else {
            Reply::new(401, "text/plain", b"no".to_vec())
        }
    });
    let me = Credential::Basic {
        username: "me".into(),
        password: "s3cr3t".into(),
    };
    let t = fetch(&ts, &ts.challenge(), &ScopeSet::pull("a/b"), Some(&me)).unwrap();
    // `access_token` is accepted, and without `expires_in` the token lives 60 s.
    assert_eq!(t.value(), "user.jwt");
    assert_eq!(t.expires_at(), Timestamp::from_unix(NOW.unix() + 60));
    let wrong = Credential::Basic {
        username: "me".into(),
        password: "wrong".into(),
    };
    let err = fetch(&ts, &ts.challenge(), &ScopeSet::pull("a/b"), Some(&wrong)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Http(supply_sig::http::Error::Status { status: 401, .. })
        ),
        "{err:?}"
    );
}

#[test]
fn an_identity_token_is_exchanged_with_a_refresh_token_post() {
    let ts = TokenServer::start(|req| {
        if req.method == "POST" {
            json(r#"{"access_token": "oauth.jwt", "refresh_token": "next", "expires_in": 900}"#)
        } else {
            Reply::new(405, "text/plain", Vec::new())
        }
    });
    let id = Credential::IdentityToken("refresh-me".into());
    let t = fetch(&ts, &ts.challenge(), &ScopeSet::push("a/b"), Some(&id)).unwrap();
    assert_eq!((t.value(), t.refresh_token()), ("oauth.jwt", Some("next")));
    let req = ts.last();
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form = String::from_utf8(req.body).unwrap();
    for part in [
        "grant_type=refresh_token",
        "refresh_token=refresh-me",
        "client_id=supply",
        "service=registry.test",
        "scope=repository%3Aa%2Fb%3Apull%2Cpush",
    ] {
        assert!(form.split('&').any(|p| p == part), "{part} in {form}");
    }
    // A registry token needs no request at all.
    let before = ts.hits();
    let rt = Credential::RegistryToken("direct".into());
    assert_eq!(
        fetch(&ts, &ts.challenge(), &ScopeSet::new(), Some(&rt))
            .unwrap()
            .value(),
        "direct"
    );
    assert_eq!(ts.hits(), before);
}

#[test]
fn tokens_are_cached_per_scope_set_until_they_expire() {
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let ts = TokenServer::start(move |_| {
        let i = n2.fetch_add(1, Ordering::SeqCst);
        json(&format!(r#"{{"token": "t{i}", "expires_in": 120}}"#))
    });
    let auth = Authenticator::new(ts.client(), None);
    let (registry, challenge) = (ts.registry(), ts.challenge());
    let pull = ScopeSet::pull("a/b");
    let at = |secs: i64| Timestamp::from_unix(NOW.unix() + secs);
    let get =
        |scopes: &ScopeSet, now| block_on(auth.token(&registry, &challenge, scopes, now)).unwrap();
    assert_eq!(get(&pull, at(0)).value(), "t0");
    assert_eq!(get(&pull, at(100)).value(), "t0");
    assert_eq!(ts.hits(), 1, "the second call is served from the cache");
    // Another scope set is another token.
    assert_eq!(get(&ScopeSet::push("a/b"), at(100)).value(), "t1");
    assert_eq!(ts.hits(), 2);
    // Past the expiry (less the margin) the token is fetched again.
    assert_eq!(get(&pull, at(116)).value(), "t2");
    assert_eq!(get(&pull, at(117)).value(), "t2");
    assert_eq!(ts.hits(), 3);
}

#[test]
fn oversize_garbage_and_tokenless_answers_are_refused() {
    let ts = TokenServer::start(|req| match req.target.split('?').next().unwrap_or("") {
        "/big" => json(&format!(
            r#"{{"token": "{}"}}"#,
            "a".repeat(MAX_TOKEN_RESPONSE_LEN)
        )),
        "/garbage" => Reply::new(200, "text/html", b"<html>hello</html>".to_vec()),
        "/empty" => json(r#"{"token": "", "expires_in": 10}"#),
        "/badtoken" => json(r#"{"token": "a b\r\nX-Injected: 1"}"#),
        _ => json(r#"{"expires_in": 10}"#),
    });
    let with = |path: &str| BearerChallenge {
        realm: ts.front.url(path),
        ..ts.challenge()
    };
    let pull = ScopeSet::pull("a/b");
    let err = fetch(&ts, &with("big"), &pull, None).unwrap_err();
    assert!(
        matches!(err, Error::Http(supply_sig::http::Error::LimitExceeded(_))),
        "{err:?}"
    );
    assert!(matches!(
        fetch(&ts, &with("garbage"), &pull, None),
        Err(Error::TokenJson(_))
    ));
    assert!(matches!(
        fetch(&ts, &with("empty"), &pull, None),
        Err(Error::NoToken)
    ));
    assert!(matches!(
        fetch(&ts, &with("none"), &pull, None),
        Err(Error::NoToken)
    ));
    assert!(matches!(
        fetch(&ts, &with("badtoken"), &pull, None),
        Err(Error::InvalidToken)
    ));
}

#[test]
fn refused_realms_get_no_request() {
    let ts = TokenServer::start(|_| json(r#"{"token": "x"}"#));
    let port = ts.front.addr().port();
    let me = Credential::Basic {
        username: "me".into(),
        password: "s3cr3t".into(),
    };
    // Plain http to the same server (its backend would answer), for an https registry.
    let plain = ts.server.url("token");
    for (realm, creds, want) in [
        (
            format!("https://me:pw@127.0.0.1:{port}/token"),
            None,
            RealmRefusal::Userinfo,
        ),
        (
            "http://169.254.169.254/latest/meta-data".to_owned(),
            None,
            RealmRefusal::Metadata,
        ),
        (
            "https://169.254.169.254/token".to_owned(),
            Some(&me),
            RealmRefusal::Metadata,
        ),
        (
            "https://[fd00:ec2::254]/token".to_owned(),
            None,
            RealmRefusal::Metadata,
        ),
        (
            "https://169.254.1.1/token".to_owned(),
            None,
            RealmRefusal::LinkLocal,
        ),
        (plain.clone(), None, RealmRefusal::Downgrade),
        (plain, Some(&me), RealmRefusal::Downgrade),
        ("file:///etc/passwd".to_owned(), None, RealmRefusal::NotHttp),
    ] {
        let challenge = BearerChallenge {
            realm: realm.clone(),
            ..ts.challenge()
        };
        match fetch(&ts, &challenge, &ScopeSet::pull("a/b"), creds) {
            Err(Error::Realm { refusal, .. }) => assert_eq!(refusal, want, "{realm}"),
            other => panic!("{realm}: {other:?}"),
        }
    }
    assert_eq!(ts.hits(), 0);
}
