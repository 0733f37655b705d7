//! What an admin hands makers so Ferry connects without questions: a JSON
//! connection file, or the same fields in a `ferry://connect?…` link.
//! Parsed strictly (unknown fields and versions, bad tenant ids, clouds and
//! control characters are refused with a sentence); nothing here connects.
//!
//! ```json
//! {
//!   "version": 1,
//!   "name": "Contoso",
//!   "tenant": "contoso.onmicrosoft.com",
//!   "cloud": "public",
//!   "clientId": "00000000-0000-0000-0000-000000000000",
//!   "environment": "https://contoso-dev.crm.dynamics.com"
//! }
//! ```
//!
//! `ferry://connect?version=1&tenant=contoso.onmicrosoft.com&cloud=public&clientId=…&environment=…&name=Contoso`
//! carries the same fields; `ferry://open?file=/abs/path/contoso.ferry.json`
//! names a connection file to read ([`FerryLink`]).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cloud::Cloud;

/// The connection file version this Ferry reads and writes.
pub const CONNECTION_VERSION: u64 = 1;

/// The largest connection file or link read (they are a few hundred bytes).
const MAX_LEN: usize = 16 * 1024;

const FIELDS: &str = "version, name, tenant, cloud, clientId and environment";

/// An admin-provided connection: where and how makers sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionFile {
    /// The profile name to create (`None`: the caller picks one).
    pub name: Option<String>,
    /// Tenant id (GUID) or a verified domain like `contoso.onmicrosoft.com`.
    pub tenant: String,
    pub cloud: Cloud,
    /// The application (client) id of the organisation's Ferry app registration.
    pub client_id: String,
    /// The environment to start with: its URL or its name.
    pub environment: Option<String>,
}

/// Why a connection file or link was refused: a sentence saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConnectionError(pub String);

fn refuse<T>(text: impl Into<String>) -> Result<T, ConnectionError> {
    Err(ConnectionError(text.into()))
}

/// A `ferry://` link, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FerryLink {
    /// `ferry://connect?…`: the connection in the link itself.
    Connect(ConnectionFile),
    /// `ferry://open?file=…`: a connection file to read (ask before reading it).
    Open { file: PathBuf },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Written<'a> {
    version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    tenant: &'a str,
    cloud: &'a str,
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'a str>,
}

impl ConnectionFile {
    /// Reads a connection file's JSON.
    pub fn from_json(text: &str) -> Result<Self, ConnectionError> {
        if text.len() > MAX_LEN {
            return refuse("this connection file is too large to be one (a connection file is a few lines of JSON)");
        }
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return refuse(format!("this connection file is not JSON ({e})")),
        };
        let Some(object) = value.as_object() else {
            return refuse("a connection file is a JSON object ({ \"version\": 1, … })");
        };
        let version = match object.get("version") {
            None => {
                return refuse(
                    "this connection file has no version; it must start with \"version\": 1",
                )
            }
            Some(v) => match v.as_u64() {
                Some(n) => n,
                None => {
                    return refuse(format!(
                        "the connection file's version {v} is not a number like 1"
                    ))
                }
            },
        };
        check_version(version)?;
        let mut fields = Vec::new();
        for (key, value) in object {
            if key == "version" {
                continue;
            }
            let Some(text) = value.as_str() else {
                return refuse(format!(
                    "the connection file's {key} must be text (in quotes)"
                ));
            };
            fields.push((key.clone(), text.to_string()));
        }
        Self::from_fields(fields)
    }

    /// Reads a connection file from disk.
    pub fn from_file(path: &Path) -> Result<Self, ConnectionError> {
        let cannot = |e: std::io::Error| {
            ConnectionError(format!(
                "cannot read the connection file {} ({e})",
                path.display()
            ))
        };
        let len = std::fs::metadata(path).map_err(cannot)?.len();
        if len > MAX_LEN as u64 {
            return refuse(format!(
                "{} is too large to be a connection file",
                path.display()
            ));
        }
        let text = std::fs::read_to_string(path).map_err(cannot)?;
        Self::from_json(&text).map_err(|e| ConnectionError(format!("{}: {e}", path.display())))
    }

    /// Reads a `ferry://connect?…` link (for `ferry://open?file=…` use [`FerryLink::parse`]).
    pub fn from_link(link: &str) -> Result<Self, ConnectionError> {
        match FerryLink::parse(link)? {
            FerryLink::Connect(c) => Ok(c),
            FerryLink::Open { file } => refuse(format!(
                "this link opens the connection file {}; read that file instead",
                file.display()
            )),
        }
    }

    /// The connection file's JSON (pretty, fields in a fixed order).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&Written {
            version: CONNECTION_VERSION,
            name: self.name.as_deref(),
            tenant: &self.tenant,
            cloud: self.cloud.name(),
            client_id: &self.client_id,
            environment: self.environment.as_deref(),
        })
        .expect("a connection serializes")
            + "\n"
    }

    /// The same connection as a `ferry://connect?…` link.
    pub fn to_link(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("version", &CONNECTION_VERSION.to_string());
        if let Some(name) = &self.name {
            query.append_pair("name", name);
        }
        query.append_pair("tenant", &self.tenant);
        query.append_pair("cloud", self.cloud.name());
        query.append_pair("clientId", &self.client_id);
        if let Some(env) = &self.environment {
            query.append_pair("environment", env);
        }
        format!("ferry://connect?{}", query.finish())
    }

    /// Checks and assembles the fields (every field but `version`).
    fn from_fields(fields: Vec<(String, String)>) -> Result<Self, ConnectionError> {
        let mut name = None;
        let mut tenant = None;
        let mut cloud = None;
        let mut client_id = None;
        let mut environment = None;
        for (key, value) in fields {
            if value.chars().any(char::is_control) {
                return refuse(format!("the {key} contains control characters; retype it"));
            }
            let value = value.trim().to_string();
            let slot = match key.as_str() {
                "name" => &mut name,
                "tenant" => &mut tenant,
                "cloud" => &mut cloud,
                "clientId" => &mut client_id,
                "environment" => &mut environment,
                other => {
                    return refuse(format!(
                        "{other:?} is not a connection field; a connection has {FIELDS}"
                    ))
                }
            };
            if slot.is_some() {
                return refuse(format!("the {key} is given twice; give it once"));
            }
            *slot = Some(value).filter(|v: &String| !v.is_empty());
        }
        let Some(cloud) = cloud else {
            return refuse("the connection names no cloud; add \"cloud\": one of public, gcc, usgovhigh, dod, china or local");
        };
        let cloud = Cloud::parse(&cloud)
            .map_err(|e| ConnectionError(format!("the connection's cloud: {e}")))?;
        let Some(tenant) = tenant else {
            return refuse("the connection names no tenant; add \"tenant\": the tenant id (a GUID) or a domain like contoso.onmicrosoft.com");
        };
        check_tenant(&tenant)?;
        let Some(client_id) = client_id else {
            return refuse("the connection has no clientId; add \"clientId\": the application (client) id of your organisation's Ferry app registration (ask your admin)");
        };
        if cloud != Cloud::Local && !is_guid(&client_id) {
            return refuse(format!("the clientId {client_id:?} is not an application id (a GUID like 00000000-0000-0000-0000-000000000000)"));
        }
        if let Some(env) = &environment {
            check_environment(env, cloud)?;
        }
        if let Some(n) = &name {
            if n.chars().count() > 64 {
                return refuse("the connection's name is longer than 64 characters; shorten it");
            }
        }
        Ok(ConnectionFile {
            name,
            tenant,
            cloud,
            client_id,
            environment,
        })
    }
}

impl FerryLink {
    /// Parses a `ferry://` link; anything else is refused with a sentence.
    pub fn parse(link: &str) -> Result<Self, ConnectionError> {
        let link = link.trim();
        if link.len() > MAX_LEN {
            return refuse("this link is too long to be a Ferry link");
        }
        // The URL parser silently drops tabs and newlines; refuse them first.
        if link.chars().any(char::is_control) {
            return refuse("this link contains control characters; copy it again");
        }
        let url = match url::Url::parse(link) {
            Ok(u) => u,
            Err(e) => return refuse(format!("this is not a link ({e})")),
        };
        if url.scheme() != "ferry" {
            return refuse(format!(
                "this is a {}: link, not a ferry:// link; Ferry opens only its own links",
                url.scheme()
            ));
        }
        if !url.username().is_empty() || url.password().is_some() || url.port().is_some() {
            return refuse(
                "this ferry:// link has a user name, password or port; Ferry links have none",
            );
        }
        if url.fragment().is_some() {
            return refuse("this ferry:// link has a #fragment; Ferry links have none");
        }
        if url.host_str().unwrap_or_default().is_empty() {
            return refuse("this ferry: link names no action; Ferry links are ferry://connect?… or ferry://open?file=…");
        }
        if !matches!(url.path(), "" | "/") {
            return refuse(format!(
                "this ferry:// link has a path ({}); Ferry links are ferry://connect?… or ferry://open?file=…",
                url.path()
            ));
        }
        let action = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in url.query_pairs() {
            if k.chars().chain(v.chars()).any(char::is_control) {
                return refuse("this link contains control characters; copy it again");
            }
            if pairs.iter().any(|(seen, _)| *seen == k) {
                return refuse(format!("the link gives {k} twice; give it once"));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        match action.as_str() {
            "connect" => {
                let Some(at) = pairs.iter().position(|(k, _)| k == "version") else {
                    return refuse("this ferry://connect link has no version; it must carry version=1");
                };
                let (_, version) = pairs.remove(at);
                let Ok(version) = version.trim().parse::<u64>() else {
                    return refuse(format!("the link's version {version:?} is not a number like 1"));
                };
                check_version(version)?;
                Ok(FerryLink::Connect(ConnectionFile::from_fields(pairs)?))
            }
            "open" => {
                let mut file = None;
                for (k, v) in pairs {
                    if k != "file" {
                        return refuse(format!("{k:?} is not part of a ferry://open link; it carries only file=…"));
                    }
                    file = Some(v);
                }
                let Some(file) = file.filter(|f| !f.trim().is_empty()) else {
                    return refuse("this ferry://open link names no file; it carries file=<the connection file's full path>");
                };
                let path = PathBuf::from(&file);
                if !path.is_absolute() {
                    return refuse(format!("the link's file {file:?} is not a full path; links name files by their full path"));
                }
                let json = path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"));
                if !json {
                    return refuse(format!("the link's file {file:?} is not a .json connection file"));
                }
                Ok(FerryLink::Open { file: path })
            }
            other => refuse(format!(
                "ferry://{other} is not a Ferry link this version knows; Ferry links are ferry://connect?… or ferry://open?file=…"
            )),
        }
    }
}

fn check_version(version: u64) -> Result<(), ConnectionError> {
    if version == CONNECTION_VERSION {
        Ok(())
    } else if version > CONNECTION_VERSION {
        refuse(format!("this connection is version {version}, made for a newer Ferry (this one reads version {CONNECTION_VERSION}); update Ferry"))
    } else {
        refuse(format!("version {version} is not a connection version (this Ferry reads version {CONNECTION_VERSION})"))
    }
}

/// A GUID in its usual hyphenated form.
fn is_guid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

fn check_tenant(tenant: &str) -> Result<(), ConnectionError> {
    if is_guid(tenant) || is_domain(tenant) {
        return Ok(());
    }
    // Hex digits and hyphens only: meant as a tenant id, mistyped.
    if tenant.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return refuse(format!("the tenant {tenant:?} is not a valid tenant id (a GUID like 00000000-0000-0000-0000-000000000000); copy it again from the Entra admin center"));
    }
    refuse(format!("the tenant {tenant:?} is neither a tenant id (GUID) nor a domain like contoso.onmicrosoft.com"))
}

/// A DNS name with at least two labels and an alphabetic top-level label.
fn is_domain(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

fn check_environment(env: &str, cloud: Cloud) -> Result<(), ConnectionError> {
    if env.contains("://") {
        let found = match Cloud::of_url(env) {
            Ok(found) => found,
            // Ferry's own host may be served under any name, plain http included (a test
            // host with `--listen`): whether to talk to it is decided at sign-in, where
            // plain http off this computer needs the maker's opt-in.
            Err(_)
                if cloud == Cloud::Local
                    && url::Url::parse(env)
                        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host()) =>
            {
                return Ok(())
            }
            Err(e) => return refuse(format!("the connection's environment: {e}")),
        };
        if found != cloud {
            return refuse(format!(
                "the environment {env} is in the {found} cloud but the connection says {cloud}; correct one of them"
            ));
        }
        Ok(())
    } else if env.chars().count() > 200 {
        refuse(
            "the connection's environment name is longer than 200 characters; give its URL instead",
        )
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: &str = "8f0a3c2e-1b4d-4e6f-9a0b-1c2d3e4f5a6b";
    const CLIENT: &str = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";

    fn sample() -> ConnectionFile {
        ConnectionFile {
            name: Some("Contoso & Partners".into()),
            tenant: "contoso.onmicrosoft.com".into(),
            cloud: Cloud::Public,
            client_id: CLIENT.into(),
            environment: Some("https://contoso-dev.crm4.dynamics.com".into()),
        }
    }

    fn json(fields: &str) -> Result<ConnectionFile, ConnectionError> {
        ConnectionFile::from_json(&format!("{{\"version\":1,{fields}}}"))
    }

    fn refusal(r: Result<ConnectionFile, ConnectionError>) -> String {
        r.unwrap_err().0
    }

    #[test]
    fn a_connection_round_trips_through_json_and_link() {
        let c = sample();
        assert_eq!(ConnectionFile::from_json(&c.to_json()).unwrap(), c);
        assert_eq!(ConnectionFile::from_link(&c.to_link()).unwrap(), c);
        assert!(
            c.to_json().starts_with("{\n  \"version\": 1,"),
            "{}",
            c.to_json()
        );
        assert!(
            c.to_link().starts_with("ferry://connect?version=1&"),
            "{}",
            c.to_link()
        );
        let minimal = json(&format!(
            r#""tenant":"{TENANT}","cloud":"GCC","clientId":"{CLIENT}""#
        ))
        .unwrap();
        assert_eq!(minimal.cloud, Cloud::Gcc);
        assert_eq!((minimal.name, minimal.environment), (None, None));
        let by_name = json(&format!(
            r#""tenant":"{TENANT}","cloud":"dod","clientId":"{CLIENT}","environment":"Contoso Dev""#
        ))
        .unwrap();
        assert_eq!(by_name.environment.as_deref(), Some("Contoso Dev"));
        let local = json(r#""tenant":"contoso.example","cloud":"local","clientId":"ferry","environment":"http://127.0.0.1:4321""#).unwrap();
        // A local host served to the network: read here, its plain http judged at sign-in.
        let far = json(r#""tenant":"contoso.example","cloud":"local","clientId":"ferry","environment":"http://192.0.2.10:4321/environments/dev""#).unwrap();
        assert_eq!(far.cloud, Cloud::Local);
        assert!(json(r#""tenant":"contoso.example","cloud":"public","clientId":"ferry","environment":"http://192.0.2.10:4321""#).is_err());
        assert_eq!(local.client_id, "ferry", "any client id on the local host");
    }

    #[test]
    fn json_refusals_say_what_is_wrong() {
        let ok = format!(r#""tenant":"{TENANT}","cloud":"public","clientId":"{CLIENT}""#);
        let cases: Vec<(String, &str)> = vec![
            ("not json".into(), "not JSON"),
            ("[1]".into(), "JSON object"),
            (format!("{{{ok}}}"), "no version"),
            (format!("{{\"version\":\"1\",{ok}}}"), "not a number"),
            (format!("{{\"version\":2,{ok}}}"), "newer Ferry"),
            (
                format!("{{\"version\":0,{ok}}}"),
                "not a connection version",
            ),
        ];
        for (text, want) in cases {
            let e = refusal(ConnectionFile::from_json(&text));
            assert!(e.contains(want), "{text}: {e}");
        }
        let cases: Vec<(String, &str)> = vec![
            (
                format!(r#""tenant":"{TENANT}","clientId":"{CLIENT}""#),
                "no cloud",
            ),
            (
                format!(r#""tenant":"{TENANT}","cloud":"azure","clientId":"{CLIENT}""#),
                "\"azure\" is not a cloud",
            ),
            (
                format!(r#""cloud":"public","clientId":"{CLIENT}""#),
                "no tenant",
            ),
            (
                format!(
                    r#""tenant":"8f0a3c2e-1b4d-4e6f-9a0b","cloud":"public","clientId":"{CLIENT}""#
                ),
                "not a valid tenant id",
            ),
            (
                format!(r#""tenant":"organizations","cloud":"public","clientId":"{CLIENT}""#),
                "neither a tenant id",
            ),
            (
                format!(r#""tenant":"contoso..com","cloud":"public","clientId":"{CLIENT}""#),
                "neither a tenant id",
            ),
            (
                format!(r#""tenant":"{TENANT}","cloud":"public""#),
                "no clientId",
            ),
            (
                format!(r#""tenant":"{TENANT}","cloud":"public","clientId":"""#),
                "no clientId",
            ),
            (
                format!(r#""tenant":"{TENANT}","cloud":"public","clientId":"ferry""#),
                "not an application id",
            ),
            (
                format!(r#"{ok},"environment":"https://x.crm9.dynamics.com""#),
                "in the gcc cloud but the connection says public",
            ),
            (
                format!(r#"{ok},"environment":"https://example.com""#),
                "not a Dataverse",
            ),
            (
                format!(r#"{ok},"clientid":"{CLIENT}""#),
                "not a connection field",
            ),
            (format!(r#"{ok},"name":3"#), "must be text"),
            (format!(r#"{ok},"name":"a\u0007b""#), "control characters"),
            (
                format!(r#"{ok},"name":"{}""#, "n".repeat(65)),
                "longer than 64",
            ),
        ];
        for (fields, want) in cases {
            let e = refusal(json(&fields));
            assert!(e.contains(want), "{fields}: {e}");
        }
    }

    #[test]
    fn links_are_parsed_and_anything_else_refused() {
        let open =
            FerryLink::parse("ferry://open?file=%2Fhome%2Fmona%2Fcontoso.ferry.json").unwrap();
        assert_eq!(
            open,
            FerryLink::Open {
                file: PathBuf::from("/home/mona/contoso.ferry.json")
            }
        );
        let base = format!("version=1&tenant={TENANT}&cloud=public&clientId={CLIENT}");
        assert!(FerryLink::parse(&format!("FERRY://Connect/?{base}")).is_ok());
        let cases: Vec<(String, &str)> = vec![
            (format!("https://connect?{base}"), "not a ferry:// link"),
            (
                format!("javascript:alert(1)//ferry://connect?{base}"),
                "not a ferry:// link",
            ),
            ("not a link".into(), "not a link"),
            (
                format!("ferry://delete?{base}"),
                "ferry://delete is not a Ferry link",
            ),
            (format!("ferry:connect?{base}"), "names no action"),
            (format!("ferry://connect/more?{base}"), "has a path"),
            (format!("ferry://connect?{base}#x"), "fragment"),
            (format!("ferry://user@connect?{base}"), "user name"),
            (format!("ferry://connect:99?{base}"), "port"),
            (format!("ferry://connect?{base}&tenant={TENANT}"), "twice"),
            (
                format!("ferry://connect?{base}&extra=1"),
                "not a connection field",
            ),
            (
                format!("ferry://connect?{base}&name=a%0Ab"),
                "control characters",
            ),
            (format!("ferry://con\nnect?{base}"), "control characters"),
            (format!("ferry://connect?\t{base}"), "control characters"),
            (
                format!("ferry://connect?tenant={TENANT}&cloud=public&clientId={CLIENT}"),
                "no version",
            ),
            (
                format!("ferry://connect?version=9&tenant={TENANT}&cloud=public&clientId={CLIENT}"),
                "newer Ferry",
            ),
            (
                format!("ferry://connect?version=1&tenant={TENANT}&cloud=mars&clientId={CLIENT}"),
                "not a cloud",
            ),
            (
                format!("ferry://connect?version=1&tenant=x&cloud=public&clientId={CLIENT}"),
                "neither a tenant id",
            ),
            ("ferry://open?file=relative.json".into(), "not a full path"),
            ("ferry://open?file=%2Fetc%2Fpasswd".into(), "not a .json"),
            ("ferry://open".into(), "names no file"),
            ("ferry://open?file=%2Fa.json&mode=x".into(), "only file"),
        ];
        for (link, want) in cases {
            let e = FerryLink::parse(&link).unwrap_err().0;
            assert!(e.contains(want), "{link:?}: {e}");
        }
        let e = ConnectionFile::from_link("ferry://open?file=%2Fa.json")
            .unwrap_err()
            .0;
        assert!(e.contains("read that file"), "{e}");
    }

    #[test]
    fn a_file_is_read_from_disk_and_named_in_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("contoso.ferry.json");
        std::fs::write(&path, sample().to_json()).unwrap();
        assert_eq!(ConnectionFile::from_file(&path).unwrap(), sample());
        std::fs::write(&path, "{}").unwrap();
        let e = ConnectionFile::from_file(&path).unwrap_err().0;
        assert!(
            e.contains("contoso.ferry.json") && e.contains("no version"),
            "{e}"
        );
        let e = ConnectionFile::from_file(&dir.path().join("nope.json"))
            .unwrap_err()
            .0;
        assert!(e.contains("cannot read"), "{e}");
    }
}
