//! `supply-tuf-conformance` (the TUF conformance suite's client CLI) against repositories served
//! on 127.0.0.1, with the clock pinned by libfaketime where the data needs it.

use std::path::Path;
use std::process::{Command, Output};

use supply_testkit::http::StaticServer;
use supply_testkit::{peer, tempdir, testdata};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_supply-tuf-conformance"))
}

/// The binary under `faketime` at `when` (`YYYY-MM-DD HH:MM:SS`); `None` only when peers may be
/// skipped (outside CI).
fn faked(when: &str) -> Option<Command> {
    let faketime = peer("faketime")?;
    let mut c = Command::new(faketime);
    c.arg("-f")
        .arg(format!("@{when}"))
        .arg(env!("CARGO_BIN_EXE_supply-tuf-conformance"));
    Some(c)
}

fn status(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn check(out: Output, what: &str, want: i32) {
    assert_eq!(
        status(&out),
        want,
        "{what}:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn init(metadata_dir: &Path, root: &Path) {
    let out = bin()
        .arg("--metadata-dir")
        .arg(metadata_dir)
        .arg("init")
        .arg(root)
        .output()
        .unwrap();
    check(out, "init", 0);
}

#[test]
fn python_tuf_repository_refresh_and_download() {
    let repo = testdata("tuf/python-tuf/repository_data/repository");
    let server = StaticServer::start(&repo);
    let work = tempdir();
    let (md, td) = (work.path().join("metadata"), work.path().join("targets"));
    std::fs::create_dir(&md).unwrap();
    init(&md, &repo.join("metadata/1.root.json"));
    // All of python-tuf's data expires at 2030-01-01; the system clock is earlier (before 2030).
    let out = bin()
        .arg("--metadata-url")
        .arg(server.url("metadata/"))
        .arg("--metadata-dir")
        .arg(&md)
        .arg("refresh")
        .output()
        .unwrap();
    check(out, "refresh", 0);
    assert_eq!(
        server.requests(),
        [
            "metadata/2.root.json",
            "metadata/timestamp.json",
            "metadata/snapshot.json",
            "metadata/targets.json"
        ]
    );
    for f in [
        "root.json",
        "timestamp.json",
        "snapshot.json",
        "targets.json",
    ] {
        let served = if f == "root.json" { "1.root.json" } else { f };
        assert_eq!(
            std::fs::read(md.join(f)).unwrap(),
            std::fs::read(repo.join("metadata").join(served)).unwrap(),
            "{f}"
        );
    }
    server.clear_requests();
    let download = |names: &[&str]| {
        let mut c = bin();
        c.arg("--metadata-url")
            .arg(server.url("metadata/"))
            .arg("--metadata-dir")
            .arg(&md);
        for n in names {
            c.arg("--target-name").arg(n);
        }
        c.arg("--target-dir")
            .arg(&td)
            .arg("--target-base-url")
            .arg(server.url("targets/"))
            .arg("download")
            .output()
            .unwrap()
    };
    check(download(&["file3.txt", "file1.txt"]), "download", 0);
    for f in ["file1.txt", "file3.txt"] {
        assert_eq!(
            std::fs::read(td.join(f)).unwrap(),
            std::fs::read(repo.join("targets").join(f)).unwrap()
        );
    }
    assert_eq!(
        std::fs::read(md.join("role1.json")).unwrap(),
        std::fs::read(repo.join("metadata/role1.json")).unwrap()
    );
    let reqs = server.requests();
    assert!(
        reqs.contains(&"targets/file1.txt".to_owned())
            && reqs.contains(&"targets/file3.txt".to_owned()),
        "{reqs:?}"
    );
    // Already downloaded targets with matching hashes are not fetched again.
    server.clear_requests();
    check(download(&["file1.txt", "file3.txt"]), "second download", 0);
    assert!(
        server.requests().iter().all(|r| !r.starts_with("targets/")),
        "{:?}",
        server.requests()
    );
    // A target nobody lists: exit 1.
    check(download(&["nope.txt"]), "missing target", 1);
    // A tampered cached copy is fetched again.
    std::fs::write(td.join("file1.txt"), b"tampered").unwrap();
    server.clear_requests();
    check(download(&["file1.txt"]), "re-download", 0);
    assert!(server.requests().contains(&"targets/file1.txt".to_owned()));
}

#[test]
fn fresh_refresh_of_a_consistent_v1_repository_makes_exactly_four_requests() {
    let repo = testdata("tuf/generated/succinct-hash-bins");
    let server = StaticServer::start(&repo);
    let work = tempdir();
    let md = work.path().join("m");
    std::fs::create_dir(&md).unwrap();
    init(&md, &repo.join("metadata/1.root.json"));
    let out = bin()
        .arg("--metadata-url")
        .arg(server.url("metadata"))
        .arg("--metadata-dir")
        .arg(&md)
        .arg("refresh")
        .output()
        .unwrap();
    check(out, "refresh", 0);
    assert_eq!(
        server.requests(),
        [
            "metadata/2.root.json",
            "metadata/timestamp.json",
            "metadata/1.snapshot.json",
            "metadata/1.targets.json"
        ]
    );
    let mut stored: Vec<String> = std::fs::read_dir(&md)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    stored.sort();
    assert_eq!(
        stored,
        [
            "root.json",
            "snapshot.json",
            "targets.json",
            "timestamp.json"
        ]
    );
}

#[test]
fn honours_libfaketime_and_exits_1_on_failure() {
    let repo = testdata("tuf/sigstore-root-signing/current-2026-08");
    let server = StaticServer::start(&repo);
    let work = tempdir();
    let md = work.path().join("m");
    std::fs::create_dir(&md).unwrap();
    init(&md, &repo.join("metadata/5.root.json"));
    let refresh = |c: &mut Command| {
        c.arg("--metadata-url")
            .arg(server.url("metadata/"))
            .arg("--metadata-dir")
            .arg(&md)
            .arg("refresh")
            .output()
            .unwrap()
    };
    let Some(mut at_reference) = faked("2026-08-22 00:00:00") else {
        return;
    };
    check(refresh(&mut at_reference), "refresh at 2026-08-22", 0);
    assert_eq!(
        std::fs::read(md.join("root.json")).unwrap(),
        std::fs::read(repo.join("metadata/15.root.json")).unwrap()
    );
    // After 2026-11-20 the final root is expired: exit 1.
    let mut late = faked("2026-12-01 00:00:00").unwrap();
    check(refresh(&mut late), "refresh at 2026-12-01", 1);
    // Usage errors exit 1 too (never clap's 2).
    let out = bin().arg("refresh").output().unwrap();
    check(out, "no --metadata-dir", 1);
}
