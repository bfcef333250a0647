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
        "libs/lib.so",
    ]);
    assert!(!out.status.success(), "tampered target accepted");
}
