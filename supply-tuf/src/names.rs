//! Names: role names and target paths as URL parts and local file names, and `paths` globs.
//!
//! Role names and target paths are attacker-chosen strings (`../a`, `🍺/30`, `foo/../bar`). They
//! never become file-system paths directly: a local file name is the whole string
//! percent-encoded (python-tuf's `quote(name, safe="")`), so it is one path component that cannot
//! contain `/` and is never `.` or `..`.

/// Characters never percent-encoded: RFC 3986 unreserved (as Python's `urllib.parse.quote`).
fn unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}

fn encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if unreserved(c) || (keep_slash && c == b'/') {
            out.push(char::from(c));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 15)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Percent-encodes a role name for a metadata file name or URL (`../a` → `..%2Fa`,
/// `ö` → `%C3%B6`), as python-tuf and tough do.
pub fn encode_role_name(name: &str) -> String {
    encode(name, false)
}

/// Percent-encodes a target path for a URL, keeping `/` (`dir/nested file.txt` →
/// `dir/nested%20file.txt`).
pub fn encode_target_path(path: &str) -> String {
    encode(path, true)
}

/// The local file name for a target: the whole path percent-encoded into one component
/// (`.` and `..` are encoded too, so the name always stays inside its directory).
pub fn local_target_file_name(path: &str) -> String {
    match path {
        "" => "%00".to_owned(),
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        p => encode(p, false),
    }
}

/// The local file name of a role's metadata: `<encoded role>.json`.
pub fn local_metadata_file_name(role: &str) -> String {
    format!("{}.json", encode_role_name(role))
}

/// The remote path of a role's metadata, versioned when `version` is given.
pub fn remote_metadata_path(role: &str, version: Option<u64>) -> String {
    match version {
        Some(v) => format!("{v}.{}.json", encode_role_name(role)),
        None => format!("{}.json", encode_role_name(role)),
    }
}

/// The remote path of a target; with `hash_prefix`, the base name is prefixed `<hash>.`.
pub fn remote_target_path(path: &str, hash_prefix: Option<&str>) -> String {
    let (dir, base) = match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    };
    let base = match hash_prefix {
        Some(h) => format!("{h}.{base}"),
        None => base.to_owned(),
    };
    format!("{}{}", encode_target_path(dir), encode_target_path(&base))
}

/// Resolves `.` and `..` in a target path lexically, as tough does when saving a target below
/// an output directory: `foo/../bar/../baz/../data1.txt` → `data1.txt`, `../a/b` → `a/b`.
/// Returns `None` when the path is empty after resolution or has a NUL or `\\` in a component.
pub fn resolve_target_path(path: &str) -> Option<Vec<&str>> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                // Above the root, `..` stays at the root (tough: lexical resolution below outdir).
                parts.pop();
            }
            s if s.contains('\0') || s.contains('\\') => return None,
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts)
    }
}

/// Whether a delegation `paths` pattern matches `path`: both are split at `/` and must have the
/// same number of segments; each segment is matched with shell-style `*` (any run of characters),
/// `?` (one character) and `[...]` / `[!...]` sets, as python-tuf's `fnmatch` per segment. A
/// pattern never matches across `/`.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let t: Vec<&str> = path.split('/').collect();
    p.len() == t.len() && p.iter().zip(&t).all(|(p, t)| segment_matches(p, t))
}

fn segment_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative wildcard matching with one backtrack point: O(|p|·|t|) worst case.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, next)) = class_match(&p, pi, t[ti]) {
                        if matched {
                            pi = next;
                            ti += 1;
                            continue;
                        }
                    } else if t[ti] == '[' {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
                c if c == t[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Matches `c` against the set starting at `p[start] == '['`; returns (matched, index after `]`),
/// or `None` when the set is unterminated (then `[` is a literal, as in fnmatch).
fn class_match(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let cur = *p.get(i)?;
        if cur == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&e| e != ']') {
            let end = *p.get(i + 2)?;
            if cur <= c && c <= end {
                matched = true;
            }
            i += 3;
        } else {
            if cur == c {
                matched = true;
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(path_matches("*", "file3.txt"));
        assert!(!path_matches("*", "dir/file3.txt"));
        assert!(path_matches("dir/*", "dir/file3.txt"));
        assert!(path_matches("*.txt", "file.txt"));
        assert!(!path_matches("*.txt", "file.txt.gz"));
        assert!(path_matches("f?le[0-9].txt", "file3.txt"));
        assert!(!path_matches("f?le[!0-9].txt", "file3.txt"));
        assert!(path_matches("a*b*c", "aXbYbZc"));
        assert!(!path_matches("file3.txt", "file4.txt"));
    }

    #[test]
    fn encodings() {
        assert_eq!(encode_role_name("../a"), "..%2Fa");
        assert_eq!(encode_role_name("ö"), "%C3%B6");
        assert_eq!(local_target_file_name(".."), "%2E%2E");
        assert_eq!(
            remote_target_path("dir/nested file.txt", Some("ab")),
            "dir/ab.nested%20file.txt"
        );
        assert_eq!(
            resolve_target_path("foo/../bar/../baz/../data1.txt"),
            Some(vec!["data1.txt"])
        );
        assert_eq!(resolve_target_path("../x"), Some(vec!["x"]));
        assert_eq!(resolve_target_path("a/.."), None);
    }
}
