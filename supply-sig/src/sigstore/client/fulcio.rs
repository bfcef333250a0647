//! Fulcio v2 `POST /api/v2/signingCert` with a public key and a proof of possession
//! (<https://github.com/sigstore/fulcio/blob/main/fulcio.proto>, `CreateSigningCertificateRequest`).

use serde_json::json;

use super::http::{join, post_json};
use super::{Error, IdentityToken};
use crate::key::encoding::pem;
use crate::limits::MAX_FULCIO_RESPONSE_LEN;
use crate::sign::Signer;
use crate::sigstore::b64_encode;
use crate::sigstore::service::fulcio_leaf;
use crate::x509::Certificate;

/// Asks the Fulcio at `base` for a certificate for `signer`'s key and returns the leaf (read by
/// [`fulcio_leaf`]). The proof of possession is `signer`'s signature over the token's subject
/// claim.
pub(super) async fn signing_certificate(
    http: &reqwest::Client,
    base: &str,
    token: &IdentityToken,
    signer: &dyn Signer,
) -> Result<Certificate, Error> {
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
    let body = post_json(
        http,
        &url,
        &request,
        "application/json",
        MAX_FULCIO_RESPONSE_LEN,
        "Fulcio response",
    )
    .await?;
    Ok(fulcio_leaf(&body, signer.public_key())?)
}
