//! An RPM header as rpm stores it in its database (`headerExport`'s blob, which
//! `headerImport` reads back): a big-endian index count and data length, then that many
//! 16-byte index entries `{tag, type, offset, count}`, then the data store the offsets point
//! into. An rpm package file's header is the same after its 8-byte magic, which is skipped
//! when present.
//!
//! Every entry's type must be one rpm defines and its offset must lie in the data store, as
//! rpm's own import checks; every value read is bounded by the data store (strings by their
//! NUL, arrays by their count, which cannot exceed the bytes left).

use std::fmt;

use crate::limits::{LimitExceeded, MAX_RPM_HEADER_LEN, MAX_RPM_HEADER_TAGS, MAX_RPM_KEPT_BYTES};

/// The header magic of rpm package files (`8e ad e8`, version 1, four reserved bytes).
const MAGIC: [u8; 8] = [0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0];

// Tag numbers (rpm `lib/rpmtag.h`) and the types rpm writes them with.
const NAME: u32 = 1000; // STRING
const VERSION: u32 = 1001; // STRING
const RELEASE: u32 = 1002; // STRING
const EPOCH: u32 = 1003; // INT32
const SUMMARY: u32 = 1004; // I18NSTRING
const SIZE: u32 = 1009; // INT32
const VENDOR: u32 = 1011; // STRING
const LICENSE: u32 = 1014; // STRING
const PACKAGER: u32 = 1015; // STRING
const URL: u32 = 1020; // STRING
const ARCH: u32 = 1022; // STRING
const OLDFILENAMES: u32 = 1027; // STRING_ARRAY, before rpm 4.0's compressed file names
const SOURCERPM: u32 = 1044; // STRING
const PROVIDENAME: u32 = 1047; // STRING_ARRAY
const REQUIRENAME: u32 = 1049; // STRING_ARRAY
const DIRINDEXES: u32 = 1116; // INT32 array
const BASENAMES: u32 = 1117; // STRING_ARRAY
const DIRNAMES: u32 = 1118; // STRING_ARRAY
const LONGSIZE: u32 = 5009; // INT64

// Data types (rpm `rpmTagType`).
const INT32: u32 = 4;
const INT64: u32 = 5;
const STRING: u32 = 6;
const STRING_ARRAY: u32 = 8;
const I18NSTRING: u32 = 9;
/// The highest type rpm defines (`RPM_MAX_TYPE`).
const MAX_TYPE: u32 = 9;

/// What a [`LimitExceeded`] over [`MAX_RPM_KEPT_BYTES`] names.
pub(super) const KEPT: &str = "bytes kept from RPM headers";

/// Bookkeeping counted for each string kept (a `String` and its allocation).
const PER_STRING: usize = 32;

/// The bytes a parse may still keep: strings and file paths draw from it, so memory stays
/// bounded however the header's counts and shared directory names multiply.
pub(super) struct Budget {
    left: usize,
}

impl Budget {
    /// The whole [`MAX_RPM_KEPT_BYTES`].
    pub(super) fn new() -> Self {
        Self {
            left: MAX_RPM_KEPT_BYTES,
        }
    }

    fn take(&mut self, len: usize) -> Result<(), HeaderError> {
        let cost = len.saturating_add(PER_STRING);
        if cost > self.left {
            return Err(LimitExceeded::new(KEPT, MAX_RPM_KEPT_BYTES).into());
        }
        self.left -= cost;
        Ok(())
    }
}

/// A tag number, with rpm's name for the tags this module reads.
struct TagLabel(u32);

impl fmt::Display for TagLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.0 {
            NAME => "NAME",
            VERSION => "VERSION",
            RELEASE => "RELEASE",
            EPOCH => "EPOCH",
            SUMMARY => "SUMMARY",
            SIZE => "SIZE",
            VENDOR => "VENDOR",
            LICENSE => "LICENSE",
            PACKAGER => "PACKAGER",
            URL => "URL",
            ARCH => "ARCH",
            OLDFILENAMES => "OLDFILENAMES",
            SOURCERPM => "SOURCERPM",
            PROVIDENAME => "PROVIDENAME",
            REQUIRENAME => "REQUIRENAME",
            DIRINDEXES => "DIRINDEXES",
            BASENAMES => "BASENAMES",
            DIRNAMES => "DIRNAMES",
            LONGSIZE => "LONGSIZE",
            n => return write!(f, "tag {n}"),
        };
        write!(f, "{name} ({})", self.0)
    }
}

/// Why an RPM header blob was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The blob is shorter than its preamble, or than the index and data store it declares.
    #[error("{len} bytes, but the header needs {needed}")]
    Truncated {
        /// Bytes the preamble says the header takes (at least 8).
        needed: u64,
        /// Bytes there are.
        len: usize,
    },
    /// More index entries than [`MAX_RPM_HEADER_TAGS`], a data store larger than
    /// [`MAX_RPM_HEADER_LEN`], or more strings and file paths than [`MAX_RPM_KEPT_BYTES`].
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// An index entry with a type rpm does not define.
    #[error("{}: unknown type {ty}", TagLabel(*tag))]
    UnknownType {
        /// The entry's tag.
        tag: u32,
        /// Its type.
        ty: u32,
    },
    /// A tag read here with another type than rpm writes it with.
    #[error("{}: type {ty} where rpm writes another", TagLabel(*tag))]
    WrongType {
        /// The tag.
        tag: u32,
        /// Its type.
        ty: u32,
    },
    /// An entry whose offset, or whose values, lie past the data store, or that has no values.
    #[error("{}: {count} values at offset {offset} overrun the {len}-byte store", TagLabel(*tag))]
    OutOfRange {
        /// The tag.
        tag: u32,
        /// Its offset (signed, as stored).
        offset: i32,
        /// Its value count.
        count: u32,
        /// The data store's length.
        len: usize,
    },
    /// A string value without its terminating NUL inside the data store.
    #[error("{}: a string runs past the data store", TagLabel(*tag))]
    Unterminated {
        /// The tag.
        tag: u32,
    },
    /// NAME, VERSION or RELEASE is missing or empty.
    #[error("no {}", TagLabel(*tag))]
    Missing {
        /// The tag.
        tag: u32,
    },
    /// BASENAMES, DIRNAMES and DIRINDEXES disagree: counts differ or an index points past
    /// DIRNAMES.
    #[error("BASENAMES, DIRNAMES and DIRINDEXES do not agree")]
    FileList,
}

/// The fields of an RPM header that an SBOM uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Header {
    /// NAME (`bash`).
    pub name: String,
    /// EPOCH when the header has one (`Some(0)` is an explicit zero, as rpm keeps it).
    pub epoch: Option<u32>,
    /// VERSION (`5.2.26`).
    pub version: String,
    /// RELEASE (`1.fc40`).
    pub release: String,
    /// ARCH (`x86_64`, `noarch`); rpm's imported keys have none.
    pub arch: Option<String>,
    /// SUMMARY, its first (untranslated) string.
    pub summary: Option<String>,
    /// LICENSE as written (`GPL-3.0-or-later`, older `GPLv3+`).
    pub license: Option<String>,
    /// VENDOR (`Fedora Project`).
    pub vendor: Option<String>,
    /// PACKAGER (`Fedora Project`, `Red Hat, Inc. <http://bugzilla.redhat.com/bugzilla>`).
    pub packager: Option<String>,
    /// URL: the project's home page.
    pub url: Option<String>,
    /// SOURCERPM: the source package's file name (`bash-5.2.26-1.fc40.src.rpm`).
    pub source_rpm: Option<String>,
    /// Installed size in bytes (LONGSIZE, else SIZE).
    pub size: Option<u64>,
    /// REQUIRENAME: capabilities required (package names, `libc.so.6()(64bit)`, `/bin/sh`,
    /// `rpmlib(…)`), in header order.
    pub requires: Vec<String>,
    /// PROVIDENAME: capabilities provided, the package's own name among them.
    pub provides: Vec<String>,
    /// The paths of the files and directories the package owns: DIRNAMES\[DIRINDEXES\[i\]\]
    /// followed by BASENAMES\[i\] (or OLDFILENAMES of packages built before rpm 4.0), as
    /// `rpm -ql` lists them.
    pub files: Vec<String>,
}

impl Header {
    /// `[EPOCH:]VERSION-RELEASE`, the version rpm compares (`rpmvercmp` on each part) and
    /// OSV records state.
    #[must_use]
    pub fn evr(&self) -> String {
        match self.epoch {
            Some(e) => format!("{e}:{}-{}", self.version, self.release),
            None => format!("{}-{}", self.version, self.release),
        }
    }

    /// The source package's name and `VERSION-RELEASE`, read from SOURCERPM
    /// (`bash-5.2.26-1.fc40.src.rpm` → `bash`, `5.2.26-1.fc40`); `None` without one or when
    /// the file name is not `NAME-VERSION-RELEASE.src.rpm` (or `.nosrc.rpm`).
    #[must_use]
    pub fn source_package(&self) -> Option<(&str, &str)> {
        let srpm = self.source_rpm.as_deref()?;
        let nvr = srpm
            .strip_suffix(".src.rpm")
            .or_else(|| srpm.strip_suffix(".nosrc.rpm"))?;
        let (nv, _release) = nvr.rsplit_once('-')?;
        let (name, _version) = nv.rsplit_once('-')?;
        let vr = nvr.get(name.len() + 1..)?;
        (!name.is_empty()).then_some((name, vr))
    }
}

/// One index entry, its offset checked against the data store.
#[derive(Clone, Copy)]
struct Entry {
    tag: u32,
    ty: u32,
    offset: usize,
    count: u32,
}

/// The index and data store of a header.
struct Raw<'b> {
    entries: Vec<Entry>,
    data: &'b [u8],
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Reads a header blob (from a `Packages` row of rpm's database, or a package file's header
/// after its lead and signature).
///
/// # Errors
/// [`HeaderError`] when the index or a value read does not fit the blob, a tag has the
/// wrong type, NAME/VERSION/RELEASE are missing, or the blob is over its caps.
pub fn parse_header(blob: &[u8]) -> Result<Header, HeaderError> {
    parse_header_within(blob, &mut Budget::new())
}

/// [`parse_header`], keeping at most what is `left` in `budget` (shared by the headers of
/// one database).
pub(super) fn parse_header_within(blob: &[u8], budget: &mut Budget) -> Result<Header, HeaderError> {
    let raw = Raw::parse(blob)?;
    let required = |tag: u32, budget: &mut Budget| -> Result<String, HeaderError> {
        raw.string(tag, budget)?
            .filter(|s| !s.is_empty())
            .ok_or(HeaderError::Missing { tag })
    };
    let name = required(NAME, budget)?;
    let version = required(VERSION, budget)?;
    let release = required(RELEASE, budget)?;
    let epoch = raw.int32s(EPOCH)?.first().copied();
    let size = match raw.int64s(LONGSIZE)?.first() {
        Some(&s) => Some(s),
        None => raw.int32s(SIZE)?.first().map(|&s| u64::from(s)),
    };
    let files = match raw.find(BASENAMES) {
        Some(_) => {
            // Read into the budget once, then each joined path drawn from it again.
            let base = raw.strings(BASENAMES, budget)?;
            let dirs = raw.strings(DIRNAMES, budget)?;
            let index = raw.int32s(DIRINDEXES)?;
            if index.len() != base.len() {
                return Err(HeaderError::FileList);
            }
            let mut files = Vec::with_capacity(base.len().min(4096));
            for (b, i) in base.iter().zip(&index) {
                let dir = usize::try_from(*i)
                    .ok()
                    .and_then(|i| dirs.get(i))
                    .ok_or(HeaderError::FileList)?;
                budget.take(dir.len().saturating_add(b.len()))?;
                files.push(format!("{dir}{b}"));
            }
            files
        }
        None => raw.strings(OLDFILENAMES, budget)?,
    };
    Ok(Header {
        name,
        epoch,
        version,
        release,
        arch: raw.string(ARCH, budget)?,
        summary: raw.string(SUMMARY, budget)?,
        license: raw.string(LICENSE, budget)?,
        vendor: raw.string(VENDOR, budget)?,
        packager: raw.string(PACKAGER, budget)?,
        url: raw.string(URL, budget)?,
        source_rpm: raw.string(SOURCERPM, budget)?,
        size,
        requires: raw.strings(REQUIRENAME, budget)?,
        provides: raw.strings(PROVIDENAME, budget)?,
        files,
    })
}

impl<'b> Raw<'b> {
    fn parse(blob: &'b [u8]) -> Result<Self, HeaderError> {
        let blob = blob.strip_prefix(&MAGIC[..]).unwrap_or(blob);
        let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else {
            return Err(HeaderError::Truncated {
                needed: 8,
                len: blob.len(),
            });
        };
        if il > MAX_RPM_HEADER_TAGS {
            return Err(
                LimitExceeded::new("RPM header index entries", MAX_RPM_HEADER_TAGS)
                    .with_actual(il)
                    .into(),
            );
        }
        if u64::from(dl) > MAX_RPM_HEADER_LEN as u64 {
            return Err(LimitExceeded::new("RPM header data", MAX_RPM_HEADER_LEN)
                .with_actual(dl)
                .into());
        }
        // Both are capped above, so this cannot overflow a u64.
        let needed = 8 + 16 * u64::from(il) + u64::from(dl);
        let truncated = HeaderError::Truncated {
            needed,
            len: blob.len(),
        };
        let index_end = usize::try_from(8 + 16 * u64::from(il)).map_err(|_| truncated)?;
        let end = usize::try_from(needed).map_err(|_| truncated)?;
        let (Some(index), Some(data)) = (blob.get(8..index_end), blob.get(index_end..end)) else {
            return Err(truncated);
        };
        let mut entries = Vec::with_capacity(index.len() / 16);
        for e in index.chunks_exact(16) {
            let (Some(tag), Some(ty), Some(offset), Some(count)) =
                (be32(e, 0), be32(e, 4), be32(e, 8), be32(e, 12))
            else {
                return Err(truncated);
            };
            if ty > MAX_TYPE {
                return Err(HeaderError::UnknownType { tag, ty });
            }
            let signed = i32::from_be_bytes(offset.to_be_bytes());
            let offset = usize::try_from(signed)
                .ok()
                .filter(|&o| o <= data.len())
                .ok_or(HeaderError::OutOfRange {
                    tag,
                    offset: signed,
                    count,
                    len: data.len(),
                })?;
            entries.push(Entry {
                tag,
                ty,
                offset,
                count,
            });
        }
        Ok(Self { entries, data })
    }

    /// The first entry with `tag`.
    fn find(&self, tag: u32) -> Option<Entry> {
        self.entries.iter().find(|e| e.tag == tag).copied()
    }

    fn out_of_range(&self, e: Entry) -> HeaderError {
        HeaderError::OutOfRange {
            tag: e.tag,
            offset: i32::try_from(e.offset).unwrap_or(i32::MAX),
            count: e.count,
            len: self.data.len(),
        }
    }

    /// `e.count` NUL-terminated strings from `e.offset`; a count of zero or larger than the
    /// bytes left (each string takes at least its NUL) is out of range.
    fn read_strings(&self, e: Entry, budget: &mut Budget) -> Result<Vec<String>, HeaderError> {
        let rest = self.data.get(e.offset..).unwrap_or(&[]);
        let count = usize::try_from(e.count)
            .ok()
            .filter(|&c| c >= 1 && c <= rest.len())
            .ok_or_else(|| self.out_of_range(e))?;
        let mut out = Vec::with_capacity(count.min(4096));
        let mut at = 0usize;
        for _ in 0..count {
            let tail = rest.get(at..).unwrap_or(&[]);
            let nul = tail
                .iter()
                .position(|&b| b == 0)
                .ok_or(HeaderError::Unterminated { tag: e.tag })?;
            budget.take(nul)?;
            out.push(String::from_utf8_lossy(tail.get(..nul).unwrap_or_default()).into_owned());
            at += nul + 1;
        }
        Ok(out)
    }

    /// A STRING (or the first of an I18NSTRING) tag's value.
    fn string(&self, tag: u32, budget: &mut Budget) -> Result<Option<String>, HeaderError> {
        let Some(e) = self.find(tag) else {
            return Ok(None);
        };
        if e.ty != STRING && e.ty != I18NSTRING {
            return Err(HeaderError::WrongType { tag, ty: e.ty });
        }
        if e.count == 0 {
            return Err(self.out_of_range(e));
        }
        // A STRING has one value; an I18NSTRING one per locale, the first untranslated.
        Ok(self
            .read_strings(Entry { count: 1, ..e }, budget)?
            .into_iter()
            .next())
    }

    /// A STRING_ARRAY tag's values (empty when the tag is absent).
    fn strings(&self, tag: u32, budget: &mut Budget) -> Result<Vec<String>, HeaderError> {
        let Some(e) = self.find(tag) else {
            return Ok(Vec::new());
        };
        if e.ty != STRING_ARRAY {
            return Err(HeaderError::WrongType { tag, ty: e.ty });
        }
        self.read_strings(e, budget)
    }

    /// The bytes of `e.count` fixed-size values of `width` bytes.
    fn fixed(&self, e: Entry, width: usize) -> Result<&'b [u8], HeaderError> {
        let len = usize::try_from(e.count)
            .ok()
            .filter(|&c| c >= 1)
            .and_then(|c| c.checked_mul(width))
            .ok_or_else(|| self.out_of_range(e))?;
        e.offset
            .checked_add(len)
            .and_then(|end| self.data.get(e.offset..end))
            .ok_or_else(|| self.out_of_range(e))
    }

    /// An INT32 tag's values (empty when absent).
    fn int32s(&self, tag: u32) -> Result<Vec<u32>, HeaderError> {
        let Some(e) = self.find(tag) else {
            return Ok(Vec::new());
        };
        if e.ty != INT32 {
            return Err(HeaderError::WrongType { tag, ty: e.ty });
        }
        Ok(self
            .fixed(e, 4)?
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// An INT64 tag's values (empty when absent).
    fn int64s(&self, tag: u32) -> Result<Vec<u64>, HeaderError> {
        let Some(e) = self.find(tag) else {
            return Ok(Vec::new());
        };
        if e.ty != INT64 {
            return Err(HeaderError::WrongType { tag, ty: e.ty });
        }
        Ok(self
            .fixed(e, 8)?
            .chunks_exact(8)
            .map(|c| u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect())
    }
}

/// A header blob written the way rpm exports one, for tests: entries in the order given,
/// each value appended to the data store (integers aligned as rpm aligns them).
#[cfg(test)]
pub(super) mod build {
    /// A tag's value.
    pub(crate) enum V<'s> {
        S(&'s str),
        A(&'s [&'s str]),
        I(&'s [u32]),
        L(u64),
    }

    /// The blob of `tags`.
    pub(crate) fn header(tags: &[(u32, V<'_>)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data: Vec<u8> = Vec::new();
        for (tag, v) in tags {
            let (ty, count) = match v {
                V::S(_) => (super::STRING, 1),
                V::A(a) => (super::STRING_ARRAY, a.len()),
                V::I(i) => (super::INT32, i.len()),
                V::L(_) => (super::INT64, 1),
            };
            let align = match v {
                V::I(_) => 4,
                V::L(_) => 8,
                _ => 1,
            };
            while data.len() % align != 0 {
                data.push(0);
            }
            let offset = data.len();
            match v {
                V::S(s) => {
                    data.extend_from_slice(s.as_bytes());
                    data.push(0);
                }
                V::A(a) => {
                    for s in *a {
                        data.extend_from_slice(s.as_bytes());
                        data.push(0);
                    }
                }
                V::I(i) => {
                    for n in *i {
                        data.extend_from_slice(&n.to_be_bytes());
                    }
                }
                V::L(n) => data.extend_from_slice(&n.to_be_bytes()),
            }
            let (offset, count) = (
                u32::try_from(offset).unwrap(),
                u32::try_from(count).unwrap(),
            );
            for n in [*tag, ty, offset, count] {
                index.extend_from_slice(&n.to_be_bytes());
            }
        }
        let mut out = Vec::new();
        out.extend_from_slice(&u32::try_from(index.len() / 16).unwrap().to_be_bytes());
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        out.extend_from_slice(&index);
        out.extend_from_slice(&data);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::build::{header, V};
    use super::*;

    fn hello() -> Vec<u8> {
        header(&[
            (NAME, V::S("hello")),
            (VERSION, V::S("2.12")),
            (RELEASE, V::S("3.fc40")),
            (EPOCH, V::I(&[1])),
            (ARCH, V::S("x86_64")),
            (LICENSE, V::S("GPL-3.0-or-later")),
            (SOURCERPM, V::S("hello-2.12-3.fc40.src.rpm")),
            (SIZE, V::I(&[1234])),
            (DIRNAMES, V::A(&["/usr/bin/", "/usr/share/doc/hello/"])),
            (BASENAMES, V::A(&["hello", "README", "NEWS"])),
            (DIRINDEXES, V::I(&[0, 1, 1])),
            (
                REQUIRENAME,
                V::A(&["libc.so.6()(64bit)", "rpmlib(CompressedFileNames)"]),
            ),
        ])
    }

    #[test]
    fn reads_what_rpm_writes() {
        let h = parse_header(&hello()).unwrap();
        assert_eq!(h.name, "hello");
        assert_eq!(h.evr(), "1:2.12-3.fc40");
        assert_eq!(h.arch.as_deref(), Some("x86_64"));
        assert_eq!(h.size, Some(1234));
        assert_eq!(h.source_package(), Some(("hello", "2.12-3.fc40")));
        assert_eq!(
            h.files,
            [
                "/usr/bin/hello",
                "/usr/share/doc/hello/README",
                "/usr/share/doc/hello/NEWS"
            ]
        );
        // With the package-file magic in front.
        let mut with_magic = MAGIC.to_vec();
        with_magic.extend_from_slice(&hello());
        assert_eq!(parse_header(&with_magic).unwrap(), h);
    }

    #[test]
    fn source_package_names() {
        let h = |s: &str| Header {
            source_rpm: Some(s.into()),
            ..Header::default()
        };
        assert_eq!(
            h("python3.12-3.12.4-1.fc40.src.rpm").source_package(),
            Some(("python3.12", "3.12.4-1.fc40"))
        );
        assert_eq!(
            h("a-b-1-2.nosrc.rpm").source_package(),
            Some(("a-b", "1-2"))
        );
        assert_eq!(h("nodashes.src.rpm").source_package(), None);
        assert_eq!(h("one-dash.src.rpm").source_package(), None);
        assert_eq!(h("x-1-1.rpm").source_package(), None);
    }

    /// Sets the 4-byte big-endian field `field` (0 tag, 1 type, 2 offset, 3 count) of index
    /// entry `i`.
    fn poke(blob: &mut [u8], i: usize, field: usize, v: u32) {
        let at = 8 + 16 * i + 4 * field;
        blob[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }

    #[test]
    fn corrupt_headers_are_typed_errors() {
        let good = hello();
        let dl = u32::from_be_bytes(good[4..8].try_into().unwrap());
        // Shorter than the preamble, and than the data store.
        assert!(matches!(
            parse_header(&good[..5]),
            Err(HeaderError::Truncated { needed: 8, len: 5 })
        ));
        assert!(matches!(
            parse_header(&good[..good.len() - 1]),
            Err(HeaderError::Truncated { .. })
        ));
        // NAME's offset past the data store, and negative.
        let mut b = good.clone();
        poke(&mut b, 0, 2, dl + 1);
        assert!(matches!(
            parse_header(&b),
            Err(HeaderError::OutOfRange { tag: NAME, .. })
        ));
        poke(&mut b, 0, 2, u32::MAX);
        assert!(matches!(
            parse_header(&b),
            Err(HeaderError::OutOfRange {
                tag: NAME,
                offset: -1,
                ..
            })
        ));
        // NAME at the very end: no NUL before the store ends.
        let mut b = good.clone();
        poke(&mut b, 0, 2, dl);
        assert!(matches!(
            parse_header(&b),
            Err(HeaderError::OutOfRange { tag: NAME, .. })
        ));
        let mut b = good.clone();
        let last = b.len() - 1;
        b[last] = b'x'; // REQUIRENAME's last string loses its NUL
        assert!(matches!(
            parse_header(&b),
            Err(HeaderError::Unterminated { tag: REQUIRENAME })
        ));
        // A string array claiming more strings than bytes, an INT32 array running past.
        let mut b = good.clone();
        poke(&mut b, 9, 3, dl);
        assert!(matches!(
            parse_header(&b),
            Err(HeaderError::OutOfRange { tag: BASENAMES, .. })
        ));
        let mut b = good.clone();
        poke(&mut b, 10, 3, 1 << 30);
        assert!(matches!(
            parse_header(&b),
            Err(HeaderError::OutOfRange {
                tag: DIRINDEXES,
                ..
            })
        ));
        // A directory index past DIRNAMES.
        let bad = header(&[
            (NAME, V::S("x")),
            (VERSION, V::S("1")),
            (RELEASE, V::S("1")),
            (DIRNAMES, V::A(&["/"])),
            (BASENAMES, V::A(&["a"])),
            (DIRINDEXES, V::I(&[1])),
        ]);
        assert_eq!(parse_header(&bad), Err(HeaderError::FileList));
        // Types: unknown, and wrong for the tag.
        let mut b = good.clone();
        poke(&mut b, 5, 1, 42);
        assert!(matches!(
            parse_header(&b),
            Err(HeaderError::UnknownType { ty: 42, .. })
        ));
        let mut b = good.clone();
        poke(&mut b, 0, 1, INT32);
        assert!(matches!(
            parse_header(&b),
            Err(HeaderError::WrongType {
                tag: NAME,
                ty: INT32
            })
        ));
        // No NAME; caps.
        let mut b = good.clone();
        poke(&mut b, 0, 0, 999);
        assert_eq!(parse_header(&b), Err(HeaderError::Missing { tag: NAME }));
        let mut b = good.clone();
        b[0..4].copy_from_slice(&(MAX_RPM_HEADER_TAGS + 1).to_be_bytes());
        assert!(matches!(
            parse_header(&b),
            Err(HeaderError::LimitExceeded(_))
        ));
        let mut b = good;
        b[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            parse_header(&b),
            Err(HeaderError::LimitExceeded(_))
        ));
        assert!(HeaderError::Missing { tag: NAME }
            .to_string()
            .contains("NAME (1000)"));
    }

    #[test]
    fn shared_directory_names_cannot_multiply_memory() {
        // One 16 KiB directory name shared by 20 000 one-letter files: 40 KiB of header,
        // 320 MiB of paths.
        let dir = "d".repeat(16 * 1024);
        let base: Vec<&str> = vec!["f"; 20_000];
        let index = vec![0u32; 20_000];
        let blob = header(&[
            (NAME, V::S("x")),
            (VERSION, V::S("1")),
            (RELEASE, V::S("1")),
            (DIRNAMES, V::A(&[dir.as_str()])),
            (BASENAMES, V::A(&base)),
            (DIRINDEXES, V::I(&index)),
        ]);
        assert!(blob.len() < 200_000);
        match parse_header(&blob) {
            Err(HeaderError::LimitExceeded(l)) => assert_eq!(l.what, KEPT),
            other => panic!("{other:?}"),
        }
        // Within a budget already spent by other headers, a small one fails too.
        let mut spent = Budget { left: 10 };
        assert!(parse_header_within(&hello(), &mut spent).is_err());
    }
}
