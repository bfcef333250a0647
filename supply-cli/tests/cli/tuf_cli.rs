//! `supply tuf`: the writer verbs build a repository on disk, and the client verbs refresh and
//! download from it over HTTP on 127.0.0.1.

use std::path::Path;
use std::process::{Command, Output};

use supply_testkit::http::StaticServer;
use supply_testkit::tempdir;

fn supply(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_supply"))
        .arg("tuf")
        .args(args)
        .env_remove("COSIGN_PASSWORD")
        .output()
        .unwrap()
}

fn ok(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn writer_and_client_verbs_round_trip() {
    let work = tempdir();
    let (repo, keys, files) = (
        work.path().join("repo"),
        work.path().join("keys"),
        work.path().join("files"),
    );
    std::fs::create_dir(&files).unwrap();
    for (name, body) in [
        ("top.txt", "top\n"),
        ("lib.so", "library\n"),
        ("a.bin", "bin a\n"),
        ("b.bin", "bin b\n"),
    ] {
        std::fs::write(files.join(name), body).unwrap();
    }
    let r = ["--repo", s(&repo), "--keys", s(&keys)];
    ok(supply(&[&["repo-init"][..], &r].concat()), "repo-init");
    assert!(keys.join("root.pem").is_file());
    ok(
        supply(&[&["add-target"][..], &r, &[s(&files.join("top.txt"))]].concat()),
        "add-target",
    );
    ok(
        supply(
            &[
                &["delegate"][..],
                &r,
                &["--name", "libs", "--paths", "libs/*", "--terminating"],
            ]
            .concat(),
        ),
        "delegate",
    );
    ok(
        supply(
            &[
                &["add-target"][..],
                &r,
                &["--prefix", "libs/", s(&files.join("lib.so"))],
            ]
            .concat(),
        ),
        "add-target libs/",
    );
    ok(
        supply(
            &[
                &["delegate"][..],
                &r,
                &["--from", "libs", "--name", "bins", "--succinct-bits", "2"],
            ]
            .concat(),
        ),
        "succinct",
    );
    ok(
        supply(
            &[
                &["add-target"][..],
                &r,
                &[
                    "--prefix",
                    "libs/",
                    s(&files.join("a.bin")),
                    s(&files.join("b.bin")),
                ],
            ]
            .concat(),
        ),
        "add-target into bins",
    );
    // Rotate the root key: root v2 is cross-signed by the old and new keys.
    let new_root = work.path().join("new-root.pem");
    std::fs::write(&new_root, std::fs::read(keys.join("bins.pem")).unwrap()).unwrap();
    ok(
        supply(
            &[
                &["rotate-key"][..],
                &r,
                &["--role", "root", "--key", s(&new_root)],
            ]
            .concat(),
        ),
        "rotate-key",
    );
    ok(
        supply(&[&["sign"][..], &r, &["--all"]].concat()),
        "sign --all",
    );
    assert!(repo.join("metadata/2.root.json").is_file());
    assert!(repo.join("metadata/3.root.json").is_file());

    // The client side, from root v1.
    let server = StaticServer::start(&repo);
    let md = work.path().join("client");
    ok(
        supply(&[
            "init",
            "--metadata-dir",
            s(&md),
            s(&repo.join("metadata/1.root.json")),
        ]),
        "init",
    );
    let murl = server.url("metadata/");
    let out = ok(
        supply(&["refresh", "--metadata-url", &murl, "--metadata-dir", s(&md)]),
        "refresh",
    );
    assert!(out.starts_with("root v3,"), "{out}");
    let outdir = work.path().join("out");
    std::fs::create_dir(&outdir).unwrap();
    let turl = server.url("targets/");
    let out = ok(
        supply(&[
            "download",
            "--metadata-url",
            &murl,
            "--metadata-dir",
            s(&md),
            "--targets-url",
            &turl,
            "--out",
            s(&outdir),
            "top.txt",
            "libs/lib.so",
            "libs/a.bin",
            "libs/b.bin",
        ]),
        "download",
    );
    assert!(out.contains("from role bins-"), "{out}");
    for (target, file) in [
        ("top.txt", "top.txt"),
        ("libs/lib.so", "lib.so"),
        ("libs/a.bin", "a.bin"),
        ("libs/b.bin", "b.bin"),
    ] {
        assert_eq!(
            std::fs::read(outdir.join(target)).unwrap(),
            std::fs::read(files.join(file)).unwrap(),
            "{target}"
        );
    }
    // A target nobody lists fails with one error line.
    let out = supply(&[
        "download",
        "--metadata-url",
        &murl,
        "--metadata-dir",
        s(&md),
        "--targets-url",
        &turl,
        "--out",
        s(&outdir),
        "nope",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
    // Tampered target bytes on the server are refused.
    let lib = std::fs::read_dir(repo.join("targets/libs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect::<Vec<_>>();
    for p in lib {
        std::fs::write(p, b"evil").unwrap();
    }
    let out = supply(&[
        "download",
        "--metadata-url",
        &murl,
        "--metadata-dir",
        s(&md),
        "--targets-url",
        &turl,
        "--out",
        s(&outdir),
        "--force",
        "libs/lib.so",
    ]);
    assert!(!out.status.success(), "tampered target accepted");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("libs/lib.so"), "{err}");
    // The verified copy from before is still there: a refused download replaces nothing.
    assert_eq!(
        std::fs::read(outdir.join("libs/lib.so")).unwrap(),
        std::fs::read(files.join("lib.so")).unwrap()
    );
    assert!(std::fs::read_dir(outdir.join("libs")).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains(".tmp-")));
}

fn failed_cleanly(out: &Output, needle: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "succeeded: {err}");
    // clap usage errors exit with 2, our errors with 1; a panic would be 101.
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "{:?}: {err}",
        out.status
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
    err
}

#[test]
fn expiry_days_that_overflow_or_publish_expired_metadata_are_refused() {
    let work = tempdir();
    let (repo, keys) = (work.path().join("repo"), work.path().join("keys"));
    let r = ["--repo", s(&repo), "--keys", s(&keys)];
    for days in ["0", "36526", "18446744073709551615", "99999999999999999999"] {
        let out = supply(&[&["repo-init"][..], &r, &["--expires-days", days]].concat());
        failed_cleanly(&out, "expires-days");
        assert!(!repo.exists(), "{days}: a repository was written");
        assert!(!keys.exists(), "{days}: keys were written");
    }
    ok(
        supply(&[&["repo-init"][..], &r, &["--expires-days", "36525"]].concat()),
        "repo-init with the longest expiry",
    );
    let out = supply(&[&["sign"][..], &r, &["--expires-days", "0"]].concat());
    failed_cleanly(&out, "expires-days");
}

#[test]
fn delegate_with_invalid_arguments_leaves_no_key_behind() {
    let work = tempdir();
    let (repo, keys) = (work.path().join("repo"), work.path().join("keys"));
    let r = ["--repo", s(&repo), "--keys", s(&keys)];
    ok(supply(&[&["repo-init"][..], &r].concat()), "repo-init");
    let before: Vec<_> = std::fs::read_dir(&keys).unwrap().collect();
    // No paths at all.
    let out = supply(&[&["delegate"][..], &r, &["--name", "nopaths"]].concat());
    failed_cleanly(&out, "--paths");
    // A delegator that does not exist.
    let out = supply(
        &[
            &["delegate"][..],
            &r,
            &["--from", "nosuchrole", "--name", "orphan", "--paths", "x/*"],
        ]
        .concat(),
    );
    failed_cleanly(&out, "nosuchrole");
    // A bin count that is not a power of two.
    let out = supply(
        &[
            &["delegate"][..],
            &r,
            &["--name", "bins", "--hash-bins", "3"],
        ]
        .concat(),
    );
    assert!(!out.status.success());
    let after: Vec<_> = std::fs::read_dir(&keys).unwrap().collect();
    assert_eq!(before.len(), after.len(), "a key file was left behind");
    for name in ["nopaths.pem", "orphan.pem", "bins.pem"] {
        assert!(!keys.join(name).exists(), "{name}");
    }
    // A valid delegation writes its key.
    ok(
        supply(&[&["delegate"][..], &r, &["--name", "good", "--paths", "g/*"]].concat()),
        "delegate",
    );
    assert!(keys.join("good.pem").is_file());
}

#[test]
fn outputs_are_not_replaced_without_force() {
    let work = tempdir();
    let (repo, keys, files) = (
        work.path().join("repo"),
        work.path().join("keys"),
        work.path().join("files"),
    );
    std::fs::create_dir(&files).unwrap();
    std::fs::write(files.join("a.txt"), "a\n").unwrap();
    let r = ["--repo", s(&repo), "--keys", s(&keys)];
    ok(supply(&[&["repo-init"][..], &r].concat()), "repo-init");
    ok(
        supply(&[&["add-target"][..], &r, &[s(&files.join("a.txt"))]].concat()),
        "add-target",
    );
    let md = work.path().join("client");
    let root = repo.join("metadata/1.root.json");
    ok(
        supply(&["init", "--metadata-dir", s(&md), s(&root)]),
        "init",
    );
    let out = supply(&["init", "--metadata-dir", s(&md), s(&root)]);
    failed_cleanly(&out, "--force");
    ok(
        supply(&["init", "--metadata-dir", s(&md), "--force", s(&root)]),
        "init --force",
    );
    let server = StaticServer::start(&repo);
    let (murl, turl) = (server.url("metadata/"), server.url("targets/"));
    let outdir = work.path().join("out");
    std::fs::create_dir(&outdir).unwrap();
    std::fs::write(outdir.join("a.txt"), "mine").unwrap();
    let download = |extra: &[&str]| {
        supply(
            &[
                &[
                    "download",
                    "--metadata-url",
                    &murl,
                    "--metadata-dir",
                    s(&md),
                    "--targets-url",
                    &turl,
                    "--out",
                    s(&outdir),
                ][..],
                extra,
            ]
            .concat(),
        )
    };
    failed_cleanly(&download(&["a.txt"]), "--force");
    assert_eq!(std::fs::read(outdir.join("a.txt")).unwrap(), b"mine");
    ok(download(&["--force", "a.txt"]), "download --force");
    assert_eq!(std::fs::read(outdir.join("a.txt")).unwrap(), b"a\n");
    // Target names that would be requested outside the targets base URL are refused.
    for bad in ["../a.txt", "/a.txt", "x//a.txt"] {
        failed_cleanly(&download(&["--force", bad]), "cannot be requested");
    }
    assert!(
        !server.requests().iter().any(|r| r.contains("..")),
        "{:?}",
        server.requests()
    );
}

#[test]
fn refresh_and_download_give_up_within_their_timeouts() {
    // A server that accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming().flatten() {
            held.push(c);
        }
    });
    let work = tempdir();
    let (repo, keys) = (work.path().join("repo"), work.path().join("keys"));
    let r = ["--repo", s(&repo), "--keys", s(&keys)];
    ok(supply(&[&["repo-init"][..], &r].concat()), "repo-init");
    let md = work.path().join("client");
    ok(
        supply(&[
            "init",
            "--metadata-dir",
            s(&md),
            s(&repo.join("metadata/1.root.json")),
        ]),
        "init",
    );
    let url = format!("http://{addr}/metadata/");
    let t = std::time::Instant::now();
    let out = supply(&[
        "refresh",
        "--metadata-url",
        &url,
        "--metadata-dir",
        s(&md),
        "--connect-timeout",
        "1",
        "--read-timeout",
        "1",
        "--timeout",
        "2",
    ]);
    assert!(!out.status.success());
    assert!(
        t.elapsed() < std::time::Duration::from_secs(15),
        "{:?}",
        t.elapsed()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("root.json"), "{err}");
    // A timeout of 0 is refused: it would mean "no bound".
    let out = supply(&[
        "refresh",
        "--metadata-url",
        &url,
        "--metadata-dir",
        s(&md),
        "--timeout",
        "0",
    ]);
    failed_cleanly(&out, "timeout");
}

#[test]
fn refresh_and_download_over_https_with_a_private_ca() {
    use supply_testkit::tls::{HttpsFront, TestCa, Validity};
    let work = tempdir();
    let (repo, keys) = (work.path().join("repo"), work.path().join("keys"));
    let r = ["--repo", s(&repo), "--keys", s(&keys)];
    ok(supply(&[&["repo-init"][..], &r].concat()), "repo-init");
    let file = work.path().join("hello.txt");
    std::fs::write(&file, b"hello over TLS\n").unwrap();
    ok(
        supply(&[&["add-target"][..], &r, &[s(&file)]].concat()),
        "add-target",
    );
    let md = work.path().join("client");
    ok(
        supply(&[
            "init",
            "--metadata-dir",
            s(&md),
            s(&repo.join("metadata/1.root.json")),
        ]),
        "init",
    );
    let plain = StaticServer::start(&repo);
    let ca = TestCa::new("supply test CA");
    let ca_file = ca.write_pem(work.path(), "ca.pem");
    let front = HttpsFront::start(plain.addr(), &ca.localhost());
    let murl = front.url("metadata/");
    let refresh = |extra: &[&str]| {
        supply(
            &[
                &["refresh", "--metadata-url", &murl, "--metadata-dir", s(&md)][..],
                extra,
            ]
            .concat(),
        )
    };
    // The platform's roots do not know the test CA.
    let err = failed_cleanly(&refresh(&[]), "not issued by a trusted CA");
    assert!(err.contains("https://127.0.0.1:"), "{err}");
    let out = ok(refresh(&["--ca-file", s(&ca_file)]), "refresh over https");
    assert!(out.starts_with("root v1,"), "{out}");
    let outdir = work.path().join("out");
    std::fs::create_dir(&outdir).unwrap();
    let turl = front.url("targets/");
    ok(
        supply(&[
            "download",
            "--metadata-url",
            &murl,
            "--metadata-dir",
            s(&md),
            "--targets-url",
            &turl,
            "--out",
            s(&outdir),
            "--ca-file",
            s(&ca_file),
            "hello.txt",
        ]),
        "download over https",
    );
    assert_eq!(
        std::fs::read(outdir.join("hello.txt")).unwrap(),
        b"hello over TLS\n"
    );
    // An expired server certificate and one for another name are refused, CA or not.
    let expired = HttpsFront::start(
        plain.addr(),
        &ca.issue(&["127.0.0.1", "localhost"], Validity::Expired),
    );
    let out = supply(&[
        "refresh",
        "--metadata-url",
        &expired.url("metadata/"),
        "--metadata-dir",
        s(&md),
        "--ca-file",
        s(&ca_file),
    ]);
    failed_cleanly(&out, "has expired");
    let other = HttpsFront::start(
        plain.addr(),
        &ca.issue(&["tuf.example.com"], Validity::Current),
    );
    let out = supply(&[
        "refresh",
        "--metadata-url",
        &other.url("metadata/"),
        "--metadata-dir",
        s(&md),
        "--ca-file",
        s(&ca_file),
    ]);
    failed_cleanly(&out, "not valid for this host name");
    // A --ca-file that holds no certificate is named.
    let out = refresh(&["--ca-file", s(&file)]);
    failed_cleanly(&out, "hello.txt holds no PEM certificate");
}
