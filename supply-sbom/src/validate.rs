//! Validation findings. Readers are lenient: they build the model from what real tools write
//! and record every departure from the published schemas and spec rules as an [`Issue`].
//! A document is valid when its [`Report`] is empty.

use std::fmt;

/// Every issue found in one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    issues: Vec<Issue>,
}

impl Report {
    /// Whether no issue was found.
    pub fn is_valid(&self) -> bool {
        self.issues.is_empty()
    }

    /// The issues, in document order.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    pub(crate) fn push(&mut self, path: impl Into<String>, kind: IssueKind) {
        // One document with millions of bad entries should not build a report of millions.
        if self.issues.len() < crate::limits::MAX_REPORTED_ISSUES {
            self.issues.push(Issue {
                path: path.into(),
                kind,
            });
        }
    }

    pub(crate) fn missing(&mut self, path: impl Into<String>, field: &'static str) {
        self.push(path, IssueKind::Missing { field });
    }

    pub(crate) fn invalid(
        &mut self,
        path: impl Into<String>,
        field: &'static str,
        value: impl Into<String>,
        expected: &'static str,
    ) {
        self.push(
            path,
            IssueKind::InvalidValue {
                field,
                value: value.into(),
                expected,
            },
        );
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in &self.issues {
            writeln!(f, "{i}")?;
        }
        Ok(())
    }
}

/// One departure from the schema or spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Where, as a JSON-pointer-like path (`/packages/3/downloadLocation`) or element path.
    pub path: String,
    /// What.
    pub kind: IssueKind,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind)
    }
}

/// What an [`Issue`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IssueKind {
    /// A required field is missing (or empty where the schema needs a value).
    Missing {
        /// The field.
        field: &'static str,
    },
    /// A field has the wrong JSON type (`creators` entries given as objects).
    WrongType {
        /// The field.
        field: &'static str,
        /// What the schema wants.
        expected: &'static str,
    },
    /// A value outside its enum or pattern.
    InvalidValue {
        /// The field.
        field: &'static str,
        /// The value as written (truncated).
        value: String,
        /// What is allowed.
        expected: &'static str,
    },
    /// A timestamp that the spec's form does not allow (SPDX 2: `YYYY-MM-DDThh:mm:ssZ`).
    Timestamp {
        /// The value as written.
        value: String,
    },
    /// A license expression that does not parse strictly.
    License {
        /// The expression as written.
        value: String,
        /// Why.
        error: crate::license::Error,
    },
    /// A reference to an element that the document does not define.
    DanglingReference {
        /// The id referred to.
        id: String,
    },
    /// An id defined twice.
    DuplicateId {
        /// The id.
        id: String,
    },
    /// A purl reference that is not a valid package URL.
    Purl {
        /// The value as written.
        value: String,
        /// Why.
        error: crate::purl::Error,
    },
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { field } => write!(f, "required `{field}` is missing"),
            Self::WrongType { field, expected } => write!(f, "`{field}` must be {expected}"),
            Self::InvalidValue {
                field,
                value,
                expected,
            } => write!(f, "`{field}` = {value:?} is not {expected}"),
            Self::Timestamp { value } => {
                write!(f, "timestamp {value:?} is not YYYY-MM-DDThh:mm:ssZ")
            }
            Self::License { value, error } => write!(f, "license {value:?}: {error}"),
            Self::DanglingReference { id } => write!(f, "reference to undefined element `{id}`"),
            Self::DuplicateId { id } => write!(f, "id `{id}` is defined more than once"),
            Self::Purl { value, error } => write!(f, "purl {value:?}: {error}"),
        }
    }
}

/// Truncates a value for a report (reports quote what they found, not megabytes of it).
pub(crate) fn shown(s: &str) -> String {
    const MAX: usize = 120;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Whether `s` is an SPDX 2 timestamp: `YYYY-MM-DDThh:mm:ssZ` exactly.
pub(crate) fn is_spdx2_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20 && b[19] == b'Z' && supply_sig::time::Timestamp::parse_rfc3339(s).is_some()
}

/// Normalizes any RFC 3339 timestamp (fractional seconds, offsets) to `YYYY-MM-DDThh:mm:ssZ`.
pub(crate) fn normalize_timestamp(s: &str) -> Option<String> {
    supply_sig::time::Timestamp::parse_rfc3339(s).map(supply_sig::time::Timestamp::to_rfc3339)
}
