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

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Moves past a run of string characters that need no decoding (up to a quote, a
    /// backslash, a control character or the end), as one slice scan.
    fn skip_plain(&mut self) {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos += rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(rest.len());
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
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

fn open_check(open: usize, max_depth: usize) -> Result<(), Error> {
    if open >= max_depth {
        Err(LimitExceeded::new("JSON nesting depth", max_depth).into())
    } else {
        Ok(())
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
    pub(crate) fn emit<F: Flavour>(&self) -> Result<Vec<u8>, Error> {
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
                    Some(Node::String(s)) => F::string(&mut out, s),
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
                    if let Some(&k) = members.get(*i) {
                        if *i > 0 {
                            out.push(b',');
                        }
                        *i += 1;
                        F::string(&mut out, self.key(k));
                        out.push(b':');
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
