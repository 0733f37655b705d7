//! Clouds and their endpoints (spec `host-api.md` §9.5, §14.1–14.3): which
//! cloud an environment URL belongs to, and per cloud the sign-in authority
//! and the tenant-level services with the token audience each wants.
//!
//! The table is data ([`TABLE`]): a row per Microsoft cloud, with a service
//! left out where no source establishes its address (§14.2: sovereign BAP and
//! Power Apps hosts). The local cloud's row is not compiled in: the local host
//! serves it at `{origin}/.well-known/ferry/cloud`, since its ports are chosen
//! at start-up ([`fetch_local_table`]).

use std::fmt;
use std::net::IpAddr;

use serde::Deserialize;
use url::Url;

/// A cloud: Microsoft's, each with its own Entra authority and Dataverse
/// domains, or Ferry's local host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cloud {
    /// Commercial (`*.crm.dynamics.com`, `*.crmN.dynamics.com`).
    Public,
    /// US Government Community Cloud (`*.crm9.dynamics.com`): Public's authority, its own GDS.
    Gcc,
    /// US Government GCC High (`*.crm.microsoftdynamics.us`).
    UsGovHigh,
    /// US Government DoD (`*.crm.appsplatform.us`).
    UsDod,
    /// China, operated by 21Vianet (`*.crm.dynamics.cn`).
    China,
    /// Ferry's local host on loopback, its own authority.
    Local,
}

impl Cloud {
    /// Every cloud, in the order names are listed to people.
    pub const ALL: [Cloud; 6] = [
        Cloud::Public,
        Cloud::Gcc,
        Cloud::UsGovHigh,
        Cloud::UsDod,
        Cloud::China,
        Cloud::Local,
    ];

    /// The name used in connection files, links and `--cloud`.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::Gcc => "gcc",
            Cloud::UsGovHigh => "usgovhigh",
            Cloud::UsDod => "dod",
            Cloud::China => "china",
            Cloud::Local => "local",
        }
    }

    /// Parses a cloud name (case-insensitive), or says which names exist.
    pub fn parse(name: &str) -> Result<Cloud, CloudError> {
        let wanted = name.trim();
        Cloud::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| CloudError::UnknownCloud(wanted.to_string()))
    }

    /// The Entra ID authority host of a Microsoft cloud (`None` for the local
    /// cloud, whose authority is the host itself).
    pub fn authority_host(self) -> Option<&'static str> {
        row(self).map(|r| r.authority)
    }

    /// The cloud an environment URL belongs to: loopback is the local cloud,
    /// a Dataverse org URL maps by its domain (§9.5).
    pub fn of_url(environment_url: &str) -> Result<Cloud, String> {
        match HostKind::of(environment_url)? {
            HostKind::Microsoft(cloud) => Ok(cloud),
            HostKind::Local { .. } => Ok(Cloud::Local),
        }
    }

    /// This cloud's compiled-in endpoint table (not the local cloud's: see
    /// [`fetch_local_table`]).
    pub fn table(self) -> Result<CloudTable, CloudError> {
        let r = row(self).ok_or(CloudError::LocalNotCompiledIn)?;
        let endpoint = |e: Option<(&str, &str)>| {
            e.map(|(base, audience)| Endpoint {
                base: base.to_string(),
                audience: audience.to_string(),
            })
        };
        Ok(CloudTable {
            cloud: self,
            authority_host: r.authority.to_string(),
            tenant_id: None,
            gds: endpoint(r.gds),
            bap: endpoint(r.bap),
            power_apps: endpoint(r.power_apps),
        })
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Cloud {
    type Err = CloudError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cloud::parse(s)
    }
}

/// A tenant-level service with its own base URL and token audience (§14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// Global Discovery Service: the environments a user can reach (§14.1).
    Gds,
    /// Business Application Platform: environment metadata by BAP id (§14.2).
    Bap,
    /// Power Apps: an environment's connections (§14.3).
    PowerApps,
}

impl Service {
    fn label(self) -> &'static str {
        match self {
            Service::Gds => "Global Discovery Service",
            Service::Bap => "BAP environments service",
            Service::PowerApps => "Power Apps connections service",
        }
    }

    /// What a person can do instead when the service's address is unknown.
    fn instead(self) -> &'static str {
        match self {
            Service::Gds => "enter the environment's URL instead of picking it from a list",
            Service::Bap => {
                "enter the host environment's URL yourself (Ferry then probes it directly)"
            }
            Service::PowerApps => {
                "pick connection references' connections by id in the deployment settings"
            }
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Where a service lives and the resource its tokens must be issued for
/// (ask for `{audience}/.default`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Base URL without a trailing slash, like `https://globaldisco.crm.dynamics.com`.
    pub base: String,
    /// Token resource, like `https://service.powerapps.com/` (kept as given:
    /// Entra distinguishes a trailing slash).
    pub audience: String,
}

/// One cloud's endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudTable {
    pub cloud: Cloud,
    /// Like `https://login.microsoftonline.com` (for the local cloud, the host's origin).
    pub authority_host: String,
    /// The tenant the local host emulates (unknown up front for Microsoft clouds).
    pub tenant_id: Option<String>,
    gds: Option<Endpoint>,
    bap: Option<Endpoint>,
    power_apps: Option<Endpoint>,
}

impl CloudTable {
    /// A service's endpoint, or a sentence naming the cloud and service and what to do.
    pub fn endpoint(&self, service: Service) -> Result<&Endpoint, CloudError> {
        let entry = match service {
            Service::Gds => &self.gds,
            Service::Bap => &self.bap,
            Service::PowerApps => &self.power_apps,
        };
        entry.as_ref().ok_or(CloudError::NotEstablished {
            cloud: self.cloud,
            service,
        })
    }

    pub fn gds(&self) -> Result<&Endpoint, CloudError> {
        self.endpoint(Service::Gds)
    }

    pub fn bap(&self) -> Result<&Endpoint, CloudError> {
        self.endpoint(Service::Bap)
    }

    pub fn power_apps(&self) -> Result<&Endpoint, CloudError> {
        self.endpoint(Service::PowerApps)
    }

    /// The authority URL for a tenant: the given one, else the local host's
    /// own tenant, else `organizations` (§9.1: work accounts only).
    pub fn authority(&self, tenant: Option<&str>) -> String {
        let tenant = tenant
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .or(self.tenant_id.as_deref())
            .unwrap_or("organizations");
        format!("{}/{tenant}", self.authority_host)
    }

    /// The local cloud's table from the JSON its host serves at
    /// `/.well-known/ferry/cloud` (camelCase; unknown fields are ignored).
    /// The one place that knows that shape.
    pub fn from_local_json(json: &str) -> Result<CloudTable, CloudError> {
        let bad = |reason: String| CloudError::LocalTable(reason);
        let doc: LocalDoc = serde_json::from_str(json)
            .map_err(|e| bad(format!("it is not the expected JSON ({e})")))?;
        let url = |field: &str, value: &str| -> Result<String, CloudError> {
            let parsed = Url::parse(value.trim())
                .map_err(|e| bad(format!("{field} {value:?} is not a URL ({e})")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(bad(format!("{field} {value:?} is not an http(s) URL")));
            }
            Ok(value.trim().trim_end_matches('/').to_string())
        };
        let tenant_id = doc
            .tenant_id
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        // `authority` may name the tenant too ({origin}/{tenant}); keep the origin part.
        let mut authority_host = url("authority", &doc.authority)?;
        if let Some(t) = &tenant_id {
            if let Some(origin) = authority_host.strip_suffix(&format!("/{t}")) {
                authority_host = origin.to_string();
            }
        }
        for generic in ["/organizations", "/common"] {
            if let Some(origin) = authority_host.strip_suffix(generic) {
                authority_host = origin.to_string();
            }
        }
        let endpoint = |name: &str,
                        base: Option<String>,
                        audience: Option<String>|
         -> Result<Option<Endpoint>, CloudError> {
            let Some(base) = base.filter(|b| !b.trim().is_empty()) else {
                return Ok(None);
            };
            let base = url(name, &base)?;
            let audience = match audience.filter(|a| !a.trim().is_empty()) {
                Some(a) => {
                    url(&format!("{name}Audience"), &a)?;
                    a.trim().to_string()
                }
                None => base.clone(),
            };
            Ok(Some(Endpoint { base, audience }))
        };
        Ok(CloudTable {
            cloud: Cloud::Local,
            authority_host,
            tenant_id,
            gds: endpoint("gds", doc.gds, doc.gds_audience)?,
            bap: endpoint("bap", doc.bap, doc.bap_audience)?,
            power_apps: endpoint("powerApps", doc.power_apps, doc.power_apps_audience)?,
        })
    }
}

/// The local host's well-known cloud document. Audiences default to the base.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LocalDoc {
    authority: String,
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    gds: Option<String>,
    #[serde(default)]
    bap: Option<String>,
    #[serde(default)]
    power_apps: Option<String>,
    #[serde(default)]
    gds_audience: Option<String>,
    #[serde(default)]
    bap_audience: Option<String>,
    #[serde(default)]
    power_apps_audience: Option<String>,
}

/// The path under the local host's origin that serves its cloud table.
pub const LOCAL_TABLE_PATH: &str = "/.well-known/ferry/cloud";

/// Reads the local cloud's table from a running local host (`origin` like
/// `http://127.0.0.1:4321`; a path after it is ignored).
pub async fn fetch_local_table(origin: &str) -> Result<CloudTable, CloudError> {
    let parsed = Url::parse(origin.trim())
        .map_err(|e| CloudError::LocalTable(format!("{origin:?} is not a URL ({e})")))?;
    let url = format!(
        "{}://{}{LOCAL_TABLE_PATH}",
        parsed.scheme(),
        parsed.authority()
    );
    let http = crate::http::http_client(&crate::http::default_http_options())
        .map_err(|e| CloudError::LocalTable(e.to_string()))?;
    let unreachable = |reason: String| CloudError::LocalUnreachable {
        url: url.clone(),
        reason,
    };
    let response = http
        .get(&url)
        .send()
        .await
        .map_err(|e| unreachable(crate::http::send_failure(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(unreachable(format!("it answered {status}")));
    }
    let text = response
        .text()
        .await
        .map_err(|e| unreachable(crate::http::send_failure(&e)))?;
    CloudTable::from_local_json(&text)
}

/// Why a cloud or one of its endpoints is not available.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloudError {
    #[error(
        "{0:?} is not a cloud Ferry knows; use one of public, gcc, usgovhigh, dod, china or local"
    )]
    UnknownCloud(String),
    #[error("the {service} is not established for the {cloud} cloud (no source gives its address); {}", service.instead())]
    NotEstablished { cloud: Cloud, service: Service },
    #[error("the local cloud's endpoints are served by the local host; read them from it (fetch_local_table)")]
    LocalNotCompiledIn,
    #[error("cannot read the local host's cloud table at {url} ({reason}); is the local host running at that address?")]
    LocalUnreachable { url: String, reason: String },
    #[error("the local host's cloud table is not usable: {0}")]
    LocalTable(String),
}

/// A compiled-in row: `(base, audience)` per service, `None` where unknown.
pub struct Row {
    pub cloud: Cloud,
    pub authority: &'static str,
    pub gds: Option<(&'static str, &'static str)>,
    pub bap: Option<(&'static str, &'static str)>,
    pub power_apps: Option<(&'static str, &'static str)>,
}

/// BAP and Power Apps tokens are for this resource in the commercial cloud (§14.2, §14.3).
const POWERAPPS_RESOURCE: &str = "https://service.powerapps.com/";

/// The Microsoft clouds' endpoints (§9.5, §14.1–14.3). Sovereign (and GCC)
/// BAP and Power Apps hosts are not established by any source (§14.2), so
/// they are absent rather than guessed.
pub const TABLE: &[Row] = &[
    Row {
        cloud: Cloud::Public,
        authority: "https://login.microsoftonline.com",
        gds: Some((
            "https://globaldisco.crm.dynamics.com",
            "https://globaldisco.crm.dynamics.com",
        )),
        bap: Some(("https://api.bap.microsoft.com", POWERAPPS_RESOURCE)),
        power_apps: Some(("https://api.powerapps.com", POWERAPPS_RESOURCE)),
    },
    Row {
        cloud: Cloud::Gcc,
        authority: "https://login.microsoftonline.com",
        gds: Some((
            "https://globaldisco.crm9.dynamics.com",
            "https://globaldisco.crm9.dynamics.com",
        )),
        bap: None,
        power_apps: None,
    },
    Row {
        cloud: Cloud::UsGovHigh,
        authority: "https://login.microsoftonline.us",
        gds: Some((
            "https://globaldisco.crm.microsoftdynamics.us",
            "https://globaldisco.crm.microsoftdynamics.us",
        )),
        bap: None,
        power_apps: None,
    },
    Row {
        cloud: Cloud::UsDod,
        authority: "https://login.microsoftonline.us",
        gds: Some((
            "https://globaldisco.crm.appsplatform.us",
            "https://globaldisco.crm.appsplatform.us",
        )),
        bap: None,
        power_apps: None,
    },
    Row {
        cloud: Cloud::China,
        authority: "https://login.partner.microsoftonline.cn",
        gds: Some((
            "https://globaldisco.crm.dynamics.cn",
            "https://globaldisco.crm.dynamics.cn",
        )),
        bap: None,
        power_apps: None,
    },
];

fn row(cloud: Cloud) -> Option<&'static Row> {
    TABLE.iter().find(|r| r.cloud == cloud)
}

/// Who signs a maker in for a given host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKind {
    /// A Dataverse environment in a Microsoft cloud (never [`Cloud::Local`]).
    Microsoft(Cloud),
    /// Ferry's local host on loopback: it is its own authority.
    Local { authority: String },
}

/// Whether a URL host is loopback: `localhost`, 127.0.0.0/8 or `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl HostKind {
    /// Classifies a host URL, or says why it is not one Ferry can sign in to.
    pub fn of(host_url: &str) -> Result<Self, String> {
        let url = Url::parse(host_url.trim())
            .map_err(|e| format!("{host_url:?} is not a URL ({e}); use the environment URL, like https://contoso.crm.dynamics.com"))?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if is_loopback_host(&host) {
            let authority = format!("{}://{}", url.scheme(), url.authority());
            return Ok(HostKind::Local { authority });
        }
        if url.scheme() != "https" {
            return Err(format!(
                "{host_url} must use https:// (only the local host may use http)"
            ));
        }
        // The label before the cloud's domain: `crm` or `crmN`.
        let crm_label = |suffix: &str| {
            host.strip_suffix(suffix)
                .and_then(|rest| rest.rsplit_once('.'))
                .filter(|(org, label)| {
                    !org.is_empty()
                        && (*label == "crm"
                            || (label.starts_with("crm")
                                && label.len() > 3
                                && label[3..].chars().all(|c| c.is_ascii_digit())))
                })
                .map(|(_, label)| label.to_string())
        };
        let cloud = if let Some(label) = crm_label(".dynamics.com") {
            if label == "crm9" {
                Cloud::Gcc
            } else {
                Cloud::Public
            }
        } else if crm_label(".microsoftdynamics.us").as_deref() == Some("crm") {
            Cloud::UsGovHigh
        } else if crm_label(".appsplatform.us").as_deref() == Some("crm") {
            Cloud::UsDod
        } else if crm_label(".dynamics.cn").as_deref() == Some("crm") {
            Cloud::China
        } else {
            return Err(format!(
                "{host} is not a Dataverse environment address (expected e.g. contoso.crm.dynamics.com or contoso.crm4.dynamics.com)"
            ));
        };
        Ok(HostKind::Microsoft(cloud))
    }

    /// The cloud this host is in.
    pub fn cloud(&self) -> Cloud {
        match self {
            HostKind::Microsoft(cloud) => *cloud,
            HostKind::Local { .. } => Cloud::Local,
        }
    }

    /// The authority URL for a tenant (`organizations` when unknown).
    pub fn authority(&self, tenant: Option<&str>) -> String {
        let tenant = tenant.filter(|t| !t.is_empty()).unwrap_or("organizations");
        match self {
            HostKind::Microsoft(cloud) => format!(
                "{}/{tenant}",
                cloud
                    .authority_host()
                    .expect("every Microsoft cloud has an authority row")
            ),
            HostKind::Local { authority } => format!("{authority}/{tenant}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_org_urls_to_clouds() {
        let cases = [
            ("https://contoso.crm.dynamics.com", Cloud::Public),
            ("https://contoso.crm4.dynamics.com/", Cloud::Public),
            ("https://contoso.crm12.dynamics.com", Cloud::Public),
            ("https://contoso.crm9.dynamics.com", Cloud::Gcc),
            ("https://contoso.crm.microsoftdynamics.us", Cloud::UsGovHigh),
            ("https://contoso.crm.appsplatform.us", Cloud::UsDod),
            ("https://contoso.crm.dynamics.cn", Cloud::China),
            ("HTTPS://Contoso.CRM.Dynamics.COM/main.aspx", Cloud::Public),
        ];
        for (url, cloud) in cases {
            assert_eq!(HostKind::of(url), Ok(HostKind::Microsoft(cloud)), "{url}");
            assert_eq!(Cloud::of_url(url), Ok(cloud), "{url}");
        }
        assert_eq!(
            HostKind::of("https://contoso.crm.dynamics.com")
                .unwrap()
                .authority(Some("contoso.example")),
            "https://login.microsoftonline.com/contoso.example"
        );
        assert_eq!(
            HostKind::of("https://x.crm.appsplatform.us")
                .unwrap()
                .authority(None),
            "https://login.microsoftonline.us/organizations"
        );
        assert_eq!(
            HostKind::of("https://x.crm9.dynamics.com")
                .unwrap()
                .authority(None),
            "https://login.microsoftonline.com/organizations",
            "GCC signs in at Public's authority"
        );
    }

    #[test]
    fn loopback_urls_are_the_local_cloud() {
        for url in [
            "http://127.0.0.1:4321",
            "http://127.1.2.3:80/x",
            "http://localhost:9",
            "http://[::1]:9/",
        ] {
            assert_eq!(Cloud::of_url(url), Ok(Cloud::Local), "{url}");
        }
        let kind = HostKind::of("http://127.0.0.1:4321").unwrap();
        assert_eq!(kind.authority(Some("t1")), "http://127.0.0.1:4321/t1");
        assert_eq!(kind.cloud(), Cloud::Local);
        assert!(!is_loopback_host("128.0.0.1"));
        assert!(!is_loopback_host("localhost.evil.example"));
    }

    #[test]
    fn refuses_what_is_not_a_host() {
        assert!(HostKind::of("contoso").unwrap_err().contains("not a URL"));
        assert!(HostKind::of("http://contoso.crm.dynamics.com")
            .unwrap_err()
            .contains("https"));
        assert!(HostKind::of("https://example.com")
            .unwrap_err()
            .contains("not a Dataverse"));
        assert!(HostKind::of("https://evil.crmx.dynamics.com").is_err());
        assert!(HostKind::of("https://crm.dynamics.com.evil.example").is_err());
        assert!(HostKind::of("https://crm.dynamics.com").is_err(), "no org");
        assert!(HostKind::of("https://x.crm4.dynamics.cn").is_err());
    }

    #[test]
    fn cloud_names_parse_and_unknown_ones_are_listed() {
        for cloud in Cloud::ALL {
            assert_eq!(Cloud::parse(cloud.name()), Ok(cloud));
            assert_eq!(cloud.to_string().parse::<Cloud>(), Ok(cloud));
        }
        assert_eq!(Cloud::parse(" DoD "), Ok(Cloud::UsDod));
        let e = Cloud::parse("azure").unwrap_err().to_string();
        assert!(
            e.contains("\"azure\"") && e.contains("public, gcc, usgovhigh, dod, china or local"),
            "{e}"
        );
    }

    #[test]
    fn every_microsoft_cloud_has_a_row_with_authority_and_gds() {
        for cloud in Cloud::ALL.into_iter().filter(|c| *c != Cloud::Local) {
            let t = cloud.table().unwrap();
            assert_eq!(t.cloud, cloud);
            assert!(t.authority_host.starts_with("https://login."), "{cloud}");
            let gds = t.gds().unwrap();
            assert!(gds.base.starts_with("https://globaldisco."), "{cloud}");
            assert_eq!(gds.audience, gds.base, "GDS tokens are for its base");
        }
        assert_eq!(
            Cloud::Local.table().unwrap_err(),
            CloudError::LocalNotCompiledIn
        );
        assert_eq!(Cloud::Local.authority_host(), None);
    }

    #[test]
    fn public_has_every_service_and_gcc_its_own_gds() {
        let public = Cloud::Public.table().unwrap();
        assert_eq!(public.bap().unwrap().base, "https://api.bap.microsoft.com");
        assert_eq!(
            public.bap().unwrap().audience,
            "https://service.powerapps.com/"
        );
        assert_eq!(
            public.power_apps().unwrap().base,
            "https://api.powerapps.com"
        );
        assert_eq!(
            public.power_apps().unwrap().audience,
            "https://service.powerapps.com/"
        );
        let gcc = Cloud::Gcc.table().unwrap();
        assert_eq!(gcc.authority_host, public.authority_host);
        assert_eq!(
            gcc.gds().unwrap().base,
            "https://globaldisco.crm9.dynamics.com"
        );
        assert_eq!(
            Cloud::China.table().unwrap().authority(None),
            "https://login.partner.microsoftonline.cn/organizations"
        );
    }

    #[test]
    fn an_unestablished_entry_fails_with_a_sentence() {
        for cloud in [Cloud::Gcc, Cloud::UsGovHigh, Cloud::UsDod, Cloud::China] {
            let t = cloud.table().unwrap();
            let e = t.bap().unwrap_err().to_string();
            assert!(e.contains(cloud.name()) && e.contains("BAP"), "{e}");
            assert!(e.contains("URL yourself"), "says what to do: {e}");
            let e = t.power_apps().unwrap_err().to_string();
            assert!(e.contains(cloud.name()) && e.contains("Power Apps"), "{e}");
        }
    }

    #[test]
    fn the_local_table_is_read_from_json_and_tolerates_unknown_fields() {
        let t = CloudTable::from_local_json(
            r#"{"authority":"http://127.0.0.1:7000/8f0a3c2e-0000-4000-8000-000000000001",
                "tenantId":"8f0a3c2e-0000-4000-8000-000000000001",
                "gds":"http://127.0.0.1:7001/",
                "gdsAudience":"http://127.0.0.1:7001",
                "bap":"http://127.0.0.1:7002",
                "bapAudience":"http://127.0.0.1:7002/",
                "powerApps":"http://127.0.0.1:7003",
                "somethingNew":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(t.cloud, Cloud::Local);
        assert_eq!(t.authority_host, "http://127.0.0.1:7000");
        assert_eq!(
            t.authority(None),
            "http://127.0.0.1:7000/8f0a3c2e-0000-4000-8000-000000000001"
        );
        assert_eq!(t.gds().unwrap().base, "http://127.0.0.1:7001");
        assert_eq!(t.gds().unwrap().audience, "http://127.0.0.1:7001");
        assert_eq!(t.bap().unwrap().audience, "http://127.0.0.1:7002/");
        assert_eq!(
            t.power_apps().unwrap().audience,
            "http://127.0.0.1:7003",
            "an audience defaults to its base"
        );

        let minimal = CloudTable::from_local_json(r#"{"authority":"http://localhost:9"}"#).unwrap();
        assert!(minimal.gds().unwrap_err().to_string().contains("local"));
        for bad in [
            "",
            "{}",
            r#"{"authority":"nope"}"#,
            r#"{"authority":"http://127.0.0.1:9","gds":"ftp://x"}"#,
            r#"{"authority":"http://127.0.0.1:9","bap":"http://127.0.0.1:9","bapAudience":"x"}"#,
        ] {
            let e = CloudTable::from_local_json(bad).unwrap_err();
            assert!(matches!(e, CloudError::LocalTable(_)), "{bad}: {e}");
        }
    }
}
