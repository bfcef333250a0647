//! supply-sig integration tests.
