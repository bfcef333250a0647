//! DSSE envelopes (placeholder, filled in by the DSSE work).
