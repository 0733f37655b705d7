//! The typed reads of the tenant services (Global Discovery, BAP, Power Apps) and of an
//! environment's settings, over real HTTP against Ferry's local host, which serves each
//! service at its own base as a real tenant does (host README "The tenant").

use std::sync::Arc;

use ferry_dataverse::{environment as env, pipelines, tenant};
use ferry_dataverse::{Client, ErrorKind, StaticToken};
use ferry_host::{Host, HostConfig};

fn client(base: &str) -> Client {
    Client::new(base, Arc::new(StaticToken::new("local"))).unwrap()
}

#[tokio::test]
async fn tenant_services_answer_typed_environments_and_connections() {
    let dir = tempfile::tempdir().unwrap();
    let host = Host::start(HostConfig::new(dir.path())).await.unwrap();
    let envs = host.environments().unwrap();
    let dev = envs.iter().find(|e| e.name == "dev").unwrap();
    let dev_url = dev.url.trim_end_matches('/');

    let instances = tenant::instances(&client(&host.gds_url())).await.unwrap();
    assert_eq!(instances.len(), envs.len(), "{instances:?}");
    let listed = instances
        .iter()
        .find(|i| i.is(dev_url))
        .expect("dev listed");
    assert_eq!(listed.bap_id, dev.environment_id);
    assert!(listed.is(&dev.environment_id) && listed.is("dev"));
    assert_eq!(listed.url, dev_url, "no trailing slash");

    let bap = client(&host.bap_url());
    let all = tenant::environments(&bap).await.unwrap();
    assert!(all.iter().any(|e| e.is(&dev.environment_id)), "{all:?}");
    let one = tenant::environment(&bap, &dev.environment_id)
        .await
        .unwrap()
        .expect("dev described");
    assert_eq!(one.url, dev_url);
    assert_eq!(one.name(), dev.display_name);
    let unknown = tenant::environment(&bap, "00000000-0000-0000-0000-00000000dead")
        .await
        .unwrap_err();
    assert!(
        matches!(unknown.kind, ErrorKind::NotFound | ErrorKind::Forbidden),
        "{unknown:?}"
    );

    let apps = client(&host.powerapps_url());
    let mut seen = 0;
    for e in &envs {
        let rows = tenant::connections(&apps, &e.environment_id).await.unwrap();
        for row in &rows {
            assert!(
                row["properties"]["environment"]
                    .to_string()
                    .contains(&e.environment_id),
                "a connection of another environment: {row}"
            );
        }
        seen += rows.len();
    }
    assert!(seen > 0, "the demo has connections");
    // An id with a quote goes as part of the literal (no OData syntax error): the
    // environment is simply unknown.
    let unknown = tenant::connections(&apps, "O'Neil").await.unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::NotFound, "{unknown:?}");
}

#[tokio::test]
async fn a_dev_environment_names_its_host_and_the_host_has_the_pipelines_app() {
    let dir = tempfile::tempdir().unwrap();
    let host = Host::start(HostConfig::new(dir.path())).await.unwrap();
    let envs = host.environments().unwrap();
    let dev = envs.iter().find(|e| e.name == "dev").unwrap();
    let first = envs.iter().find(|e| e.kind == "host").unwrap();
    let dev_client = client(&dev.url);

    let bound = env::org_db_setting(&dev_client, "ProjectHostEnvironmentId")
        .await
        .unwrap();
    assert_eq!(bound, first.environment_id);
    let default = env::setting(&dev_client, "DefaultCustomPipelinesHostEnvForTenant")
        .await
        .unwrap();
    assert_eq!(default, "", "the demo has no default custom host");

    pipelines::probe_pipelines_app(&client(host.base_url()))
        .await
        .unwrap();
    let not_a_host = pipelines::probe_pipelines_app(&dev_client)
        .await
        .unwrap_err();
    assert_eq!(not_a_host.kind, ErrorKind::NotFound, "{not_a_host:?}");
}
