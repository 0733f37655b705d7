//! The client against Ferry's local pipelines host over real HTTP: one host per
//! test, on a free port, in a temp folder.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ferry_dataverse::pipelines::{self as p, NewStageRun, StageRun};
use ferry_dataverse::{Client, ClientOptions, ErrorKind, StaticToken};
use ferry_host::{Host, HostConfig, RunningHost};
use ferry_pipelines::{
    ConnectionReferenceSetting, DeploymentSettings, EnvironmentVariableSetting, StageRunStatus,
};
use serde_json::Value;
use uuid::Uuid;

struct Fixture {
    host: RunningHost,
    client: Client,
    _dir: tempfile::TempDir,
}

async fn start() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut config = HostConfig::new(dir.path());
    config.speed = 100.0;
    let host = Host::start(config).await.unwrap();
    let client = Client::new(host.base_url(), Arc::new(StaticToken::new("local"))).unwrap();
    Fixture {
        host,
        client,
        _dir: dir,
    }
}

impl Fixture {
    fn env(&self, name: &str) -> ferry_host::EnvironmentSummary {
        self.host
            .environments()
            .unwrap()
            .into_iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("the demo has no environment {name}"))
    }

    /// A client for a dev or target environment's own Web API.
    fn env_client(&self, name: &str) -> Client {
        Client::new(&self.env(name).url, Arc::new(StaticToken::new("local"))).unwrap()
    }

    /// A new run of `artifact` for the first stage of the dev environment's first
    /// pipeline, and the dev environment's registration id.
    async fn new_first_stage_run(&self, artifact: &str) -> (NewStageRun, Uuid) {
        let dev = self.env("dev");
        let registration = p::find_environment(&self.client, &dev.environment_id)
            .await
            .unwrap()
            .expect("the demo registers its dev environment");
        let pipeline = p::retrieve_pipelines(&self.client, &dev.environment_id)
            .await
            .unwrap()[0]
            .clone();
        let stage = p::stages(&self.client, pipeline.id).await.unwrap()[0].clone();
        let run = NewStageRun {
            stage_id: stage.deploymentstageid,
            dev_environment_id: registration.deploymentenvironmentid,
            artifact_name: artifact.into(),
            solution_id: Uuid::new_v4(),
            scheduled_time: None,
            redeploy_artifact: None,
        };
        (run, registration.deploymentenvironmentid)
    }

    async fn wait_for(&self, run: Uuid, done: impl Fn(&StageRun) -> bool) -> StageRun {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let current = p::stage_run(&self.client, run).await.unwrap();
            if done(&current) {
                return current;
            }
            assert!(Instant::now() < deadline, "run stuck at {current:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn settings(env: &str) -> DeploymentSettings {
    DeploymentSettings {
        environment_variables: vec![
            EnvironmentVariableSetting {
                schema_name: "cont_ApiBaseUrl".into(),
                value: format!("https://api.{env}.contoso.example"),
                ..Default::default()
            },
            EnvironmentVariableSetting {
                schema_name: "cont_RetryCount".into(),
                value: "5".into(),
                ..Default::default()
            },
        ],
        connection_references: vec![ConnectionReferenceSetting {
            logical_name: "cont_sharedoffice365_1a2b3".into(),
            connection_id: format!("{env}-office365"),
            connector_id: Some("/providers/Microsoft.PowerApps/apis/shared_office365".into()),
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_a_solution_through_the_typed_calls() {
    let f = start().await;
    let dev = f.env("dev");
    let registration = p::find_environment(&f.client, &dev.environment_id)
        .await
        .unwrap()
        .expect("the demo registers its dev environment");
    assert_eq!(registration.environmentid, dev.environment_id);

    let pipelines = p::retrieve_pipelines(&f.client, &dev.environment_id)
        .await
        .unwrap();
    let release = pipelines
        .iter()
        .find(|p| p.name == "Contoso Release")
        .expect("the release pipeline is offered to dev");
    let stages = p::stages(&f.client, release.id).await.unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Deploy to Test", "Deploy to UAT", "Deploy to Prod"]);
    assert_eq!(stages[0].target.as_ref().unwrap().name, "Contoso Test");

    let solutions: Vec<Value> = f
        .env_client("dev")
        .get_all(
            "solutions?$filter=uniquename%20eq%20'ContosoCore'&$select=solutionid,version",
            None,
        )
        .await
        .unwrap();
    let solution_id = Uuid::parse_str(solutions[0]["solutionid"].as_str().unwrap()).unwrap();
    let dev_version = solutions[0]["version"].as_str().unwrap().to_string();

    let run = p::create_stage_run(
        &f.client,
        &NewStageRun {
            stage_id: stages[0].deploymentstageid,
            dev_environment_id: registration.deploymentenvironmentid,
            artifact_name: "ContosoCore".into(),
            solution_id,
            scheduled_time: None,
            redeploy_artifact: None,
        },
    )
    .await
    .unwrap();
    p::validate(&f.client, run).await.unwrap();
    let validated = f
        .wait_for(run, |r| {
            r.is_terminal() || r.status() == Some(StageRunStatus::ValidationSucceeded)
        })
        .await;
    assert_eq!(
        validated.status(),
        Some(StageRunStatus::ValidationSucceeded),
        "{validated:?}"
    );
    let results = validated.validation_results().expect("results").unwrap();
    assert!(results.passed(), "{results:?}");

    p::set_deployment_settings(&f.client, run, &settings("test"))
        .await
        .unwrap();
    p::prepare_deployment(
        &f.client,
        run,
        &dev_version,
        "1.0.0.4",
        Some("first release"),
        None,
    )
    .await
    .unwrap();
    p::deploy(&f.client, run).await.unwrap();
    let done = f.wait_for(run, StageRun::is_terminal).await;
    assert_eq!(done.status(), Some(StageRunStatus::Succeeded), "{done:?}");
    assert_eq!(done.status_label(), "Succeeded");
    assert_eq!(done.artifactversion.as_deref(), Some("1.0.0.4"));
    assert_eq!(done.deploymentnotes.as_deref(), Some("first release"));
    assert!(done.artifact_id.is_some());
    let sent = DeploymentSettings::parse(done.deploymentsettingsjson.as_deref().unwrap()).unwrap();
    assert_eq!(sent, settings("test"));

    let history = p::history(
        &f.client,
        "ContosoCore",
        registration.deploymentenvironmentid,
    )
    .await
    .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].deploymentstagerunid, run);

    // A finished run cannot be canceled: the host refuses with its envelope.
    let err = p::cancel(&f.client, run).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Rejected, "{err:?}");
    assert_eq!(err.status, Some(400));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_ends_a_run_that_has_not_finished() {
    let f = start().await;
    let (new, _) = f.new_first_stage_run("ContosoCanvas").await;
    let run = p::create_stage_run(&f.client, &new).await.unwrap();
    p::cancel(&f.client, run).await.unwrap();
    let now = p::stage_run(&f.client, run).await.unwrap();
    assert_eq!(now.status(), Some(StageRunStatus::Canceled), "{now:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_run_twice_with_one_id_makes_one_run() {
    let f = start().await;
    let (new, dev_registration) = f.new_first_stage_run("ContosoCore").await;
    let id = Uuid::new_v4();
    assert_eq!(
        p::create_stage_run_with_id(&f.client, id, &new)
            .await
            .unwrap(),
        id
    );
    assert_eq!(
        p::create_stage_run_with_id(&f.client, id, &new)
            .await
            .unwrap(),
        id
    );
    let runs = p::history(&f.client, "ContosoCore", dev_registration)
        .await
        .unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_followed_to_the_end() {
    let f = start().await;
    let everything: Vec<Value> = f
        .client
        .get_all("deploymentstages?$select=name", None)
        .await
        .unwrap();
    assert!(everything.len() >= 3, "{everything:?}");
    let first = f
        .client
        .get_page::<Value>("deploymentstages?$select=name", Some(1))
        .await
        .unwrap();
    assert_eq!(first.value.len(), 1);
    assert!(first.next_link.is_some(), "a page of one has a next link");
    let paged: Vec<Value> = f
        .client
        .get_all("deploymentstages?$select=name", Some(1))
        .await
        .unwrap();
    assert_eq!(paged, everything);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_errors_arrive_typed() {
    let f = start().await;
    let err = p::stage_run(&f.client, Uuid::new_v4()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err:?}");
    assert_eq!(err.code.as_deref(), Some("0x80040217"));
    assert!(err.message.contains("Does Not Exist"), "{}", err.message);

    let err = f.client.get::<Value>("nosuchtables").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err:?}");

    let err = p::validate(&f.client, Uuid::new_v4()).await.unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::NotFound | ErrorKind::Rejected),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_host_is_offline_not_a_hang() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = ClientOptions {
        max_retries: 1,
        backoff: Duration::from_millis(10),
        ..ClientOptions::default()
    };
    let client = Client::with_options(
        &format!("http://127.0.0.1:{port}"),
        Arc::new(StaticToken::new("t")),
        options,
    )
    .unwrap();
    let err = client.get::<Value>("WhoAmI").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Offline, "{err:?}");
    assert!(err.message.contains("unreachable"), "{}", err.message);
}
