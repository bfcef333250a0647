//! Benchmarks live in `benches/`; this library holds the inputs several of them share.
#![forbid(unsafe_code)]

pub mod intoto_chain;

/// The TUF benchmark repository (`benches/tuf.rs`, `src/bin/tuf-repo.rs`, `compare-tuf`).
pub mod tuf_repo {
    use std::collections::BTreeMap;

    use supply_sig::crypto::RUSTCRYPTO;
    use supply_sig::key::KeyAlgorithm;
    use supply_tuf::metadata::{Expires, TargetFile};
    use supply_tuf::repo::{Repository, SigningKey};

    /// Targets in the repository.
    pub const TARGETS: usize = 10_000;
    /// Hash bins (`path_hash_prefixes`) the targets are spread over.
    pub const BINS: u32 = 256;
    /// Root rotations after version 1.
    pub const ROTATIONS: usize = 5;
    /// The target every lookup benchmark asks for.
    pub const LOOKUP: &str = "pkg/file-4242.tar.gz";

    fn key() -> Result<SigningKey, supply_tuf::repo::Error> {
        SigningKey::generate(KeyAlgorithm::Ed25519, &RUSTCRYPTO)
    }

    /// Published metadata: remote file name → bytes.
    pub type Files = BTreeMap<String, Vec<u8>>;

    /// Builds the repository: consistent snapshots, [`TARGETS`] targets over [`BINS`] bins,
    /// [`ROTATIONS`] root rotations, everything expiring in 2040. Returns root v1 and the
    /// published metadata files (remote name → bytes).
    ///
    /// # Errors
    /// The writer's errors (none for this fixed input).
    pub fn build() -> Result<(Vec<u8>, Files), supply_tuf::repo::Error> {
        let expires = Expires::parse("2040-01-01T00:00:00Z")
            .map_err(|_| supply_tuf::repo::Error::Invalid { reason: "expires" })?;
        let mut repo = Repository::new([key()?, key()?, key()?, key()?], expires, true)?;
        repo.delegate_hash_bins("targets", BINS, &[key()?])?;
        for i in 0..TARGETS {
            let p = format!("pkg/file-{i}.tar.gz");
            let role = repo.role_for_target(&p);
            repo.add_target_entry(&role, &p, TargetFile::from_data(p.as_bytes()))?;
        }
        repo.publish()?;
        let root_v1 = repo
            .metadata_files()
            .get("1.root.json")
            .cloned()
            .unwrap_or_default();
        for _ in 0..ROTATIONS {
            repo.set_role_keys("root", vec![key()?], 1)?;
            repo.publish()?;
        }
        Ok((root_v1, repo.metadata_files().clone()))
    }

    /// Writes [`build`]'s output as `dir/1.root.json`, `dir/metadata/*` and an empty
    /// `dir/targets/` (a static-server layout: python-tuf, tough and supply-tuf all read it).
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(dir: &std::path::Path, root_v1: &[u8], files: &Files) -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join("metadata"))?;
        std::fs::create_dir_all(dir.join("targets"))?;
        std::fs::write(dir.join("1.root.json"), root_v1)?;
        for (name, bytes) in files {
            std::fs::write(dir.join("metadata").join(name), bytes)?;
        }
        Ok(())
    }
}
/// The generated 50,000-component SBOM (`benches/sbom.rs`, `src/bin/sbom-bench.rs`, `compare-sbom`).
pub mod sbom_gen;
