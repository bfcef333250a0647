//! The `supply` command-line interface; see `supply --help`.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    supply_cli::cli::main()
}
