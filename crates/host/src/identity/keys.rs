//! The host's signing key: RSA 2048, generated once and kept in the data
//! directory (`identity-key.p8`, PKCS#8), published as a JWKS with a `kid`
//! (the Microsoft shape: RS256). Signing uses aws-lc-rs directly (it exports
//! PKCS#8 only, which `jsonwebtoken` cannot sign with); verification goes
//! through `jsonwebtoken`, the same code a client would use.

use std::path::Path;

use anyhow::Context as _;
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use serde_json::{json, Map, Value};
use sha2::Digest as _;

const KEY_FILE: &str = "identity-key.p8";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Why a token was not accepted by [`SigningKey::verify`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadToken {
    #[error("the token is not signed by this host ({0}); sign in again against this host")]
    Signature(String),
}

/// The RSA key pair tokens are signed with.
pub struct SigningKey {
    pair: KeyPair,
    kid: String,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads the key from `dir`, generating and saving it the first time.
    pub fn load_or_create(dir: &Path) -> anyhow::Result<Self> {
        let path = dir.join(KEY_FILE);
        let pair = match std::fs::read(&path) {
            Ok(bytes) => KeyPair::from_pkcs8(&bytes).map_err(|e| {
                anyhow::anyhow!(
                    "the host's signing key {} is damaged ({e}); delete it to make a new one (tokens issued before stop working)",
                    path.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let pair = KeyPair::generate(KeySize::Rsa2048)
                    .map_err(|_| anyhow::anyhow!("cannot generate the host's signing key"))?;
                let der = pair
                    .as_der()
                    .map_err(|_| anyhow::anyhow!("cannot encode the host's signing key"))?;
                write_private(&path, der.as_ref())
                    .with_context(|| format!("cannot save the signing key {}", path.display()))?;
                pair
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read the signing key {}", path.display()))
            }
        };
        let public = pair.public_key();
        let n = public.modulus().big_endian_without_leading_zero().to_vec();
        let e = public.exponent().big_endian_without_leading_zero().to_vec();
        let kid = b64(&sha2::Sha256::digest(&n)[..12]);
        Ok(Self { pair, kid, n, e })
    }

    /// The key id in every token header and in the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// A signed compact JWT (`RS256`) carrying `claims`.
    pub fn sign(&self, claims: &Map<String, Value>) -> String {
        let header = json!({ "typ": "JWT", "alg": "RS256", "kid": self.kid });
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(Value::Object(claims.clone()).to_string().as_bytes())
        );
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut signature)
            .expect("RSA signing with a valid key does not fail");
        format!("{input}.{}", b64(&signature))
    }

    /// The claims of `token` if this key signed it. Times and audience are not
    /// checked here (see `tokens::check`).
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>, BadToken> {
        let key = jsonwebtoken::DecodingKey::from_rsa_raw_components(&self.n, &self.e);
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| BadToken::Signature(e.to_string()))?;
        if header.kid.as_deref().is_some_and(|k| k != self.kid) {
            return Err(BadToken::Signature("unknown key id".into()));
        }
        jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| BadToken::Signature(e.to_string()))
    }

    /// The JSON Web Key Set with this key.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
            "n": b64(&self.n), "e": b64(&self.e),
        }]})
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    use std::io::Write as _;
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_kept_and_verifies_only_its_own_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let key = SigningKey::load_or_create(dir.path()).unwrap();
        let again = SigningKey::load_or_create(dir.path()).unwrap();
        assert_eq!(key.kid(), again.kid());
        let mut claims = Map::new();
        claims.insert("upn".into(), json!("mona@contoso.example"));
        let token = key.sign(&claims);
        assert_eq!(again.verify(&token).unwrap()["upn"], "mona@contoso.example");

        let other_dir = tempfile::tempdir().unwrap();
        let other = SigningKey::load_or_create(other_dir.path()).unwrap();
        assert!(other.verify(&token).is_err());
        // A tampered payload fails the signature check.
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = b64(br#"{"upn":"ade@contoso.example"}"#);
        parts[1] = &forged;
        assert!(key.verify(&parts.join(".")).is_err());
    }
}
