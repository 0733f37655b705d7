//! Stable ids derived from names, so a scenario's ids are the same on every machine (a leaf:
//! the scenario, the caller, events and routes all name rows by them).

/// A stable id derived from a name: a UUID v5 of `ferry:{kind}:{name}`.
pub fn derived_id(kind: &str, name: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("ferry:{kind}:{name}").as_bytes(),
    )
    .to_string()
}
