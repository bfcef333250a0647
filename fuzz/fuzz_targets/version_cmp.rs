//! Version parsing and comparison in every ecosystem on arbitrary strings: never panics,
//! and the comparison is antisymmetric (`a < b` ⇔ `b > a`) and reflexive.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_sbom::version::{Scheme, Version};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    // Split the input in two versions at the first newline.
    let (a, b) = s.split_once('\n').unwrap_or((s, "1.0.0"));
    for scheme in Scheme::ALL {
        let (Ok(x), Ok(y)) = (Version::parse(scheme, a), Version::parse(scheme, b)) else {
            continue;
        };
        let xy = x.compare(&y).unwrap();
        let yx = y.compare(&x).unwrap();
        assert_eq!(xy, yx.reverse(), "{scheme}: {a:?} vs {b:?}");
        assert_eq!(x.compare(&x), Some(std::cmp::Ordering::Equal));
    }
});
