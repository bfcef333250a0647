//! The sigstore-conformance client CLI
//! (<https://github.com/sigstore/sigstore-conformance/blob/main/docs/cli_protocol.md>):
//!
//! ```text
//! supply-sigstore-conformance sign-bundle [--staging] [--in-toto] --identity-token TOKEN --bundle FILE
//!     [--trusted-root FILE] [--signing-config FILE] FILE
//! supply-sigstore-conformance verify-bundle [--staging] --bundle FILE
//!     (--certificate-identity IDENTITY --certificate-oidc-issuer URL | --key PATH)
//!     [--trusted-root FILE] FILE_OR_DIGEST
//! ```
//!
//! The exit code is the only signal: 0 on success, 1 on any failure. The trusted root (and, for
//! signing, the signing config) is `--trusted-root` / `--signing-config`, or the production /
//! staging instance's through its TUF repository (`--offline`, `--tuf-url`, `--tuf-root`,
//! `--tuf-cache-dir`, `--reference-time`, as `supply verify-blob`).
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    supply_cli::cli::conformance::main()
}
