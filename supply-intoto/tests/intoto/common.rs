//! Helpers shared by the test modules.

use std::collections::BTreeMap;
use std::path::Path;

use supply_intoto::metadata::Metadata;
use supply_intoto::record::CommandRunner;
use supply_intoto::verify::{Error, LayoutVerifier, VerifiedLayout};
use supply_sig::key::encoding::pem;
use supply_sig::key::encoding::sslib::SslibKey;
use supply_sig::key::KeyAlgorithm;
use supply_sig::sign::SignatureScheme;
use supply_sig::time::Timestamp;

/// 2026-01-01T00:00:00Z: before every non-expired layout in the test data.
pub(crate) fn now() -> Timestamp {
    Timestamp::from_civil(2026, 1, 1, 0, 0, 0).unwrap()
}

/// A PEM public key as in-toto 3.x reads it (`in-toto-verify --verification-keys`): RSA with
/// rsassa-pss-sha256, ECDSA with its curve's scheme, Ed25519.
pub(crate) fn pem_key(path: &Path) -> SslibKey {
    let key = pem::public_key_from_pem(&std::fs::read(path).unwrap()).unwrap();
    let scheme = match key.algorithm() {
        KeyAlgorithm::Rsa => SignatureScheme::RsaPssAutoSha256,
        KeyAlgorithm::EcdsaP256 => SignatureScheme::EcdsaP256Sha256,
        KeyAlgorithm::EcdsaP384 => SignatureScheme::EcdsaP384Sha384,
        _ => SignatureScheme::Ed25519,
    };
    SslibKey::new(key, scheme).unwrap()
}

/// Every file under `dir`, by `/`-separated relative path.
pub(crate) fn load_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, rel: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(base.join(rel)).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            let r = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if e.file_type().unwrap().is_dir() {
                walk(base, &r, out);
            } else {
                out.insert(r, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

/// Copies a directory tree (files only) into a fresh temporary directory.
pub(crate) fn copy_to_temp(dir: &Path) -> tempfile::TempDir {
    let tmp = supply_testkit::tempdir();
    for (rel, bytes) in load_dir(dir) {
        let p = tmp.path().join(&rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    tmp
}

/// Verifies `layout_file` in `dir` (links read from it, inspections run in it) at [`now`].
pub(crate) fn verify_in(
    dir: &Path,
    layout_file: &str,
    keys: &[SslibKey],
) -> Result<VerifiedLayout, Error> {
    verify_in_threads(dir, layout_file, keys, 1)
}

/// [`verify_in`] with links parsed and checked ahead on `threads` threads.
pub(crate) fn verify_in_threads(
    dir: &Path,
    layout_file: &str,
    keys: &[SslibKey],
    threads: usize,
) -> Result<VerifiedLayout, Error> {
    let links = load_dir(dir);
    let layout = Metadata::from_slice(&links[layout_file]).unwrap();
    let mut runner = CommandRunner::new(dir);
    LayoutVerifier::new(now(), &links)
        .with_runner(&mut runner)
        .with_threads(threads)
        .verify(&layout, keys)
}

/// Verifies a case of `testdata/intoto/generated` (copied to a temporary directory first, as
/// its MANIFEST asks) with keys from `generated/keys`; verified again from a fresh copy with
/// links checked ahead on 4 threads, which must give the same result (or the same error).
pub(crate) fn verify_generated(case: &str, keys: &[&str]) -> Result<VerifiedLayout, Error> {
    let one = verify_generated_threads(case, keys, 1);
    let four = verify_generated_threads(case, keys, 4);
    assert_eq!(
        format!("{one:?}"),
        format!("{four:?}"),
        "{case}: 1 vs 4 threads"
    );
    one
}

fn verify_generated_threads(
    case: &str,
    keys: &[&str],
    threads: usize,
) -> Result<VerifiedLayout, Error> {
    let tmp = copy_to_temp(&supply_testkit::testdata(&format!(
        "intoto/generated/{case}"
    )));
    let keys: Vec<SslibKey> = keys
        .iter()
        .map(|k| {
            pem_key(&supply_testkit::testdata(&format!(
                "intoto/generated/keys/{k}"
            )))
        })
        .collect();
    verify_in_threads(tmp.path(), "root.layout", &keys, threads)
}
