//! OData as Dataverse does it, over real HTTP: query options, paging,
//! annotations, creates, upserts, etags, errors and `$ref`.

mod common;

use common::*;
use ferry_host::Scenario;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const FORMATTED: &str = "odata.include-annotations=\"OData.Community.Display.V1.FormattedValue\"";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_filter_orderby_top_count() {
    let h = start(Scenario::demo()).await;
    let (s, v) = h.get("deploymentenvironments?$filter=environmentid eq '{}'&$select=deploymentenvironmentid,name,environmenttype".replace("{}", &ferry_host::scenario::derived_id("environment", "dev")).as_str()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rows = v["value"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "Contoso Dev");
    assert!(rows[0]["@odata.etag"].as_str().unwrap().starts_with("W/\""));
    assert!(
        rows[0].get("validationstatus").is_none(),
        "$select limits columns"
    );
    assert!(v["@odata.context"].as_str().unwrap().ends_with(
        "$metadata#deploymentenvironments(deploymentenvironmentid,name,environmenttype)"
    ));

    // Percent-encoded, case-insensitive, GUID unquoted for lookups.
    let pid = pipeline(RELEASE);
    let (_, v) = h.get(&format!("deploymentstages?$filter=_deploymentpipelineid_value%20eq%20{}&$orderby=name desc&$select=name", pid.to_uppercase())).await;
    let names: Vec<_> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Deploy to UAT", "Deploy to Test", "Deploy to Prod"]);
    let (_, v) = h.get("deploymentenvironments?$filter=contains(name,'CONTOSO') and (environmenttype eq 200000001 or startswith(name,'x'))&$count=true&$top=2&$orderby=name").await;
    assert_eq!(v["@odata.count"], 4, "test, uat, prod and qa: {v}");
    assert_eq!(v["value"].as_array().unwrap().len(), 2);
    assert_eq!(v["value"][0]["name"], "Contoso Prod");

    // /$count is a bare number.
    let r = h
        .get_with(
            "deploymentenvironments/$count?$filter=environmenttype eq 200000001",
            &[],
        )
        .await;
    assert_eq!(r.headers()["content-type"], "text/plain");
    assert_eq!(r.text().await.unwrap(), "4");

    // any() over a collection navigation; a path through a lookup.
    let (_, v) = h.get("deploymentpipelines?$filter=deploymentpipeline_deploymentstage/any(s: s/name eq 'deploy to uat')&$select=name").await;
    assert_eq!(v["value"].as_array().unwrap().len(), 1, "{v}");
    let (_, v) = h.get("deploymentstages?$filter=targetdeploymentenvironmentid/name eq 'Contoso Prod'&$select=name").await;
    assert_eq!(v["value"].as_array().unwrap().len(), 3, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expand_single_and_collection_with_nested_options() {
    let h = start(Scenario::demo()).await;
    let (s, v) = h
        .get(&format!(
            "deploymentstages?$filter=_deploymentpipelineid_value eq {}&$select=name,_previousdeploymentstageid_value&$expand=targetdeploymentenvironmentid($select=name,environmentid,deploymentenvironmentid)",
            pipeline(RELEASE)
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let first = &v["value"][0];
    assert_eq!(
        first["targetdeploymentenvironmentid"]["name"],
        "Contoso Test"
    );
    assert!(first["targetdeploymentenvironmentid"]
        .get("validationstatus")
        .is_none());

    let (s, v) = h
        .get(&format!(
            "deploymentpipelines({})?$expand=deploymentpipeline_deploymentstage($select=name;$orderby=name;$top=2;$filter=statecode eq 0),deploymentpipeline_deploymentenvironment($select=name)",
            pipeline(RELEASE)
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let stages = v["deploymentpipeline_deploymentstage"].as_array().unwrap();
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0]["name"], "Deploy to Prod");
    assert_eq!(
        v["deploymentpipeline_deploymentenvironment"][0]["name"],
        "Contoso Dev"
    );
    assert!(v["@odata.context"].as_str().unwrap().ends_with("/$entity"));

    // Navigation from the environment side (the portable pipelines fallback).
    let (_, v) = h.get(&format!("deploymentenvironments({})/deploymentpipeline_deploymentenvironment?$select=deploymentpipelineid,name&$filter=statecode eq 0", registration("dev"))).await;
    assert_eq!(v["value"].as_array().unwrap().len(), 3, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_follows_next_links_verbatim() {
    let h = start(Scenario::demo()).await;
    for _ in 0..3 {
        h.create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCanvas")
            .await;
    }
    let prefer = format!("{FORMATTED}, odata.maxpagesize=2");
    let mut url = h.url("deploymentstageruns?$select=name,stagerunstatus&$orderby=createdon desc");
    let mut seen = 0;
    let mut pages = 0;
    loop {
        let r = h.get_with(&url, &[("Prefer", &prefer)]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["preference-applied"]
            .to_str()
            .unwrap()
            .contains("odata.maxpagesize=2"));
        let v: Value = r.json().await.unwrap();
        let rows = v["value"].as_array().unwrap();
        assert!(rows.len() <= 2);
        assert_eq!(
            rows[0]["stagerunstatus@OData.Community.Display.V1.FormattedValue"],
            "NotStarted"
        );
        seen += rows.len();
        pages += 1;
        match v["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!((seen, pages), (3, 2));
    let (s, v) = h.get("deploymentstageruns?$skiptoken=forged").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatted_values_and_lookup_annotations() {
    let h = start(Scenario::demo()).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCanvas")
        .await;
    let r = h
        .get_with(
            &format!("deploymentstageruns({run})"),
            &[("Prefer", "odata.include-annotations=\"*\"")],
        )
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["operation@OData.Community.Display.V1.FormattedValue"],
        "None"
    );
    assert_eq!(
        v["_deploymentstageid_value@OData.Community.Display.V1.FormattedValue"],
        "Deploy to Test"
    );
    assert_eq!(
        v["_deploymentstageid_value@Microsoft.Dynamics.CRM.lookuplogicalname"],
        "deploymentstage"
    );
    assert_eq!(
        v["_deploymentstageid_value@Microsoft.Dynamics.CRM.associatednavigationproperty"],
        "deploymentstageid"
    );
    assert!(v["createdon@OData.Community.Display.V1.FormattedValue"]
        .as_str()
        .unwrap()
        .contains('/'));
    assert_eq!(
        v["iscanceled@OData.Community.Display.V1.FormattedValue"],
        "No"
    );
    // Without the preference: no annotations, but every status column (read without $select).
    let (_, v) = h.get(&format!("deploymentstageruns({run})")).await;
    assert!(v
        .get("stagerunstatus@OData.Community.Display.V1.FormattedValue")
        .is_none());
    for col in [
        "stagerunstatus",
        "operation",
        "suboperation",
        "operationstatus",
    ] {
        assert!(v[col].is_number(), "{col}: {v}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_with_and_without_representation_and_client_ids() {
    let h = start(Scenario::demo()).await;
    let id = "7d0f4b7e-1111-4222-8333-944455556666";
    let body = json!({ "deploymentpipelineid": id, "name": "Mine", "enableaideploymentnotes": true, "statecode": 0 });
    let (s, headers, v) = h
        .send(
            Method::POST,
            "deploymentpipelines?$select=name",
            body.clone(),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    assert_eq!(
        headers["odata-entityid"],
        format!("{}/deploymentpipelines({id})", h.api).as_str()
    );
    let (s, _, v) = h.send(Method::POST, "deploymentpipelines", body, &[]).await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED, "{v}");
    assert_eq!(v["error"]["code"], "0x80040237");

    let (s, headers, v) = h
        .send(
            Method::POST,
            "deploymentpipelines?$select=name",
            json!({ "name": "Other" }),
            &[("Prefer", "return=representation")],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(v["name"], "Other");
    assert!(v.get("description").is_none());
    assert!(headers.contains_key("odata-entityid"));

    // Binds, unknown columns and read-only columns.
    let (s, _, v) = h
        .send(
            Method::POST,
            "deploymentpipelines",
            json!({ "nonsense": 1 }),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("does not exist on type"));
    let (s, _, _) = h.send(Method::POST, "deploymentenvironments", json!({ "name": "x", "environmentid": "abc", "environmenttype": 200000000, "validationstatus": 200000001 }), &[]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _, v) = h.send(Method::POST, "deploymentstages", json!({ "name": "s", "deploymentpipelineid@odata.bind": "/deploymentpipelines(00000000-0000-0000-0000-00000000abcd)" }), &[]).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, _, _) = h
        .send(
            Method::POST,
            "deploymentpipelines",
            json!({ "enableredeployment": "yes" }),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _, _) = h
        .send(Method::POST, "deploymentartifacts", json!({}), &[])
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let r = h
        .client
        .post(h.url("deploymentpipelines"))
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etags_if_match_upsert_and_not_modified() {
    let h = start(Scenario::demo()).await;
    let pid = pipeline(RELEASE);
    let r = h
        .get_with(&format!("deploymentpipelines({pid})"), &[])
        .await;
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let r = h
        .get_with(
            &format!("deploymentpipelines({pid})"),
            &[("If-None-Match", &etag)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    let path = format!("deploymentpipelines({pid})");
    let (s, _, v) = h
        .send(
            Method::PATCH,
            &path,
            json!({ "description": "v2" }),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (s, _, v) = h
        .send(
            Method::PATCH,
            &path,
            json!({ "description": "v3" }),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    assert_eq!(v["error"]["code"], "0x80060882");
    let (s, _, v) = h
        .send(
            Method::PATCH,
            &path,
            json!({ "description": "v3" }),
            &[("Prefer", "return=representation")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["description"], "v3");
    assert_ne!(v["@odata.etag"], etag.as_str());

    // PATCH is an upsert unless If-Match: * says the row must exist.
    let missing = "5b1c0d2e-0000-4000-8000-00000000beef";
    let (s, _, _) = h
        .send(
            Method::PATCH,
            &format!("deploymentpipelines({missing})"),
            json!({ "name": "x" }),
            &[("If-Match", "*")],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, headers, _) = h
        .send(
            Method::PATCH,
            &format!("deploymentpipelines({missing})"),
            json!({ "name": "Upserted" }),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(headers["odata-entityid"]
        .to_str()
        .unwrap()
        .ends_with(&format!("({missing})")));
    assert_eq!(
        h.get(&format!("deploymentpipelines({missing})")).await.1["name"],
        "Upserted"
    );
    let (s, _, _) = h
        .send(
            Method::PATCH,
            &format!("deploymentpipelines({missing})"),
            json!({ "name": "again" }),
            &[("If-None-Match", "*")],
        )
        .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    let (s, _, _) = h
        .send(
            Method::DELETE,
            &format!("deploymentpipelines({missing})"),
            Value::Null,
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _, _) = h
        .send(
            Method::DELETE,
            &format!("deploymentpipelines({missing})"),
            Value::Null,
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_use_the_dataverse_envelope() {
    let h = start(Scenario::demo()).await;
    let cases = [
        (
            "nosuchset",
            StatusCode::NOT_FOUND,
            "Resource not found for the segment 'nosuchset'",
        ),
        (
            "deploymentstageruns(5b1c0d2e-0000-4000-8000-000000000000)",
            StatusCode::NOT_FOUND,
            "Does Not Exist",
        ),
        (
            "deploymentstageruns(not-a-guid)",
            StatusCode::BAD_REQUEST,
            "Guid should contain 32 digits",
        ),
        (
            "deploymentstageruns?$filter=artifactname eq",
            StatusCode::BAD_REQUEST,
            "expected",
        ),
        (
            "deploymentstageruns?$filter=stagerunstatus has 1",
            StatusCode::BAD_REQUEST,
            "not supported",
        ),
        (
            "deploymentstageruns?$filter=_deploymentstageid_value eq 'x'",
            StatusCode::BAD_REQUEST,
            "incompatible types",
        ),
        (
            "deploymentstageruns?$select=nope",
            StatusCode::BAD_REQUEST,
            "Could not find a property named 'nope'",
        ),
        (
            "deploymentstageruns?$skip=1",
            StatusCode::BAD_REQUEST,
            "$skip is not supported",
        ),
        (
            "deploymentstageruns?$expand=nope",
            StatusCode::BAD_REQUEST,
            "navigation property",
        ),
        (
            "deploymentstageruns?$orderby=name up",
            StatusCode::BAD_REQUEST,
            "asc or desc",
        ),
    ];
    for (path, status, needle) in cases {
        let (s, v) = h.get(path).await;
        assert_eq!(s, status, "{path}: {v}");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{path}: {message}");
        assert!(
            v["error"]["code"].as_str().unwrap().starts_with("0x"),
            "{path}"
        );
    }
    let r = h.get_with("deploymentstageruns", &[]).await;
    assert_eq!(r.headers()["odata-version"], "4.0");
    assert_eq!(
        r.headers()["content-type"],
        "application/json; odata.metadata=minimal"
    );
    let (s, _) = h
        .get(&format!("{}/api/data/v8.2/deploymentstageruns", h.base))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = h.post("$batch", json!({})).await;
    assert_eq!(s, StatusCode::NOT_IMPLEMENTED);
    let (s, _) = h.post("NoSuchAction", json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ref_association_accepts_every_uri_form() {
    let h = start(Scenario::demo()).await;
    let pid = pipeline("Contoso Gated");
    let path = format!("deploymentpipelines({pid})/deploymentpipeline_deploymentenvironment");
    let env = registration("dev");
    let s = h
        .send(
            Method::DELETE,
            &format!("{path}/$ref?$id={}/deploymentenvironments({env})", h.api),
            Value::Null,
            &[],
        )
        .await
        .0;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(h.get(&path).await.1["value"].as_array().unwrap().len(), 0);
    for uri in [
        format!("{}/deploymentenvironments({env})", h.api),
        format!("deploymentenvironments({env})"),
        format!("/deploymentenvironments({env})"),
    ] {
        let (s, v) = h
            .post(&format!("{path}/$ref"), json!({ "@odata.id": uri }))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{uri}: {v}");
    }
    assert_eq!(h.get(&path).await.1["value"].as_array().unwrap().len(), 1);
    let (s, _) = h
        .post(
            &format!("{path}/$ref"),
            json!({ "@odata.id": "deploymentenvironments(5b1c0d2e-0000-4000-8000-000000000000)" }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipeline_functions_whoami_and_metadata() {
    let h = start(Scenario::demo()).await;
    let dev_bap = ferry_host::scenario::derived_id("environment", "dev");
    let (s, v) = h
        .get(&format!(
            "RetrieveDeploymentPipelines(SourceEnvironmentId='{}')",
            dev_bap.to_uppercase()
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["value"].as_array().unwrap().len(), 3);
    assert_eq!(v["AvailablePipelines"].as_array().unwrap().len(), 3);
    assert_eq!(
        v["DeploymentEnvironment"]["DeploymentEnvironmentId"],
        registration("dev").as_str()
    );

    let (s, v) = h
        .get(&format!(
            "{}/api/data/v9.1/RetrieveDeploymentPipelineInfo(DeploymentPipelineId={},SourceEnvironmentId='{dev_bap}',ArtifactName='Contoso%43ore')",
            h.base,
            pipeline(RELEASE)
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["SourceDeploymentEnvironmentId"],
        registration("dev").as_str()
    );
    assert_eq!(v["EnableAIDeploymentNotes"], true);
    let details = v["StageRunsDetails"].as_array().unwrap();
    assert_eq!(details.len(), 3);
    assert_eq!(details[0]["DeploymentStage"]["name"], "Deploy to Test");
    assert_eq!(details[2]["DeploymentStage"]["name"], "Deploy to Prod");
    assert!(details[0]["LatestStageRun"].is_null());

    for version in ["v9.0", "v9.1", "v9.2"] {
        let (s, v) = h
            .get(&format!("{}/api/data/{version}/WhoAmI", h.base))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(v["UserId"].as_str().unwrap().len() == 36, "{v}");
    }
    let r = h.get_with("$metadata", &[]).await;
    let text = r.text().await.unwrap();
    assert!(text.contains("<EntitySet Name=\"deploymentstageruns\""));
    assert!(text.contains("Action Name=\"DeployPackageAsync\""));
    let (s, v) = h.get("deploymentpipelines?$top=0").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["value"].as_array().unwrap().len(), 0);
    let (_, v) = h
        .get("solutions?$filter=uniquename eq 'msdyn_AppDeploymentAnchor'&$select=version")
        .await;
    assert_eq!(v["value"].as_array().unwrap().len(), 1);
}
