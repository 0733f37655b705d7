//! `serve --tls`: HTTPS with a self-signed certificate the host makes once into its
//! data directory (`tls/cert.pem`, `tls/key.pem` with mode 0600) and reuses while it
//! still names every host name asked for and is not about to expire. A client trusts
//! the host by adding `cert.pem` as a root ([`crate::RunningHost::ca_pem_path`]).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use rcgen::PublicKeyData as _;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

/// HTTPS options of a host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsConfig {
    /// Host names (or IP addresses) the certificate names besides `localhost` and
    /// `127.0.0.1`, e.g. a name only a test's proxy resolves (`--tls-name`).
    pub names: Vec<String>,
}

/// The certificate's folder inside the data directory.
pub const TLS_DIR: &str = "tls";
const CERT_FILE: &str = "cert.pem";
const KEY_FILE: &str = "key.pem";

/// Well under the 825 days Apple's TLS policy allows for any server certificate,
/// also one chained to a root the user added.
const VALIDITY_DAYS: i64 = 800;
/// A certificate this close to expiry is replaced at start-up rather than reused.
const RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 3600);

/// What the server needs: the certificate's path (for clients) and the rustls config.
pub(crate) struct Material {
    pub cert_path: PathBuf,
    pub server: Arc<rustls::ServerConfig>,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    // Explicit, not the process default: that panics when a build enables two providers.
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The names the certificate must carry: loopback, the bound address, and `extra`.
pub(crate) fn wanted_names(bound: IpAddr, extra: &[String]) -> anyhow::Result<Vec<String>> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    if !bound.is_unspecified() {
        names.push(bound.to_string());
    }
    for name in extra {
        let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
        ServerName::try_from(name.as_str())
            .map_err(|_| anyhow::anyhow!("--tls-name {name:?} is not a host name or IP address"))?;
        names.push(name);
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    Ok(names)
}

/// Loads the certificate from `data_dir/tls`, making (or remaking) it when it is missing,
/// lacks one of `names` or expires soon; the key is kept across remakes.
pub(crate) fn load_or_create(data_dir: &Path, names: &[String]) -> anyhow::Result<Material> {
    let dir = data_dir.join(TLS_DIR);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the TLS folder {}", dir.display()))?;
    let cert_path = dir.join(CERT_FILE);
    let key_path = dir.join(KEY_FILE);
    let key = load_or_create_key(&key_path)?;
    let reusable = match std::fs::read(&cert_path) {
        Ok(pem) => CertificateDer::from_pem_slice(&pem)
            .ok()
            .filter(|cert| covers(cert, &key, names)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot read the certificate {}", cert_path.display()))
        }
    };
    let cert = match reusable {
        Some(cert) => cert,
        None => {
            let cert = make_cert(&key, names)?;
            write_replacing(&cert_path, cert.pem().as_bytes())
                .with_context(|| format!("cannot save the certificate {}", cert_path.display()))?;
            cert.der().clone()
        }
    };
    let key_der = PrivateKeyDer::try_from(key.serialize_der())
        .map_err(|e| anyhow::anyhow!("the TLS key {} is unusable: {e}", key_path.display()))?;
    let mut server = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("the TLS provider supports no protocol version")?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key_der)
        .with_context(|| {
            format!(
                "the certificate {} does not fit its key; delete {} to make both anew",
                cert_path.display(),
                dir.display()
            )
        })?;
    // axum serves HTTP/1.1 only; saying so keeps clients from trying h2.
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Material {
        cert_path,
        server: Arc::new(server),
    })
}

fn load_or_create_key(path: &Path) -> anyhow::Result<rcgen::KeyPair> {
    match std::fs::read_to_string(path) {
        Ok(pem) => rcgen::KeyPair::from_pem(&pem).map_err(|e| {
            anyhow::anyhow!(
                "the TLS key {} is damaged ({e}); delete its folder to make a new certificate",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = rcgen::KeyPair::generate()
                .map_err(|e| anyhow::anyhow!("cannot generate the TLS key: {e}"))?;
            write_private(path, key.serialize_pem().as_bytes())
                .with_context(|| format!("cannot save the TLS key {}", path.display()))?;
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read the TLS key {}", path.display())),
    }
}

fn make_cert(key: &rcgen::KeyPair, names: &[String]) -> anyhow::Result<rcgen::Certificate> {
    let mut params = rcgen::CertificateParams::new(names.to_vec())
        .map_err(|e| anyhow::anyhow!("cannot name the certificate {names:?}: {e}"))?;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "Ferry local pipelines host");
    params.distinguished_name = dn;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(VALIDITY_DAYS);
    // Apple's verifier wants serverAuth spelled out.
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    params
        .self_signed(key)
        .map_err(|e| anyhow::anyhow!("cannot make the TLS certificate: {e}"))
}

/// Whether `cert` is of `key` and verifies, as its own root, for every name a while from
/// now: the very check a client that trusts `cert.pem` makes.
fn covers(cert: &CertificateDer<'static>, key: &rcgen::KeyPair, names: &[String]) -> bool {
    let Ok(parsed) = rustls::server::ParsedCertificate::try_from(cert) else {
        return false;
    };
    if parsed.subject_public_key_info().as_ref() != key.subject_public_key_info().as_slice() {
        return false;
    }
    let mut roots = rustls::RootCertStore::empty();
    if roots.add(cert.clone()).is_err() {
        return false;
    }
    let Ok(verifier) =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
    else {
        return false;
    };
    let later = UnixTime::since_unix_epoch(
        UnixTime::now()
            .as_secs()
            .checked_add(RENEW_BEFORE.as_secs())
            .map(Duration::from_secs)
            .unwrap_or_default(),
    );
    names.iter().all(|name| {
        ServerName::try_from(name.as_str()).is_ok_and(|server_name| {
            use rustls::client::danger::ServerCertVerifier as _;
            verifier
                .verify_server_cert(cert, &[], &server_name, &[], later)
                .is_ok()
        })
    })
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

/// Writes beside and renames, so a reader never sees half a certificate.
fn write_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("pem.tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(extra: &[&str]) -> Vec<String> {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        wanted_names(IpAddr::from([127, 0, 0, 1]), &extra).unwrap()
    }

    #[test]
    fn the_certificate_is_made_once_and_remade_for_a_new_name() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path(), &names(&[])).unwrap();
        let pem = std::fs::read(&first.cert_path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let key = dir.path().join(TLS_DIR).join(KEY_FILE);
            let mode = std::fs::metadata(key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        load_or_create(dir.path(), &names(&[])).unwrap();
        assert_eq!(std::fs::read(&first.cert_path).unwrap(), pem, "reused");
        let key = std::fs::read(dir.path().join(TLS_DIR).join(KEY_FILE)).unwrap();

        load_or_create(dir.path(), &names(&["contoso-host.test"])).unwrap();
        let remade = std::fs::read(&first.cert_path).unwrap();
        assert_ne!(remade, pem, "a new name makes a new certificate");
        assert_eq!(
            std::fs::read(dir.path().join(TLS_DIR).join(KEY_FILE)).unwrap(),
            key,
            "with the same key"
        );
        // Fewer names than the certificate carries: still reused.
        load_or_create(dir.path(), &names(&[])).unwrap();
        assert_eq!(std::fs::read(&first.cert_path).unwrap(), remade);
    }

    #[test]
    fn names_are_checked_and_deduplicated() {
        assert_eq!(
            names(&["Contoso-Host.test.", "localhost", "10.1.2.3"]),
            ["localhost", "127.0.0.1", "contoso-host.test", "10.1.2.3"]
        );
        assert!(wanted_names(IpAddr::from([127, 0, 0, 1]), &["bad name".into()]).is_err());
        assert_eq!(
            wanted_names(IpAddr::from([0, 0, 0, 0]), &[]).unwrap(),
            ["localhost", "127.0.0.1"]
        );
    }
}
