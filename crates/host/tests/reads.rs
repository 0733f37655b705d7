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
