//! The tenant beyond the pipelines host (spec `host-api.md` §14): the cloud's
//! environment list (Global Discovery), environment metadata (BAP) and
//! connections (Power Apps), each at its own per-cloud base with its own token
//! audience, read from the cloud's endpoint table — never derived from the
//! host's URL — and a token per audience for every Dataverse org Ferry calls
//! (host, dev, each target). The requests themselves are ferry-dataverse's typed calls
//! ([`ferry_dataverse::tenant`]); this module picks the base and token, and what to do with
//! the answers.

use std::sync::Arc;

use ferry_auth::{CloudTable, Service};
use ferry_dataverse::tenant as t;
use ferry_dataverse::{Client, ClientOptions, ErrorKind, TokenFuture};
use serde_json::Value;

use crate::error::{OpsError, Result};

pub(crate) use ferry_dataverse::tenant::{same_url, BapEnvironment as TenantEnvironment, Instance};

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

    async fn client(&self, service: Service) -> Result<Client> {
        let endpoint = self
            .table()
            .await?
            .endpoint(service)
            .map_err(|e| OpsError::NotSetUp(e.to_string()))?;
        Ok(Client::with_options(
            endpoint.base.trim_end_matches('/'),
            self.tokens.for_audience(&endpoint.audience),
            self.options.clone(),
        )?)
    }

    /// Every environment the account reaches (Global Discovery `Instances`), by name.
    pub async fn instances(&self) -> Result<Vec<Instance>> {
        let mut list = t::instances(&self.client(Service::Gds).await?).await?;
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
        Ok(t::environments(&self.client(Service::Bap).await?).await?)
    }

    /// One environment by its BAP id (`None`: the account cannot see it).
    pub async fn environment(&self, bap_id: &str) -> Result<Option<TenantEnvironment>> {
        match t::environment(&self.client(Service::Bap).await?, bap_id).await {
            Ok(found) => Ok(found),
            Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Forbidden) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A target environment's connections (Power Apps, §14.3).
    pub async fn connections(&self, target_bap: &str) -> Result<Vec<Value>> {
        Ok(t::connections(&self.client(Service::PowerApps).await?, target_bap).await?)
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
