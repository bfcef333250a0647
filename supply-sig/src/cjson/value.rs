//! The strict RFC 8259 parser shared by both flavours, and the canonical serializer skeleton.
//!
//! The document is parsed into a flat tape of [`Node`]s in source order (an object is its node,
//! then key and value for each member; a container node records where its descendants end). A
//! flat tape needs no recursion to build, walk or drop, so no input can overflow the stack.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::Error;
use crate::limits::{LimitExceeded, Limits};

/// One node of the tape.
#[derive(Debug)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    /// A number, as its source text `src[start..end]`.
    Number {
        start: usize,
        end: usize,
    },
    /// A string (value or object key), unescaped: borrowed from the source when it has no
    /// escapes (most strings), so parsing does not allocate per string.
    String(Cow<'a, str>),
    /// An array; `end` is the index of the first node after its last descendant.
    Array {
        end: usize,
    },
    /// An object; `end` as for arrays. Members follow as key node, value node(s).
    Object {
        end: usize,
    },
}

/// A parsed document: the source text and its tape.
#[derive(Debug)]
pub(crate) struct Document<'a> {
    pub(crate) src: &'a str,
    pub(crate) nodes: Vec<Node<'a>>,
}

/// An open container during parsing.
enum Open {
    Array {
        node: usize,
    },
    /// `keys` holds (tape index of the key, byte offset of the key) for the duplicate check.
    Object {
        node: usize,
        keys: Vec<(usize, usize)>,
    },
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    nodes: Vec<Node<'a>>,
}

const fn syntax(offset: usize, reason: &'static str) -> Error {
    Error::Syntax { offset, reason }
}

/// A top-level object member of a canonical output: its key (unescaped) and the byte range of
/// its value in the output.
pub(crate) type TopMember = (String, std::ops::Range<usize>);

/// Parses `json` under `limits`.
pub(crate) fn parse<'a>(json: &'a [u8], limits: &Limits) -> Result<Document<'a>, Error> {
    if json.len() > limits.json_len {
        return Err(LimitExceeded::new("JSON document (bytes)", limits.json_len)
            .with_actual(json.len())
            .into());
    }
    let text = std::str::from_utf8(json).map_err(|e| Error::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    let mut p = Parser {
        text,
        bytes: json,
        pos: 0,
        nodes: Vec::new(),
    };
    p.run(limits.json_depth)?;
    Ok(Document {
        src: text,
        nodes: p.nodes,
    })
}

/// Canonicalizes `json` in flavour `F` in one pass, without a tape, when the document is in
/// the shape most signed documents arrive in: every object's keys already in canonical order
/// and no string holding an escape. Returns `None` for any other input, valid or not, so that
/// the caller takes the general path ([`parse`] then [`Document::emit`]), which then gives the
/// same output or the precise error: this path decides nothing on its own.
///
/// Keys in strictly increasing order cannot repeat, so the duplicate-key rule holds without a
/// sort; a string without escapes or control characters is written as itself by every
/// flavour.
///
/// When the document is an object, `top` receives its members' value ranges in the output.
pub(crate) fn stream<F: Flavour>(
    json: &[u8],
    limits: &Limits,
    top: &mut Vec<TopMember>,
) -> Option<Vec<u8>> {
    if json.len() > limits.json_len {
        return None;
    }
    let text = std::str::from_utf8(json).ok()?;
    let mut p = Parser {
        text,
        bytes: json,
        pos: 0,
        nodes: Vec::new(),
    };
    let mut out = Vec::with_capacity(json.len());
    p.stream::<F>(limits.json_depth, &mut out, top)?;
    Some(out)
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Moves past a run of string characters that need no decoding (up to a quote, a
    /// backslash, a control character or the end), as one slice scan.
    fn skip_plain(&mut self) {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        // Eight bytes at a time while no byte of the word can stop the run (the test may say a
        // word has one when it has not, never the reverse), then byte by byte.
        let mut i = 0;
        for chunk in rest.chunks_exact(8) {
            let Ok(word) = <[u8; 8]>::try_from(chunk) else {
                break;
            };
            if may_stop_run(u64::from_le_bytes(word)) {
                break;
            }
            i += 8;
        }
        let tail = rest.get(i..).unwrap_or_default();
        self.pos += i + tail
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(tail.len());
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// A plain string (no escape, no control character) at the opening quote: its contents'
    /// span, the position moved past the closing quote. `None` for any other string.
    fn plain_string(&mut self) -> Option<(usize, usize)> {
        self.pos += 1;
        let start = self.pos;
        self.skip_plain();
        if self.peek() != Some(b'"') {
            return None;
        }
        let end = self.pos;
        self.pos += 1;
        Some((start, end))
    }

    /// The one-pass canonicalizer behind [`stream`]. Members are written as they come; an
    /// object whose keys arrived out of order has its finished members (each already
    /// canonical) reordered in the output when it closes.
    fn stream<F: Flavour>(
        &mut self,
        max_depth: usize,
        out: &mut Vec<u8>,
        top: &mut Vec<TopMember>,
    ) -> Option<()> {
        /// An open container. An object's members are `members[first..]`.
        enum Open {
            Array,
            Object { first: usize, sorted: bool },
        }
        /// One member of an open object: its key's span in the source and where the member
        /// (key, colon, value) starts in the output.
        struct Member {
            key: (usize, usize),
            at: usize,
        }
        let mut stack: Vec<Open> = Vec::new();
        let mut members: Vec<Member> = Vec::new();
        let mut scratch: Vec<u8> = Vec::new();
        // Reordering copies bytes already written; past this budget the tape path is cheaper.
        let mut copy_budget = self.bytes.len().saturating_mul(4);
        let mut want_value = true;
        loop {
            self.skip_ws();
            if want_value {
                let start = self.pos;
                match self.peek()? {
                    open @ (b'[' | b'{') => {
                        if stack.len() >= max_depth {
                            return None;
                        }
                        self.pos += 1;
                        out.push(open);
                        self.skip_ws();
                        let close = if open == b'[' { b']' } else { b'}' };
                        if self.peek() == Some(close) {
                            self.pos += 1;
                            out.push(close);
                            want_value = false;
                        } else if open == b'[' {
                            stack.push(Open::Array);
                        } else {
                            let first = members.len();
                            let at = out.len();
                            let key = self.stream_key(out)?;
                            members.push(Member { key, at });
                            stack.push(Open::Object {
                                first,
                                sorted: true,
                            });
                        }
                        continue;
                    }
                    b'"' => {
                        let s = self.string().ok()?;
                        write_string::<F>(out, &s);
                    }
                    b'-' | b'0'..=b'9' => {
                        self.number().ok()?;
                        F::number(out, self.text.get(start..self.pos)?, start).ok()?;
                    }
                    b't' => self.stream_literal(b"true", out)?,
                    b'f' => self.stream_literal(b"false", out)?,
                    b'n' => self.stream_literal(b"null", out)?,
                    _ => return None,
                }
                want_value = false;
                continue;
            }
            match stack.last_mut() {
                None => return (self.pos == self.bytes.len()).then_some(()),
                Some(Open::Array) => match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        out.push(b',');
                        want_value = true;
                    }
                    b']' => {
                        self.pos += 1;
                        out.push(b']');
                        stack.pop();
                    }
                    _ => return None,
                },
                Some(Open::Object { first, sorted }) => match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        out.push(b',');
                        self.skip_ws();
                        let at = out.len();
                        let key = self.stream_key(out)?;
                        let last = members.last()?.key;
                        let (prev, next) =
                            (self.text.get(last.0..last.1)?, self.text.get(key.0..key.1)?);
                        if *sorted && F::key_order(prev, next) != Ordering::Less {
                            *sorted = false;
                        }
                        members.push(Member { key, at });
                        want_value = true;
                    }
                    b'}' => {
                        self.pos += 1;
                        let (first, sorted) = (*first, *sorted);
                        let outermost = stack.len() == 1;
                        if sorted && outermost {
                            let mine = members.get(first..)?;
                            let ends = mine.iter().skip(1).map(|m| m.at - 1).chain([out.len()]);
                            for (m, end) in mine.iter().zip(ends) {
                                let key = self.text.get(m.key.0..m.key.1)?;
                                // `"key":` then the value (keys here are plain strings).
                                top.push((key.to_owned(), m.at + key.len() + 3..end));
                            }
                        }
                        if !sorted {
                            let mine = members.get_mut(first..)?;
                            let region = mine.first()?.at;
                            copy_budget = copy_budget.checked_sub(out.len() - region)?;
                            // Each member's bytes run to the next member's start, less the
                            // comma between them; record the ends before reordering.
                            let mut spans: Vec<(usize, usize, (usize, usize))> = mine
                                .iter()
                                .zip(mine.iter().skip(1).map(|m| m.at - 1).chain([out.len()]))
                                .map(|(m, end)| (m.at, end, m.key))
                                .collect();
                            let text = self.text;
                            let key = |k: (usize, usize)| text.get(k.0..k.1).unwrap_or_default();
                            spans.sort_unstable_by(|a, b| F::key_order(key(a.2), key(b.2)));
                            if spans
                                .windows(2)
                                .any(|w| F::key_order(key(w[0].2), key(w[1].2)) == Ordering::Equal)
                            {
                                // A duplicate key: the tape path reports it.
                                return None;
                            }
                            scratch.clear();
                            for (i, (s, e, k)) in spans.iter().enumerate() {
                                if i > 0 {
                                    scratch.push(b',');
                                }
                                if outermost {
                                    let name = key(*k);
                                    let at = region + scratch.len();
                                    top.push((name.to_owned(), at + name.len() + 3..at + e - s));
                                }
                                scratch.extend_from_slice(out.get(*s..*e)?);
                            }
                            out.truncate(region);
                            out.extend_from_slice(&scratch);
                        }
                        members.truncate(first);
                        out.push(b'}');
                        stack.pop();
                    }
                    _ => return None,
                },
            }
        }
    }

    /// `"key" :` as a plain string, written with its colon; the key's span.
    fn stream_key(&mut self, out: &mut Vec<u8>) -> Option<(usize, usize)> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let (s, e) = self.plain_string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return None;
        }
        self.pos += 1;
        out.push(b'"');
        out.extend_from_slice(self.bytes.get(s..e)?);
        out.extend_from_slice(b"\":");
        Some((s, e))
    }

    fn stream_literal(&mut self, word: &'static [u8], out: &mut Vec<u8>) -> Option<()> {
        if !self.bytes.get(self.pos..)?.starts_with(word) {
            return None;
        }
        self.pos += word.len();
        out.extend_from_slice(word);
        Some(())
    }

    fn run(&mut self, max_depth: usize) -> Result<(), Error> {
        let mut stack: Vec<Open> = Vec::new();
        // Whether the next token must be a value (otherwise: a separator or a closing bracket).
        let mut want_value = true;
        loop {
            self.skip_ws();
            if want_value {
                let start = self.pos;
                match self.peek() {
                    Some(b'[') => {
                        open_check(stack.len(), max_depth)?;
                        self.pos += 1;
                        let node = self.nodes.len();
                        self.nodes.push(Node::Array { end: 0 });
                        self.skip_ws();
                        if self.peek() == Some(b']') {
                            self.pos += 1;
                            self.nodes[node] = Node::Array {
                                end: self.nodes.len(),
                            };
                            want_value = false;
                        } else {
                            stack.push(Open::Array { node });
                        }
                        continue;
                    }
                    Some(b'{') => {
                        open_check(stack.len(), max_depth)?;
                        self.pos += 1;
                        let node = self.nodes.len();
                        self.nodes.push(Node::Object { end: 0 });
                        self.skip_ws();
                        if self.peek() == Some(b'}') {
                            self.pos += 1;
                            self.nodes[node] = Node::Object {
                                end: self.nodes.len(),
                            };
                            want_value = false;
                        } else {
                            let mut keys = Vec::new();
                            self.member_key(&mut keys)?;
                            stack.push(Open::Object { node, keys });
                        }
                        continue;
                    }
                    Some(b'"') => {
                        let s = self.string()?;
                        self.nodes.push(Node::String(s));
                    }
                    Some(b'-' | b'0'..=b'9') => {
                        self.number()?;
                        self.nodes.push(Node::Number {
                            start,
                            end: self.pos,
                        });
                    }
                    Some(b't') => self.literal(b"true", Node::Bool(true))?,
                    Some(b'f') => self.literal(b"false", Node::Bool(false))?,
                    Some(b'n') => self.literal(b"null", Node::Null)?,
                    Some(_) => return Err(syntax(start, "expected a JSON value")),
                    None => return Err(syntax(start, "unexpected end of input, expected a value")),
                }
                want_value = false;
                continue;
            }
            // After a value: close containers or move to the next element.
            let at = self.pos;
            match stack.last_mut() {
                None => {
                    if at != self.bytes.len() {
                        return Err(syntax(at, "trailing characters after the JSON value"));
                    }
                    return Ok(());
                }
                Some(Open::Array { node }) => match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        want_value = true;
                    }
                    Some(b']') => {
                        self.pos += 1;
                        let node = *node;
                        self.nodes[node] = Node::Array {
                            end: self.nodes.len(),
                        };
                        stack.pop();
                    }
                    _ => return Err(syntax(at, "expected ',' or ']' in an array")),
                },
                Some(Open::Object { node, keys }) => match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_ws();
                        self.member_key(keys)?;
                        want_value = true;
                    }
                    Some(b'}') => {
                        self.pos += 1;
                        let node = *node;
                        let keys = std::mem::take(keys);
                        self.check_duplicates(keys)?;
                        self.nodes[node] = Node::Object {
                            end: self.nodes.len(),
                        };
                        stack.pop();
                    }
                    _ => return Err(syntax(at, "expected ',' or '}' in an object")),
                },
            }
        }
    }

    /// Parses `"key" :` (leading whitespace already skipped) and records the key.
    fn member_key(&mut self, keys: &mut Vec<(usize, usize)>) -> Result<(), Error> {
        let offset = self.pos;
        if self.peek() != Some(b'"') {
            return Err(syntax(offset, "expected a string key in an object"));
        }
        let key = self.string()?;
        keys.push((self.nodes.len(), offset));
        self.nodes.push(Node::String(key));
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(syntax(self.pos, "expected ':' after an object key"));
        }
        self.pos += 1;
        Ok(())
    }

    fn check_duplicates(&self, mut keys: Vec<(usize, usize)>) -> Result<(), Error> {
        let key = |i: usize| match &self.nodes[i] {
            Node::String(s) => s.as_ref(),
            _ => "",
        };
        keys.sort_unstable_by(|a, b| key(a.0).cmp(key(b.0)).then(a.1.cmp(&b.1)));
        for pair in keys.windows(2) {
            if let [a, b] = pair {
                if key(a.0) == key(b.0) {
                    return Err(Error::DuplicateKey {
                        key: key(b.0).to_owned(),
                        offset: b.1,
                    });
                }
            }
        }
        Ok(())
    }

    fn literal(&mut self, word: &'static [u8], node: Node<'a>) -> Result<(), Error> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            self.nodes.push(node);
            Ok(())
        } else {
            Err(syntax(self.pos, "invalid literal"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Result<(), Error> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(syntax(self.pos, "leading zeros are not allowed in numbers"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(syntax(self.pos, "expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(syntax(self.pos, "expected a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(syntax(self.pos, "expected a digit in the exponent"));
            }
        }
        Ok(())
    }

    fn hex4(&self, at: usize) -> Result<u32, Error> {
        let Some(h) = self.bytes.get(at..at + 4) else {
            return Err(syntax(at, "truncated \\u escape"));
        };
        let mut v = 0u32;
        for (i, &c) in h.iter().enumerate() {
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(syntax(at + i, "invalid hex digit in \\u escape")),
            };
            v = (v << 4) | u32::from(d);
        }
        Ok(v)
    }

    /// Parses a string starting at the opening quote and returns it unescaped (borrowed from
    /// the source when it has no escape).
    fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        let open = self.pos;
        self.pos += 1;
        let text: &'a str = self.text;
        // Fast path: a run of plain characters up to the closing quote needs no copy.
        let run = self.pos;
        self.skip_plain();
        if self.peek() == Some(b'"') {
            let s = &text[run..self.pos];
            self.pos += 1;
            return Ok(Cow::Borrowed(s));
        }
        self.pos = run;
        let mut out = String::new();
        loop {
            // Copy a run of plain characters. Every stop byte is ASCII, so the run ends on a
            // character boundary of the (already validated) UTF-8 text.
            let run = self.pos;
            self.skip_plain();
            out.push_str(&self.text[run..self.pos]);
            match self.peek() {
                None => return Err(syntax(open, "unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let esc = self.pos;
                    let c = match self.bytes.get(esc + 1) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let c = self.unicode_escape(esc)?;
                            out.push(c);
                            continue;
                        }
                        Some(_) => return Err(syntax(esc, "invalid escape sequence")),
                        None => return Err(syntax(open, "unterminated string")),
                    };
                    self.pos += 2;
                    out.push(c);
                }
                Some(_) => return Err(syntax(self.pos, "unescaped control character in a string")),
            }
        }
    }

    /// Decodes `\uXXXX` (and its low-surrogate partner) at `esc`; advances past it.
    fn unicode_escape(&mut self, esc: usize) -> Result<char, Error> {
        let hi = self.hex4(esc + 2)?;
        self.pos = esc + 6;
        let cp = match hi {
            0xD800..=0xDBFF => {
                if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(Error::LoneSurrogate { offset: esc });
                }
                let lo = self.hex4(self.pos + 2)?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return Err(Error::LoneSurrogate { offset: esc });
                }
                self.pos += 6;
                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(Error::LoneSurrogate { offset: esc }),
            _ => hi,
        };
        char::from_u32(cp).ok_or(Error::LoneSurrogate { offset: esc })
    }
}

/// Whether a word (eight string bytes) may hold a byte that ends a plain run: `"`, `\` or a
/// control character. Each test is the bit-twiddling "has a byte less than n" (a byte equal to
/// `c` is a zero byte of `word ^ c…c`): exact when it says no.
const fn may_stop_run(word: u64) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const fn has_less(x: u64, n: u8) -> bool {
        x.wrapping_sub(ONES * n as u64) & !x & HIGH != 0
    }
    has_less(word ^ (ONES * b'"' as u64), 1)
        || has_less(word ^ (ONES * b'\\' as u64), 1)
        || has_less(word, 0x20)
}

fn open_check(open: usize, max_depth: usize) -> Result<(), Error> {
    if open >= max_depth {
        Err(LimitExceeded::new("JSON nesting depth", max_depth).into())
    } else {
        Ok(())
    }
}

/// Writes a string node: one borrowed from the source had no escape (and the grammar admits no
/// raw control character), so every flavour writes it as itself between quotes.
#[allow(clippy::ptr_arg)] // whether the string is borrowed is the point
fn write_string<F: Flavour>(out: &mut Vec<u8>, s: &Cow<'_, str>) {
    match s {
        Cow::Borrowed(plain) => {
            out.reserve(plain.len() + 2);
            out.push(b'"');
            out.extend_from_slice(plain.as_bytes());
            out.push(b'"');
        }
        Cow::Owned(s) => F::string(out, s),
    }
}

/// How one canonical flavour writes strings and numbers and orders keys.
pub(crate) trait Flavour {
    /// Writes a string with its quotes.
    fn string(out: &mut Vec<u8>, s: &str);
    /// Writes a number given its (grammatically valid) source text.
    fn number(out: &mut Vec<u8>, text: &str, offset: usize) -> Result<(), Error>;
    /// The order of object keys.
    fn key_order(a: &str, b: &str) -> Ordering;
}

impl Document<'_> {
    /// The index of the node after `i` and its descendants.
    fn skip(&self, i: usize) -> usize {
        match self.nodes.get(i) {
            Some(Node::Array { end } | Node::Object { end }) => *end,
            _ => i + 1,
        }
    }

    fn key(&self, i: usize) -> &str {
        match self.nodes.get(i) {
            Some(Node::String(s)) => s.as_ref(),
            _ => "",
        }
    }

    /// Serializes the document canonically in flavour `F`, without recursion.
    ///
    /// When the document is an object, `top` receives its members' value ranges in the output.
    pub(crate) fn emit<F: Flavour>(&self, top: &mut Vec<TopMember>) -> Result<Vec<u8>, Error> {
        enum Frame {
            Array {
                next: usize,
                end: usize,
                first: bool,
            },
            Object {
                members: Vec<usize>,
                i: usize,
            },
        }
        let mut out = Vec::with_capacity(self.src.len());
        let mut stack: Vec<Frame> = Vec::new();
        let mut value = Some(0);
        loop {
            if let Some(v) = value.take() {
                match self.nodes.get(v) {
                    Some(Node::Null) => out.extend_from_slice(b"null"),
                    Some(Node::Bool(true)) => out.extend_from_slice(b"true"),
                    Some(Node::Bool(false)) => out.extend_from_slice(b"false"),
                    Some(Node::Number { start, end }) => {
                        let text = self.src.get(*start..*end).unwrap_or("");
                        F::number(&mut out, text, *start)?;
                    }
                    Some(Node::String(s)) => write_string::<F>(&mut out, s),
                    Some(Node::Array { end }) => {
                        out.push(b'[');
                        stack.push(Frame::Array {
                            next: v + 1,
                            end: *end,
                            first: true,
                        });
                    }
                    Some(Node::Object { end }) => {
                        out.push(b'{');
                        let mut members = Vec::new();
                        let mut k = v + 1;
                        while k < *end {
                            members.push(k);
                            k = self.skip(k + 1);
                        }
                        members.sort_by(|&a, &b| F::key_order(self.key(a), self.key(b)));
                        stack.push(Frame::Object { members, i: 0 });
                    }
                    // The tape always has a node 0 and consistent `end`s; an empty tape cannot
                    // come out of `parse`.
                    None => return Err(syntax(0, "empty document")),
                }
            }
            let outermost = stack.len() == 1;
            match stack.last_mut() {
                None => return Ok(out),
                Some(Frame::Array { next, end, first }) => {
                    if *next >= *end {
                        out.push(b']');
                        stack.pop();
                    } else {
                        if !*first {
                            out.push(b',');
                        }
                        *first = false;
                        value = Some(*next);
                        *next = self.skip(*next);
                    }
                }
                Some(Frame::Object { members, i }) => {
                    if outermost {
                        // The previous member's value ends here.
                        if let Some(last) = top.last_mut() {
                            last.1.end = out.len();
                        }
                    }
                    if let Some(&k) = members.get(*i) {
                        if *i > 0 {
                            out.push(b',');
                        }
                        *i += 1;
                        if let Some(Node::String(key)) = self.nodes.get(k) {
                            write_string::<F>(&mut out, key);
                        }
                        out.push(b':');
                        if outermost {
                            top.push((self.key(k).to_owned(), out.len()..out.len()));
                        }
                        value = Some(k + 1);
                    } else {
                        out.push(b'}');
                        stack.pop();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Document<'_>, Error> {
        parse(s.as_bytes(), &Limits::default())
    }

    #[test]
    fn grammar_accepts() {
        for ok in [
            "0",
            "-0",
            "1",
            "-1.5e+3",
            "1E3",
            "0.0",
            "\"\"",
            "[]",
            "{}",
            " [ 1 , 2 ] ",
            "{\"a\":{\"b\":[]}}",
            "\"\\u00e9\\ud83d\\ude00\\/\"",
            "true",
            "null",
            "false",
        ] {
            assert!(p(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn grammar_rejects() {
        for bad in [
            "",
            " ",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "[1,]",
            "[1 2]",
            "{\"a\"}",
            "{\"a\":}",
            "{a:1}",
            "{\"a\":1,}",
            "tru",
            "nul",
            "[",
            "{",
            "\"abc",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\t\"",
            "1 2",
            "[]]",
            "NaN",
            "Infinity",
            "\u{feff}1",
            "'a'",
            "[1]x",
            "{}{}",
        ] {
            assert!(
                matches!(p(bad), Err(Error::Syntax { .. })),
                "{bad:?}: {:?}",
                p(bad)
            );
        }
    }

    #[test]
    fn offsets() {
        assert!(matches!(p("[1, 01]"), Err(Error::Syntax { offset: 5, .. })));
        assert!(matches!(
            p("{\"a\":1} x"),
            Err(Error::Syntax { offset: 8, .. })
        ));
        assert!(matches!(
            parse(b"[\"a\xff\"]", &Limits::default()),
            Err(Error::InvalidUtf8 { offset: 3 })
        ));
    }

    #[test]
    fn surrogates() {
        for bad in [
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud800x\"",
        ] {
            assert!(
                matches!(p(bad), Err(Error::LoneSurrogate { offset: 1 })),
                "{bad}"
            );
        }
    }

    #[test]
    fn duplicates_after_unescaping() {
        let e = p("{\"a\":1,\"b\":{\"x\":1},\"\\u0061\":2}").unwrap_err();
        assert!(
            matches!(e, Error::DuplicateKey { ref key, offset: 19 } if key == "a"),
            "{e:?}"
        );
        // Same key in different objects is fine.
        assert!(p("[{\"a\":1},{\"a\":2}]").is_ok());
    }

    /// A small deterministic generator of JSON-ish text: valid documents in every key order,
    /// with escapes, floats, whitespace, duplicates, and a corrupted byte now and then.
    struct Gen(u64);

    impl Gen {
        /// A number below `n`.
        fn next(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            usize::try_from(self.0 % u64::try_from(n).unwrap()).unwrap()
        }

        fn ws(&mut self, out: &mut String) {
            if self.next(4) == 0 {
                out.push_str([" ", "\n", "\t ", "\r\n"][self.next(4)]);
            }
        }

        fn value(&mut self, out: &mut String, depth: u32) {
            self.ws(out);
            let pick = if depth > 3 {
                self.next(4)
            } else {
                self.next(7)
            };
            match pick {
                0 => out.push_str(["null", "true", "false"][self.next(3)]),
                1 => out.push_str(
                    ["0", "-0", "12", "-7", "1.5", "1e3", "123456789012345678901"][self.next(7)],
                ),
                2 | 3 => self.string(out),
                4 | 5 => {
                    out.push('{');
                    let n = self.next(4);
                    let mut keys: Vec<String> = (0..n)
                        .map(|_| {
                            let mut k = String::new();
                            self.string(&mut k);
                            k
                        })
                        .collect();
                    if self.next(2) == 0 {
                        keys.sort();
                    }
                    for (i, k) in keys.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        self.ws(out);
                        out.push_str(k);
                        self.ws(out);
                        out.push(':');
                        self.value(out, depth + 1);
                    }
                    self.ws(out);
                    out.push('}');
                }
                _ => {
                    out.push('[');
                    for i in 0..self.next(4) {
                        if i > 0 {
                            out.push(',');
                        }
                        self.value(out, depth + 1);
                    }
                    out.push(']');
                }
            }
            self.ws(out);
        }

        fn string(&mut self, out: &mut String) {
            let parts = [
                "a",
                "b",
                "ab",
                "é",
                "\u{1f600}",
                "\u{ff21}",
                "\\\"",
                "\\u0061",
                "\\n",
                "\\/",
                "Z",
                "\u{7f}",
            ];
            out.push('"');
            for _ in 0..self.next(3) {
                out.push_str(parts[self.next(parts.len())]);
            }
            out.push('"');
        }
    }

    /// The one-pass path either declines or gives exactly what the general path gives.
    fn agree<F: Flavour>(seed: u64) -> (usize, usize) {
        let mut g = Gen(seed);
        let (mut fast, mut total) = (0, 0);
        for _ in 0..4000 {
            let mut doc = String::new();
            g.value(&mut doc, 0);
            let mut bytes = doc.into_bytes();
            if g.next(10) == 0 && !bytes.is_empty() {
                let at = g.next(bytes.len());
                bytes[at] = b"{}[],:\"\\ 1x"[g.next(11)];
            }
            let limits = Limits::default();
            let mut general_top = Vec::new();
            let general = parse(&bytes, &limits).and_then(|d| d.emit::<F>(&mut general_top));
            if let Ok(out) = &general {
                check_top::<F>(out, &general_top);
            }
            total += 1;
            let mut top = Vec::new();
            if let Some(out) = stream::<F>(&bytes, &limits, &mut top) {
                fast += 1;
                assert_eq!(
                    general.as_deref().ok(),
                    Some(out.as_slice()),
                    "{}",
                    String::from_utf8_lossy(&bytes)
                );
                assert_eq!(top, general_top, "{}", String::from_utf8_lossy(&bytes));
            }
        }
        (fast, total)
    }

    /// Top-level member ranges tile a canonical object: each value follows its key's colon and
    /// runs to the comma before the next member or to the closing brace.
    fn check_top<F: Flavour>(out: &[u8], top: &[TopMember]) {
        if out.first() != Some(&b'{') {
            assert!(top.is_empty());
            return;
        }
        let mut at = 1;
        for (i, (key, range)) in top.iter().enumerate() {
            let key_end = range.start - 1;
            assert_eq!(out[key_end], b':');
            assert_eq!(out[at], b'"');
            let mut written = Vec::new();
            F::string(&mut written, key);
            assert_eq!(&out[at..key_end], written.as_slice());
            let sep = if i + 1 == top.len() { b'}' } else { b',' };
            assert_eq!(out[range.end], sep);
            at = range.end + 1;
        }
        let end = if top.is_empty() { 1 } else { out.len() };
        assert_eq!(at, end);
    }

    #[test]
    fn word_test_never_misses_a_stop_byte() {
        for stop in (0u8..0x20).chain([b'"', b'\\']) {
            for at in 0..8 {
                for fill in [b'a', 0x7f, 0x80, 0xff, b' ', b'!', b'#', b'[', b']'] {
                    let mut w = [fill; 8];
                    w[at] = stop;
                    assert!(may_stop_run(u64::from_le_bytes(w)), "{w:?}");
                }
            }
        }
        for fill in [b'a', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xc3, 0xff] {
            assert!(!may_stop_run(u64::from_le_bytes([fill; 8])), "{fill}");
        }
        let mut p = Parser {
            text: "0123456789abcdef\\",
            bytes: b"0123456789abcdef\\",
            pos: 1,
            nodes: Vec::new(),
        };
        p.skip_plain();
        assert_eq!(p.pos, 16);
    }

    #[test]
    fn one_pass_agrees_with_the_tape() {
        for seed in [1, 0x9e37_79b9, 42] {
            let (fast, total) = agree::<crate::cjson::olpc::Olpc>(seed);
            assert!(
                fast > total / 5,
                "the one-pass path ran {fast} times of {total}"
            );
            let (fast, total) = agree::<crate::cjson::jcs::Jcs>(seed);
            assert!(
                fast > total / 5,
                "the one-pass path ran {fast} times of {total}"
            );
        }
        // Declines rather than decides: duplicates (sorted or not), escaped keys, errors.
        let l = Limits::default();
        for s in [
            "{\"a\":1,\"a\":2}",
            "{\"b\":1,\"a\":2,\"b\":3}",
            "{\"\\u0061\":1}",
            "[1,]",
            "{\"a\":1.5}",
        ] {
            assert!(
                stream::<crate::cjson::olpc::Olpc>(s.as_bytes(), &l, &mut Vec::new()).is_none(),
                "{s}"
            );
        }
        assert_eq!(
            stream::<crate::cjson::olpc::Olpc>(
                b" { \"a\" : [ 1 , -0 ] , \"b\" : { } } ",
                &l,
                &mut Vec::new()
            )
            .as_deref(),
            Some(&b"{\"a\":[1,0],\"b\":{}}"[..])
        );
        // Reordered objects, nested and after a sorted one; escapes in values.
        assert_eq!(
            stream::<crate::cjson::olpc::Olpc>(
                b"{\"z\":{\"y\":\"a\\nb\",\"x\":[{\"b\":1,\"a\":2}]},\"m\":{\"a\":0,\"b\":1},\"a\":null}",
                &l,
                &mut Vec::new()
            )
            .as_deref(),
            Some(&b"{\"a\":null,\"m\":{\"a\":0,\"b\":1},\"z\":{\"x\":[{\"a\":2,\"b\":1}],\"y\":\"a\nb\"}}"[..])
        );
    }

    #[test]
    fn depth_limit() {
        let limits = Limits::default();
        let ok = format!(
            "{}{}",
            "[".repeat(limits.json_depth),
            "]".repeat(limits.json_depth)
        );
        assert!(p(&ok).is_ok());
        let deep = format!(
            "{}{}",
            "[".repeat(limits.json_depth + 1),
            "]".repeat(limits.json_depth + 1)
        );
        assert!(matches!(p(&deep), Err(Error::LimitExceeded(_))));
    }
}
