//! `$metadata`: a CSDL document generated from the schema, so it always
//! describes exactly what is served.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::schema::{entities, Kind, Nav};

const HOST_OPERATIONS: &str = r#"
      <Function Name="WhoAmI"><ReturnType Type="mscrm.WhoAmIResponse" Nullable="false" /></Function>
      <Function Name="RetrieveDeploymentPipelines"><Parameter Name="SourceEnvironmentId" Type="Edm.String" Nullable="false" /><ReturnType Type="mscrm.RetrieveDeploymentPipelinesResponse" Nullable="false" /></Function>
      <Function Name="RetrieveDeploymentPipelineInfo"><Parameter Name="DeploymentPipelineId" Type="Edm.Guid" Nullable="false" /><Parameter Name="SourceEnvironmentId" Type="Edm.String" Nullable="false" /><Parameter Name="ArtifactName" Type="Edm.String" Nullable="false" /><ReturnType Type="mscrm.RetrieveDeploymentPipelineInfoResponse" Nullable="false" /></Function>
      <Action Name="ValidatePackageAsync"><Parameter Name="StageRunId" Type="Edm.Guid" Nullable="false" /></Action>
      <Action Name="DeployPackageAsync"><Parameter Name="StageRunId" Type="Edm.Guid" Nullable="false" /></Action>
      <Action Name="RetryFailedDeploymentAsync"><Parameter Name="StageRunId" Type="Edm.Guid" Nullable="false" /></Action>
      <Action Name="UpdatePreDeploymentStepStatus"><Parameter Name="StageRunId" Type="Edm.Guid" Nullable="false" /><Parameter Name="PreDeploymentStepStatus" Type="Edm.Int32" Nullable="false" /><Parameter Name="Comments" Type="Edm.String" /></Action>
      <Action Name="UpdateApprovalStatus"><Parameter Name="StageRunId" Type="Edm.Guid" Nullable="false" /><Parameter Name="ApprovalStatus" Type="Edm.Int32" Nullable="false" /><Parameter Name="ApprovalComments" Type="Edm.String" /><Parameter Name="ApprovalProperties" Type="Edm.String" /></Action>
      <Action Name="UpdatePreExportStepStatus"><Parameter Name="StageRunId" Type="Edm.Guid" Nullable="false" /><Parameter Name="PreExportStepStatus" Type="Edm.Int32" Nullable="false" /><Parameter Name="Comments" Type="Edm.String" /><Parameter Name="PreExportProperties" Type="Edm.String" /></Action>
      <Action Name="ManageEnvironmentStamp"><Parameter Name="DeploymentEnvironmentId" Type="Edm.String" Nullable="false" /></Action>"#;

/// The CSDL document for a scope.
pub fn document(scope: &str) -> String {
    let mut types = String::new();
    let mut sets = String::new();
    for e in entities(scope) {
        types.push_str(&format!(
            "      <EntityType Name=\"{}\">\n        <Key><PropertyRef Name=\"{}\" /></Key>\n",
            e.logical, e.key
        ));
        for c in e.all_columns() {
            let name = c.key();
            types.push_str(&format!(
                "        <Property Name=\"{name}\" Type=\"{}\" />\n",
                c.kind.edm()
            ));
            if let Kind::Lookup(target) = c.kind {
                if let Some(t) = entities(scope).iter().find(|x| x.set == target) {
                    types.push_str(&format!(
                        "        <NavigationProperty Name=\"{}\" Type=\"mscrm.{}\" />\n",
                        c.name, t.logical
                    ));
                }
            }
        }
        for n in e.navs {
            if let Some(t) = entities(scope).iter().find(|x| x.set == n.target()) {
                let partner = match n {
                    Nav::OneToMany { fk, .. } => format!(" Partner=\"{fk}\""),
                    Nav::ManyToMany { .. } => String::new(),
                };
                types.push_str(&format!("        <NavigationProperty Name=\"{}\" Type=\"Collection(mscrm.{})\"{partner} />\n", n.name(), t.logical));
            }
        }
        types.push_str("      </EntityType>\n");
        sets.push_str(&format!(
            "        <EntitySet Name=\"{}\" EntityType=\"mscrm.{}\" />\n",
            e.set, e.logical
        ));
    }
    let operations = if crate::schema::is_host_scope(scope) {
        HOST_OPERATIONS
    } else {
        ""
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n  <edmx:DataServices>\n    <Schema Namespace=\"Microsoft.Dynamics.CRM\" Alias=\"mscrm\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n{types}{operations}\n      <EntityContainer Name=\"System\">\n{sets}      </EntityContainer>\n    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n"
    )
}

pub fn response(scope: &str) -> Response {
    let mut r = document(scope).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    r
}
