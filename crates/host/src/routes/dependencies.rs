//! `RetrieveMissingDependencies(SolutionUniqueName=…)` in an environment (a standard Dataverse
//! function, see README "Missing dependencies"): the components a solution needs that it does
//! not contain, as `dependency` rows — what its export writes as `MissingDependency` entries.
//! Ferry reads it in dev to predict a first stage's missing dependencies before anything is
//! sent. The emulator answers from the dependencies the solution was seeded with
//! (`depends_on`); a required solution dev lacks is the Active (unmanaged) layer [I].

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{access, json, AppState, Req};
use crate::error::{ApiError, ApiResult};
use crate::ids::derived_id;
use crate::runs::install::spec_of;
use crate::store::records;

/// The answer: a collection of `dependency` rows (spec: Collection(crmbaseentity)).
pub fn retrieve_missing(state: &AppState, req: &Req, unique_name: &str) -> ApiResult<Response> {
    let unique_name = unique_name.trim().trim_matches('\'');
    state.store.read(|conn| {
        let scope = req.scope.as_str();
        let solution = records::find(conn, scope, "solutions", "uniquename", unique_name)?
            .into_iter()
            .next()
            .ok_or_else(|| {
                ApiError::bad_request(format!("The solution {unique_name} does not exist."))
            })?;
        access::require_read(conn, &req.caller, scope, "solutions", "solution", &solution)?;
        let mut rows = Vec::new();
        for dep in spec_of(&solution).map(|s| s.depends_on).unwrap_or_default() {
            let component = if dep.component.is_empty() {
                dep.solution.clone()
            } else {
                dep.component.clone()
            };
            let base = records::find(conn, scope, "solutions", "uniquename", &dep.solution)?
                .into_iter()
                .next()
                .map(|b| Value::String(b.id))
                .unwrap_or(Value::Null);
            rows.push(json!({
                "@odata.type": "#Microsoft.Dynamics.CRM.dependency",
                "dependencyid": derived_id("dependency", &format!("{scope}:{unique_name}:{component}")),
                "dependencytype": 2,
                "requiredcomponentobjectid": derived_id("component", &format!("{}:{component}", dep.solution)),
                "requiredcomponenttype": 1,
                "requiredcomponentbasesolutionid": base,
                "requiredcomponentintroducedversion": introduced(&dep.min_version),
                "dependentcomponentobjectid": solution.id,
                "dependentcomponenttype": 7,
                "dependentcomponentbasesolutionid": solution.id,
            }));
        }
        Ok(json(
            StatusCode::OK,
            json!({
                "@odata.context": format!("{}/$metadata#Collection(Microsoft.Dynamics.CRM.crmbaseentity)", req.api_base),
                "value": rows,
            }),
        ))
    })
}

/// `requiredcomponentintroducedversion` is a Double: the version's first two parts.
fn introduced(version: &str) -> f64 {
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or("0");
    let minor = parts.next().unwrap_or("0");
    format!("{major}.{minor}").parse().unwrap_or(0.0)
}
