//! The tenant around the hosts (spec §14), over real HTTP: the local cloud's endpoint table,
//! Global Discovery, BAP (user and admin scope) and Power Apps under their own bases, one
//! token audience per org and service in strict mode, host discovery from a dev environment
//! (GetOrgDbOrgSetting → BAP → host URL) across two hosts, and the tenant settings.

mod common;

use common::*;
use ferry_host::scenario::derived_id;
use ferry_host::{AuthMode, Host, HostConfig, Scenario};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn start_strict(scenario: Scenario) -> TestHost {
    let dir = tempfile::tempdir().unwrap();
    let mut config = HostConfig::new(dir.path());
    config.scenario = scenario;
    config.speed = TEST_SPEED;
    config.auth = Some(AuthMode::Strict);
    let host = Host::start(config).await.unwrap();
    TestHost {
        api: host.api_url(),
        base: host.base_url().to_string(),
        host: Some(host),
        client: reqwest::Client::new(),
        dir,
    }
}

/// A real access token for `scope` (a resource followed by `/.default`), signed in as `user`.
async fn token(h: &TestHost, scope: &str, user: &str) -> String {
    h.token_for_scope(user, "c", scope).await
}

/// GET with an optional bearer token: status, `WWW-Authenticate`, body.
async fn get(h: &TestHost, url: &str, bearer: Option<&str>) -> (StatusCode, String, Value) {
    let mut rb = h.client.get(url);
    if let Some(t) = bearer {
        rb = rb.bearer_auth(t);
    }
    let r = rb.send().await.unwrap();
    let status = r.status();
    let challenge = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, challenge, r.json().await.unwrap_or(Value::Null))
}

async fn cloud(h: &TestHost) -> Value {
    let (s, _, v) = get(h, &format!("{}/.well-known/ferry/cloud", h.base), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

const V: &str = "api-version=2020-10-01";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_table_names_bases_apart_from_the_org_url() {
    let h = start_strict(Scenario::demo()).await;
    // Unauthenticated even on a strict host, like the OpenID configuration.
    let c = cloud(&h).await;
    assert_eq!(c["cloud"], "local");
    assert_eq!(text(&c, "authority"), h.base);
    assert_eq!(text(&c, "tenantId"), h.host.as_ref().unwrap().tenant_id());
    let bases = [text(&c, "gds"), text(&c, "bap"), text(&c, "powerApps")];
    for (i, b) in bases.iter().enumerate() {
        assert!(b.starts_with(&h.base), "{b}: on the host's origin");
        assert_ne!(b.trim_end_matches('/'), h.base, "{b}: not the org URL");
        assert!(!b.contains("/environments/"), "{b}");
        assert!(bases.iter().skip(i + 1).all(|o| o != b), "distinct: {c}");
    }
    assert_eq!(c["gdsAudience"], c["gds"]);
    // BAP and Power Apps share one resource (service.powerapps.com on a real tenant).
    assert_eq!(c["bapAudience"], c["powerAppsAudience"]);
    assert_ne!(c["bapAudience"], c["gdsAudience"]);
    let running = h.host.as_ref().unwrap();
    assert_eq!(running.gds_url(), bases[0]);
    assert_eq!(
        running.cloud_url(),
        format!("{}/.well-known/ferry/cloud", h.base)
    );

    // A client that derives the services from an org URL finds nothing there.
    let admin = token(&h, &format!("{}/.default", h.base), "ade").await;
    for derived in [
        format!("{}/api/discovery/v2.0/Instances", h.base),
        format!(
            "{}/environments/dev/providers/Microsoft.BusinessAppPlatform/environments?{V}",
            h.base
        ),
        format!(
            "{}/environments/hr-host/providers/Microsoft.PowerApps/connections?{V}",
            h.base
        ),
    ] {
        let (s, _, v) = get(&h, &derived, Some(&admin)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{derived}: {v}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_discovery_lists_the_users_instances() {
    let h = start(Scenario::demo()).await;
    let gds = text(&cloud(&h).await, "gds").to_string();
    let instances = format!("{gds}/api/discovery/v2.0/Instances");
    let (s, _, v) = get(&h, &instances, Some("mona")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rows = v["value"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| text(r, "UniqueName")).collect();
    for name in [
        "host", "hr-host", "dev", "hrdev", "hrprod", "sandbox", "qa", "newdev", "lab", "prod",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let dev = rows.iter().find(|r| r["UniqueName"] == "dev").unwrap();
    assert_eq!(text(dev, "Url"), format!("{}/environments/dev", h.base));
    assert_eq!(dev["ApiUrl"], dev["Url"]);
    assert_eq!(dev["FriendlyName"], "Contoso Dev");
    assert_eq!(dev["UrlName"], "dev");
    assert_eq!(dev["State"], 0);
    assert_eq!(dev["Region"], "local");
    assert_eq!(text(dev, "TenantId"), h.host.as_ref().unwrap().tenant_id());
    assert!(dev["Version"].as_str().unwrap().starts_with("9.2"));
    assert!(dev["LastUpdated"].is_string() && dev["Purpose"].is_string());
    // Id is the organization id, EnvironmentId the BAP id (§1: never confuse them).
    assert_eq!(text(dev, "EnvironmentId"), derived_id("environment", "dev"));
    assert_ne!(dev["Id"], dev["EnvironmentId"]);
    let (s, who) = h
        .get(&format!("{}/environments/dev/api/data/v9.2/WhoAmI", h.base))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(who["OrganizationId"], dev["Id"]);
    let host = rows.iter().find(|r| r["UniqueName"] == "host").unwrap();
    assert_eq!(text(host, "Url"), h.base);
    let (_, who) = h.get("WhoAmI").await;
    assert_eq!(who["OrganizationId"], host["Id"]);
    assert_ne!(host["Id"], dev["Id"]);
    assert_eq!(dev["IsUserSysAdmin"], false, "Mona is a maker");
    let (_, _, v) = get(&h, &instances, Some("ade")).await;
    assert_eq!(v["value"][0]["IsUserSysAdmin"], true, "Ade is an admin");

    // By unique name (the quotes also percent-encoded), by region, an unknown name.
    for url in [
        format!("{instances}(UniqueName='hrdev')"),
        format!("{instances}(UniqueName=%27hrdev%27)"),
    ] {
        let (s, _, v) = get(&h, &url, Some("mona")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["value"].as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v["value"][0]["FriendlyName"], "Contoso HR Dev");
        assert_eq!(
            text(&v["value"][0], "Url"),
            format!("{}/environments/hrdev", h.base)
        );
    }
    let (_, _, v) = get(&h, &format!("{instances}(Region='local')"), Some("mona")).await;
    assert_eq!(v["value"].as_array().unwrap().len(), rows.len());
    let (s, _, v) = get(&h, &format!("{instances}(UniqueName='nope')"), Some("mona")).await;
    assert_eq!(
        (s, v["value"].as_array().unwrap().len()),
        (StatusCode::OK, 0)
    );
    let (s, _, _) = get(&h, &format!("{gds}/api/discovery/v2.0/Nope"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bap_answers_user_and_admin_scope_under_its_own_base() {
    let h = start(Scenario::demo()).await;
    let bap = text(&cloud(&h).await, "bap").to_string();
    let user = format!("{bap}/providers/Microsoft.BusinessAppPlatform/environments");
    let admin = format!("{bap}/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments");
    let (s, _, v) = get(&h, &format!("{user}?{V}"), Some("mona")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["value"].as_array().unwrap().len(),
        12,
        "two hosts + 10 environments"
    );

    let hr_host = derived_id("environment", "hr-host");
    let (s, _, e) = get(&h, &format!("{user}/{hr_host}?{V}"), Some("mona")).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["name"], hr_host.as_str());
    let p = &e["properties"];
    assert_eq!(p["displayName"], "Contoso HR Pipelines");
    assert_eq!(
        p["environmentSku"], "Production",
        "the demo has no platform host"
    );
    assert_eq!(p["azureRegion"], "local");
    let meta = &p["linkedEnvironmentMetadata"];
    assert_eq!(
        text(meta, "instanceUrl"),
        format!("{}/environments/hr-host/", h.base)
    );
    assert_eq!(meta["instanceApiUrl"], meta["instanceUrl"]);
    assert_eq!(meta["uniqueName"], "hr-host");

    // The admin scope: the same entries for an admin, refused to a maker.
    let (s, _, v) = get(&h, &format!("{admin}?api-version=2023-06-01"), Some("ade")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["value"].as_array().unwrap().len(), 12);
    let (s, _, v) = get(
        &h,
        &format!("{admin}/{hr_host}?api-version=2023-06-01"),
        Some("ade"),
    )
    .await;
    assert_eq!((s, &v["name"]), (StatusCode::OK, &json!(hr_host)));
    let (s, _, v) = get(&h, &format!("{admin}?api-version=2023-06-01"), Some("mona")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");

    // api-version is required; an unknown id is a 404 in BAP's envelope.
    let (s, _, v) = get(&h, &user, Some("mona")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"]["code"], "MissingApiVersionParameter");
    let (s, _, v) = get(
        &h,
        &format!("{user}/{}?{V}", derived_id("environment", "nope")),
        Some("mona"),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["error"]["code"], "EnvironmentNotFound");

    // Nothing under the host's own root: a client that derives the URL fails here as
    // it would on a real tenant.
    let (s, _, _) = get(
        &h,
        &format!(
            "{}/providers/Microsoft.BusinessAppPlatform/environments/{hr_host}",
            h.base
        ),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn power_apps_connections_are_served_under_their_own_base() {
    let h = start(Scenario::demo()).await;
    let pa = text(&cloud(&h).await, "powerApps").to_string();
    let hrprod = derived_id("environment", "hrprod");
    let all = format!(
        "{pa}/providers/Microsoft.PowerApps/connections?api-version=2016-11-01&$filter=environment eq '{hrprod}'"
    );
    let (s, _, v) = get(&h, &all, Some("mona")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let names: Vec<&str> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| text(c, "name"))
        .collect();
    assert_eq!(names, ["hrprod-sql"]);
    assert_eq!(
        v["value"][0]["properties"]["environment"]["name"],
        hrprod.as_str()
    );
    let test = derived_id("environment", "test");
    let (s, _, v) = get(
        &h,
        &format!("{pa}/providers/Microsoft.PowerApps/apis/shared_office365/connections?api-version=2016-11-01&$filter=environment%20eq%20'{test}'"),
        Some("mona"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let names: Vec<&str> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| text(c, "name"))
        .collect();
    assert_eq!(names, ["test-office365"]);
    let (s, _, v) = get(
        &h,
        &format!("{pa}/providers/Microsoft.PowerApps/connections?api-version=2016-11-01"),
        Some("mona"),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, _, v) = get(
        &h,
        &format!("{pa}/providers/Microsoft.PowerApps/connections?api-version=2016-11-01&$filter=environment eq 'nowhere'"),
        Some("mona"),
    )
    .await;
    assert_eq!(
        (s, &v["error"]["code"]),
        (StatusCode::NOT_FOUND, &json!("EnvironmentNotFound"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_mode_checks_each_services_audience() {
    let h = start_strict(Scenario::demo()).await;
    let c = cloud(&h).await;
    let (gds, bap, pa) = (text(&c, "gds"), text(&c, "bap"), text(&c, "powerApps"));
    let instances = format!("{gds}/api/discovery/v2.0/Instances");
    let envs = format!("{bap}/providers/Microsoft.BusinessAppPlatform/environments?{V}");
    let conns = format!(
        "{pa}/providers/Microsoft.PowerApps/connections?{V}&$filter=environment eq '{}'",
        derived_id("environment", "test")
    );
    let host_api = format!("{}/WhoAmI", h.api);
    let dev_api = format!("{}/environments/dev/api/data/v9.2/WhoAmI", h.base);
    let hr_api = format!("{}/environments/hr-host/api/data/v9.2/WhoAmI", h.base);

    let scope = |resource: &str| format!("{}/.default", resource.trim_end_matches('/'));
    let host_token = token(&h, &scope(&h.base), "mona").await;
    let dev_token = token(&h, &scope(&format!("{}/environments/dev", h.base)), "mona").await;
    let hr_token = token(
        &h,
        &scope(&format!("{}/environments/hr-host", h.base)),
        "mona",
    )
    .await;
    let gds_token = token(&h, &scope(text(&c, "gdsAudience")), "mona").await;
    let service_token = token(&h, &scope(text(&c, "bapAudience")), "mona").await;
    // `/user_impersonation` names the same resource.
    let gds_user = token(
        &h,
        &format!("{}/user_impersonation", text(&c, "gdsAudience")),
        "mona",
    )
    .await;

    // Each token opens its own org or service and nothing else.
    let urls = [&host_api, &dev_api, &hr_api, &instances, &envs, &conns];
    let cases: [(&str, &str, [bool; 6]); 6] = [
        (
            "host",
            &host_token,
            [true, false, false, false, false, false],
        ),
        ("dev", &dev_token, [false, true, false, false, false, false]),
        (
            "hr-host",
            &hr_token,
            [false, false, true, false, false, false],
        ),
        ("gds", &gds_token, [false, false, false, true, false, false]),
        (
            "gds user_impersonation",
            &gds_user,
            [false, false, false, true, false, false],
        ),
        (
            "service",
            &service_token,
            [false, false, false, false, true, true],
        ),
    ];
    for (name, t, opens) in cases {
        for (url, open) in urls.iter().zip(opens) {
            let (s, challenge, body) = get(&h, url, Some(t)).await;
            if open {
                assert_eq!(s, StatusCode::OK, "{name} token on {url}: {body}");
            } else {
                assert_eq!(s, StatusCode::UNAUTHORIZED, "{name} token on {url}: {body}");
                assert!(
                    challenge.starts_with("Bearer authorization_uri="),
                    "{challenge}"
                );
            }
        }
    }
    // No token: 401, and a service's challenge names its own resource.
    let (s, challenge, body) = get(&h, &instances, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(
        challenge.ends_with(&format!("resource_id={gds}")),
        "{challenge}"
    );
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    let (_, challenge, _) = get(&h, &envs, Some(&host_token)).await;
    assert!(challenge.contains(text(&c, "bapAudience")), "{challenge}");
    // The token endpoint refuses a resource the tenant does not have.
    let r = h
        .client
        .post(format!("{}/organizations/oauth2/v2.0/devicecode", h.base))
        .form(&[
            ("client_id", "c"),
            ("scope", &format!("{}/_tenant/nope/.default", h.base)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

/// `POST {env}/GetOrgDbOrgSetting` → the BAP id of the host `env` is bound to.
async fn bound_host(h: &TestHost, env: &str) -> String {
    let (s, v) = h
        .post(
            &format!(
                "{}/environments/{env}/api/data/v9.0/GetOrgDbOrgSetting",
                h.base
            ),
            json!({ "SettingName": "ProjectHostEnvironmentId" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    text(&v, "SettingValue").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dev_environment_finds_its_own_host_through_bap() {
    let h = start(Scenario::demo()).await;
    let c = cloud(&h).await;
    let bap = text(&c, "bap");
    let host = derived_id("environment", "host");
    let hr_host = derived_id("environment", "hr-host");
    // Bound: validated registrations. Not bound: none, or a registration still pending.
    assert_eq!(bound_host(&h, "dev").await, host);
    assert_eq!(bound_host(&h, "lab").await, host);
    assert_eq!(bound_host(&h, "qa").await, host, "a target is bound too");
    assert_eq!(bound_host(&h, "hrdev").await, hr_host);
    assert_eq!(bound_host(&h, "sandbox").await, "");
    assert_eq!(bound_host(&h, "newdev").await, "");
    // Another setting reads empty.
    let (_, v) = h
        .post(
            &format!(
                "{}/environments/dev/api/data/v9.0/GetOrgDbOrgSetting",
                h.base
            ),
            json!({ "SettingName": "SomethingElse" }),
        )
        .await;
    assert_eq!(v["SettingValue"], "");

    // §1: GetOrgDbOrgSetting → BAP → the host's URL → the probe and the pipelines there.
    let (s, _, e) = get(
        &h,
        &format!(
            "{bap}/providers/Microsoft.BusinessAppPlatform/environments/{}?{V}",
            bound_host(&h, "hrdev").await
        ),
        Some("mona"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let url = text(&e["properties"]["linkedEnvironmentMetadata"], "instanceUrl").to_string();
    assert_eq!(url, format!("{}/environments/hr-host/", h.base));
    let (s, v) = h
        .get(&format!("{url}api/data/v9.1/deploymentpipelines?$top=0"))
        .await;
    assert_eq!(s, StatusCode::OK, "the probe: {v}");
    let hrdev = derived_id("environment", "hrdev");
    let (s, v) = h
        .get_as(
            "mona",
            &format!(
                "{url}api/data/v9.2/RetrieveDeploymentPipelines(SourceEnvironmentId='{hrdev}')"
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let names: Vec<&str> = v["AvailablePipelines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| text(p, "Name"))
        .collect();
    assert_eq!(names, ["HR Release"]);
    // The first host knows nothing of hrdev; a dev or target environment is no host.
    let (_, v) = h
        .get(&format!(
            "RetrieveDeploymentPipelines(SourceEnvironmentId='{hrdev}')"
        ))
        .await;
    assert_eq!(v["DeploymentEnvironment"], Value::Null, "{v}");
    let (s, _) = h
        .get(&format!(
            "{}/environments/hrdev/api/data/v9.1/deploymentpipelines?$top=0",
            h.base
        ))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // lab is registered with no pipeline; qa is registered as a target (§3.1/3.2).
    let lab = derived_id("environment", "lab");
    let (_, v) = h
        .get_as(
            "mona",
            &format!("RetrieveDeploymentPipelines(SourceEnvironmentId='{lab}')"),
        )
        .await;
    assert_eq!(
        v["DeploymentEnvironment"]["EnvironmentType"], 200000000,
        "{v}"
    );
    assert_eq!(v["AvailablePipelines"], json!([]));
    let (_, qa) = h
        .get(&format!("deploymentenvironments({})", registration("qa")))
        .await;
    assert_eq!(
        (
            qa["environmenttype"].clone(),
            qa["validationstatus"].clone()
        ),
        (json!(200000001), json!(200000001))
    );
    let (_, newdev) = h
        .get(&format!(
            "deploymentenvironments({})",
            registration("newdev")
        ))
        .await;
    assert_eq!(newdev["validationstatus"], 200000000, "{newdev}");
    let (s, _) = h
        .get(&format!(
            "deploymentenvironments({})",
            registration("sandbox")
        ))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "sandbox is registered nowhere");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validating_a_pending_registration_binds_the_environment() {
    let h = start(Scenario::demo()).await;
    assert_eq!(bound_host(&h, "newdev").await, "");
    let (s, v) = h
        .post(
            "ManageEnvironmentStamp",
            json!({ "DeploymentEnvironmentId": format!("{{{}}}", registration("newdev").to_uppercase()) }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let path = format!("deploymentenvironments({})", registration("newdev"));
    h.until(
        "the registration to be validated",
        || h.get(&path),
        |(_, reg)| reg["validationstatus"] == 200000001,
    )
    .await;
    assert_eq!(
        bound_host(&h, "newdev").await,
        derived_id("environment", "host")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_host_has_its_own_tables_sharing_and_no_runs() {
    let h = start(Scenario::demo()).await;
    let hr = format!("{}/environments/hr-host/api/data/v9.2", h.base);
    let names = |v: &Value| -> Vec<String> {
        let mut n: Vec<String> = v["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| text(r, "name").to_string())
            .collect();
        n.sort();
        n
    };
    let (s, v) = h
        .get(&format!("{hr}/deploymentenvironments?$select=name"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(names(&v), ["Contoso HR Dev", "Contoso HR Prod"]);
    let (_, v) = h.get("deploymentenvironments?$select=name").await;
    assert!(
        !names(&v).iter().any(|n| n.starts_with("Contoso HR")),
        "{v}"
    );
    let (_, v) = h
        .get(&format!("{hr}/deploymentpipelines?$select=name"))
        .await;
    assert_eq!(names(&v), ["HR Release"]);
    let (_, v) = h.get("deploymentpipelines?$select=name").await;
    assert!(!names(&v).contains(&"HR Release".to_string()), "{v}");
    // Sharing holds there too: Mona has it shared, Pat does not; only admins write.
    let (_, v) = h
        .get_as("mona", &format!("{hr}/deploymentpipelines?$select=name"))
        .await;
    assert_eq!(names(&v), ["HR Release"]);
    let (_, v) = h
        .get_as("pat", &format!("{hr}/deploymentpipelines?$select=name"))
        .await;
    assert_eq!(names(&v), Vec::<String>::new());
    let (s, _) = h
        .post_as(
            "mona",
            &format!("{hr}/deploymentpipelines"),
            json!({ "name": "Mine" }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = h.get(&format!("{hr}/$metadata")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Runs are the first host's only: a clear refusal, not a half-emulated run.
    let (s, v) = h
        .post(
            &format!("{hr}/deploymentstageruns"),
            json!({
                "deploymentstageid@odata.bind": format!("/deploymentstages({})", stage("HR Release", "Deploy to HR Prod")),
                "artifactname": "ContosoHR",
            }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_IMPLEMENTED, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("first host"),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tenant_default_host_and_the_platform_sku_come_from_the_scenario() {
    let read = |h: &TestHost, env: &str| {
        let url = format!(
            "{}/environments/{env}/api/data/v9.2/RetrieveSetting(SettingName='DefaultCustomPipelinesHostEnvForTenant')",
            h.base
        );
        let client = h.client.clone();
        async move {
            let v: Value = client.get(url).send().await.unwrap().json().await.unwrap();
            v["SettingDetail"]["Value"].as_str().unwrap().to_string()
        }
    };
    let sku = |h: &TestHost, name: &str| {
        let url = format!(
            "{}/_tenant/bap/providers/Microsoft.BusinessAppPlatform/environments/{}?{V}",
            h.base,
            derived_id("environment", name)
        );
        let client = h.client.clone();
        async move {
            let v: Value = client.get(url).send().await.unwrap().json().await.unwrap();
            v["properties"]["environmentSku"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    // The demo: no default, no platform host.
    let demo = start(Scenario::demo()).await;
    assert_eq!(read(&demo, "dev").await, "");
    assert_eq!(sku(&demo, "host").await, "Production");

    let tenant = Scenario::from_toml(
        r#"
[tenant]
platform_host = true
default_custom_host = "custom"
[[hosts]]
name = "custom"
[[environments]]
name = "dev"
kind = "development"
[[environments]]
name = "build"
kind = "development"
host = "custom"
"#,
    )
    .unwrap();
    let h = start(tenant).await;
    let custom = derived_id("environment", "custom");
    assert_eq!(read(&h, "dev").await, custom);
    assert_eq!(
        read(&h, "build").await,
        custom,
        "the same from every environment"
    );
    assert_eq!(sku(&h, "host").await, "Platform");
    assert_eq!(sku(&h, "custom").await, "Production");
    // dev is bound to the platform host, whose tenant default names another host: the
    // misconfiguration of §1 step 3 that only an admin can fix.
    assert_eq!(
        bound_host(&h, "dev").await,
        derived_id("environment", "host")
    );
    assert_eq!(bound_host(&h, "build").await, custom);
}
