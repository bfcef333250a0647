//! Refresh a TUF repository and fetch a verified target (written after the TUF driver rename).
fn main() {}
