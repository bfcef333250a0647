//! Validation of OCI documents: the image-spec v1.1 JSON Schemas, plus the checks the schemas
//! miss and the upstream Go validator makes.
//!
//! The extra checks: `sha256`/`sha384`/`sha512` digests must be lowercase hex of the exact
//! length; `urls` entries must be absolute URIs (RFC 3986); `data` must be padded base64
//! (RFC 4648 §4) whose decoded length equals `size` and whose digest matches; config `Env`
//! entries must be `KEY=VALUE`; sizes must not be negative. Digest algorithms this crate does
//! not implement (`sha256+b64`, `multihash+base58`) are syntactically valid here, as in the
//! schema; the typed model of [`crate::manifest`] then refuses them.
//!
//! Input is read with the strict JSON reader of `supply-sig` (RFC 8259, duplicate keys
//! refused) within [`crate::limits::MAX_MANIFEST_LEN`].
//!
//! ```
//! use supply_oci::{media_type, validate};
//!
//! let index = br#"{"schemaVersion": 2, "manifests": []}"#;
//! validate::validate(media_type::OCI_INDEX, index)?;
//! let dup = br#"{"schemaVersion": 2, "manifests": [], "manifests": []}"#;
//! assert!(validate::validate(media_type::OCI_INDEX, dup).is_err());
//! # Ok::<(), validate::Error>(())
//! ```

use base64::Engine as _;
use serde_json::{Map, Value};
use supply_sig::digest::{Algorithm, Digest};

use crate::limits::{LimitExceeded, MAX_DESCRIPTORS, MAX_DESCRIPTOR_DATA_LEN, MAX_MANIFEST_LEN};
use crate::media_type;

/// Errors from validating a document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is larger than the cap, or has too many descriptors.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// The bytes are not strict JSON (syntax, encoding or a duplicate key).
    #[error("the document is not strict JSON")]
    Json(#[source] supply_sig::cjson::Error),
    /// No validator exists for this media type.
    #[error("no validator for media type {0:?}")]
    UnknownMediaType(String),
    /// A field breaks a rule.
    #[error("{path}: {rule}")]
    Invalid {
        /// Where, as `layers[0].digest` (`$` for the document itself).
        path: String,
        /// Which rule.
        rule: Rule,
    },
}

/// The rule a field breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rule {
    /// A required field is absent.
    #[error("required field is missing")]
    Missing,
    /// The JSON type is wrong.
    #[error("expected {0}")]
    Type(&'static str),
    /// Not a media type of the form `type/subtype`.
    #[error("not a valid media type")]
    MediaType,
    /// Not `algorithm:encoded`.
    #[error("not a digest of the form algorithm:encoded")]
    Digest,
    /// A registered algorithm whose encoded part is not lowercase hex of the exact length.
    #[error("not lowercase hex of the length its algorithm requires")]
    DigestEncoding,
    /// A negative size, or not an integer.
    #[error("not a non-negative integer")]
    Size,
    /// Not an absolute URI.
    #[error("not an absolute URI")]
    Uri,
    /// `data` is not padded standard base64.
    #[error("not padded base64")]
    Base64,
    /// `data` decodes to a length other than `size`.
    #[error("decoded data length differs from size")]
    DataSize,
    /// `data` does not hash to `digest`.
    #[error("decoded data does not match the digest")]
    DataDigest,
    /// `schemaVersion` is not 2.
    #[error("schemaVersion must be 2")]
    SchemaVersion,
    /// An array that must not be empty is empty.
    #[error("must have at least one item")]
    Empty,
    /// A value outside its allowed set.
    #[error("value not allowed")]
    Enum,
    /// A config `Env` entry without `=`.
    #[error("not KEY=VALUE")]
    Env,
    /// Not an RFC 3339 date-time.
    #[error("not an RFC 3339 date-time")]
    DateTime,
}

type R = Result<(), Error>;

fn bad(path: &str, rule: Rule) -> Error {
    Error::Invalid {
        path: path.to_owned(),
        rule,
    }
}

/// Reads `json` strictly (RFC 8259, no duplicate keys) within `max_len` bytes.
pub(crate) fn parse_strict(
    json: &[u8],
    max_len: usize,
    what: &'static str,
) -> Result<Value, Error> {
    if json.len() > max_len {
        return Err(LimitExceeded::new(what, max_len as u64)
            .with_actual(json.len() as u64)
            .into());
    }
    let mut limits = supply_sig::limits::Limits::default();
    limits.json_len = max_len;
    // The JCS reader is the strict one (duplicate keys, UTF-8, grammar); its output is unused.
    supply_sig::cjson::jcs::canonicalize_with_limits(json, &limits).map_err(Error::Json)?;
    // The strict reader accepted it, so serde_json reads the same grammar; a failure here
    // (a number beyond what serde_json represents) is reported as a type error on the document.
    serde_json::from_slice(json).map_err(|_| bad("$", Rule::Type("JSON")))
}

/// Validates `json` as a document of `media_type`: an OCI manifest, index, image config,
/// content descriptor or `oci-layout` header.
///
/// # Errors
/// [`Error::UnknownMediaType`] for other media types; otherwise the first rule broken.
pub fn validate(media_type: &str, json: &[u8]) -> R {
    let v = parse_strict(json, MAX_MANIFEST_LEN, "OCI document JSON")?;
    validate_value(media_type, &v)
}

/// Validates an already parsed JSON value (see [`validate`]).
///
/// # Errors
/// As [`validate`].
pub fn validate_value(media_type: &str, v: &Value) -> R {
    match media_type {
        media_type::OCI_MANIFEST => manifest(v, 1),
        media_type::OCI_INDEX => index(v),
        media_type::OCI_CONFIG => config(v),
        media_type::OCI_DESCRIPTOR => descriptor(v, "$"),
        media_type::OCI_LAYOUT_HEADER => layout_header(v),
        other => Err(Error::UnknownMediaType(other.chars().take(128).collect())),
    }
}

fn obj<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, Error> {
    v.as_object()
        .ok_or_else(|| bad(path, Rule::Type("an object")))
}

fn join(path: &str, key: &str) -> String {
    if path == "$" {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn string<'a>(
    m: &'a Map<String, Value>,
    path: &str,
    key: &str,
    required: bool,
) -> Result<Option<&'a str>, Error> {
    match m.get(key) {
        None if required => Err(bad(&join(path, key), Rule::Missing)),
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(&join(path, key), Rule::Type("a string"))),
    }
}

fn media_type_field(m: &Map<String, Value>, path: &str, key: &str, required: bool) -> R {
    if let Some(s) = string(m, path, key, required)? {
        if !media_type::is_valid(s) {
            return Err(bad(&join(path, key), Rule::MediaType));
        }
    }
    Ok(())
}

fn string_array(m: &Map<String, Value>, path: &str, key: &str) -> R {
    match m.get(key) {
        None => Ok(()),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => Ok(()),
        Some(_) => Err(bad(&join(path, key), Rule::Type("an array of strings"))),
    }
}

fn string_map(m: &Map<String, Value>, path: &str, key: &str, nullable: bool) -> R {
    match m.get(key) {
        None => Ok(()),
        Some(Value::Null) if nullable => Ok(()),
        Some(Value::Object(o)) if o.values().all(Value::is_string) => Ok(()),
        Some(_) => Err(bad(&join(path, key), Rule::Type("an object of strings"))),
    }
}

fn object_map(m: &Map<String, Value>, path: &str, key: &str, nullable: bool) -> R {
    match m.get(key) {
        None => Ok(()),
        Some(Value::Null) if nullable => Ok(()),
        Some(Value::Object(o)) if o.values().all(Value::is_object) => Ok(()),
        Some(_) => Err(bad(&join(path, key), Rule::Type("an object of objects"))),
    }
}

fn schema_version(m: &Map<String, Value>) -> R {
    match m.get("schemaVersion") {
        None => Err(bad("schemaVersion", Rule::Missing)),
        Some(v) if v.as_u64() == Some(2) => Ok(()),
        Some(v) if v.is_i64() || v.is_u64() => Err(bad("schemaVersion", Rule::SchemaVersion)),
        Some(_) => Err(bad("schemaVersion", Rule::Type("an integer"))),
    }
}

/// Whether `s` is an OCI digest: `algorithm:encoded` with the schema's grammar, and for the
/// algorithms this crate implements, lowercase hex of the exact length.
pub fn check_digest(s: &str) -> Result<(), Rule> {
    let Some((alg, enc)) = s.split_once(':') else {
        return Err(Rule::Digest);
    };
    let alg_ok = !alg.is_empty()
        && alg.split(['+', '.', '_', '-']).all(|c| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    let enc_ok = !enc.is_empty()
        && enc
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'));
    if !alg_ok || !enc_ok {
        return Err(Rule::Digest);
    }
    if Algorithm::from_name(alg).is_some() && Digest::parse(s).is_err() {
        return Err(Rule::DigestEncoding);
    }
    Ok(())
}

/// Whether `s` is an absolute URI (RFC 3986 §4.3): a scheme, `:`, then only URI characters
/// and well-formed percent escapes.
pub fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut sb = scheme.bytes();
    if !sb.next().is_some_and(|b| b.is_ascii_alphabetic())
        || !sb.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return false;
    }
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            {
                return false;
            }
            i += 3;
            continue;
        }
        if !(c.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&c)) {
            return false;
        }
        i += 1;
    }
    true
}

/// Validates a content descriptor object at `path`.
fn descriptor(v: &Value, path: &str) -> R {
    let m = obj(v, path)?;
    media_type_field(m, path, "mediaType", true)?;
    let digest = string(m, path, "digest", true)?.unwrap_or_default();
    check_digest(digest).map_err(|r| bad(&join(path, "digest"), r))?;
    let size = match m.get("size") {
        None => return Err(bad(&join(path, "size"), Rule::Missing)),
        Some(s) => s
            .as_u64()
            .ok_or_else(|| bad(&join(path, "size"), Rule::Size))?,
    };
    match m.get("urls") {
        None => {}
        Some(Value::Array(a)) => {
            for (i, u) in a.iter().enumerate() {
                let p = format!("{}[{i}]", join(path, "urls"));
                let s = u.as_str().ok_or_else(|| bad(&p, Rule::Type("a string")))?;
                if !is_absolute_uri(s) {
                    return Err(bad(&p, Rule::Uri));
                }
            }
        }
        Some(_) => return Err(bad(&join(path, "urls"), Rule::Type("an array"))),
    }
    string_map(m, path, "annotations", false)?;
    media_type_field(m, path, "artifactType", false)?;
    if let Some(data) = string(m, path, "data", false)? {
        let p = join(path, "data");
        if data.len() / 4 * 3 > MAX_DESCRIPTOR_DATA_LEN {
            return Err(
                LimitExceeded::new("descriptor data", MAX_DESCRIPTOR_DATA_LEN as u64)
                    .with_actual((data.len() / 4 * 3) as u64)
                    .into(),
            );
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|_| bad(&p, Rule::Base64))?;
        if bytes.len() as u64 != size {
            return Err(bad(&p, Rule::DataSize));
        }
        if let Ok(d) = Digest::parse(digest) {
            if d.algorithm().digest(&bytes) != d {
                return Err(bad(&p, Rule::DataDigest));
            }
        }
    }
    if let Some(p) = m.get("platform") {
        platform(p, &join(path, "platform"))?;
    }
    Ok(())
}

fn platform(v: &Value, path: &str) -> R {
    let m = obj(v, path)?;
    string(m, path, "architecture", true)?;
    string(m, path, "os", true)?;
    string(m, path, "os.version", false)?;
    string_array(m, path, "os.features")?;
    string(m, path, "variant", false)?;
    string_array(m, path, "features")
}

fn descriptors(m: &Map<String, Value>, key: &str, min: usize) -> R {
    let a = match m.get(key) {
        None => return Err(bad(key, Rule::Missing)),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(bad(key, Rule::Type("an array"))),
    };
    if a.len() < min {
        return Err(bad(key, Rule::Empty));
    }
    if a.len() > MAX_DESCRIPTORS {
        return Err(
            LimitExceeded::new("descriptors in one manifest", MAX_DESCRIPTORS as u64)
                .with_actual(a.len() as u64)
                .into(),
        );
    }
    for (i, d) in a.iter().enumerate() {
        descriptor(d, &format!("{key}[{i}]"))?;
    }
    Ok(())
}

/// A Docker schema 2 manifest: the OCI manifest rules, except that zero layers are allowed.
pub(crate) fn docker_manifest(v: &Value) -> R {
    manifest(v, 0)
}

/// The OCI image manifest schema plus the extra checks.
fn manifest(v: &Value, min_layers: usize) -> R {
    let m = obj(v, "$")?;
    schema_version(m)?;
    media_type_field(m, "$", "mediaType", false)?;
    media_type_field(m, "$", "artifactType", false)?;
    match m.get("config") {
        None => return Err(bad("config", Rule::Missing)),
        Some(c) => descriptor(c, "config")?,
    }
    descriptors(m, "layers", min_layers)?;
    if let Some(s) = m.get("subject") {
        descriptor(s, "subject")?;
    }
    string_map(m, "$", "annotations", false)
}

/// The OCI image index schema plus the extra checks.
fn index(v: &Value) -> R {
    let m = obj(v, "$")?;
    schema_version(m)?;
    media_type_field(m, "$", "mediaType", false)?;
    media_type_field(m, "$", "artifactType", false)?;
    descriptors(m, "manifests", 0)?;
    if let Some(s) = m.get("subject") {
        descriptor(s, "subject")?;
    }
    string_map(m, "$", "annotations", false)
}

fn layout_header(v: &Value) -> R {
    let m = obj(v, "$")?;
    match string(m, "$", "imageLayoutVersion", true)? {
        Some("1.0.0") => Ok(()),
        _ => Err(bad("imageLayoutVersion", Rule::Enum)),
    }
}

/// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !matches!(b[10], b'T' | b't' | b' ')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

fn date_time(m: &Map<String, Value>, path: &str, key: &str) -> R {
    if let Some(s) = string(m, path, key, false)? {
        if !is_date_time(s) {
            return Err(bad(&join(path, key), Rule::DateTime));
        }
    }
    Ok(())
}

fn nullable_string_array(m: &Map<String, Value>, path: &str, key: &str) -> R {
    if matches!(m.get(key), Some(Value::Null)) {
        return Ok(());
    }
    string_array(m, path, key)
}

/// The OCI image config schema plus the `Env` rule.
fn config(v: &Value) -> R {
    let m = obj(v, "$")?;
    date_time(m, "$", "created")?;
    string(m, "$", "author", false)?;
    string(m, "$", "architecture", true)?;
    string(m, "$", "variant", false)?;
    string(m, "$", "os", true)?;
    string(m, "$", "os.version", false)?;
    string_array(m, "$", "os.features")?;
    if let Some(c) = m.get("config") {
        let c = obj(c, "config")?;
        string(c, "config", "User", false)?;
        object_map(c, "config", "ExposedPorts", false)?;
        string_array(c, "config", "Env")?;
        if let Some(Value::Array(env)) = c.get("Env") {
            for (i, e) in env.iter().enumerate() {
                let key_value = e
                    .as_str()
                    .and_then(|s| s.split_once('='))
                    .is_some_and(|(k, _)| !k.is_empty());
                if !key_value {
                    return Err(bad(&format!("config.Env[{i}]"), Rule::Env));
                }
            }
        }
        nullable_string_array(c, "config", "Entrypoint")?;
        nullable_string_array(c, "config", "Cmd")?;
        object_map(c, "config", "Volumes", true)?;
        string(c, "config", "WorkingDir", false)?;
        string_map(c, "config", "Labels", true)?;
        string(c, "config", "StopSignal", false)?;
        if c.get("ArgsEscaped").is_some_and(|b| !b.is_boolean()) {
            return Err(bad("config.ArgsEscaped", Rule::Type("a boolean")));
        }
    }
    match m.get("rootfs") {
        None => return Err(bad("rootfs", Rule::Missing)),
        Some(r) => {
            let r = obj(r, "rootfs")?;
            match r.get("diff_ids") {
                None => return Err(bad("rootfs.diff_ids", Rule::Missing)),
                Some(_) => string_array(r, "rootfs", "diff_ids")?,
            }
            if string(r, "rootfs", "type", true)? != Some("layers") {
                return Err(bad("rootfs.type", Rule::Enum));
            }
        }
    }
    match m.get("history") {
        None => {}
        Some(Value::Array(h)) => {
            for (i, e) in h.iter().enumerate() {
                let p = format!("history[{i}]");
                let e = obj(e, &p)?;
                date_time(e, &p, "created")?;
                string(e, &p, "author", false)?;
                string(e, &p, "created_by", false)?;
                string(e, &p, "comment", false)?;
                if e.get("empty_layer").is_some_and(|b| !b.is_boolean()) {
                    return Err(bad(&join(&p, "empty_layer"), Rule::Type("a boolean")));
                }
            }
        }
        Some(_) => return Err(bad("history", Rule::Type("an array"))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert!(is_absolute_uri("https://example.com/a?b=c#d"));
        assert!(is_absolute_uri("urn:x:%20"));
        assert!(!is_absolute_uri("value"));
        assert!(!is_absolute_uri("https://exa mple.com"));
        assert!(!is_absolute_uri("https://x/%2"));
        assert!(!is_absolute_uri("1http://x"));
    }

    #[test]
    fn digests() {
        assert_eq!(check_digest("sha256+b64:abc="), Ok(()));
        assert_eq!(check_digest("sha256+foo+-b:abc"), Err(Rule::Digest));
        assert_eq!(check_digest("sha256:ABC"), Err(Rule::DigestEncoding));
        assert_eq!(check_digest("sha256"), Err(Rule::Digest));
    }

    #[test]
    fn dates() {
        assert!(is_date_time("2015-10-31T22:22:56.015925234Z"));
        assert!(is_date_time("2015-10-31T22:22:56+01:00"));
        assert!(!is_date_time("2015-10-31"));
        assert!(!is_date_time("2015-10-31T22:22:56."));
    }
}
