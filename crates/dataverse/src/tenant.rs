//! Typed reads of the tenant's services beyond Dataverse (spec `host-api.md` §14): the
//! environments Global Discovery lists (`Instances`, §14.1), the BAP environments list and
//! one environment (§14.2), and an environment's Power Apps connections (§14.3). Each is
//! called with a [`Client`] whose base is that service's per-cloud base (from the cloud's
//! endpoint table) and whose token is for that service's audience; the URLs and API
//! versions are built here only. Rows a service sends without what identifies them are
//! left out, not an error: one odd environment must not hide the others.

use serde_json::Value;

use crate::client::Client;
use crate::error::Error;
use crate::odata::{encode_query_value, string_literal};

/// The BAP API version Ferry reads with (user scope, §14.2).
pub const BAP_API_VERSION: &str = "2020-10-01";
/// The Power Apps connections API version (§14.3).
pub const POWERAPPS_API_VERSION: &str = "2016-11-01";

/// One environment as Global Discovery lists it (§14.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The organization id (`Id`): not the BAP id.
    pub organization_id: String,
    /// The Power Platform (BAP) environment id (`EnvironmentId`).
    pub bap_id: String,
    pub unique_name: String,
    pub url_name: String,
    pub friendly_name: String,
    /// The org URL, without a trailing slash.
    pub url: String,
    pub region: Option<String>,
}

impl Instance {
    /// A row of `Instances`; `None` without a `Url` (nothing to connect to).
    pub fn from_json(v: &Value) -> Option<Self> {
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
pub fn same_url(a: &str, b: &str) -> bool {
    a.trim()
        .trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim().trim_end_matches('/'))
}

/// One environment as the BAP API describes it (§14.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BapEnvironment {
    pub bap_id: String,
    pub unique_name: String,
    pub display_name: String,
    /// The org URL (`linkedEnvironmentMetadata.instanceUrl`), without a trailing slash.
    pub url: String,
    /// `Platform` marks the tenant's platform host.
    pub sku: Option<String>,
}

impl BapEnvironment {
    /// A BAP environment document; `None` without a `name` or an org URL.
    pub fn from_json(v: &Value) -> Option<Self> {
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

    /// Whether `name` is its BAP id, unique name or display name.
    pub fn is(&self, name: &str) -> bool {
        [&self.bap_id, &self.unique_name, &self.display_name]
            .iter()
            .any(|n| !n.is_empty() && n.eq_ignore_ascii_case(name.trim()))
    }

    /// The name people know it by.
    pub fn name(&self) -> &str {
        if self.display_name.is_empty() {
            &self.unique_name
        } else {
            &self.display_name
        }
    }
}

/// Every environment the account reaches (Global Discovery `Instances`), in the order sent.
pub async fn instances(gds: &Client) -> Result<Vec<Instance>, Error> {
    let doc: Value = gds
        .get(&format!("{}/api/discovery/v2.0/Instances", gds.base_url()))
        .await?;
    Ok(rows(&doc).iter().filter_map(Instance::from_json).collect())
}

/// The tenant's environments the account sees (the BAP list, user scope).
pub async fn environments(bap: &Client) -> Result<Vec<BapEnvironment>, Error> {
    let doc: Value = bap
        .get(&format!(
            "{}/providers/Microsoft.BusinessAppPlatform/environments?api-version={BAP_API_VERSION}",
            bap.base_url()
        ))
        .await?;
    Ok(rows(&doc)
        .iter()
        .filter_map(BapEnvironment::from_json)
        .collect())
}

/// One environment by its BAP id; `Ok(None)` when the answer does not describe one. A
/// 404/403 stays an error: what it means is the caller's to say.
pub async fn environment(bap: &Client, bap_id: &str) -> Result<Option<BapEnvironment>, Error> {
    let doc: Value = bap
        .get(&format!(
            "{}/providers/Microsoft.BusinessAppPlatform/environments/{}?api-version={BAP_API_VERSION}",
            bap.base_url(),
            encode_query_value(bap_id)
        ))
        .await?;
    Ok(BapEnvironment::from_json(&doc))
}

/// An environment's connections (Power Apps, §14.3), as sent: callers pick the fields.
pub async fn connections(apps: &Client, environment_bap_id: &str) -> Result<Vec<Value>, Error> {
    let doc: Value = apps
        .get(&format!(
            "{}/providers/Microsoft.PowerApps/connections?api-version={POWERAPPS_API_VERSION}&$filter={}",
            apps.base_url(),
            encode_query_value(&format!(
                "environment eq {}",
                string_literal(environment_bap_id)
            ))
        ))
        .await?;
    Ok(rows(&doc).to_vec())
}

/// The `value` array of a list answer (none when absent).
fn rows(doc: &Value) -> &[Value] {
    doc["value"].as_array().map(Vec::as_slice).unwrap_or(&[])
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
