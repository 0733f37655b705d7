//! First contact with a tenant: sign in to a cloud, list the environments the
//! account reaches (Global Discovery), and connect one — Ferry finds its
//! pipelines host by the chain of spec §1 and its registration (§5.1), so the
//! maker never types a host URL or an id. Every failure is one sentence naming
//! who can fix it. A connected environment becomes a profile named after it;
//! the profiles of one sign-in share its keyring entry (one refresh token) and
//! keep their history apart.

use std::sync::Arc;

use ferry_auth::{Cloud, CloudTable, SignInConfig, SignedIn};
use ferry_cache::{Profile, ProfileKind as CacheKind};
use ferry_dataverse::environment as env;
use ferry_dataverse::pipelines as p;
use ferry_dataverse::{Client, ErrorKind};

use crate::engine::Engine;
use crate::error::{OpsError, Result};
use crate::profile::{self, Details, SANDBOX_ID};
use crate::signin::{self, AccountInfo, SignInMethod, SignInPrompt, LOCAL_CLIENT_ID};
use crate::tenant::{org_client, same_url, Instance, TableSource, TenantServices, Tokens};
use crate::types::{CloudSignIn, EnvironmentInfo, ProfileInfo, RemovedProfile};

/// `environmenttype` of a registration (§3.1).
const TARGET_ENVIRONMENT: i64 = 200_000_001;
/// `validationstatus` of a registration (§3.2).
const VALIDATION_PENDING: i64 = 200_000_000;
const VALIDATION_FAILED: i64 = 200_000_002;

/// Where the endpoint table of a profile's cloud comes from: compiled in for
/// Microsoft's clouds, the local host for the local cloud (its ports are chosen at start).
pub(crate) fn table_source(profile: &Profile, host_url: &str) -> Result<TableSource> {
    let details = Details::of(profile);
    let cloud = match &details.cloud {
        Some(name) => parse_cloud(name)?,
        // Only Ferry's own host is served over http: a test host off this computer
        // (`ferry host serve --listen`), which the profile opted in to.
        None if details.allow_insecure_http
            && crate::profile::plain_http_off_this_computer(host_url) =>
        {
            Cloud::Local
        }
        None => Cloud::of_url(host_url).map_err(OpsError::InvalidInput)?,
    };
    let origin = details
        .cloud_origin
        .clone()
        .filter(|_| profile.kind == CacheKind::Cloud)
        .unwrap_or_else(|| origin_of(host_url));
    if cloud == Cloud::Local {
        Ok(TableSource::Local(origin))
    } else {
        Ok(TableSource::Known(
            cloud
                .table()
                .map_err(|e| OpsError::InvalidInput(e.to_string()))?,
        ))
    }
}

fn parse_cloud(name: &str) -> Result<Cloud> {
    Cloud::parse(name).map_err(|e| OpsError::InvalidInput(e.to_string()))
}

async fn table_of(cloud: Cloud, origin: &str) -> Result<CloudTable> {
    if cloud == Cloud::Local {
        ferry_auth::fetch_local_table(origin)
            .await
            .map_err(crate::tenant::local_table_error)
    } else {
        cloud
            .table()
            .map_err(|e| OpsError::InvalidInput(e.to_string()))
    }
}

/// `scheme://host[:port]` of a URL (the URL itself when it is not one).
fn origin_of(url: &str) -> String {
    url::Url::parse(url.trim())
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.trim().trim_end_matches('/').to_string())
}

/// A cloud sign-in, resolved: which cloud and authority, which app registration,
/// the keyring entry its tokens live under.
pub(crate) struct SignInPlan {
    pub cloud: Cloud,
    pub table: CloudTable,
    pub origin: String,
    pub tenant: Option<String>,
    pub client_id: String,
    pub authority: String,
    pub method: SignInMethod,
    /// The resource the interactive sign-in asks for (Global Discovery's audience:
    /// the first thing Ferry reads is the environment list).
    pub resource: String,
    pub keyring_key: String,
    /// The sign-in opted in to a plain-`http://` test host off this computer.
    pub allow_insecure_http: bool,
}

impl SignInPlan {
    pub async fn new(req: &CloudSignIn) -> Result<SignInPlan> {
        profile::trust_ca_file(req.ca_file.as_deref())?;
        let environment_url = req
            .environment
            .as_deref()
            .map(str::trim)
            .filter(|e| e.contains("://"));
        let insecure = req.allow_insecure_http.unwrap_or(false);
        // Only Ferry's own host is served over plain http: a test host off this computer
        // (`ferry host serve --listen`), of the local cloud, and only when asked for.
        let far_http = environment_url.filter(|u| profile::plain_http_off_this_computer(u));
        if let Some(url) = far_http {
            if !insecure {
                return Err(OpsError::InvalidInput(ferry_dataverse::insecure_http(url)));
            }
        }
        let cloud = match (req.cloud.as_deref().map(str::trim), environment_url) {
            (Some(c), _) if !c.is_empty() => parse_cloud(c)?,
            (_, Some(_)) if far_http.is_some() => Cloud::Local,
            (_, Some(url)) => Cloud::of_url(url).map_err(OpsError::InvalidInput)?,
            _ => Cloud::Public,
        };
        let origin = match (cloud, environment_url) {
            (Cloud::Local, Some(url)) => origin_of(url),
            (Cloud::Local, None) => {
                return Err(OpsError::InvalidInput(
                    "the local cloud needs the environment's URL (its host serves the cloud's endpoint table): pass --environment http://127.0.0.1:PORT/…".into(),
                ))
            }
            _ => String::new(),
        };
        if let Some(url) = environment_url {
            // A URL of no known cloud's domain is fine for the cloud named: a local
            // host may be served under any name (through a proxy, a DNS name).
            let of_url = if far_http.is_some() {
                Cloud::Local
            } else {
                Cloud::of_url(url).unwrap_or(cloud)
            };
            if of_url != cloud {
                return Err(OpsError::InvalidInput(format!(
                    "{url} is an environment of the {} cloud, not of {}: drop --cloud, or pass the right one",
                    of_url.name(),
                    cloud.name()
                )));
            }
        }
        let table = table_of(cloud, &origin).await?;
        let tenant = req
            .tenant
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        let client_id = match req.client_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => match ferry_auth::default_client_id() {
                Some(id) => id.to_string(),
                None if cloud == Cloud::Local => LOCAL_CLIENT_ID.to_string(),
                None if req.method == SignInMethod::AzureCli => String::new(),
                None => return Err(OpsError::InvalidInput(NO_CLIENT_ID.into())),
            },
        };
        let resource = table
            .gds()
            .map_err(|e| OpsError::NotSetUp(e.to_string()))?
            .audience
            .clone();
        let keyring_key = format!(
            "signin:{}:{}:{}{}",
            cloud.name(),
            tenant.as_deref().unwrap_or("organizations").to_lowercase(),
            client_id.to_lowercase(),
            if origin.is_empty() {
                String::new()
            } else {
                format!(":{origin}")
            }
        );
        Ok(SignInPlan {
            authority: table.authority(tenant.as_deref()),
            cloud,
            table,
            origin,
            tenant,
            client_id,
            method: req.method,
            resource,
            keyring_key,
            allow_insecure_http: insecure && far_http.is_some(),
        })
    }

    fn signed_in(&self, engine: &Engine) -> SignedIn {
        SignedIn::new(
            engine.options.tokens.store(),
            &self.keyring_key,
            SignInConfig::for_host(&self.authority, &self.client_id, &self.resource)
                .allowing_insecure_http(self.allow_insecure_http),
        )
    }

    /// The engine's client settings, with this sign-in's opt-in to a plain-http test host.
    fn client_options(&self, engine: &Engine) -> Result<ferry_dataverse::ClientOptions> {
        let mut options = engine.client_options()?;
        options.allow_insecure_http |= self.allow_insecure_http;
        Ok(options)
    }

    /// The tokens of this sign-in (`FERRY_TOKEN` is for a host only: not used here).
    fn tokens(&self, engine: &Engine) -> Tokens {
        if self.method == SignInMethod::AzureCli {
            Tokens::Source(Arc::new(signin::azure_cli(self.tenant.as_deref())))
        } else {
            Tokens::Source(Arc::new(self.signed_in(engine)))
        }
    }
}

/// What to say when no app registration is at hand.
const NO_CLIENT_ID: &str = "this Ferry has no app registration built in: ask your admin for a connection file (`ferry profile import FILE`) or for the application (client) id of your organization's registration (--client-id), or sign in with the Azure CLI (--azure-cli)";

/// The pipelines host of a development environment, found by the chain of §1.
#[derive(Debug, Clone)]
pub(crate) struct Discovered {
    pub host_url: String,
    pub how: String,
}

/// Finds the pipelines host `dev` is bound to and checks its registration there.
pub(crate) async fn discover(
    tenant: &TenantServices,
    tokens: &Tokens,
    options: &ferry_dataverse::ClientOptions,
    dev: &Instance,
) -> Result<Discovered> {
    let name = dev.name().to_string();
    let dev_client = org_client(&dev.url, tokens, options)?;
    tracing::debug!(dev = %dev.url, "reading ProjectHostEnvironmentId (an org setting)");
    let host_bap = env::org_db_setting(&dev_client, "ProjectHostEnvironmentId")
        .await
        .map_err(|e| reading(&name, "which pipelines host it is bound to", e))?;
    if host_bap.is_empty() {
        return Err(OpsError::NotSetUp(format!(
            "{name} is not bound to a pipelines host: a Power Platform admin sets one up (Deployment Pipelines in the admin center, or a host environment with the Pipelines app that this environment is linked to), then sign in again"
        )));
    }
    tracing::debug!(host = %host_bap, "bound host; looking it up in the environments API");
    let (host_url, host_name, sku, found_by) = match tenant.environment(&host_bap).await? {
        Some(env) => (
            env.url.clone(),
            env.name().to_string(),
            env.sku.clone(),
            "the Power Platform environments API",
        ),
        None => {
            // The user scope may not show a host the maker cannot open (§14.2 [I]):
            // the environment list of Global Discovery may still name it.
            let listed = tenant.instances().await.unwrap_or_default();
            match listed
                .iter()
                .find(|i| i.bap_id.eq_ignore_ascii_case(&host_bap))
            {
                Some(i) => (
                    i.url.clone(),
                    i.name().to_string(),
                    None,
                    "the environment list",
                ),
                None => {
                    return Err(OpsError::NotSetUp(format!(
                        "{name} is bound to the pipelines host {host_bap}, which your account cannot see: ask a pipelines admin to give you access to that host (the Deployment Pipeline User role there)"
                    )))
                }
            }
        }
    };
    let mut how = format!(
        "{name} is bound to {host_name} (its ProjectHostEnvironmentId setting), found through {found_by}"
    );
    if sku.as_deref() == Some("Platform") {
        tracing::debug!("the platform host; reading the tenant's default custom host");
        let default = env::setting(&dev_client, "DefaultCustomPipelinesHostEnvForTenant")
            .await
            .map_err(|e| reading(&name, "the tenant's default pipelines host", e))?;
        if !default.is_empty() && !default.eq_ignore_ascii_case(&host_bap) {
            return Err(OpsError::NotSetUp(format!(
                "{name} is bound to the tenant's platform host, but the tenant's default custom host is {default}: only a Power Platform admin can fix that (link the environment to the default host with Force Link, or clear the default)"
            )));
        }
        how.push_str(" (the tenant's platform host)");
    }
    let host = org_client(&host_url, tokens, options)?;
    probe_host(&host, &host_name).await?;
    let registration = p::find_environment(&host, &dev.bap_id)
        .await
        .map_err(|e| reading(&host_name, "the registered environments", e))?
        .ok_or_else(|| {
            OpsError::NotSetUp(format!(
                "{name} is not registered on the pipelines host {host_name}: ask a pipelines admin to add it as a Development environment there"
            ))
        })?;
    if registration.environmenttype == Some(TARGET_ENVIRONMENT) {
        return Err(OpsError::NotSetUp(format!(
            "{name} is registered on {host_name} as a Target environment, so nothing deploys from it: ask a pipelines admin to register it as a Development environment"
        )));
    }
    match registration.validationstatus {
        Some(VALIDATION_PENDING) => {
            return Err(OpsError::NotSetUp(format!(
                "{name}'s registration on {host_name} is still being validated: try again in a few minutes, or ask a pipelines admin to check it"
            )))
        }
        Some(VALIDATION_FAILED) => {
            return Err(OpsError::NotSetUp(format!(
                "{name}'s registration on {host_name} failed validation: ask a pipelines admin to fix the registration (the environment must be reachable from the host)"
            )))
        }
        _ => {}
    }
    let pipelines = p::retrieve_pipelines(&host, &dev.bap_id)
        .await
        .map_err(|e| reading(&host_name, "the pipelines offered to the environment", e))?;
    if pipelines.is_empty() {
        return Err(OpsError::NotSetUp(format!(
            "{name} is registered on {host_name}, but no pipeline you can use deploys from it: either none is linked to it or none is shared with you; ask a pipelines admin to link a pipeline and share it with you"
        )));
    }
    how.push_str(&format!(
        "; registered there with {} pipeline{} for you",
        pipelines.len(),
        if pipelines.len() == 1 { "" } else { "s" }
    ));
    Ok(Discovered { host_url, how })
}

/// The Pipelines app answers on the host (§1 step 4, §13.17: 200 or 400 on an empty read
/// of its pipelines).
async fn probe_host(host: &Client, name: &str) -> Result<()> {
    match ferry_dataverse::pipelines::probe_pipelines_app(host).await {
        Ok(_) => Ok(()),
        Err(e) if e.kind == ErrorKind::Rejected => Ok(()),
        Err(e) if e.kind == ErrorKind::NotFound => Err(OpsError::NotSetUp(format!(
            "{name} is named as the pipelines host, but the Pipelines app is not installed there: a Power Platform admin installs it (or binds the environment to another host)"
        ))),
        Err(e) => Err(reading(name, "the pipelines host", e)),
    }
}

/// A failed read during discovery, said as what happened.
fn reading(env: &str, what: &str, e: ferry_dataverse::Error) -> OpsError {
    match e.kind {
        ErrorKind::Unauthorized | ErrorKind::Forbidden => OpsError::Host(ferry_dataverse::Error {
            message: format!(
                "your account cannot read {what} of {env} ({}): ask an admin for access to that environment",
                e.message.trim_end_matches('.')
            ),
            ..e
        }),
        _ => OpsError::Host(e),
    }
}

/// A profile id from an environment's name: `Contoso Dev` → `contoso-dev`.
fn profile_id_for(instance: &Instance) -> String {
    let source = if instance.friendly_name.is_empty() {
        &instance.unique_name
    } else {
        &instance.friendly_name
    };
    let mut id = String::new();
    for c in source.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() || id == SANDBOX_ID {
        format!(
            "env-{}",
            &instance.bap_id.chars().take(8).collect::<String>()
        )
    } else {
        id
    }
}

fn environment_info(i: &Instance, current: Option<&str>) -> EnvironmentInfo {
    EnvironmentInfo {
        name: i.name().to_string(),
        unique_name: i.unique_name.clone(),
        url: i.url.clone(),
        environment_id: i.bap_id.clone(),
        organization_id: i.organization_id.clone(),
        region: i.region.clone(),
        current: current.is_some_and(|c| same_url(c, &i.url)),
    }
}

/// What a connection file (or a `ferry://` link) an admin handed out holds, as a
/// sign-in request, for a confirmation before anything is created or replaced.
pub fn read_connection(text_or_link: &str, method: SignInMethod) -> Result<ConnectionOffer> {
    let text = text_or_link.trim();
    let file = if text.starts_with("ferry:") {
        match ferry_auth::FerryLink::parse(text).map_err(|e| OpsError::InvalidInput(e.0))? {
            ferry_auth::FerryLink::Connect(file) => file,
            ferry_auth::FerryLink::Open { file } => ferry_auth::ConnectionFile::from_file(&file)
                .map_err(|e| OpsError::InvalidInput(e.0))?,
        }
    } else {
        ferry_auth::ConnectionFile::from_json(text).map_err(|e| OpsError::InvalidInput(e.0))?
    };
    Ok(ConnectionOffer {
        name: file.name.clone(),
        sign_in: CloudSignIn {
            cloud: Some(file.cloud.name().to_string()),
            tenant: Some(file.tenant.clone()),
            client_id: Some(file.client_id.clone()),
            method,
            environment: file.environment.clone(),
            ca_file: None,
            allow_insecure_http: None,
        },
    })
}

/// A connection file's content, before it is used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionOffer {
    /// The name the admin gave it.
    pub name: Option<String>,
    pub sign_in: CloudSignIn,
}

impl Engine {
    /// Signs in to a cloud (Ferry's device-code or browser flow; the Azure CLI signs
    /// in on its own) and keeps the tokens in the sign-in's keyring entry.
    pub async fn sign_in_to_cloud(
        &self,
        req: &CloudSignIn,
        prompt: &dyn SignInPrompt,
    ) -> Result<AccountInfo> {
        let plan = SignInPlan::new(req).await?;
        if plan.method == SignInMethod::AzureCli {
            // Nothing to keep: prove the Azure CLI gives a token, and say as whom.
            let token = signin::azure_cli(plan.tenant.as_deref())
                .access_token_for(&plan.resource)
                .await?;
            return Ok(AccountInfo {
                profile_id: String::new(),
                account: ferry_auth::account_of(token.expose())
                    .unwrap_or_else(|| "the Azure CLI's account".into()),
                expires_at: None,
            });
        }
        let session = plan.signed_in(self);
        let config = SignInConfig::for_host(&plan.authority, &plan.client_id, &plan.resource)
            .allowing_insecure_http(plan.allow_insecure_http);
        signin::run_flow(&session, &config, plan.method, prompt).await?;
        let tokens = session
            .account()?
            .ok_or_else(|| OpsError::Internal("the sign-in kept no tokens".into()))?;
        Ok(signin::account_info("", &tokens))
    }

    /// The environments a cloud sign-in reaches (Global Discovery), by name.
    pub async fn cloud_environments(&self, req: &CloudSignIn) -> Result<Vec<EnvironmentInfo>> {
        let plan = SignInPlan::new(req).await?;
        let tenant = TenantServices::new(
            TableSource::Known(plan.table.clone()),
            plan.tokens(self),
            plan.client_options(self)?,
        );
        let current = self.profile.dev_environment_url.as_deref();
        Ok(tenant
            .instances()
            .await?
            .iter()
            .map(|i| environment_info(i, current))
            .collect())
    }

    /// Connects a development environment (by URL or name) of a cloud sign-in: finds
    /// its pipelines host and registration, keeps it as a profile named after the
    /// environment (sharing the sign-in's tokens), and makes that profile the one in use.
    pub async fn connect_environment(
        &self,
        req: &CloudSignIn,
        environment: &str,
    ) -> Result<ProfileInfo> {
        let plan = SignInPlan::new(req).await?;
        let tokens = plan.tokens(self);
        let options = plan.client_options(self)?;
        let tenant = TenantServices::new(
            TableSource::Known(plan.table.clone()),
            tokens.clone(),
            options.clone(),
        );
        tracing::debug!(
            environment,
            "looking the environment up in Global Discovery"
        );
        let instances = tenant.instances().await?;
        let wanted = environment.trim();
        let matches: Vec<&Instance> = instances.iter().filter(|i| i.is(wanted)).collect();
        let dev = match matches.as_slice() {
            [one] => (*one).clone(),
            [] => {
                return Err(OpsError::DevEnvironment(format!(
                    "your account reaches no environment named {wanted:?} in this tenant; list them with `ferry env list` (a guest account picks the tenant first with --tenant)"
                )))
            }
            many => {
                return Err(OpsError::InvalidInput(format!(
                    "{wanted:?} names {} environments ({}); use its URL instead",
                    many.len(),
                    many.iter()
                        .map(|i| i.url.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        };
        let found = discover(&tenant, &tokens, &options, &dev).await?;
        tracing::debug!(host = %found.host_url, "{}", found.how);
        let details = Details {
            cloud: Some(plan.cloud.name().to_string()),
            cloud_origin: Some(plan.origin.clone()).filter(|o| !o.is_empty()),
            sign_in: Some(plan.method.as_str().to_string()),
            keyring_key: Some(plan.keyring_key.clone()),
            sign_in_resource: Some(plan.resource.clone()),
            dev_environment_name: Some(dev.name().to_string()),
            dev_organization_id: Some(dev.organization_id.clone()).filter(|o| !o.is_empty()),
            host_found: Some(found.how.clone()),
            ca_file: req.ca_file.clone().filter(|c| !c.trim().is_empty()),
            allow_insecure_http: plan.allow_insecure_http,
        };
        let profile = Profile {
            id: profile_id_for(&dev),
            display_name: dev.name().to_string(),
            kind: CacheKind::Cloud,
            authority: plan.authority.clone(),
            tenant: plan.tenant.clone(),
            client_id: plan.client_id.clone(),
            host_url: found.host_url.clone(),
            dev_environment_id: Some(dev.bap_id.clone()),
            dev_environment_url: Some(dev.url.clone()),
            details: details.to_json(),
        };
        let mut cache = self.cache();
        cache.save_profile(&profile)?;
        cache.set_active_profile(&profile.id)?;
        Ok(profile::info(&profile, Some(&profile.id)))
    }

    /// The sign-in of the profile in use, as a request (to list or connect its
    /// tenant's other environments).
    pub fn profile_sign_in(&self) -> Result<CloudSignIn> {
        let details = Details::of(&self.profile);
        if self.profile.kind != CacheKind::Cloud || details.keyring_key.is_none() {
            return Err(OpsError::InvalidInput(format!(
                "the profile {:?} was not made by signing in to a cloud; sign in with `ferry login --environment URL` to list and switch environments",
                self.profile.id
            )));
        }
        Ok(CloudSignIn {
            cloud: details.cloud.clone(),
            tenant: self.profile.tenant.clone(),
            client_id: Some(self.profile.client_id.clone()).filter(|c| !c.is_empty()),
            method: details.sign_in_method().unwrap_or_default(),
            // The local cloud's origin is its table's.
            environment: details
                .cloud_origin
                .clone()
                .or_else(|| self.profile.dev_environment_url.clone()),
            ca_file: details.ca_file.clone(),
            allow_insecure_http: Some(details.allow_insecure_http).filter(|a| *a),
        })
    }

    /// The environments of the profile's tenant (its sign-in's), by name.
    pub async fn environments(&self) -> Result<Vec<EnvironmentInfo>> {
        let req = self.profile_sign_in()?;
        self.cloud_environments(&req).await
    }

    /// Switches to another environment of the profile's tenant: its own profile
    /// (made on first use, sharing the sign-in), now the one in use.
    pub async fn use_environment(&self, environment: &str) -> Result<ProfileInfo> {
        let req = self.profile_sign_in()?;
        self.connect_environment(&req, environment).await
    }

    /// Removes a profile with its cached history; its sign-in leaves the keyring
    /// unless another profile shares it. The Local sandbox cannot be removed.
    pub fn remove_profile(&self, name: &str) -> Result<RemovedProfile> {
        let mut cache = self.cache();
        let p = profile::resolve(&cache, Some(name))?;
        if p.kind == CacheKind::LocalSandbox {
            return Err(OpsError::InvalidInput(
                "the Local sandbox is built in and cannot be removed; clear its history in Settings (or remove the data folder's sandbox folder)".into(),
            ));
        }
        let key = signin::keyring_key(&p);
        let shared = cache
            .profiles()?
            .iter()
            .any(|o| o.id != p.id && signin::keyring_key(o) == key);
        let runs_deleted = cache.run_count(&p.id)?;
        let was_active = cache.active_profile()?.is_some_and(|a| a.id == p.id);
        let tokens_deleted =
            if shared || Details::of(&p).sign_in_method() == Some(SignInMethod::AzureCli) {
                false
            } else {
                ferry_auth::SignedIn::forget(self.options.tokens.store().as_ref(), &key).map_err(
                    |e| OpsError::Keyring {
                        profile: p.id.clone(),
                        reason: e.to_string(),
                    },
                )?;
                true
            };
        cache.delete_profile(&p.id)?;
        if was_active {
            cache.set_active_profile(SANDBOX_ID)?;
        }
        let active = cache
            .active_profile()?
            .map(|a| a.id)
            .unwrap_or_else(|| SANDBOX_ID.into());
        Ok(RemovedProfile {
            id: p.id,
            tokens_deleted,
            runs_deleted,
            active,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_ids_come_from_the_environment_name() {
        let mut i = Instance {
            organization_id: "o".into(),
            bap_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            unique_name: "unq".into(),
            url_name: "contoso".into(),
            friendly_name: "Contoso Dev (EU)".into(),
            url: "https://contoso.crm4.dynamics.com".into(),
            region: None,
        };
        assert_eq!(profile_id_for(&i), "contoso-dev-eu");
        i.friendly_name = "Sandbox".into();
        assert_eq!(profile_id_for(&i), "env-0f8fad5b");
        i.friendly_name = "  ".into();
        assert_eq!(profile_id_for(&i), "env-0f8fad5b");
    }

    #[test]
    fn the_origin_of_an_environment_url() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/environments/dev/"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin_of("https://contoso.crm.dynamics.com"),
            "https://contoso.crm.dynamics.com"
        );
    }

    #[tokio::test]
    async fn a_sign_in_without_an_app_registration_says_what_to_ask_for() {
        if ferry_auth::default_client_id().is_some() {
            return;
        }
        let err = SignInPlan::new(&CloudSignIn {
            environment: Some("https://contoso.crm.dynamics.com".into()),
            ..Default::default()
        })
        .await
        .err()
        .expect("refused");
        let msg = err.to_string();
        assert!(
            msg.contains("connection file")
                && msg.contains("--client-id")
                && msg.contains("--azure-cli"),
            "{msg}"
        );
    }

    #[tokio::test]
    async fn the_cloud_comes_from_the_url_and_must_agree_with_the_one_named() {
        let plan = SignInPlan::new(&CloudSignIn {
            environment: Some("https://contoso.crm9.dynamics.com".into()),
            client_id: Some("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!(plan.cloud, Cloud::Gcc);
        assert_eq!(plan.resource, plan.table.gds().unwrap().audience);
        let err = SignInPlan::new(&CloudSignIn {
            cloud: Some("public".into()),
            environment: Some("https://contoso.crm9.dynamics.com".into()),
            client_id: Some("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e".into()),
            ..Default::default()
        })
        .await
        .err()
        .expect("refused");
        assert!(err.to_string().contains("gcc"), "{err}");
    }
}
