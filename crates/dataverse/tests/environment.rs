//! The typed reads of an environment's own Web API against Ferry's local host over real
//! HTTP (the demo's development environment): a solution's components, variables and
//! connection references, its missing dependencies, the solutions, who is signed in.

use std::sync::Arc;

use ferry_dataverse::environment as env;
use ferry_dataverse::{Client, StaticToken};
use ferry_host::{Host, HostConfig};
use uuid::Uuid;

#[tokio::test]
async fn a_dev_solution_is_read_as_typed_rows() {
    let dir = tempfile::tempdir().unwrap();
    let host = Host::start(HostConfig::new(dir.path())).await.unwrap();
    let dev = host
        .environments()
        .unwrap()
        .into_iter()
        .find(|e| e.name == "dev")
        .expect("the demo has a dev environment");
    let client = Client::new(&dev.url, Arc::new(StaticToken::new("local"))).unwrap();

    let solutions = env::solutions(&client).await.unwrap();
    let core = solutions
        .iter()
        .find(|s| s.uniquename == "ContosoCore")
        .expect("dev has ContosoCore");
    assert!(
        core.version.is_some() && core.ismanaged == Some(false),
        "{core:?}"
    );
    let id = Uuid::parse_str(core.solutionid.as_deref().unwrap()).unwrap();

    let ids = env::solution_component_ids(&client, id).await.unwrap();
    let variables: Vec<String> = env::variable_definitions(&client)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| ids.contains(&d.environmentvariabledefinitionid.to_ascii_lowercase()))
        .filter_map(|d| d.schemaname)
        .collect();
    assert!(
        variables.contains(&"cont_ApiBaseUrl".to_string()),
        "{variables:?}"
    );
    let references: Vec<String> = env::connection_references(&client)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| ids.contains(&r.connectionreferenceid.to_ascii_lowercase()))
        .filter_map(|r| r.connectionreferencelogicalname)
        .collect();
    assert_eq!(references, ["cont_sharedoffice365_1a2b3"]);

    // A name with a quote is sent as a literal, not as OData syntax.
    assert!(env::missing_dependencies(&client, "ContosoCore")
        .await
        .is_ok());
    let unknown = env::missing_dependencies(&client, "O'Neil")
        .await
        .unwrap_err();
    assert!(
        unknown.message.contains("O'Neil does not exist"),
        "{unknown:?}"
    );

    let me = env::who_am_i(&client).await.unwrap();
    assert!(!me.is_nil());
}
