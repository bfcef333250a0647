//! Fulcio v2 `POST /api/v2/signingCert` with a public key and a proof of possession
//! (<https://github.com/sigstore/fulcio/blob/main/fulcio.proto>, `CreateSigningCertificateRequest`).

use serde::Deserialize;
use serde_json::json;

use super::http::{join, post};
use super::{Error, IdentityToken};
use crate::key::encoding::pem;
use crate::limits::{MAX_CERT_CHAIN_LEN, MAX_FULCIO_RESPONSE_LEN};
use crate::sign::Signer;
use crate::sigstore::b64_encode;
use crate::x509::Certificate;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireResponse {
    signed_certificate_embedded_sct: Option<WireSigned>,
    signed_certificate_detached_sct: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct WireSigned {
    chain: WireChain,
}

#[derive(Deserialize)]
struct WireChain {
    certificates: Vec<String>,
}

/// Asks the Fulcio at `base` for a certificate for `signer`'s key and returns the leaf. The
/// proof of possession is `signer`'s signature over the token's subject claim.
///
/// Fails when the chain is empty or too long, when Fulcio answers with a detached SCT (a v0.3
/// bundle has nowhere to carry it), or when the leaf certifies another key.
pub(super) async fn signing_certificate(
    http: &reqwest::Client,
    base: &str,
    token: &IdentityToken,
    signer: &dyn Signer,
) -> Result<Certificate, Error> {
    let invalid = |reason| Error::InvalidResponse {
        service: "Fulcio",
        reason,
    };
    let proof = signer.try_sign(token.proof_subject().as_bytes())?;
    let request = json!({
        "credentials": {"oidcIdentityToken": token.as_str()},
        "publicKeyRequest": {
            "publicKey": {
                "algorithm": "ECDSA",
                "content": pem::public_key_to_pem(signer.public_key()),
            },
            "proofOfPossession": b64_encode(&proof),
        },
    });
    let url = join(base, "/api/v2/signingCert");
    let body = post(
        http,
        &url,
        "application/json",
        "application/json",
        request.to_string().into_bytes(),
        MAX_FULCIO_RESPONSE_LEN,
        "Fulcio response",
    )
    .await?;
    let resp: WireResponse =
        serde_json::from_slice(&body).map_err(|_| invalid("not a signingCert response"))?;
    let chain = match (
        resp.signed_certificate_embedded_sct,
        resp.signed_certificate_detached_sct,
    ) {
        (Some(s), None) => s.chain.certificates,
        (None, Some(_)) => return Err(invalid("detached SCTs are not supported")),
        _ => return Err(invalid("expected exactly one signed certificate")),
    };
    if chain.len() > MAX_CERT_CHAIN_LEN {
        return Err(Error::LimitExceeded {
            what: "certificates in the Fulcio chain",
            limit: MAX_CERT_CHAIN_LEN,
        });
    }
    let leaf_pem = chain.first().ok_or(invalid("empty certificate chain"))?;
    let leaf = Certificate::from_pem(leaf_pem.as_bytes())?;
    if leaf.public_key().spki_der() != signer.public_key().spki_der() {
        return Err(Error::CertificateKeyMismatch);
    }
    Ok(leaf)
}
