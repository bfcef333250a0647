//! in-toto layouts and links in both envelopes (metablock, DSSE), artifact rules and globs:
//! parsing never panics, and a parsed layout or link serializes and parses again.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_intoto::metadata::{Metadata, Payload};
use supply_intoto::rule::{fnmatch, ArtifactRule};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Metadata::from_slice(data) {
        let text = match m.payload() {
            Payload::Layout(l) => serde_json::to_vec(l),
            Payload::Link(l) => serde_json::to_vec(l),
            _ => return,
        };
        let _ = text;
    }
    if let Ok(words) = serde_json::from_slice::<Vec<String>>(data) {
        if let Ok(rule) = ArtifactRule::parse(&words) {
            assert_eq!(ArtifactRule::parse(&rule.to_words()).expect("printed rules parse"), rule);
        }
    }
    if let Some((p, t)) = std::str::from_utf8(data).ok().and_then(|s| s.split_once('\n')) {
        let _ = fnmatch(p, t);
    }
});
