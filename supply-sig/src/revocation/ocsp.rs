//! OCSP (RFC 6960), as notation asks it: one request per certificate with a SHA-1 CertID and
//! no nonce, sent as `GET {responder}/{base64}` when that is short and as a `POST` otherwise;
//! the response must be successful and basic, name the certificate, be signed by its issuer or
//! by a responder certificate the issuer issued for OCSP signing, and be current (`thisUpdate`
//! passed, a `nextUpdate` present and not passed: notation treats a response without one as
//! expired).

use base64::Engine as _;
use der::asn1::{Null, ObjectIdentifier, OctetString};
use der::{Decode as _, Encode as _};
use sha1::Digest as _;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_ocsp::{BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, Request};

use super::{invalid_ext, Error, Reason, Revoked};
use crate::crypto::Provider;
use crate::limits::{LimitExceeded, MAX_OCSP_RESPONSE_LEN, MAX_REVOCATION_CLOCK_SKEW_SECS};
use crate::sign::{KeyVerifier, Verifier as _, VerifyPolicy};
use crate::time::Timestamp;
use crate::x509::{Certificate, OID_EXT_KEY_USAGE};

const OID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-kp-OCSPSigning.
pub const OID_KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
const OID_INVALIDITY_DATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.24");

/// An OCSP responder's answer about one certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// `good`.
    Good,
    /// `revoked`.
    Revoked(Revoked),
    /// `unknown`: the responder does not know the certificate.
    Unknown,
}

/// The SHA-1 CertID of `cert` issued by `issuer`.
fn cert_id(cert: &Certificate, issuer: &Certificate) -> Result<CertId, Error> {
    let octets = |b: &[u8]| OctetString::new(b.to_vec()).map_err(|_| Error::InvalidEncoding);
    Ok(CertId {
        hash_algorithm: spki::AlgorithmIdentifierOwned {
            oid: OID_SHA1,
            parameters: Some(Null.into()),
        },
        issuer_name_hash: octets(&sha1::Sha1::digest(issuer.subject_der()))?,
        issuer_key_hash: octets(&sha1::Sha1::digest(issuer.subject_public_key_bits()))?,
        serial_number: cert.parsed().tbs_certificate.serial_number.clone(),
    })
}

/// The DER OCSP request for `cert` issued by `issuer` (one SHA-1 CertID, no nonce).
///
/// # Errors
/// [`Error::InvalidEncoding`] if it cannot be encoded (never for a parsed certificate).
pub fn request(cert: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, Error> {
    OcspRequest {
        tbs_request: x509_ocsp::TbsRequest {
            version: x509_ocsp::Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id(cert, issuer)?,
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    }
    .to_der()
    .map_err(|_| Error::InvalidEncoding)
}

/// The `GET` URL for `request` at `responder` when its base64, URL-escaped, stays under 255
/// characters (RFC 6960 A.1, as notation sends it); `None`: send a `POST` of the DER with
/// `Content-Type: application/ocsp-request`.
pub fn get_url(responder: &str, request: &[u8]) -> Option<String> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(request);
    if b64.len() >= 255 {
        return None;
    }
    let escaped: String = b64
        .bytes()
        .map(|b| match b {
            b'+' => "%2B".to_owned(),
            b'/' => "%2F".to_owned(),
            b'=' => "%3D".to_owned(),
            other => char::from(other).to_string(),
        })
        .collect();
    (escaped.len() < 255).then(|| format!("{}/{escaped}", responder.trim_end_matches('/')))
}

fn hash_for(oid: ObjectIdentifier, bytes: &[u8]) -> Option<Vec<u8>> {
    match oid {
        o if o == OID_SHA1 => Some(sha1::Sha1::digest(bytes).to_vec()),
        o if o == OID_SHA256 => Some(sha2::Sha256::digest(bytes).to_vec()),
        _ => None,
    }
}

/// Whether `id` names `cert` issued by `issuer` (under the hash it uses).
fn names(id: &CertId, cert: &Certificate, issuer: &Certificate) -> bool {
    let oid = id.hash_algorithm.oid;
    id.serial_number == cert.parsed().tbs_certificate.serial_number
        && hash_for(oid, issuer.subject_der()).as_deref() == Some(id.issuer_name_hash.as_bytes())
        && hash_for(oid, issuer.subject_public_key_bits()).as_deref()
            == Some(id.issuer_key_hash.as_bytes())
}

/// Checks the DER OCSP response `der` for `cert` issued by `issuer` at `now`, and returns the
/// responder's answer.
///
/// # Errors
/// [`Error::LimitExceeded`] over [`MAX_OCSP_RESPONSE_LEN`]; [`Error::InvalidEncoding`];
/// [`Error::OcspNotSuccessful`]; [`Error::OcspNoAnswer`] when it does not name the
/// certificate; [`Error::OcspResponder`] when the responder certificate is not the issuer's
/// OCSP signer; [`Error::BadSignature`], [`Error::UnsupportedSignatureAlgorithm`],
/// [`Error::IssuerKey`]; [`Error::NotYetValid`], [`Error::Expired`] (also for a response
/// without `nextUpdate`).
pub fn check_response(
    der: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
    now: Timestamp,
    provider: &Provider,
) -> Result<Answer, Error> {
    if der.len() > MAX_OCSP_RESPONSE_LEN {
        return Err(
            LimitExceeded::new("OCSP response (bytes)", MAX_OCSP_RESPONSE_LEN)
                .with_actual(der.len())
                .into(),
        );
    }
    let resp = OcspResponse::from_der(der).map_err(|_| Error::InvalidEncoding)?;
    if resp.response_status != x509_ocsp::OcspResponseStatus::Successful {
        return Err(Error::OcspNotSuccessful {
            status: resp.response_status as u8,
        });
    }
    let bytes = resp
        .response_bytes
        .filter(|b| b.response_type == OID_OCSP_BASIC)
        .ok_or(Error::InvalidEncoding)?;
    let basic_der = bytes.response.as_bytes();
    let basic = BasicOcspResponse::from_der(basic_der).map_err(|_| Error::InvalidEncoding)?;
    let tbs = crate::x509::first_element(basic_der)
        .and_then(|r| basic_der.get(r))
        .ok_or(Error::InvalidEncoding)?;

    // The signer: the issuer itself, or the first certificate the response carries, issued
    // by the issuer for OCSP signing and valid now.
    let responder = match basic.certs.as_deref().and_then(<[_]>::first) {
        None => None,
        Some(c) => {
            let c = Certificate::from_der(&c.to_der().map_err(|_| Error::InvalidEncoding)?)
                .map_err(|_| Error::InvalidEncoding)?;
            if c.der() == issuer.der() {
                None
            } else {
                check_responder(&c, issuer, now, provider)?;
                Some(c)
            }
        }
    };
    let signer = responder.as_ref().unwrap_or(issuer);
    let alg = &basic.signature_algorithm;
    let scheme = crate::x509::scheme_for(alg.oid, signer.public_key()).ok_or_else(|| {
        Error::UnsupportedSignatureAlgorithm {
            oid: alg.oid.to_string(),
        }
    })?;
    let sig = basic.signature.as_bytes().ok_or(Error::BadSignature)?;
    KeyVerifier::new(
        signer.public_key(),
        scheme,
        VerifyPolicy::default(),
        provider,
    )
    .map_err(Error::IssuerKey)?
    .verify(tbs, sig)
    .map_err(|_| Error::BadSignature)?;

    let single = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|r| names(&r.cert_id, cert, issuer))
        .ok_or(Error::OcspNoAnswer)?;
    let this_update = gt(&single.this_update);
    // A response or CRL made a moment after the caller read its clock (or on a server whose
    // clock is a little ahead) is not from the future.
    if now.unix().saturating_add(MAX_REVOCATION_CLOCK_SKEW_SECS) < this_update.unix() {
        return Err(Error::NotYetValid { this_update });
    }
    match single.next_update.as_ref().map(gt) {
        Some(next_update) if now <= next_update => {}
        Some(next_update) => return Err(Error::Expired { next_update }),
        None => {
            return Err(Error::Expired {
                next_update: this_update,
            })
        }
    }
    Ok(match &single.cert_status {
        CertStatus::Good(_) => Answer::Good,
        CertStatus::Unknown(_) => Answer::Unknown,
        CertStatus::Revoked(info) => {
            let mut invalidity = None;
            for ext in single.single_extensions.iter().flatten() {
                if ext.extn_id == OID_INVALIDITY_DATE {
                    invalidity = Some(
                        der::asn1::GeneralizedTime::from_der(ext.extn_value.as_bytes())
                            .map(|t| {
                                Timestamp::from_unix(
                                    i64::try_from(t.to_unix_duration().as_secs())
                                        .unwrap_or(i64::MAX),
                                )
                            })
                            .map_err(|_| invalid_ext(OID_INVALIDITY_DATE))?,
                    );
                }
            }
            Answer::Revoked(Revoked {
                time: gt(&info.revocation_time),
                reason: info.revocation_reason.map(Reason::from),
                invalidity,
            })
        }
    })
}

fn gt(t: &x509_ocsp::OcspGeneralizedTime) -> Timestamp {
    Timestamp::from_unix(i64::try_from(t.0.to_unix_duration().as_secs()).unwrap_or(i64::MAX))
}

/// A delegated responder: issued (named and signed) by `issuer`, with the OCSPSigning
/// extended key usage, valid at `now`.
fn check_responder(
    responder: &Certificate,
    issuer: &Certificate,
    now: Timestamp,
    provider: &Provider,
) -> Result<(), Error> {
    if !crate::x509::names_chain(responder, issuer)
        || responder
            .verify_signed_by(issuer.public_key(), provider)
            .is_err()
    {
        return Err(Error::OcspResponder(
            "not issued by the certificate's issuer",
        ));
    }
    let eku = responder
        .extension(OID_EXT_KEY_USAGE)
        .and_then(|(_, v)| ExtendedKeyUsage::from_der(v).ok())
        .ok_or(Error::OcspResponder("no extended key usage"))?;
    if !eku.0.contains(&OID_KP_OCSP_SIGNING) {
        return Err(Error::OcspResponder("not an OCSP signing certificate"));
    }
    if !responder.valid_at(now) {
        return Err(Error::OcspResponder("not valid now"));
    }
    Ok(())
}
