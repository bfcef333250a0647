//! Canonical JSON: the RFC 8785 pairs, the securesystemslib OLPC vectors and hostile input.

use supply_sig::cjson::{jcs, olpc, Error};
use supply_sig::limits::{Limits, MAX_JSON_DEPTH, MAX_JSON_LEN};
use supply_testkit::{read, read_json};

const JCS: &str = "crypto/canonical-json/jcs-rfc8785";
const OLPC: &str = "crypto/canonical-json/olpc/olpc_securesystemslib_generated.json";

#[test]
fn jcs_rfc8785_pairs() {
    let names = [
        "arrays",
        "french",
        "structures",
        "unicode",
        "values",
        "weird",
    ];
    for name in names {
        let input = read(&format!("{JCS}/input/{name}.json"));
        let expected = read(&format!("{JCS}/output/{name}.json"));
        let hex_text = String::from_utf8(read(&format!("{JCS}/outhex/{name}.txt"))).unwrap();
        let from_hex = hex::decode(hex_text.split_whitespace().collect::<String>()).unwrap();
        assert_eq!(expected, from_hex, "{name}: output/ and outhex/ disagree");
        let got = jcs::canonicalize(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{name}"
        );
        // Canonical output is a fixed point.
        assert_eq!(
            jcs::canonicalize(&got).unwrap(),
            got,
            "{name}: not idempotent"
        );
    }
}

#[test]
fn jcs_es6_numbers_from_manifest() {
    // `hex-ieee,expected` lines of es6testfile100m.txt quoted in jcs-rfc8785/MANIFEST.md.
    for (bits, expected) in [
        (0x4340000000000001u64, "9007199254740994"),
        (0x444b1ae4d6e2ef50, "1e+21"),
        (0x3eb0c6f7a0b5ed8d, "0.000001"),
        (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
        (0x8000000000000000, "0"),
    ] {
        let x = f64::from_bits(bits);
        assert_eq!(
            jcs::format_number(x).as_deref(),
            Some(expected),
            "{bits:016x}"
        );
        // The same through the parser: print the double with Rust's round-trip formatting.
        let text = format!("{x:e}");
        let got = jcs::canonicalize(text.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), expected, "{text}");
    }
    // values.json's numbers one by one.
    for (input, expected) in [
        ("333333333.33333329", "333333333.3333333"),
        ("1E30", "1e+30"),
        ("4.50", "4.5"),
        ("2e-3", "0.002"),
        ("0.000000000000000000000000001", "1e-27"),
        ("1e21", "1e+21"),
        ("1e20", "100000000000000000000"),
        ("1e-6", "0.000001"),
        ("1e-7", "1e-7"),
        ("-0", "0"),
        ("-0.0", "0"),
    ] {
        let got = jcs::canonicalize(input.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), expected, "{input}");
    }
    for bad in ["1e309", "-1e400", "[1, 2e999]"] {
        assert!(
            matches!(
                jcs::canonicalize(bad.as_bytes()),
                Err(Error::NumberOutOfRange { .. })
            ),
            "{bad}"
        );
    }
    assert_eq!(jcs::format_number(f64::NAN), None);
    assert_eq!(jcs::format_number(f64::NEG_INFINITY), None);
}

#[test]
fn olpc_securesystemslib_vectors() {
    let file = read_json(OLPC);
    let tests = file["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 19);
    assert_eq!(file["numberOfTests"], 19);
    for t in tests {
        let name = t["name"].as_str().unwrap();
        let expected = hex::decode(t["expectedHex"].as_str().unwrap()).unwrap();
        assert_eq!(
            expected,
            t["expectedUtf8"].as_str().unwrap().as_bytes(),
            "{name}"
        );
        // From the in-memory value ...
        let got = olpc::to_vec(&t["input"]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, expected, "{name}: to_vec");
        // ... and from JSON text, pretty-printed so that whitespace and order must go.
        let text = serde_json::to_vec_pretty(&t["input"]).unwrap();
        let got = olpc::canonicalize(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, expected, "{name}: canonicalize");
        // OLPC writes control characters raw, so its output is not always RFC 8259 JSON;
        // when it is, it is a fixed point.
        if !got.iter().any(|&b| b < 0x20) {
            assert_eq!(
                olpc::canonicalize(&got).unwrap(),
                got,
                "{name}: not idempotent"
            );
        }
    }
    let errors = file["errorCases"].as_array().unwrap();
    assert_eq!(errors.len(), 3);
    for e in errors {
        let name = e["name"].as_str().unwrap();
        let input = e["inputJson"].as_str().unwrap();
        assert!(
            matches!(
                olpc::canonicalize(input.as_bytes()),
                Err(Error::FloatNotAllowed { .. })
            ),
            "{name}"
        );
        let value: serde_json::Value = serde_json::from_str(input).unwrap();
        assert!(
            matches!(olpc::to_vec(&value), Err(Error::FloatNotAllowed { .. })),
            "{name}: to_vec"
        );
    }
}

#[test]
fn olpc_big_integers_are_kept_as_text() {
    // Beyond u64 and i64: serde_json::Value would turn these into doubles.
    let text = br#"{"n": 123456789012345678901234567890, "m": -98765432109876543210987654321}"#;
    assert_eq!(
        olpc::canonicalize(text).unwrap(),
        br#"{"m":-98765432109876543210987654321,"n":123456789012345678901234567890}"#
    );
}

#[test]
fn key_order_differs_between_flavours() {
    // The securesystemslib `key-order-unicode` case: OLPC sorts by code point (U+FF21 before
    // U+1F600), JCS by UTF-16 code units (U+1F600 = D83D DE00 sorts before FF21).
    let input = "{\"\u{e9}\":1,\"e\":2,\"\u{1f600}\":3,\"\u{ff21}\":4,\"z\":5}";
    assert_eq!(
        String::from_utf8(olpc::canonicalize(input.as_bytes()).unwrap()).unwrap(),
        "{\"e\":2,\"z\":5,\"\u{e9}\":1,\"\u{ff21}\":4,\"\u{1f600}\":3}"
    );
    assert_eq!(
        String::from_utf8(jcs::canonicalize(input.as_bytes()).unwrap()).unwrap(),
        "{\"e\":2,\"z\":5,\"\u{e9}\":1,\"\u{1f600}\":3,\"\u{ff21}\":4}"
    );
    // And strings: OLPC writes control characters raw, JCS escapes them.
    let s = br#""a\tb\u001f""#;
    assert_eq!(olpc::canonicalize(s).unwrap(), b"\"a\tb\x1f\"");
    assert_eq!(jcs::canonicalize(s).unwrap(), br#""a\tb\u001f""#);
}

#[test]
fn sslib_keyid_canonical_json() {
    // keyidCanonicalJson in keys/securesystemslib/index.json is exactly what OLPC produces.
    let index = read_json("crypto/keys/securesystemslib/index.json");
    for key in index["keys"].as_array().unwrap() {
        let got = olpc::to_vec(&key["publicKey"]).unwrap();
        assert_eq!(got, key["keyidCanonicalJson"].as_str().unwrap().as_bytes());
        let text = serde_json::to_vec_pretty(&key["publicKey"]).unwrap();
        assert_eq!(olpc::canonicalize(&text).unwrap(), got);
    }
}

fn both(input: &[u8]) -> [Result<Vec<u8>, Error>; 2] {
    [olpc::canonicalize(input), jcs::canonicalize(input)]
}

#[test]
fn malformed_input_is_rejected() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "empty"),
        (b"{\"a\":1,}", "trailing comma"),
        (b"[1,]", "trailing comma in array"),
        (b"{\"a\" 1}", "missing colon"),
        (b"{'a':1}", "single quotes"),
        (b"[01]", "leading zero"),
        (b"[-01]", "leading zero after minus"),
        (b"[+1]", "plus sign"),
        (b"[.5]", "bare fraction"),
        (b"[1.]", "empty fraction"),
        (b"[1e]", "empty exponent"),
        (b"[0x10]", "hex"),
        (b"[NaN]", "NaN"),
        (b"[Infinity]", "Infinity"),
        (b"[-Infinity]", "-Infinity"),
        (b"\"\\x41\"", "bad escape"),
        (b"\"\\u12G4\"", "bad hex"),
        (b"\"\\u12\"", "short \\u"),
        (b"\"\\", "unterminated escape"),
        (b"\"abc", "unterminated string"),
        (b"\"a\x01b\"", "raw control character"),
        (b"\"a\nb\"", "raw newline"),
        (b"[1] [2]", "two documents"),
        (b"{} x", "trailing garbage"),
        (b"[1]\x00", "trailing NUL"),
        (b"\xef\xbb\xbf[]", "byte-order mark"),
        (b"[1,\x0b2]", "vertical tab is not whitespace"),
        (b"/* c */ 1", "comment"),
        (b"[true, True]", "capitalised literal"),
        (b"nul", "truncated literal"),
    ];
    for (input, what) in cases {
        for r in both(input) {
            assert!(matches!(r, Err(Error::Syntax { .. })), "{what}: {r:?}");
        }
    }
}

#[test]
fn utf8_and_surrogates() {
    for (input, what) in [
        (&b"\"\xff\""[..], "invalid byte"),
        (b"\"\xc0\xaf\"", "overlong"),
        (b"\"\xed\xa0\x80\"", "UTF-8 encoded surrogate"),
        (b"\"\xe2\x82\"", "truncated sequence"),
        (b"{\"\xf5\x80\x80\x80\":1}", "beyond U+10FFFF"),
    ] {
        for r in both(input) {
            assert!(
                matches!(r, Err(Error::InvalidUtf8 { offset: 1.. })),
                "{what}: {r:?}"
            );
        }
    }
    for (input, what) in [
        ("\"\\ud800\"", "lone high"),
        ("\"\\udfff\"", "lone low"),
        ("\"\\ude00\\ud83d\"", "reversed pair"),
        ("\"\\ud83d\\u0041\"", "high then BMP"),
        ("\"\\ud83d\\ud83d\"", "high then high"),
        ("{\"\\udc00\":1}", "lone low in key"),
    ] {
        for r in both(input.as_bytes()) {
            assert!(
                matches!(r, Err(Error::LoneSurrogate { .. })),
                "{what}: {r:?}"
            );
        }
    }
    // A valid pair, in either case of hex.
    assert_eq!(
        olpc::canonicalize(b"\"\\uD83D\\uDE00\"").unwrap(),
        "\"\u{1f600}\"".as_bytes()
    );
}

#[test]
fn duplicate_keys_are_rejected() {
    for (input, key) in [
        (r#"{"a":1,"a":2}"#, "a"),
        (r#"{"a":1,"a":1}"#, "a"),
        (r#"{"a":1,"\u0061":2}"#, "a"),
        (r#"{"x":{"b":[],"c":0,"b":{}}}"#, "b"),
        (r#"[{"k":1},{"k":1,"j":2,"k":3}]"#, "k"),
        ("{\"\u{e9}\":1,\"\\u00e9\":2}", "\u{e9}"),
    ] {
        for r in both(input.as_bytes()) {
            match r {
                Err(Error::DuplicateKey { key: k, .. }) => assert_eq!(k, key, "{input}"),
                other => panic!("{input}: {other:?}"),
            }
        }
    }
    // serde_json would have kept the last value silently.
    let v: serde_json::Value = serde_json::from_str(r#"{"a":1,"a":2}"#).unwrap();
    assert_eq!(v["a"], 2);
}

#[test]
fn deep_nesting_is_bounded() {
    // 100 000 open brackets: an error, not a stack overflow.
    let deep = "[".repeat(100_000);
    for r in both(deep.as_bytes()) {
        assert!(
            matches!(
                r,
                Err(Error::LimitExceeded(e)) if e.limit == MAX_JSON_DEPTH as u64
            ),
            "{r:?}"
        );
    }
    let deep_obj = "{\"a\":".repeat(100_000);
    for r in both(deep_obj.as_bytes()) {
        assert!(matches!(r, Err(Error::LimitExceeded(_))), "{r:?}");
    }
    // Exactly at the limit is fine, one more is not.
    let at = format!(
        "{}{}",
        "[".repeat(MAX_JSON_DEPTH),
        "]".repeat(MAX_JSON_DEPTH)
    );
    assert_eq!(olpc::canonicalize(at.as_bytes()).unwrap(), at.as_bytes());
    let over = format!("{{\"a\":{at}}}");
    assert!(matches!(
        olpc::canonicalize(over.as_bytes()),
        Err(Error::LimitExceeded(_))
    ));

    // Callers can tighten the depth, and a deep limit does not recurse either.
    let mut limits = Limits::default();
    limits.json_depth = 2;
    assert!(olpc::canonicalize_with_limits(b"[[1]]", &limits).is_ok());
    assert!(matches!(
        jcs::canonicalize_with_limits(b"[[[1]]]", &limits),
        Err(Error::LimitExceeded(e)) if e.what == "JSON nesting depth" && e.limit == 2
    ));
    limits.json_depth = usize::MAX;
    let very_deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    assert_eq!(
        olpc::canonicalize_with_limits(very_deep.as_bytes(), &limits).unwrap(),
        very_deep.as_bytes()
    );
    assert_eq!(
        jcs::canonicalize_with_limits(very_deep.as_bytes(), &limits).unwrap(),
        very_deep.as_bytes()
    );
}

#[test]
fn size_limit() {
    let mut limits = Limits::default();
    limits.json_len = 8;
    assert!(olpc::canonicalize_with_limits(b"[1,2,3]", &limits).is_ok());
    assert!(matches!(
        olpc::canonicalize_with_limits(b"[1,2,3,4]", &limits),
        Err(Error::LimitExceeded(e)) if e.what == "JSON document (bytes)" && e.limit == 8
    ));
    // The default limit: one byte over MAX_JSON_LEN is refused before any parsing.
    let mut huge = vec![b' '; MAX_JSON_LEN + 1];
    huge[0] = b'0';
    for r in both(&huge) {
        assert!(
            matches!(
                r,
                Err(Error::LimitExceeded(e)) if e.limit == MAX_JSON_LEN as u64
            ),
            "{r:?}"
        );
    }
    // Large but within the limit: many members, long strings.
    let mut big = String::from("{");
    for i in 0..50_000 {
        big.push_str(&format!("\"k{i:06}\":\"{}\",", "x".repeat(16)));
    }
    big.push_str("\"end\":0}");
    let out = olpc::canonicalize(big.as_bytes()).unwrap();
    assert!(out.starts_with(b"{\"end\":0,\"k000000\":"));
}

#[test]
fn no_panics_on_arbitrary_bytes() {
    // A cheap deterministic fuzz: every prefix of a tricky document and xorshift-mutated copies.
    let seed = br#"{"a":[1,-0,2.5e-3,"\u00e9\ud83d\ude00\n",{"b":null,"c":true}],"d":false}"#;
    for i in 0..=seed.len() {
        let _ = both(&seed[..i]);
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"{}[],:\"\\u0123456789abcdefeE+-.truefalsenull \x00\xff\xc3\xa9";
    for _ in 0..20_000 {
        let mut doc = seed.to_vec();
        for _ in 0..(next() % 4 + 1) {
            let pos = usize::try_from(next() % doc.len() as u64).unwrap();
            let byte = alphabet[usize::try_from(next() % alphabet.len() as u64).unwrap()];
            match next() % 3 {
                0 => doc[pos] = byte,
                1 => doc.insert(pos, byte),
                _ => {
                    doc.remove(pos);
                }
            }
        }
        // Whatever is accepted canonicalizes to a fixed point (OLPC output with raw control
        // characters is not RFC 8259 JSON, so it is skipped).
        if let Ok(out) = olpc::canonicalize(&doc) {
            if !out.iter().any(|&b| b < 0x20) {
                assert_eq!(olpc::canonicalize(&out).unwrap(), out);
            }
        }
        if let Ok(out) = jcs::canonicalize(&doc) {
            assert_eq!(jcs::canonicalize(&out).unwrap(), out);
        }
    }
}
