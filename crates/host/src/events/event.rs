//! One emitted event as stored in the outbox: what `/_ferry/events` lists and the webhook
//! envelope carries. A leaf, so the envelope reads events without depending on the outbox
//! that writes them (and builds envelopes).

use serde_json::{Map, Value};

use crate::clock;

/// One emitted event, as `/_ferry/events` lists it.
#[derive(Debug, Clone)]
pub struct Event {
    pub seq: i64,
    pub id: String,
    pub run: String,
    pub run_seq: i64,
    pub name: String,
    pub at_ms: i64,
    pub input: Vec<(String, Value)>,
    pub output: Vec<(String, Value)>,
    pub user_id: String,
}

impl Event {
    pub fn to_json(&self) -> Value {
        let obj = |pairs: &[(String, Value)]| -> Value {
            Value::Object(pairs.iter().cloned().collect::<Map<_, _>>())
        };
        serde_json::json!({
            "id": self.id,
            "name": self.name,
            "run": self.run,
            "sequence": self.run_seq,
            "time": clock::ms_to_text(self.at_ms),
            "input": obj(&self.input),
            "output": obj(&self.output),
        })
    }
}
