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
//! The exit code is the only signal: 0 on success, 1 on any failure. Verification is offline:
//! the trusted root is `--trusted-root`, or the embedded production / staging snapshot.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    supply_cli::cli::conformance::main()
}
