//! A dev environment's stage runs read in bulk (one solution's, or those changed since a
//! time) with who created each, and a run's package, over real HTTP against Ferry's local
//! host on a manual clock (no waiting on timers).

use std::sync::Arc;
use std::time::Duration;

use ferry_dataverse::{environment as env, pipelines as p, stage_runs, Client, StaticToken};
use ferry_host::{Clock, Host, HostConfig};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

fn client(base: &str) -> Client {
    Client::new(base, Arc::new(StaticToken::new("local"))).unwrap()
}

#[tokio::test]
async fn runs_are_read_by_solution_and_by_change_time_with_their_authors() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = HostConfig::new(dir.path());
    config.clock = Clock::manual_now();
    let host = Host::start(config).await.unwrap();
    let dev = host
        .environments()
        .unwrap()
        .into_iter()
        .find(|e| e.name == "dev")
        .unwrap();
    let hub = client(host.base_url());

    // The dev list: unmanaged and visible only, by the typed call.
    let solutions = env::unmanaged_solutions(&client(&dev.url)).await.unwrap();
    assert!(
        solutions.iter().all(|s| s.ismanaged == Some(false)),
        "{solutions:?}"
    );
    let other = solutions
        .iter()
        .map(|s| s.uniquename.clone())
        .find(|n| n != "ContosoCore" && !["Default", "Active", "Basic"].contains(&n.as_str()))
        .expect("dev has a second solution");

    let registration = p::find_environment(&hub, &dev.environment_id)
        .await
        .unwrap()
        .expect("dev is registered")
        .deploymentenvironmentid;
    let pipeline = p::retrieve_pipelines(&hub, &dev.environment_id)
        .await
        .unwrap()[0]
        .clone();
    let stage = p::stages(&hub, pipeline.id).await.unwrap()[0].deploymentstageid;
    let new = |name: &str| p::NewStageRun {
        stage_id: stage,
        dev_environment_id: registration,
        artifact_name: name.into(),
        solution_id: Uuid::new_v4(),
        scheduled_time: None,
        redeploy_artifact: None,
    };

    // A validated run of ContosoCore (it exports a package), then later a run of another.
    let first = p::create_stage_run(&hub, &new("ContosoCore"))
        .await
        .unwrap();
    p::validate(&hub, first).await.unwrap();
    // Every step of the validation, due one after another on the manual clock.
    for _ in 0..100 {
        let Some(due) = host.next_due_ms() else {
            break;
        };
        host.clock().set_ms(due.max(host.clock().now_ms()));
        host.settle().await;
    }
    assert!(host.next_due_ms().is_none(), "validation has not ended");
    let validated = p::stage_run(&hub, first).await.unwrap();
    let first_changed =
        OffsetDateTime::parse(validated.modifiedon.as_deref().unwrap(), &Rfc3339).unwrap();
    host.clock().advance(Duration::from_secs(5));
    let second = p::create_stage_run(&hub, &new(&other)).await.unwrap();

    let all = stage_runs::runs_changed_since(&hub, registration, None)
        .await
        .unwrap();
    let ids: Vec<Uuid> = all.iter().map(|r| r.run.deploymentstagerunid).collect();
    assert_eq!(ids, [first, second], "oldest change first");
    assert!(all.iter().all(|r| r.created_by.is_some()), "by whom");

    let later = first_changed + time::Duration::seconds(2);
    let changed = stage_runs::runs_changed_since(&hub, registration, Some(later))
        .await
        .unwrap();
    let ids: Vec<Uuid> = changed.iter().map(|r| r.run.deploymentstagerunid).collect();
    assert_eq!(
        ids,
        [second],
        "changed since {later}: {:?}",
        changed
            .iter()
            .map(|r| &r.run.modifiedon)
            .collect::<Vec<_>>()
    );

    let core = stage_runs::runs_of_solution(&hub, registration, "ContosoCore")
        .await
        .unwrap();
    let ids: Vec<Uuid> = core.iter().map(|r| r.run.deploymentstagerunid).collect();
    assert_eq!(
        ids,
        [first],
        "{:?}",
        core.iter()
            .map(|r| (&r.run.artifactname, &other))
            .collect::<Vec<_>>()
    );
    // A quote in the name is part of the literal, not OData syntax.
    assert!(stage_runs::runs_of_solution(&hub, registration, "O'Neil")
        .await
        .unwrap()
        .is_empty());

    let artifact = validated.artifact_id.unwrap().to_string();
    let package = stage_runs::artifact_file(&hub, &artifact).await.unwrap();
    assert!(package.is_some_and(|b| !b.is_empty()));
    let missing = stage_runs::artifact_file(&hub, &Uuid::new_v4().to_string())
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ferry_dataverse::ErrorKind::NotFound);
}
