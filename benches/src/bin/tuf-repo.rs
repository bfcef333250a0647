//! `tuf-repo DIR`: writes the TUF benchmark repository ([`supply_benches::tuf_repo`]) as
//! `DIR/metadata/*` and `DIR/1.root.json`, for `benches/compare-tuf` to feed python-tuf.
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: tuf-repo DIR");
        return ExitCode::from(2);
    };
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let (root, files) = supply_benches::tuf_repo::build()?;
        std::fs::create_dir_all(dir.join("metadata"))?;
        std::fs::write(dir.join("1.root.json"), root)?;
        for (name, bytes) in files {
            std::fs::write(dir.join("metadata").join(name), bytes)?;
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
