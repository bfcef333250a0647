//! The `supply` command-line interface.
fn main() {}
