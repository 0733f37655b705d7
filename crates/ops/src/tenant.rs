//! The tenant beyond the pipelines host (spec `host-api.md` §14): the cloud's
//! environment list (Global Discovery), environment metadata (BAP) and
//! connections (Power Apps), each at its own per-cloud base with its own token
//! audience, read from the cloud's endpoint table — never derived from the
//! host's URL — and a token per audience for every Dataverse org Ferry calls
//! (host, dev, each target).

use std::sync::Arc;

use ferry_auth::{CloudTable, Service};
use ferry_dataverse::odata::{encode_query_value, string_literal};
use ferry_dataverse::{Client, ClientOptions, ErrorKind, TokenFuture};
use serde_json::Value;

use crate::error::{OpsError, Result};

/// Where Ferry's access tokens come from.
#[derive(Clone)]
pub(crate) enum Tokens {
    /// `FERRY_TOKEN`: one bearer token, sent to every audience (a host token opens
    /// only the host on a real tenant).
    Static(String),
    /// One sign-in (Ferry's own, or the Azure CLI's): a token per audience.
    Source(Arc<dyn ferry_auth::TokenSource>),
}

impl Tokens {
    /// A token source for a Dataverse org (its URL; the audience has no trailing slash).
    pub fn for_org(&self, url: &str) -> Arc<dyn ferry_dataverse::TokenSource> {
        self.for_audience(url.trim().trim_end_matches('/'))
    }

    /// A token source for an audience exactly as a cloud's table gives it (Entra tells
    /// `https://service.powerapps.com/` from `https://service.powerapps.com`).
    pub fn for_audience(&self, audience: &str) -> Arc<dyn ferry_dataverse::TokenSource> {
        Arc::new(Audience {
            tokens: self.clone(),
            resource: audience.trim().to_string(),
        })
    }
}

struct Audience {
    tokens: Tokens,
    resource: String,
}

impl ferry_dataverse::TokenSource for Audience {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            match &self.tokens {
                Tokens::Static(t) => Ok(t.clone()),
                Tokens::Source(source) => source
                    .token_for(&self.resource)
                    .await
                    .map(|t| t.expose().to_string())
                    .map_err(|e| e.to_string()),
            }
        })
    }
}

/// A client for a Dataverse org, with a token for that org.
pub(crate) fn org_client(url: &str, tokens: &Tokens, options: &ClientOptions) -> Result<Client> {
    Ok(Client::with_options(
        url,
        tokens.for_org(url),
        options.clone(),
    )?)
}

/// One environment as Global Discovery lists it (§14.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Instance {
    /// The organization id (`Id`): not the BAP id.
    pub organization_id: String,
    /// The Power Platform (BAP) environment id (`EnvironmentId`).
    pub bap_id: String,
    pub unique_name: String,
    pub url_name: String,
    pub friendly_name: String,
    pub url: String,
    pub region: Option<String>,
}

impl Instance {
    fn from_json(v: &Value) -> Option<Self> {
        let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let url = v["Url"].as_str()?.trim_end_matches('/').to_string();
        Some(Self {
            organization_id: text("Id"),
            bap_id: text("EnvironmentId"),
            unique_name: text("UniqueName"),
            url_name: text("UrlName"),
            friendly_name: text("FriendlyName"),
            url,
            region: v["Region"].as_str().map(str::to_string),
        })
    }

    /// The name people know it by.
    pub fn name(&self) -> &str {
        [&self.friendly_name, &self.unique_name, &self.url]
            .into_iter()
            .find(|n| !n.is_empty())
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// Whether `wanted` names this environment: its URL, BAP id, organization id or a name.
    pub fn is(&self, wanted: &str) -> bool {
        let wanted = wanted.trim();
        let w = wanted.trim_end_matches('/');
        if w.contains("://") {
            return same_url(w, &self.url);
        }
        [
            &self.bap_id,
            &self.organization_id,
            &self.unique_name,
            &self.url_name,
            &self.friendly_name,
        ]
        .iter()
        .any(|n| !n.is_empty() && n.eq_ignore_ascii_case(w))
    }
}

/// Two org URLs name the same org (case and a trailing slash aside).
pub(crate) fn same_url(a: &str, b: &str) -> bool {
    a.trim()
        .trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim().trim_end_matches('/'))
}

/// One environment as the BAP API describes it (§14.2).
#[derive(Debug, Clone)]
pub(crate) struct TenantEnvironment {
    pub bap_id: String,
    pub unique_name: String,
    pub display_name: String,
    pub url: String,
    /// `Platform` marks the tenant's platform host.
    pub sku: Option<String>,
}

impl TenantEnvironment {
    fn from_json(v: &Value) -> Option<Self> {
        let props = &v["properties"];
        let linked = &props["linkedEnvironmentMetadata"];
        Some(Self {
            bap_id: v["name"].as_str()?.to_string(),
            unique_name: linked["uniqueName"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            display_name: props["displayName"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            url: linked["instanceUrl"]
                .as_str()?
                .trim_end_matches('/')
                .to_string(),
            sku: props["environmentSku"].as_str().map(str::to_string),
        })
    }

    pub fn is(&self, name: &str) -> bool {
        [&self.bap_id, &self.unique_name, &self.display_name]
            .iter()
            .any(|n| !n.is_empty() && n.eq_ignore_ascii_case(name.trim()))
    }

    pub fn name(&self) -> &str {
        if self.display_name.is_empty() {
            &self.unique_name
        } else {
            &self.display_name
        }
    }
}

/// The BAP API version Ferry reads with (user scope, §14.2).
const BAP_API_VERSION: &str = "2020-10-01";
/// The Power Apps connections API version (§14.3).
const POWERAPPS_API_VERSION: &str = "2016-11-01";

/// Where a cloud's endpoint table comes from.
#[derive(Clone, Debug)]
pub(crate) enum TableSource {
    /// Read already (compiled in, or fetched for a sign-in).
    Known(CloudTable),
    /// The local cloud's, served by the local host at this origin: read on first use,
    /// so a command that needs no tenant service sends no request for it.
    Local(String),
}

/// The cloud's tenant-level services, as the signed-in account sees them.
pub(crate) struct TenantServices {
    source: TableSource,
    table: tokio::sync::OnceCell<CloudTable>,
    tokens: Tokens,
    options: ClientOptions,
}

impl TenantServices {
    pub fn new(source: TableSource, tokens: Tokens, options: ClientOptions) -> Self {
        Self {
            source,
            table: tokio::sync::OnceCell::new(),
            tokens,
            options,
        }
    }

    /// The cloud's endpoint table.
    pub async fn table(&self) -> Result<&CloudTable> {
        self.table
            .get_or_try_init(|| async {
                match &self.source {
                    TableSource::Known(table) => Ok(table.clone()),
                    TableSource::Local(origin) => ferry_auth::fetch_local_table(origin)
                        .await
                        .map_err(local_table_error),
                }
            })
            .await
    }

    async fn client(&self, service: Service) -> Result<(Client, String)> {
        let endpoint = self
            .table()
            .await?
            .endpoint(service)
            .map_err(|e| OpsError::NotSetUp(e.to_string()))?;
        let base = endpoint.base.trim_end_matches('/').to_string();
        let client = Client::with_options(
            &base,
            self.tokens.for_audience(&endpoint.audience),
            self.options.clone(),
        )?;
        Ok((client, base))
    }

    /// Every environment the account reaches (Global Discovery `Instances`).
    pub async fn instances(&self) -> Result<Vec<Instance>> {
        let (gds, base) = self.client(Service::Gds).await?;
        let doc: Value = gds
            .get(&format!("{base}/api/discovery/v2.0/Instances"))
            .await?;
        let mut list: Vec<Instance> = doc["value"]
            .as_array()
            .map(|a| a.iter().filter_map(Instance::from_json).collect())
            .unwrap_or_default();
        list.sort_by(|a, b| {
            a.name()
                .to_lowercase()
                .cmp(&b.name().to_lowercase())
                .then(a.url.cmp(&b.url))
        });
        Ok(list)
    }

    /// The tenant's environments (the BAP list, user scope).
    pub async fn environments(&self) -> Result<Vec<TenantEnvironment>> {
        let (bap, base) = self.client(Service::Bap).await?;
        let doc: Value = bap
            .get(&format!(
                "{base}/providers/Microsoft.BusinessAppPlatform/environments?api-version={BAP_API_VERSION}"
            ))
            .await?;
        Ok(doc["value"]
            .as_array()
            .map(|a| a.iter().filter_map(TenantEnvironment::from_json).collect())
            .unwrap_or_default())
    }

    /// One environment by its BAP id (`None`: the account cannot see it).
    pub async fn environment(&self, bap_id: &str) -> Result<Option<TenantEnvironment>> {
        let (bap, base) = self.client(Service::Bap).await?;
        let url = format!(
            "{base}/providers/Microsoft.BusinessAppPlatform/environments/{}?api-version={BAP_API_VERSION}",
            encode_query_value(bap_id)
        );
        match bap.get::<Value>(&url).await {
            Ok(doc) => Ok(TenantEnvironment::from_json(&doc)),
            Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Forbidden) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A target environment's connections (Power Apps, §14.3).
    pub async fn connections(&self, target_bap: &str) -> Result<Vec<Value>> {
        let (apps, base) = self.client(Service::PowerApps).await?;
        let url = format!(
            "{base}/providers/Microsoft.PowerApps/connections?api-version={POWERAPPS_API_VERSION}&$filter={}",
            encode_query_value(&format!(
                "environment eq {}",
                string_literal(target_bap)
            ))
        );
        let doc: Value = apps.get(&url).await?;
        Ok(doc["value"].as_array().cloned().unwrap_or_default())
    }
}

/// Why the local host's cloud table could not be read, as an [`OpsError`]: a host that
/// does not answer is offline (exit 5), never a wrong input.
pub(crate) fn local_table_error(e: ferry_auth::CloudError) -> OpsError {
    match e {
        ferry_auth::CloudError::LocalUnreachable { url, reason } => OpsError::Host(
            ferry_dataverse::Error::unreachable(&origin_of(&url), &reason),
        ),
        other => OpsError::InvalidInput(other.to_string()),
    }
}

/// `scheme://host[:port]` of a URL (the URL itself when it is not one).
fn origin_of(url: &str) -> String {
    url::Url::parse(url.trim())
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.trim().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_is_found_by_url_or_any_of_its_names() {
        let row = serde_json::json!({
            "Id": "org-1", "EnvironmentId": "bap-1", "UniqueName": "unq1",
            "UrlName": "contoso-dev", "FriendlyName": "Contoso Dev",
            "Url": "https://contoso-dev.crm.dynamics.com/", "Region": "NA"
        });
        let i = Instance::from_json(&row).unwrap();
        assert_eq!(i.url, "https://contoso-dev.crm.dynamics.com");
        for wanted in [
            "https://Contoso-Dev.crm.dynamics.com/",
            "contoso dev",
            "unq1",
            "bap-1",
            "org-1",
        ] {
            assert!(i.is(wanted), "{wanted}");
        }
        assert!(!i.is("https://contoso-dev.crm4.dynamics.com"));
        assert!(!i.is("Contoso"));
    }
}
