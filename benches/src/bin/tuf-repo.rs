//! `tuf-repo DIR`: writes the TUF benchmark repository ([`supply_benches::tuf_repo`]) as
//! `DIR/metadata/*`, `DIR/1.root.json` and an empty `DIR/targets/`, for `benches/compare-tuf` to
//! feed python-tuf.
//!
//! `tuf-repo --profile cold|warm|lookup N`: runs N cold refreshes, warm refreshes or cold lookups
//! of the same repository in memory (no files), for instruction counts under
//! `valgrind --tool=callgrind --toggle-collect='*profiled*'` (the repository build is not counted).
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::process::ExitCode;

use supply_benches::tuf_repo::{Files, LOOKUP};
use supply_tuf::client::{self, Config, Error, FileKind, MetadataStore, Transport, Updater};
use supply_tuf::time::Timestamp;

struct Mem<'a>(&'a Files);

impl Transport for Mem<'_> {
    fn fetch(&mut self, _: FileKind, path: &str, _: u64) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.0.get(path).cloned())
    }
}

#[derive(Default, Clone)]
struct Store(BTreeMap<String, Vec<u8>>);

impl MetadataStore for Store {
    fn load(&mut self, f: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.0.get(f).cloned())
    }
    fn store(&mut self, f: &str, b: &[u8]) -> Result<(), Error> {
        self.0.insert(f.to_owned(), b.to_vec());
        Ok(())
    }
}

type Run = Box<dyn Fn() -> Result<(), Box<dyn std::error::Error>>>;

#[inline(never)]
fn profiled(n: u64, run: &Run) -> Result<(), Box<dyn std::error::Error>> {
    for _ in 0..n {
        run()?;
    }
    Ok(())
}

fn profile(mode: &str, n: u64) -> Result<(), Box<dyn std::error::Error>> {
    let (root, files) = supply_benches::tuf_repo::build()?;
    let now = Timestamp::from_unix(1_893_456_000); // 2030-01-01T00:00:00Z
    let mut warm = Store::default();
    let mut u = Updater::new(&root, now, Config::default())?;
    client::run_refresh(&mut u, &mut Mem(&files), &mut warm)?;
    let latest = warm.0.get("root.json").cloned().unwrap_or_default();
    let run: Run = match mode {
        "cold" => Box::new(move || {
            let mut u = Updater::new(&root, now, Config::default())?;
            client::run_refresh(&mut u, &mut Mem(&files), &mut Store::default())?;
            black_box(u);
            Ok(())
        }),
        "warm" => Box::new(move || {
            let mut u = Updater::new(&latest, now, Config::default())?;
            client::run_refresh(&mut u, &mut Mem(&files), &mut warm.clone())?;
            black_box(u);
            Ok(())
        }),
        "lookup" => Box::new(move || {
            let mut u = u.clone();
            let t = client::run_lookup(&mut u, LOOKUP, &mut Mem(&files), &mut Store::default())?;
            black_box(t);
            Ok(())
        }),
        _ => return Err("mode is cold, warm or lookup".into()),
    };
    profiled(n, &run)?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        match args.as_slice() {
            [flag, mode, n] if flag == "--profile" => profile(mode, n.parse()?),
            [dir] => {
                let (root, files) = supply_benches::tuf_repo::build()?;
                supply_benches::tuf_repo::write(std::path::Path::new(dir), &root, &files)?;
                Ok(())
            }
            _ => Err("usage: tuf-repo DIR | tuf-repo --profile cold|warm|lookup N".into()),
        }
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
