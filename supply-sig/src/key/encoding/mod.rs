//! Key encodings (placeholder, filled in by the key-encoding work).
