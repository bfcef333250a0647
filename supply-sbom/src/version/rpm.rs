//! RPM (Red Hat, SUSE, Rocky, AlmaLinux…): `[epoch:]version[-release]`, each part compared
//! with `rpmvercmp` (rpm `rpmio/rpmvercmp.c`): runs of digits (numerically) and of letters
//! (lexically), other characters are separators, `~` sorts before everything (even the
//! end), `^` after the end but before anything else, a number run beats a letter run.

use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub(crate) struct RpmVersion {
    epoch: Box<str>,
    version: Box<str>,
    release: Box<str>,
}

impl RpmVersion {
    pub(crate) fn parse(s: &str) -> Self {
        let (epoch, vr) = match s.split_once(':') {
            Some((e, vr)) if e.bytes().all(|c| c.is_ascii_digit()) => (e, vr),
            _ => ("", s),
        };
        let (version, release) = match vr.split_once('-') {
            Some((v, r)) => (v, format!("-{r}")),
            None => (vr, String::new()),
        };
        Self {
            epoch: if epoch.is_empty() { "0" } else { epoch }.into(),
            version: version.into(),
            release: release.into(),
        }
    }
}

fn is_separator(c: u8) -> bool {
    !c.is_ascii_alphanumeric() && c != b'~' && c != b'^'
}

/// `rpmvercmp`, with an empty part older than any other.
pub(crate) fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    let (mut i, mut j) = (0, 0);
    loop {
        while i < a.len() && is_separator(a[i]) {
            i += 1;
        }
        while j < b.len() && is_separator(b[j]) {
            j += 1;
        }
        let (at, bt) = (a.get(i) == Some(&b'~'), b.get(j) == Some(&b'~'));
        if at && bt {
            i += 1;
            j += 1;
            continue;
        }
        if at {
            return Ordering::Less;
        }
        if bt {
            return Ordering::Greater;
        }
        let (ac, bc) = (a.get(i) == Some(&b'^'), b.get(j) == Some(&b'^'));
        if ac && bc {
            i += 1;
            j += 1;
            continue;
        }
        if ac {
            return if j == b.len() {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        if bc {
            return if i == a.len() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        if i == a.len() || j == b.len() {
            break;
        }
        let digit = a[i].is_ascii_digit();
        let kind = |c: &u8| {
            if digit {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let na = a[i..].iter().take_while(|c| kind(c)).count();
        let nb = b[j..].iter().take_while(|c| kind(c)).count();
        let (sa, sb) = (&a[i..i + na], &b[j..j + nb]);
        i += na;
        j += nb;
        if sb.is_empty() {
            return if digit {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let o = if digit {
            let trim = |s: &[u8]| {
                let z = s.iter().take_while(|c| **c == b'0').count();
                s[z..].to_vec()
            };
            let (ta, tb) = (trim(sa), trim(sb));
            ta.len().cmp(&tb.len()).then_with(|| ta.cmp(&tb))
        } else {
            sa.cmp(sb)
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

impl Ord for RpmVersion {
    fn cmp(&self, o: &Self) -> Ordering {
        rpmvercmp(self.epoch.as_bytes(), o.epoch.as_bytes())
            .then_with(|| rpmvercmp(self.version.as_bytes(), o.version.as_bytes()))
            .then_with(|| rpmvercmp(self.release.as_bytes(), o.release.as_bytes()))
    }
}
super::ord_by_cmp!(RpmVersion);
