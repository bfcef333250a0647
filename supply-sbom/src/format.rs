//! Reading any supported SBOM (format detected), writing the model in a chosen format.
//!
//! ```
//! use supply_sbom::format::{read, write, Format, OutputFormat};
//!
//! let cdx = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
//!   "components": [{"type": "library", "name": "left-pad", "version": "1.3.0",
//!                   "purl": "pkg:npm/left-pad@1.3.0", "licenses": [{"license": {"id": "MIT"}}]}]}"#;
//! let doc = read(cdx)?;
//! assert!(matches!(doc.format, Format::CycloneDxJson(_)));
//! assert!(doc.report.is_valid());
//! let spdx = write(&doc.sbom, OutputFormat::SpdxJson);
//! let back = read(&spdx)?;
//! assert_eq!(back.sbom.packages[0].purl, doc.sbom.packages[0].purl);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use crate::limits::{LimitExceeded, MAX_ITEMS, MAX_SBOM_LEN};
use crate::model::Sbom;
use crate::tree::Node;
use crate::validate::Report;
use crate::{cyclonedx, spdx2, spdx3};

/// Why a document could not be read at all (as opposed to [`Report`] issues, which a lenient
/// reader reads past).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Over a size or count limit.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// Malformed JSON (or JSON nested deeper than serde_json's 128 levels).
    #[error("malformed JSON")]
    Json(#[from] serde_json::Error),
    /// Malformed YAML.
    #[error("malformed YAML")]
    Yaml(#[from] serde_yaml_ng::Error),
    /// Malformed XML.
    #[error("malformed CycloneDX XML")]
    Xml(#[from] cyclonedx::XmlError),
    /// Text that is neither UTF-8 nor UTF-16 with a byte-order mark.
    #[error("the document is not UTF-8 or UTF-16 text")]
    Encoding,
    /// Well-formed, but not an SPDX 2, SPDX 3 or CycloneDX document.
    #[error("not an SPDX 2.x, SPDX 3.0 or CycloneDX document")]
    Unrecognized,
}

/// The format a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// SPDX 2 JSON.
    Spdx2Json(spdx2::Version),
    /// SPDX 2 YAML.
    Spdx2Yaml(spdx2::Version),
    /// SPDX 2 tag-value.
    Spdx2TagValue(spdx2::Version),
    /// SPDX 3.0 JSON-LD.
    Spdx3JsonLd,
    /// CycloneDX JSON.
    CycloneDxJson(cyclonedx::Version),
    /// CycloneDX XML.
    CycloneDxXml(cyclonedx::Version),
}

/// The formats the writers produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputFormat {
    /// SPDX 2.3 JSON (`spdx-json`).
    SpdxJson,
    /// SPDX 2.3 tag-value (`spdx-tag-value`).
    SpdxTagValue,
    /// SPDX 3.0.1 JSON-LD (`spdx3-jsonld`).
    Spdx3JsonLd,
    /// CycloneDX 1.6 JSON (`cyclonedx-json`).
    CycloneDxJson,
    /// CycloneDX 1.6 XML (`cyclonedx-xml`).
    CycloneDxXml,
}

/// An output format name that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown SBOM format `{0}` (spdx-json, spdx-tag-value, spdx3-jsonld, cyclonedx-json, cyclonedx-xml)")]
pub struct UnknownFormat(pub String);

impl FromStr for OutputFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, UnknownFormat> {
        Ok(match s {
            "spdx-json" => Self::SpdxJson,
            "spdx-tag-value" => Self::SpdxTagValue,
            "spdx3-jsonld" => Self::Spdx3JsonLd,
            "cyclonedx-json" => Self::CycloneDxJson,
            "cyclonedx-xml" => Self::CycloneDxXml,
            _ => return Err(UnknownFormat(s.into())),
        })
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SpdxJson => "spdx-json",
            Self::SpdxTagValue => "spdx-tag-value",
            Self::Spdx3JsonLd => "spdx3-jsonld",
            Self::CycloneDxJson => "cyclonedx-json",
            Self::CycloneDxXml => "cyclonedx-xml",
        })
    }
}

/// A document read leniently: its format, the model, and every issue a strict validator
/// would raise.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Document {
    /// Where it came from.
    pub format: Format,
    /// The model.
    pub sbom: Sbom,
    /// Schema and spec issues (empty when the document is valid).
    pub report: Report,
}

/// Decodes UTF-8 (with or without BOM) or UTF-16 with a BOM.
/// The document as text: UTF-8 (with or without a BOM) borrowed as it is, UTF-16 decoded.
fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, Error> {
    let utf16 = |le: bool| -> Result<std::borrow::Cow<'_, str>, Error> {
        if bytes.len() % 2 != 0 {
            return Err(Error::Encoding);
        }
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units)
            .map(std::borrow::Cow::Owned)
            .map_err(|_| Error::Encoding)
    };
    let utf8 = |b| {
        std::str::from_utf8(b)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|_| Error::Encoding)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest),
        _ => utf8(bytes),
    }
}

fn check_counts(sbom: &Sbom) -> Result<(), Error> {
    for (what, n) in [
        ("SBOM packages", sbom.packages.len()),
        ("SBOM files", sbom.files.len()),
        ("SBOM relationships", sbom.relationships.len()),
    ] {
        if n > MAX_ITEMS {
            return Err(LimitExceeded::new(what, MAX_ITEMS).with_actual(n).into());
        }
    }
    Ok(())
}

fn from_json_value(v: &Node<'_>, yaml: bool, report: &mut Report) -> Result<(Format, Sbom), Error> {
    if let Some((ver, sbom)) = spdx2::from_value(v, report) {
        return Ok((
            if yaml {
                Format::Spdx2Yaml(ver)
            } else {
                Format::Spdx2Json(ver)
            },
            sbom,
        ));
    }
    if let Some(sbom) = spdx3::from_value(v, report) {
        return Ok((Format::Spdx3JsonLd, sbom));
    }
    if !yaml {
        if let Some((ver, sbom)) = cyclonedx::from_value(v, None, report) {
            return Ok((Format::CycloneDxJson(ver), sbom));
        }
        // SPDX 2 field names under an SPDX 3 context with no @graph: an SPDX 3 document that
        // is wrong, reported as such.
    }
    Err(Error::Unrecognized)
}

/// Reads an SBOM in any supported format, detected from its content.
///
/// # Errors
/// [`Error`] when the bytes are not a readable SBOM at all; schema and spec departures are
/// in [`Document::report`] instead.
pub fn read(bytes: &[u8]) -> Result<Document, Error> {
    if bytes.len() > MAX_SBOM_LEN {
        return Err(LimitExceeded::new("SBOM document", MAX_SBOM_LEN)
            .with_actual(bytes.len())
            .into());
    }
    let text = decode(bytes)?;
    let trimmed = text.trim_start();
    let mut report = Report::default();
    let (format, sbom) = if trimmed.starts_with('<') {
        match cyclonedx::from_xml(trimmed.as_bytes(), &mut report)? {
            Some((v, sbom)) => (Format::CycloneDxXml(v), sbom),
            None => return Err(Error::Unrecognized),
        }
    } else if trimmed.starts_with('{') {
        let arena = bumpalo::Bump::new();
        let v = crate::tree::parse_json(trimmed, &arena)?;
        from_json_value(&v, false, &mut report)?
    } else if trimmed
        .lines()
        .any(|l| l.trim_start().starts_with("SPDXVersion:"))
    {
        match spdx2::from_tag_value(trimmed, &mut report) {
            Some((v, sbom)) => (Format::Spdx2TagValue(v), sbom),
            None => return Err(Error::Unrecognized),
        }
    } else {
        let arena = bumpalo::Bump::new();
        let v = crate::tree::parse_yaml(trimmed, &arena)?;
        from_json_value(&v, true, &mut report)?
    };
    check_counts(&sbom)?;
    Ok(Document {
        format,
        sbom,
        report,
    })
}

/// Reads and validates: `Ok(report)` lists every issue (empty = valid).
///
/// # Errors
/// As [`read`].
pub fn validate(bytes: &[u8]) -> Result<Report, Error> {
    read(bytes).map(|d| d.report)
}

/// Writes the model in `format`. Writers are strict: required fields are filled
/// (`NOASSERTION` where the model has nothing), timestamps in whole seconds, ids made valid.
pub fn write(sbom: &Sbom, format: OutputFormat) -> Vec<u8> {
    match format {
        OutputFormat::SpdxJson => pretty(&spdx2::DocumentOut::new(sbom), json_capacity(sbom)),
        OutputFormat::SpdxTagValue => spdx2::to_tag_value(sbom).into_bytes(),
        OutputFormat::Spdx3JsonLd => pretty(&spdx3::to_value(sbom), json_capacity(sbom)),
        OutputFormat::CycloneDxJson => pretty(&cyclonedx::BomOut::new(sbom), json_capacity(sbom)),
        OutputFormat::CycloneDxXml => cyclonedx::to_xml(sbom).into_bytes(),
    }
}

/// Room for a JSON document of `sbom`, so that the output is rarely copied while it grows:
/// a package with a purl, a CPE, a license and a dozen properties takes 1–2 KiB. Room not
/// written to costs address space only.
fn json_capacity(sbom: &Sbom) -> usize {
    4096 + sbom.packages.len() * 2048 + sbom.files.len() * 512 + sbom.relationships.len() * 256
}

/// Pretty-printed JSON (two-space indent) and a final newline.
#[allow(clippy::expect_used)]
fn pretty(doc: &impl serde::Serialize, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    // Cannot fail: writing into a `Vec` has no I/O errors, the documents have no map keys
    // but strings, and the strings written from `Display` (purls, property comments) fail
    // only when the writer does.
    serde_json::to_writer_pretty(&mut out, doc).expect("proven invariant: JSON into a Vec");
    out.push(b'\n');
    out
}
