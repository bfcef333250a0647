//! Standard output for every verb: [`outln!`](crate::outln) and [`out!`](crate::out) instead of
//! `println!` and `print!`.
//!
//! Rust ignores `SIGPIPE`, so a reader that goes away (`supply discover … | head -1`) turns the
//! next write into an error, on which `println!` panics. Here it ends the process quietly with
//! status 141 (128 + `SIGPIPE`, what a shell reports for a tool the signal ended); any other
//! write error is reported on standard error with status 1.

use std::fmt;
use std::io::{self, Write as _};

/// The exit status after the reader of standard output went away.
pub const BROKEN_PIPE_STATUS: u8 = 128 + 13;

/// Writes `args`, and a line feed when `newline`, to standard output; see the module docs.
pub fn write(args: fmt::Arguments<'_>, newline: bool) {
    let mut out = io::stdout().lock();
    let result = out.write_fmt(args).and_then(|()| {
        if newline {
            out.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    if let Err(e) = result {
        exit_on(&e);
    }
}

/// Ends the process for a failed write to standard output.
pub fn exit_on(e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(i32::from(BROKEN_PIPE_STATUS));
    }
    eprintln!("error: cannot write to standard output: {e}");
    std::process::exit(1)
}

/// `println!` for the CLI: see [`crate::cli::stdout`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::cli::stdout::write(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(format_args!($($arg)*), true)
    };
}

/// `print!` for the CLI: see [`crate::cli::stdout`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(format_args!($($arg)*), false)
    };
}
