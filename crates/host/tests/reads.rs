//! Reads never wait for the writer: a maker's poll is answered while a long write (a step
//! writing an artifact, a burst of deployments) holds the one write transaction.

mod common;

use std::time::Duration;

use common::*;
use ferry_host::Scenario;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_is_answered_while_a_write_is_in_progress() {
    let h = start(Scenario::demo()).await;
    let held = h.host.as_ref().unwrap().hold_writes();
    let dev = format!("{}/environments/dev/api/data/v9.2", h.base);
    let urls = [
        h.url("deploymentpipelines?$select=name"),
        h.url("deploymentstages?$count=true"),
        h.url("deploymentstageruns/$count"),
        format!("{dev}/solutions?$select=uniquename"),
    ];
    // The client runs on a thread of its own: a host worker stuck behind the writer must not
    // stop the test from noticing.
    let (answers, answered) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let client = reqwest::blocking::Client::new();
        for url in urls {
            let status = client.get(&url).send().map(|r| r.status().as_u16());
            let _ = answers.send((url, status));
        }
    });
    for _ in 0..4 {
        let (url, status) = answered
            .recv_timeout(Duration::from_secs(5))
            .expect("a read waited for the writer");
        assert_eq!(status.ok(), Some(200), "{url}");
    }
    drop(held);
}

/// Requests that write wait for their turn without holding a runtime worker: with the writer
/// busy and more writes than workers waiting, a poll is still answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_writes_leave_the_workers_to_the_reads() {
    let h = start(Scenario::demo()).await;
    let held = h.host.as_ref().unwrap().hold_writes();
    let create = h.url("deploymentstageruns");
    let body = serde_json::json!({
        "deploymentstageid@odata.bind":
            format!("/deploymentstages({})", stage(RELEASE, "Deploy to Test")),
        "devdeploymentenvironment@odata.bind":
            format!("/deploymentenvironments({})", registration("dev")),
        "artifactname": "ContosoCore",
        "solutionid": ferry_host::scenario::derived_id("solution", "ContosoCore"),
    });
    let tasks = tokio::runtime::Handle::current().metrics();
    let idle = tasks.num_alive_tasks();
    let (done, writes) = std::sync::mpsc::channel();
    for _ in 0..4 {
        let (create, body, done) = (create.clone(), body.clone(), done.clone());
        std::thread::spawn(move || {
            let status = reqwest::blocking::Client::new()
                .post(&create)
                .json(&body)
                .send()
                .map(|r| r.status().as_u16());
            let _ = done.send(status.ok());
        });
    }
    // The writes reached the host (a task per connection) before the poll is sent.
    let deadline = std::time::Instant::now() + PATIENCE;
    while tasks.num_alive_tasks() < idle + 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the writes never reached the host"
        );
        std::thread::yield_now();
    }
    let poll = h.url("deploymentstageruns/$count");
    let (answer, answered) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let status = reqwest::blocking::get(&poll).map(|r| r.status().as_u16());
        let _ = answer.send(status.ok());
    });
    let status = answered
        .recv_timeout(Duration::from_secs(5))
        .expect("a poll waited behind writes waiting for the writer");
    assert_eq!(status, Some(200));
    drop(held);
    for _ in 0..4 {
        let status = writes.recv_timeout(Duration::from_secs(15)).unwrap();
        assert_eq!(
            status,
            Some(204),
            "each waiting write is done once the writer is free"
        );
    }
}

/// A step that exports an artifact builds its files before it takes the writer, so the
/// requests that write never wait for zips, hashes and file creation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steps_artifact_files_are_built_while_the_writer_is_busy() {
    let h = start_manual(Scenario::demo()).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCore")
        .await;
    let (status, body) = h.action("ValidatePackageAsync", &run).await;
    assert!(status.is_success(), "{body}");
    let artifacts = h.dir.path().join("artifacts");
    let folders = || -> Vec<String> {
        std::fs::read_dir(&artifacts)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = folders();
    let due = h.host().next_due_ms().expect("the export is due");
    let held = h.host().hold_writes();
    h.clock().set_ms(due);
    let deadline = std::time::Instant::now() + PATIENCE;
    let built = loop {
        let new: Vec<String> = folders()
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect();
        if let Some(id) = new.first() {
            break id.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the export's files were not built while the writer was busy"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    drop(held);
    let run = h.wait_for(&run, &[200000001, 200000006, 200000007]).await;
    assert_eq!(
        run["_artifactid_value"].as_str(),
        Some(built.as_str()),
        "the step recorded the files built for it: {run}"
    );
    let new: Vec<String> = folders()
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    assert_eq!(new, vec![built], "nothing else was left on disk");
}
