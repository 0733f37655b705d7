//! From a host URL to the cloud that serves it and that cloud's sign-in authority
//! (spec `host-api.md` §9.5).

use url::Url;

/// Microsoft clouds with their own Entra authority and Dataverse domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    /// Commercial and GCC (`*.crm.dynamics.com`, `*.crmN.dynamics.com`).
    Public,
    /// US Government GCC High (`*.crm.microsoftdynamics.us`).
    UsGovHigh,
    /// US Government DoD (`*.crm.appsplatform.us`).
    UsDod,
    /// China, operated by 21Vianet (`*.crm.dynamics.cn`).
    China,
}

impl Cloud {
    /// The Entra ID authority host of this cloud.
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com",
            Cloud::UsGovHigh | Cloud::UsDod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.partner.microsoftonline.cn",
        }
    }
}

/// Who signs a maker in for a given host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKind {
    /// A Dataverse environment in a Microsoft cloud.
    Microsoft(Cloud),
    /// Ferry's local host on loopback: it is its own authority.
    Local { authority: String },
}

impl HostKind {
    /// Classifies a host URL, or says why it is not one Ferry can sign in to.
    pub fn of(host_url: &str) -> Result<Self, String> {
        let url = Url::parse(host_url.trim())
            .map_err(|e| format!("{host_url:?} is not a URL ({e}); use the environment URL, like https://contoso.crm.dynamics.com"))?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let loopback = host == "127.0.0.1" || host == "localhost" || host == "[::1]";
        if loopback {
            let authority = format!("{}://{}", url.scheme(), url.authority());
            return Ok(HostKind::Local { authority });
        }
        if url.scheme() != "https" {
            return Err(format!(
                "{host_url} must use https:// (only the local host may use http)"
            ));
        }
        let is_crm = |suffix: &str| {
            host.strip_suffix(suffix)
                .and_then(|rest| rest.rsplit('.').next())
                .is_some_and(|label| {
                    label == "crm"
                        || (label.starts_with("crm")
                            && label[3..].chars().all(|c| c.is_ascii_digit()))
                })
        };
        let cloud = if is_crm(".dynamics.com") {
            Cloud::Public
        } else if is_crm(".microsoftdynamics.us") {
            Cloud::UsGovHigh
        } else if is_crm(".appsplatform.us") {
            Cloud::UsDod
        } else if is_crm(".dynamics.cn") {
            Cloud::China
        } else {
            return Err(format!(
                "{host} is not a Dataverse environment address (expected e.g. contoso.crm.dynamics.com or contoso.crm4.dynamics.com)"
            ));
        };
        Ok(HostKind::Microsoft(cloud))
    }

    /// The authority URL for a tenant (`organizations` when unknown).
    pub fn authority(&self, tenant: Option<&str>) -> String {
        let tenant = tenant.filter(|t| !t.is_empty()).unwrap_or("organizations");
        match self {
            HostKind::Microsoft(cloud) => format!("{}/{tenant}", cloud.authority_host()),
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
            ("https://contoso.crm9.dynamics.com", Cloud::Public),
            ("https://contoso.crm.microsoftdynamics.us", Cloud::UsGovHigh),
            ("https://contoso.crm.appsplatform.us", Cloud::UsDod),
            ("https://contoso.crm.dynamics.cn", Cloud::China),
        ];
        for (url, cloud) in cases {
            assert_eq!(HostKind::of(url), Ok(HostKind::Microsoft(cloud)), "{url}");
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
    }

    #[test]
    fn the_local_host_is_its_own_authority() {
        let kind = HostKind::of("http://127.0.0.1:4321").unwrap();
        assert_eq!(kind.authority(Some("t1")), "http://127.0.0.1:4321/t1");
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
    }
}
