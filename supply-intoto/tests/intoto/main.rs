//! supply-intoto integration tests: the test data's cases (`vectors`), attacks on layouts and
//! links (`attacks`), link generation and signing (`record`), the python peer (`interop`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod attacks;
mod common;
mod interop;
mod record;
mod vectors;
