//! Helpers for tests of Ferry against the host, behind the `test-support` feature
//! (`ferry-host = { workspace = true, features = ["test-support"] }` in dev-dependencies).

pub mod proxy;

pub use proxy::ConnectProxy;

/// Holds the host's one write transaction open until dropped: what a long write (a step
/// writing an artifact, a busy moment) looks like to the requests that arrive meanwhile.
pub struct WritesHeld {
    release: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl crate::RunningHost {
    /// Opens a write transaction on a thread of its own and keeps it open until the returned
    /// guard drops; returns once the transaction holds the writer.
    pub fn hold_writes(&self) -> WritesHeld {
        let store = self.store.clone();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (held, holding) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let _ = store.tx(|_| -> rusqlite::Result<()> {
                let _ = held.send(());
                let _ = released.recv();
                Ok(())
            });
        });
        holding.recv().expect("the write transaction started");
        WritesHeld {
            release: Some(release),
            thread: Some(thread),
        }
    }
}

impl Drop for WritesHeld {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
