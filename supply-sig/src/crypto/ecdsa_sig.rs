//! ECDSA signature encodings: strict DER `Ecdsa-Sig-Value` and the fixed `r ‖ s` form.
//!
//! Shared by the policy layer (`sign`, which reads DER) and the aws-lc-rs backend (which hands
//! aws-lc DER), so it lives at the backend level, below both.

use der::asn1::UintRef;
use der::{Decode as _, Encode as _, Reader as _};

/// Strict DER `SEQUENCE { r INTEGER, s INTEGER }` to fixed `r ‖ s`.
///
/// The `der` crate enforces DER: definite minimal lengths, minimal positive INTEGERs, no
/// trailing bytes. Integers wider than the field cannot be below `n` and are refused here.
pub(crate) fn der_to_fixed(sig: &[u8], field: usize, out: &mut [u8; 96]) -> Option<usize> {
    let mut reader = der::SliceReader::new(sig).ok()?;
    let (r, s) = reader
        .sequence(|seq| {
            let r = UintRef::decode(seq)?;
            let s = UintRef::decode(seq)?;
            Ok((r, s))
        })
        .ok()?;
    reader.finish(()).ok()?;
    let (r, s) = (r.as_bytes(), s.as_bytes());
    if r.len() > field || s.len() > field {
        return None;
    }
    out[..2 * field].fill(0);
    out[field - r.len()..field].copy_from_slice(r);
    out[2 * field - s.len()..2 * field].copy_from_slice(s);
    Some(2 * field)
}

/// Fixed `r ‖ s` to DER.
pub(crate) fn ecdsa_fixed_to_der(fixed: &[u8]) -> Option<Vec<u8>> {
    if fixed.is_empty() || fixed.len() % 2 != 0 {
        return None;
    }
    let (r, s) = fixed.split_at(fixed.len() / 2);
    let r = UintRef::new(r).ok()?;
    let s = UintRef::new(s).ok()?;
    let len = (r.encoded_len().ok()? + s.encoded_len().ok()?).ok()?;
    let mut out = Vec::with_capacity(fixed.len() + 9);
    der::Header::new(der::Tag::Sequence, len)
        .ok()?
        .encode_to_vec(&mut out)
        .ok()?;
    r.encode_to_vec(&mut out).ok()?;
    s.encode_to_vec(&mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn der_roundtrip_and_strictness() {
        let mut fixed = [0u8; 64];
        fixed[31] = 1;
        fixed[32] = 0x80;
        let der = ecdsa_fixed_to_der(&fixed).unwrap();
        assert_eq!(der, hex::decode("3026020101022100800000000000000000000000000000000000000000000000000000000000000000").unwrap()[..der.len()]);
        let mut out = [0u8; 96];
        assert_eq!(der_to_fixed(&der, 32, &mut out), Some(64));
        assert_eq!(&out[..64], &fixed[..]);
        // trailing byte
        let mut t = der.clone();
        t.push(0);
        assert_eq!(der_to_fixed(&t, 32, &mut out), None);
        // long-form length
        let mut lf = vec![0x30, 0x81, der[1]];
        lf.extend_from_slice(&der[2..]);
        assert_eq!(der_to_fixed(&lf, 32, &mut out), None);
    }
}
