//! The part of the SQLite 3 file format (<https://www.sqlite.org/fileformat2.html>) that
//! reading one rowid table needs, read-only and from bytes in memory: the 100-byte file
//! header, table B-trees (interior and leaf pages), cell payloads with their overflow chains,
//! and the record format. Index B-trees, the freelist, pointer-map pages, journals and WAL
//! files are never read.
//!
//! Every page is visited at most once per file: a page reached a second time (a loop in the
//! tree or in an overflow chain, or two structures sharing a page) is
//! [`Error::PageRevisited`], so the walk ends on any input. Trees deeper than
//! [`MAX_SQLITE_DEPTH`] and records larger than the caller's cap are refused.

use std::borrow::Cow;

use super::Error;
use crate::limits::{LimitExceeded, MAX_SQLITE_DEPTH};
use crate::pkgdb;

/// `SQLite format 3` and its NUL.
const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// The file header on page 1.
const FILE_HEADER_LEN: usize = 100;
/// Page types (the first byte of a B-tree page header).
const INTERIOR_TABLE: u8 = 0x05;
const LEAF_TABLE: u8 = 0x0d;

/// The text encoding of a database (file header offset 56).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

/// A database file opened for reading tables.
pub(super) struct Db<'a> {
    bytes: &'a [u8],
    page_size: usize,
    /// Page size less the reserved bytes at the end of each page.
    usable: usize,
    /// Pages in the database (the header's count, which the file must hold).
    pages: u32,
    encoding: Encoding,
    /// One flag per page, 1-based (index 0 unused).
    visited: Vec<bool>,
}

/// One column value of a record, borrowed from the payload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value<'p> {
    Null,
    Int(i64),
    Float(f64),
    Text(&'p [u8]),
    Blob(&'p [u8]),
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// A varint (1 to 9 bytes, big-endian, seven bits a byte but eight in the ninth) at `at`:
/// its value and length.
pub(super) fn varint(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for i in 0..9 {
        let byte = *b.get(at.checked_add(i)?)?;
        if i == 8 {
            return Some(((v << 8) | u64::from(byte), 9));
        }
        v = (v << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

impl<'a> Db<'a> {
    /// Checks the file header: magic, page size, reserved bytes, payload fractions, text
    /// encoding, and that the file holds every page the header counts. A database in WAL
    /// mode (format versions 2) is read from its main file alone.
    pub(super) fn open(bytes: &'a [u8]) -> Result<Self, Error> {
        if bytes.len() < FILE_HEADER_LEN || bytes.get(..16) != Some(&MAGIC[..]) {
            return Err(Error::NotSqlite);
        }
        let raw = be16(bytes, 16).ok_or(Error::NotSqlite)?;
        // 1 stands for 65536, which does not fit the 16-bit field.
        let page_size: usize = if raw == 1 { 65536 } else { usize::from(raw) };
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(Error::PageSize(u32::from(raw)));
        }
        // Read versions above 2 are formats this reader (like SQLite itself) must not read.
        let read_version = bytes.get(19).copied().unwrap_or(0);
        if !(1..=2).contains(&read_version) {
            return Err(Error::FormatVersion(read_version));
        }
        let reserved = usize::from(bytes.get(20).copied().unwrap_or(0));
        let usable = page_size.saturating_sub(reserved);
        // The format requires at least 480 usable bytes a page; the payload formulas below
        // rely on it.
        if usable < 480 {
            return Err(Error::Reserved(bytes.get(20).copied().unwrap_or(0)));
        }
        // Maximum and minimum embedded payload fractions and the leaf fraction are fixed.
        if bytes.get(21..24) != Some(&[64, 32, 32][..]) {
            return Err(Error::PayloadFractions);
        }
        let encoding = match be32(bytes, 56) {
            Some(1) => Encoding::Utf8,
            Some(2) => Encoding::Utf16Le,
            Some(3) => Encoding::Utf16Be,
            other => return Err(Error::Encoding(other.unwrap_or(0))),
        };
        let in_file = u32::try_from(bytes.len() / page_size).unwrap_or(u32::MAX);
        // The header's page count is valid only when its change counter matches the
        // version-valid-for number (older writers did not maintain it).
        let declared = be32(bytes, 28).unwrap_or(0);
        let valid = be32(bytes, 24) == be32(bytes, 92);
        let pages = if valid && declared > 0 {
            if declared > in_file {
                return Err(Error::Truncated {
                    pages: declared,
                    in_file,
                });
            }
            declared
        } else {
            in_file
        };
        if pages == 0 {
            return Err(Error::Truncated { pages: 1, in_file });
        }
        let flags = usize::try_from(pages)
            .ok()
            .and_then(|p| p.checked_add(1))
            .ok_or(Error::NotSqlite)?;
        Ok(Self {
            bytes,
            page_size,
            usable,
            pages,
            encoding,
            visited: vec![false; flags],
        })
    }

    /// Page `n` (1-based), marked visited: an error when out of range or already visited.
    fn page(&mut self, n: u32) -> Result<&'a [u8], Error> {
        if n == 0 || n > self.pages {
            return Err(Error::PageOutOfRange {
                page: n,
                pages: self.pages,
            });
        }
        let i = usize::try_from(n).map_err(|_| Error::PageOutOfRange {
            page: n,
            pages: self.pages,
        })?;
        match self.visited.get_mut(i) {
            Some(seen) if !*seen => *seen = true,
            _ => return Err(Error::PageRevisited(n)),
        }
        let start = (i - 1)
            .checked_mul(self.page_size)
            .ok_or(Error::PageOutOfRange {
                page: n,
                pages: self.pages,
            })?;
        self.bytes
            .get(start..start.saturating_add(self.page_size))
            .ok_or(Error::PageOutOfRange {
                page: n,
                pages: self.pages,
            })
    }

    /// The root page of the table called `name` (compared as SQLite compares identifiers,
    /// ASCII case-insensitively), from the schema table on page 1. `None` when there is none.
    pub(super) fn table_root(
        &mut self,
        name: &str,
        cap: usize,
    ) -> Result<Option<u32>, pkgdb::Error> {
        let mut found: Option<u32> = None;
        let encoding = self.encoding;
        let pages = self.pages;
        self.walk_table(1, cap, |_, payload| {
            let Ok(payload) = payload else {
                return Ok(());
            };
            if found.is_some() {
                return Ok(());
            }
            // sqlite_schema(type, name, tbl_name, rootpage, sql); a malformed row is not the
            // one sought.
            let Some(cols) = record(payload, 4) else {
                return Ok(());
            };
            let (Some(Value::Text(ty)), Some(Value::Text(n)), Some(Value::Int(root))) =
                (cols.first(), cols.get(1), cols.get(3))
            else {
                return Ok(());
            };
            if text(ty, encoding) == "table" && text(n, encoding).eq_ignore_ascii_case(name) {
                match u32::try_from(*root) {
                    Ok(r) if r >= 1 && r <= pages => found = Some(r),
                    _ => {
                        return Err(Error::PageOutOfRange {
                            page: u32::try_from(*root).unwrap_or(0),
                            pages,
                        }
                        .into())
                    }
                }
            }
            Ok(())
        })?;
        Ok(found)
    }

    /// Calls `row(rowid, payload)` for every row of the table B-tree rooted at `root`, in
    /// rowid order; a payload larger than `cap` bytes is not read and comes as
    /// [`LimitExceeded`].
    pub(super) fn walk_table(
        &mut self,
        root: u32,
        cap: usize,
        mut row: impl FnMut(i64, Result<&[u8], LimitExceeded>) -> Result<(), pkgdb::Error>,
    ) -> Result<(), pkgdb::Error> {
        // Depth-first, children in key order: the stack holds (page, depth) with the next
        // page to visit on top.
        let mut stack: Vec<(u32, usize)> = vec![(root, 1)];
        while let Some((n, depth)) = stack.pop() {
            if depth > MAX_SQLITE_DEPTH {
                return Err(LimitExceeded::new("SQLite B-tree depth", MAX_SQLITE_DEPTH).into());
            }
            let page = self.page(n)?;
            // Page 1 starts with the file header; cell offsets still count from the page start.
            let h = if n == 1 { FILE_HEADER_LEN } else { 0 };
            let kind = page.get(h).copied().unwrap_or(0);
            let header_len = match kind {
                LEAF_TABLE => 8,
                INTERIOR_TABLE => 12,
                _ => return Err(Error::PageType { page: n, kind }.into()),
            };
            let cells = usize::from(be16(page, h + 3).ok_or(Error::Cell { page: n, cell: 0 })?);
            let ptrs = h + header_len;
            if ptrs + 2 * cells > self.usable {
                return Err(Error::Cell { page: n, cell: 0 }.into());
            }
            let usable = self.usable;
            // A cell starts after the pointer array and inside the usable area.
            let cell_at = |i: usize| -> Result<usize, Error> {
                be16(page, ptrs + 2 * i)
                    .map(usize::from)
                    .filter(|&at| at >= ptrs + 2 * cells && at < usable)
                    .ok_or(Error::Cell { page: n, cell: i })
            };
            if kind == INTERIOR_TABLE {
                let right = be32(page, h + 8).ok_or(Error::Cell { page: n, cell: 0 })?;
                stack.push((right, depth + 1));
                for i in (0..cells).rev() {
                    let at = cell_at(i)?;
                    let child = be32(page, at).ok_or(Error::Cell { page: n, cell: i })?;
                    stack.push((child, depth + 1));
                }
                continue;
            }
            for i in 0..cells {
                let at = cell_at(i)?;
                let (size, a) = varint(page, at).ok_or(Error::Cell { page: n, cell: i })?;
                let (rowid, b) = varint(page, at + a).ok_or(Error::Cell { page: n, cell: i })?;
                // Rowids are signed 64-bit integers stored as their two's complement.
                let rowid = i64::from_ne_bytes(rowid.to_ne_bytes());
                // A record over the cap is handed over unread, for the caller to report.
                match usize::try_from(size).ok().filter(|&s| s <= cap) {
                    Some(size) => {
                        let payload = self.payload(page, n, i, at + a + b, size)?;
                        row(rowid, Ok(&payload))?;
                    }
                    None => row(
                        rowid,
                        Err(LimitExceeded::new("SQLite record", cap).with_actual(size)),
                    )?,
                }
            }
        }
        Ok(())
    }

    /// The `size`-byte payload of the leaf cell `cell` of page `n` whose local part starts
    /// at `at`: borrowed when it fits the page, else assembled from its overflow chain.
    fn payload(
        &mut self,
        page: &'a [u8],
        n: u32,
        cell: usize,
        at: usize,
        size: usize,
    ) -> Result<Cow<'a, [u8]>, Error> {
        let bad = Error::Cell { page: n, cell };
        let u = self.usable;
        // How much of a table leaf payload stays on the page (file format §1.6): all of it up
        // to X = U-35; past that M, plus what keeps the last overflow page full, if that
        // still fits under X.
        let x = u - 35;
        if size <= x {
            return self
                .bytes_in_page(page, at, size)
                .map(Cow::Borrowed)
                .ok_or(bad);
        }
        let m = ((u - 12) * 32 / 255) - 23;
        let k = m + ((size - m) % (u - 4));
        let local = if k <= x { k } else { m };
        let head = self.bytes_in_page(page, at, local).ok_or(bad)?;
        // The first overflow page's number follows the local part, inside the usable area.
        let mut next = self
            .bytes_in_page(page, at + local, 4)
            .and_then(|b| be32(b, 0))
            .ok_or(Error::Cell { page: n, cell })?;
        // The declared size can be a lie: memory grows with what the chain really holds.
        let mut out = Vec::with_capacity(size.min(self.bytes.len()));
        out.extend_from_slice(head);
        while out.len() < size {
            if next == 0 {
                return Err(Error::OverflowEnds {
                    page: n,
                    missing: size - out.len(),
                });
            }
            let ov = self.page(next)?;
            let take = (size - out.len()).min(u - 4);
            let chunk = ov.get(4..4 + take).ok_or(Error::OverflowEnds {
                page: next,
                missing: size - out.len(),
            })?;
            out.extend_from_slice(chunk);
            next = be32(ov, 0).unwrap_or(0);
        }
        Ok(Cow::Owned(out))
    }

    /// `len` bytes at `at` of a page, inside its usable area.
    fn bytes_in_page(&self, page: &'a [u8], at: usize, len: usize) -> Option<&'a [u8]> {
        let end = at.checked_add(len).filter(|&e| e <= self.usable)?;
        page.get(at..end)
    }
}

/// What a serial type's body bytes hold.
enum Kind {
    Null,
    Int,
    Float,
    Zero,
    One,
    Blob,
    Text,
}

/// The first `want` columns of a record (fewer when it has fewer); `None` when its header or
/// a column runs past the payload or uses a reserved serial type.
pub(super) fn record(payload: &[u8], want: usize) -> Option<Vec<Value<'_>>> {
    let (header_len, mut h) = varint(payload, 0)?;
    let header_len = usize::try_from(header_len).ok()?;
    if header_len > payload.len() || header_len < h {
        return None;
    }
    let mut body = header_len;
    let mut out = Vec::with_capacity(want.min(header_len));
    while h < header_len && out.len() < want {
        let (ty, len) = varint(payload, h)?;
        h += len;
        // Serial types (file format §2.1): how many body bytes, and what they hold.
        let (size, kind) = match ty {
            0 => (0, Kind::Null),
            1..=4 => (usize::try_from(ty).ok()?, Kind::Int),
            5 => (6, Kind::Int),
            6 => (8, Kind::Int),
            7 => (8, Kind::Float),
            8 => (0, Kind::Zero),
            9 => (0, Kind::One),
            10 | 11 => return None,
            n => {
                let len = usize::try_from((n - 12) / 2).ok()?;
                (len, if n % 2 == 0 { Kind::Blob } else { Kind::Text })
            }
        };
        let end = body.checked_add(size)?;
        let b = payload.get(body..end)?;
        out.push(match kind {
            Kind::Null => Value::Null,
            Kind::Int => Value::Int(int_be(b)),
            Kind::Float => Value::Float(f64::from_be_bytes(b.try_into().ok()?)),
            Kind::Zero => Value::Int(0),
            Kind::One => Value::Int(1),
            Kind::Blob => Value::Blob(b),
            Kind::Text => Value::Text(b),
        });
        body = end;
    }
    Some(out)
}

/// A big-endian two's-complement integer of 1 to 8 bytes.
fn int_be(b: &[u8]) -> i64 {
    let mut v: i64 = if b.first().is_some_and(|&f| f & 0x80 != 0) {
        -1
    } else {
        0
    };
    for &byte in b {
        v = (v << 8) | i64::from(byte);
    }
    v
}

/// A text value in the database encoding, lossily.
pub(super) fn text(b: &[u8], enc: Encoding) -> String {
    let units = |be: bool| {
        b.chunks_exact(2).map(move |c| {
            let pair = [c[0], c[1]];
            if be {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        })
    };
    match enc {
        Encoding::Utf8 => String::from_utf8_lossy(b).into_owned(),
        Encoding::Utf16Le => char::decode_utf16(units(false))
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
        Encoding::Utf16Be => char::decode_utf16(units(true))
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x00], 0), Some((0, 1)));
        assert_eq!(varint(&[0x7f], 0), Some((127, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9], 0), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81], 0), None);
        assert_eq!(varint(&[], 0), None);
    }

    #[test]
    fn records() {
        // Header: length 4, NULL, int8, 3-byte blob (18); body: 0x2a, "abc".
        let r = [4u8, 0, 1, 18, 0x2a, b'a', b'b', b'c'];
        assert_eq!(
            record(&r, 8),
            Some(vec![Value::Null, Value::Int(42), Value::Blob(b"abc")])
        );
        assert_eq!(record(&r, 1), Some(vec![Value::Null]));
        // A column running past the payload, a header longer than the payload, reserved types.
        assert_eq!(record(&r[..7], 8), None);
        assert_eq!(record(&[9u8, 0], 8), None);
        assert_eq!(record(&[2u8, 10], 8), None);
        assert_eq!(int_be(&[0xff, 0xfe]), -2);
        assert_eq!(text(&[b'a', 0, b'b', 0], Encoding::Utf16Le), "ab");
        assert_eq!(text(&[0, b'a'], Encoding::Utf16Be), "a");
    }
}
