//! SPDX license expressions ([SPDX 2.3 Annex D](https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/),
//! SPDX 3.0 `simplelicensing`), the bundled SPDX License List ([`list`]) and a license and
//! package policy ([`policy`]).
//!
//! Grammar: `WITH` binds tighter than `AND`, which binds tighter than `OR`; parentheses
//! override. `+` directly after a license id means "or later". Operators are case-sensitive and
//! ids case-insensitive (printed in list casing). `LicenseRef-x` and
//! `DocumentRef-y:LicenseRef-x` name licenses outside the list; `AdditionRef-x` names an
//! exception outside it, in SPDX 3 only. `NONE` and `NOASSERTION` are field values, not
//! expressions (see [`LicenseField`]).
//!
//! ```
//! use supply_sbom::license::Expression;
//!
//! let e = Expression::parse("MIT OR Apache-2.0 WITH LLVM-exception AND bsd-3-clause")?;
//! assert_eq!(e.to_string(), "MIT OR ((Apache-2.0 WITH LLVM-exception) AND BSD-3-Clause)");
//! assert_eq!(e.licenses(), ["MIT", "Apache-2.0", "BSD-3-Clause"]);
//! assert!(Expression::parse("MIT or Apache-2.0").is_err()); // operators are upper case
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod list;
#[rustfmt::skip] // generated; see the file header
mod list_data;
pub mod policy;

use std::fmt;

pub use list::{ExceptionInfo, LicenseInfo};

use crate::limits::{LimitExceeded, MAX_LICENSE_EXPR_DEPTH, MAX_LICENSE_EXPR_LEN};

/// Why a license expression was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The expression is empty (or only whitespace).
    #[error("empty license expression")]
    Empty,
    /// A character that no token starts with.
    #[error("unexpected character {ch:?} at byte {at}")]
    UnexpectedChar {
        /// The character.
        ch: char,
        /// Its byte offset.
        at: usize,
    },
    /// A token where the grammar wants something else (`MIT OR OR`, `MIT Apache-2.0`, a second
    /// `WITH`, `WITH` after a parenthesised group…).
    #[error("unexpected `{token}` at byte {at}")]
    UnexpectedToken {
        /// The token.
        token: String,
        /// Its byte offset.
        at: usize,
    },
    /// The expression ends where an operand or `)` is needed.
    #[error("the license expression ends early")]
    UnexpectedEnd,
    /// An id not on the SPDX License List (strict mode).
    #[error("`{id}` is not an SPDX license id")]
    UnknownLicense {
        /// The id as written.
        id: String,
    },
    /// The right side of `WITH` is not an exception id.
    #[error("`{id}` is not an SPDX license exception id")]
    UnknownException {
        /// The id as written.
        id: String,
    },
    /// A malformed `LicenseRef-`, `DocumentRef-` or `AdditionRef-` (empty idstring, `_`…).
    #[error("malformed reference `{id}`")]
    BadRef {
        /// The reference as written.
        id: String,
    },
    /// `NONE` or `NOASSERTION` used as an operand.
    #[error("`{id}` is a field value, not a license")]
    SpecialValue {
        /// `NONE` or `NOASSERTION`.
        id: String,
    },
    /// `AdditionRef-` in an SPDX 2 expression.
    #[error("`{id}`: AdditionRef- exists only in SPDX 3 expressions")]
    AdditionRefInSpdx2 {
        /// The reference as written.
        id: String,
    },
    /// Too long or too deeply nested.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

/// Which SPDX version's expression syntax applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Dialect {
    /// SPDX 2.x (Annex D): no `AdditionRef-`.
    #[default]
    Spdx2,
    /// SPDX 3.0 (`simplelicensing`): `AdditionRef-` exceptions allowed.
    Spdx3,
}

/// How strictly to read an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Strictness {
    /// The grammar as written: upper-case operators, listed ids only.
    #[default]
    Strict,
    /// What real SBOMs hold: operators in any case (printed upper case), ids not on the list
    /// kept as [`SimpleLicense::Unknown`] / [`Exception::Unknown`].
    Lenient,
}

/// A parsed license expression. [`Display`](fmt::Display) prints it fully parenthesised with
/// upper-case operators and list casing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Expression {
    root: Expr,
}

/// A node of an [`Expression`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expr {
    /// A license (`MIT`, `GPL-2.0+`, `LicenseRef-x`).
    License(SimpleLicense),
    /// A license with an exception (`GPL-2.0-only WITH Classpath-exception-2.0`).
    With(SimpleLicense, Exception),
    /// All of these apply (two or more operands).
    And(Vec<Self>),
    /// A choice of these (two or more operands).
    Or(Vec<Self>),
}

/// A license operand.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SimpleLicense {
    /// A license on the SPDX License List, `+` for "or later".
    Listed {
        /// The list entry.
        info: &'static LicenseInfo,
        /// Whether `+` followed.
        or_later: bool,
    },
    /// A license id not on the list (lenient mode only).
    Unknown {
        /// The id as written.
        id: String,
        /// Whether `+` followed.
        or_later: bool,
    },
    /// `LicenseRef-name` or `DocumentRef-doc:LicenseRef-name`.
    Ref {
        /// The `DocumentRef-` idstring, if any.
        document: Option<String>,
        /// The `LicenseRef-` idstring.
        name: String,
    },
}

/// An exception operand (right of `WITH`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Exception {
    /// An exception on the SPDX exceptions list.
    Listed(&'static ExceptionInfo),
    /// `AdditionRef-name` or `DocumentRef-doc:AdditionRef-name` (SPDX 3).
    Addition {
        /// The `DocumentRef-` idstring, if any.
        document: Option<String>,
        /// The `AdditionRef-` idstring.
        name: String,
    },
    /// An exception id not on the list (lenient mode only).
    Unknown(String),
}

/// The value of an SPDX license field: an expression, `NONE` or `NOASSERTION`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LicenseField {
    /// `NOASSERTION`: nothing is known.
    NoAssertion,
    /// `NONE`: there is no license.
    None,
    /// A license expression.
    Expression(Expression),
}

impl LicenseField {
    /// Parses a field value: `NONE`, `NOASSERTION` or an expression.
    ///
    /// # Errors
    /// As [`Expression::parse_with`].
    pub fn parse_with(s: &str, dialect: Dialect, strictness: Strictness) -> Result<Self, Error> {
        match s.trim() {
            "NOASSERTION" => Ok(Self::NoAssertion),
            "NONE" => Ok(Self::None),
            t => Expression::parse_with(t, dialect, strictness).map(Self::Expression),
        }
    }

    /// The expression, if the field holds one.
    pub fn expression(&self) -> Option<&Expression> {
        match self {
            Self::Expression(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for LicenseField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoAssertion => f.write_str("NOASSERTION"),
            Self::None => f.write_str("NONE"),
            Self::Expression(e) => e.fmt(f),
        }
    }
}

impl Expression {
    /// Parses strictly, SPDX 2 syntax (the SPDX 2.3 Annex D grammar and the bundled list).
    ///
    /// # Errors
    /// [`Error`] names the offending token.
    pub fn parse(s: &str) -> Result<Self, Error> {
        Self::parse_with(s, Dialect::Spdx2, Strictness::Strict)
    }

    /// Parses with the given dialect and strictness.
    ///
    /// # Errors
    /// [`Error`] names the offending token; [`Error::LimitExceeded`] past
    /// [`MAX_LICENSE_EXPR_LEN`] bytes or [`MAX_LICENSE_EXPR_DEPTH`] nested parentheses.
    pub fn parse_with(s: &str, dialect: Dialect, strictness: Strictness) -> Result<Self, Error> {
        if s.len() > MAX_LICENSE_EXPR_LEN {
            return Err(
                LimitExceeded::new("license expression", MAX_LICENSE_EXPR_LEN)
                    .with_actual(s.len())
                    .into(),
            );
        }
        let tokens = lex(s)?;
        if tokens.is_empty() {
            return Err(Error::Empty);
        }
        let mut p = Parser {
            tokens,
            pos: 0,
            dialect,
            strictness,
            depth: 0,
        };
        let root = p.or_expr()?;
        if let Some(t) = p.tokens.get(p.pos) {
            return Err(Error::UnexpectedToken {
                token: t.text.clone(),
                at: t.at,
            });
        }
        Ok(Self { root })
    }

    /// The root node.
    pub fn root(&self) -> &Expr {
        &self.root
    }

    /// The license ids referenced, in order of appearance, each once, in list casing and
    /// without `+` (`GPL-2.0+` gives `GPL-2.0`); references as written.
    pub fn licenses(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.root.walk(&mut |l, _| {
            let id = l.base_id();
            if !out.contains(&id) {
                out.push(id);
            }
        });
        out
    }

    /// The exception ids referenced, in order of appearance, each once.
    pub fn exceptions(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.root.walk(&mut |_, e| {
            if let Some(e) = e {
                let id = e.to_string();
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        });
        out
    }
}

/// Deprecated `*-with-*-exception` ids and the `WITH` expression that replaced each (SPDX
/// License List: "deprecated, use GPL-2.0-only WITH …").
const WITH_IDS: &[(&str, &str, &str)] = &[
    (
        "GPL-2.0-with-autoconf-exception",
        "GPL-2.0-only",
        "Autoconf-exception-2.0",
    ),
    (
        "GPL-2.0-with-bison-exception",
        "GPL-2.0-only",
        "Bison-exception-2.2",
    ),
    (
        "GPL-2.0-with-classpath-exception",
        "GPL-2.0-only",
        "Classpath-exception-2.0",
    ),
    (
        "GPL-2.0-with-font-exception",
        "GPL-2.0-only",
        "Font-exception-2.0",
    ),
    (
        "GPL-2.0-with-GCC-exception",
        "GPL-2.0-only",
        "GCC-exception-2.0",
    ),
    (
        "GPL-3.0-with-autoconf-exception",
        "GPL-3.0-only",
        "Autoconf-exception-3.0",
    ),
    (
        "GPL-3.0-with-GCC-exception",
        "GPL-3.0-only",
        "GCC-exception-3.1",
    ),
];

impl Expression {
    /// The same expression with deprecated ids replaced by their current forms
    /// (`GPL-2.0` → `GPL-2.0-only`, `GPL-2.0+` → `GPL-2.0-or-later`,
    /// `GPL-2.0-with-classpath-exception` → `GPL-2.0-only WITH Classpath-exception-2.0`):
    /// what writers emit, since validators such as pyspdxtools refuse some deprecated ids.
    #[must_use]
    pub fn to_current(&self) -> Self {
        Self {
            root: self.root.to_current(),
        }
    }

    /// [`Expression::to_current`], borrowing `self` when nothing in it is deprecated: the
    /// common case, and writers ask once per license.
    pub(crate) fn current(&self) -> std::borrow::Cow<'_, Self> {
        if self.root.is_current() {
            std::borrow::Cow::Borrowed(self)
        } else {
            std::borrow::Cow::Owned(self.to_current())
        }
    }
}

impl Expr {
    /// Whether [`Expr::to_current`] gives the same expression (the cases it clones).
    fn is_current(&self) -> bool {
        match self {
            Self::License(l) => l.replacement().is_none(),
            Self::With(l, _) => !matches!(l.replacement(), Some((_, None))),
            Self::And(v) | Self::Or(v) => v.iter().all(Self::is_current),
        }
    }

    fn to_current(&self) -> Self {
        match self {
            Self::License(l) => match l.replacement() {
                Some((lic, Some(exc))) => Self::With(lic, exc),
                Some((lic, None)) => Self::License(lic),
                None => self.clone(),
            },
            Self::With(l, e) => match l.replacement() {
                Some((lic, None)) => Self::With(lic, e.clone()),
                _ => self.clone(),
            },
            Self::And(v) => Self::And(v.iter().map(Self::to_current).collect()),
            Self::Or(v) => Self::Or(v.iter().map(Self::to_current).collect()),
        }
    }
}

impl SimpleLicense {
    /// The current form of a deprecated listed license, when it differs.
    fn replacement(&self) -> Option<(Self, Option<Exception>)> {
        let Self::Listed { info, .. } = self else {
            return None;
        };
        if let Some((_, base, exc)) = WITH_IDS.iter().find(|(id, _, _)| *id == info.id()) {
            return Some((
                Self::Listed {
                    info: list::license(base)?,
                    or_later: false,
                },
                Some(Exception::Listed(list::exception(exc)?)),
            ));
        }
        let cur = self.current_id()?;
        if cur == info.id() {
            return None;
        }
        Some((
            Self::Listed {
                info: list::license(cur)?,
                or_later: false,
            },
            None,
        ))
    }
}

impl std::str::FromStr for Expression {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl Expr {
    fn walk(&self, f: &mut impl FnMut(&SimpleLicense, Option<&Exception>)) {
        match self {
            Self::License(l) => f(l, None),
            Self::With(l, e) => f(l, Some(e)),
            Self::And(v) | Self::Or(v) => v.iter().for_each(|c| c.walk(f)),
        }
    }
}

impl SimpleLicense {
    /// The id without `+`, in list casing (`GPL-2.0` for `GPL-2.0+`), or the reference as
    /// written.
    pub fn base_id(&self) -> String {
        match self {
            Self::Listed { info, .. } => info.id().to_string(),
            Self::Unknown { id, .. } => id.clone(),
            Self::Ref { .. } => self.to_string(),
        }
    }

    /// Whether `+` ("or later") followed the id.
    pub fn or_later(&self) -> bool {
        matches!(
            self,
            Self::Listed { or_later: true, .. } | Self::Unknown { or_later: true, .. }
        )
    }

    /// The current (non-deprecated) list id this license means, when the list has one:
    /// `AGPL-3.0` → `AGPL-3.0-only`, `AGPL-3.0+` → `AGPL-3.0-or-later`, `GPL-2.0+` →
    /// `GPL-2.0-or-later`, `GPL-2.0-with-classpath-exception` → `GPL-2.0-only`,
    /// `LGPL-2.1-only+` → `LGPL-2.1-or-later`. Otherwise the list id (with `+` dropped).
    pub fn current_id(&self) -> Option<&'static str> {
        let Self::Listed { info, or_later } = self else {
            return None;
        };
        let id = info.id();
        // `GPL-2.0+` (a deprecated id of its own) and `GPL-2.0-only+` both mean or-later.
        let (base, later) = match id.strip_suffix('+') {
            Some(b) => (b, true),
            None => (id, *or_later),
        };
        if !later && !info.is_deprecated() {
            return Some(id);
        }
        let base = base
            .strip_suffix("-only")
            .or_else(|| base.strip_suffix("-or-later"))
            .unwrap_or(base);
        let base = base.find("-with-").map_or(base, |i| &base[..i]);
        let suffix = if later { "-or-later" } else { "-only" };
        if let Some(l) = list::license(&format!("{base}{suffix}")) {
            return Some(l.id());
        }
        Some(list::license(base).map_or(id, LicenseInfo::id))
    }
}

impl fmt::Display for SimpleLicense {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Listed { info, or_later } => {
                f.write_str(info.id())?;
                if *or_later {
                    f.write_str("+")?;
                }
                Ok(())
            }
            Self::Unknown { id, or_later } => {
                f.write_str(id)?;
                if *or_later {
                    f.write_str("+")?;
                }
                Ok(())
            }
            Self::Ref { document, name } => {
                if let Some(d) = document {
                    write!(f, "DocumentRef-{d}:")?;
                }
                write!(f, "LicenseRef-{name}")
            }
        }
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Listed(e) => f.write_str(e.id()),
            Self::Unknown(id) => f.write_str(id),
            Self::Addition { document, name } => {
                if let Some(d) = document {
                    write!(f, "DocumentRef-{d}:")?;
                }
                write!(f, "AdditionRef-{name}")
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::License(l) => l.fmt(f),
            Self::With(l, e) => write!(f, "{l} WITH {e}"),
            Self::And(v) | Self::Or(v) => {
                let op = if matches!(self, Self::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                for (i, c) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(op)?;
                    }
                    if matches!(c, Self::License(_)) {
                        c.fmt(f)?;
                    } else {
                        write!(f, "({c})")?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}

impl serde::Serialize for Expression {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    Plus,
    Word,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tok,
    text: String,
    at: usize,
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == ':'
}

fn lex(s: &str) -> Result<Vec<Token>, Error> {
    let mut out: Vec<Token> = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => out.push(Token {
                kind: Tok::Open,
                text: "(".into(),
                at,
            }),
            ')' => out.push(Token {
                kind: Tok::Close,
                text: ")".into(),
                at,
            }),
            '+' => {
                // `+` belongs to the id right before it, with no space between.
                let attached = at > 0
                    && s[..at].ends_with(is_id_char)
                    && out.last().is_some_and(|t| t.kind == Tok::Word);
                if !attached {
                    return Err(Error::UnexpectedChar { ch: '+', at });
                }
                out.push(Token {
                    kind: Tok::Plus,
                    text: "+".into(),
                    at,
                });
            }
            c if is_id_char(c) => {
                let mut end = at + c.len_utf8();
                while let Some(&(i, n)) = chars.peek() {
                    if !is_id_char(n) {
                        break;
                    }
                    end = i + n.len_utf8();
                    chars.next();
                }
                out.push(Token {
                    kind: Tok::Word,
                    text: s[at..end].to_string(),
                    at,
                });
            }
            ch => return Err(Error::UnexpectedChar { ch, at }),
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    dialect: Dialect,
    strictness: Strictness,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn is_op(&self, op: &str) -> bool {
        self.peek().is_some_and(|t| {
            t.kind == Tok::Word
                && match self.strictness {
                    Strictness::Strict => t.text == op,
                    Strictness::Lenient => t.text.eq_ignore_ascii_case(op),
                }
        })
    }

    fn or_expr(&mut self) -> Result<Expr, Error> {
        let mut items = vec![self.and_expr()?];
        while self.is_op("OR") {
            self.pos += 1;
            items.push(self.and_expr()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and_expr(&mut self) -> Result<Expr, Error> {
        let mut items = vec![self.with_expr()?];
        while self.is_op("AND") {
            self.pos += 1;
            items.push(self.with_expr()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn with_expr(&mut self) -> Result<Expr, Error> {
        let Some(tok) = self.peek().cloned() else {
            return Err(Error::UnexpectedEnd);
        };
        match tok.kind {
            Tok::Open => {
                self.depth += 1;
                if self.depth > MAX_LICENSE_EXPR_DEPTH {
                    return Err(LimitExceeded::new(
                        "license expression nesting",
                        MAX_LICENSE_EXPR_DEPTH,
                    )
                    .into());
                }
                self.pos += 1;
                let inner = self.or_expr()?;
                match self.peek() {
                    Some(t) if t.kind == Tok::Close => self.pos += 1,
                    Some(t) => {
                        return Err(Error::UnexpectedToken {
                            token: t.text.clone(),
                            at: t.at,
                        })
                    }
                    None => return Err(Error::UnexpectedEnd),
                }
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Word if !self.is_op("AND") && !self.is_op("OR") && !self.is_op("WITH") => {
                self.pos += 1;
                let or_later = self.peek().is_some_and(|t| t.kind == Tok::Plus);
                if or_later {
                    self.pos += 1;
                }
                let lic = self.license(&tok.text, or_later, tok.at)?;
                if self.is_op("WITH") {
                    self.pos += 1;
                    let Some(et) = self.peek().cloned() else {
                        return Err(Error::UnexpectedEnd);
                    };
                    if et.kind != Tok::Word || self.is_op("AND") || self.is_op("OR") {
                        return Err(Error::UnexpectedToken {
                            token: et.text,
                            at: et.at,
                        });
                    }
                    self.pos += 1;
                    let exc = self.exception(&et.text)?;
                    return Ok(Expr::With(lic, exc));
                }
                Ok(Expr::License(lic))
            }
            _ => Err(Error::UnexpectedToken {
                token: tok.text,
                at: tok.at,
            }),
        }
    }

    fn license(&self, id: &str, or_later: bool, at: usize) -> Result<SimpleLicense, Error> {
        if id == "NONE" || id == "NOASSERTION" {
            return Err(Error::SpecialValue { id: id.into() });
        }
        if let Some((document, rest)) = split_document_ref(id)? {
            let name = rest
                .strip_prefix("LicenseRef-")
                .ok_or_else(|| Error::BadRef { id: id.into() })?;
            check_idstring(name, id)?;
            if or_later {
                return Err(Error::UnexpectedChar { ch: '+', at });
            }
            return Ok(SimpleLicense::Ref {
                document: Some(document),
                name: name.into(),
            });
        }
        if let Some(name) = id.strip_prefix("LicenseRef-") {
            check_idstring(name, id)?;
            if or_later {
                return Err(Error::UnexpectedChar { ch: '+', at });
            }
            return Ok(SimpleLicense::Ref {
                document: None,
                name: name.into(),
            });
        }
        if id.contains(':') {
            return Err(Error::BadRef { id: id.into() });
        }
        match list::license(id) {
            Some(info) => Ok(SimpleLicense::Listed { info, or_later }),
            None if self.strictness == Strictness::Lenient && list::exception(id).is_none() => {
                Ok(SimpleLicense::Unknown {
                    id: id.into(),
                    or_later,
                })
            }
            None => Err(Error::UnknownLicense { id: id.into() }),
        }
    }

    fn exception(&self, id: &str) -> Result<Exception, Error> {
        let (document, rest) = match split_document_ref(id)? {
            Some((d, r)) => (Some(d), r),
            None => (None, id),
        };
        if let Some(name) = rest.strip_prefix("AdditionRef-") {
            check_idstring(name, id)?;
            if self.dialect == Dialect::Spdx2 {
                return Err(Error::AdditionRefInSpdx2 { id: id.into() });
            }
            return Ok(Exception::Addition {
                document,
                name: name.into(),
            });
        }
        if document.is_some() || id.contains(':') {
            return Err(Error::BadRef { id: id.into() });
        }
        match list::exception(id) {
            Some(e) => Ok(Exception::Listed(e)),
            None if self.strictness == Strictness::Lenient && list::license(id).is_none() => {
                Ok(Exception::Unknown(id.into()))
            }
            None => Err(Error::UnknownException { id: id.into() }),
        }
    }
}

/// Splits `DocumentRef-doc:rest`; `None` when `id` has no `DocumentRef-` prefix.
fn split_document_ref(id: &str) -> Result<Option<(String, &str)>, Error> {
    let Some(rest) = id.strip_prefix("DocumentRef-") else {
        return Ok(None);
    };
    let (doc, rest) = rest
        .split_once(':')
        .ok_or_else(|| Error::BadRef { id: id.into() })?;
    check_idstring(doc, id)?;
    Ok(Some((doc.to_string(), rest)))
}

/// `idstring = 1*(ALPHA / DIGIT / "-" / ".")`.
fn check_idstring(s: &str, whole: &str) -> Result<(), Error> {
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Err(Error::BadRef { id: whole.into() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SPDX 2 reader keeps the strict reading when there is one: the lenient grammar must
    /// read every strictly valid field the same way.
    #[test]
    fn lenient_reads_what_strict_accepts_the_same_way() {
        for text in [
            "MIT",
            "NONE",
            "NOASSERTION",
            "Apache-2.0 AND BSD-3-Clause AND GFDL-1.3-only OR (GPL-3.0-only WITH Classpath-exception-2.0)",
            "GPL-2.0+ OR LicenseRef-foo",
            "DocumentRef-x:LicenseRef-y AND mit",
            "(MIT OR ISC) AND (Apache-2.0 WITH LLVM-exception)",
            "GPL-2.0",
            "MIT or ISC",
            "Foo-1.0",
        ] {
            for dialect in [Dialect::Spdx2, Dialect::Spdx3] {
                if let Ok(strict) = LicenseField::parse_with(text, dialect, Strictness::Strict) {
                    let lenient = LicenseField::parse_with(text, dialect, Strictness::Lenient);
                    assert_eq!(lenient.as_ref(), Ok(&strict), "{text}");
                }
            }
        }
    }

    #[test]
    fn current_ids() {
        let id = |s: &str| match Expression::parse(s).unwrap().root {
            Expr::License(l) | Expr::With(l, _) => l.current_id().unwrap(),
            _ => unreachable!(),
        };
        assert_eq!(id("AGPL-3.0"), "AGPL-3.0-only");
        assert_eq!(id("AGPL-3.0+"), "AGPL-3.0-or-later");
        assert_eq!(id("agpl-3.0-or-later"), "AGPL-3.0-or-later");
        assert_eq!(id("GPL-2.0-with-classpath-exception"), "GPL-2.0-only");
        assert_eq!(id("LGPL-2.1-only+"), "LGPL-2.1-or-later");
        assert_eq!(id("Apache-2.0+"), "Apache-2.0");
        assert_eq!(id("MIT"), "MIT");
        assert_eq!(id("GPL-2.0-only"), "GPL-2.0-only");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let s = format!("{}MIT{}", "(".repeat(100), ")".repeat(100));
        assert!(matches!(
            Expression::parse(&s),
            Err(Error::LimitExceeded(_))
        ));
    }

    #[test]
    fn lenient_reads_lowercase_operators() {
        let e =
            Expression::parse_with("mit or Foo-1.0", Dialect::Spdx2, Strictness::Lenient).unwrap();
        assert_eq!(e.to_string(), "MIT OR Foo-1.0");
    }

    #[test]
    fn current_borrows_exactly_when_nothing_is_deprecated() {
        let mut cases: Vec<String> = [
            "MIT AND (Apache-2.0 OR GPL-2.0+)",
            "GPL-2.0 WITH Classpath-exception-2.0",
            "GPL-2.0-only WITH Classpath-exception-2.0",
            "LGPL-2.1+ WITH LLVM-exception",
            "EPL-2.0 AND GPL-2.0-with-classpath-exception",
            "LicenseRef-x OR DocumentRef-d:LicenseRef-y",
        ]
        .map(String::from)
        .into();
        for l in list::licenses() {
            cases.push(l.id().to_string());
            cases.push(format!("{}+", l.id()));
            cases.push(format!("{} WITH Classpath-exception-2.0", l.id()));
        }
        for s in &cases {
            let Ok(e) = Expression::parse_with(s, Dialect::Spdx2, Strictness::Lenient) else {
                continue;
            };
            let current = e.current();
            assert_eq!(*current, e.to_current(), "{s}");
            assert_eq!(
                matches!(current, std::borrow::Cow::Borrowed(_)),
                e.to_current() == e,
                "{s}"
            );
        }
    }
}
