//! OpenSSH public key lines: what parses writes back to a line that parses to the same key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sig::key::encoding::ssh;

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = ssh::public_key_from_line(data) {
        let line = ssh::public_key_to_line(&k).expect("a parsed key re-encodes");
        assert_eq!(ssh::public_key_from_line(line.as_bytes()).expect("round trip"), k);
    }
    let _ = ssh::public_key_from_wire(data);
});
