//! The Azure CLI as a token source, with a fake `az` (a shell script on a
//! temporary PATH) that records its arguments: no real Azure CLI is run.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use ferry_auth::{AzureCli, SignInError, TokenSource};

/// Writes an executable `az` into `dir` running `body` (after logging its arguments).
fn fake_az(dir: &Path, body: &str) {
    let log = dir.join("calls.log");
    let script = format!("#!/bin/sh\necho \"$@\" >> '{}'\n{body}\n", log.display());
    let path = dir.join("az");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn calls(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("calls.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A PATH with the fake first and the system's tools (`sh`, `date`) after it.
fn path_with(dir: &Path) -> String {
    format!("{}:/usr/bin:/bin", dir.display())
}

#[tokio::test]
async fn tokens_come_from_az_and_are_cached_per_resource() {
    let dir = tempfile::tempdir().unwrap();
    // A token naming the resource asked for, valid for an hour.
    fake_az(
        dir.path(),
        r#"now=$(date +%s)
printf '{"accessToken":"token-for-%s","expiresOn":"2030-01-01 00:00:00.000000","expires_on":%s,"subscription":"s","tenant":"t","tokenType":"Bearer"}' "$4" "$((now + 3600))""#,
    );
    let az = AzureCli::new()
        .with_search_path(path_with(dir.path()))
        .with_tenant("contoso.onmicrosoft.com");
    let source: &dyn TokenSource = &az;
    let org = "https://contoso.crm.dynamics.com";
    let t = source.token_for(org).await.unwrap();
    assert_eq!(t.expose(), format!("token-for-{org}"));
    assert_eq!(source.token_for(org).await.unwrap(), t, "cached");
    let bap = source
        .token_for("https://service.powerapps.com/")
        .await
        .unwrap();
    assert_eq!(bap.expose(), "token-for-https://service.powerapps.com/");
    assert_eq!(
        calls(dir.path()),
        [
            format!("account get-access-token --resource {org} --output json --tenant contoso.onmicrosoft.com"),
            "account get-access-token --resource https://service.powerapps.com/ --output json --tenant contoso.onmicrosoft.com".to_string(),
        ],
        "az ran once per resource"
    );
}

#[tokio::test]
async fn a_token_near_expiry_is_asked_for_again() {
    let dir = tempfile::tempdir().unwrap();
    fake_az(
        dir.path(),
        r#"now=$(date +%s)
printf '{"accessToken":"short","expires_on":%s}' "$((now + 60))""#,
    );
    let az = AzureCli::new().with_search_path(path_with(dir.path()));
    az.access_token_for("https://x.crm.dynamics.com")
        .await
        .unwrap();
    az.access_token_for("https://x.crm.dynamics.com")
        .await
        .unwrap();
    assert_eq!(
        calls(dir.path()).len(),
        2,
        "within the refresh margin: not reused"
    );
}

#[tokio::test]
async fn a_missing_az_says_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let az = AzureCli::new().with_search_path(dir.path().as_os_str());
    let e = az
        .access_token_for("https://x.crm.dynamics.com")
        .await
        .unwrap_err();
    assert!(matches!(e, SignInError::AzureCli(_)), "{e}");
    assert!(
        e.to_string()
            .contains("install the Azure CLI or choose another way in"),
        "{e}"
    );
    // The program name is injectable too.
    let e = AzureCli::new()
        .with_program(dir.path().join("no-such-az"))
        .access_token_for("https://x.crm.dynamics.com")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no-such-az"), "{e}");
}

#[tokio::test]
async fn az_not_signed_in_says_az_login() {
    let dir = tempfile::tempdir().unwrap();
    fake_az(
        dir.path(),
        "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1",
    );
    let az = AzureCli::new()
        .with_search_path(path_with(dir.path()))
        .with_tenant("contoso.example");
    let e = az
        .access_token_for("https://x.crm.dynamics.com")
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("az login --tenant contoso.example"),
        "{e}"
    );
}

#[tokio::test]
async fn unexpected_output_is_refused_without_dumping_it() {
    let dir = tempfile::tempdir().unwrap();
    fake_az(dir.path(), "echo 'eyJ-secret-token but no JSON'");
    let az = AzureCli::new().with_search_path(path_with(dir.path()));
    let e = az
        .access_token_for("https://x.crm.dynamics.com")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("unexpected"), "{e}");
    assert!(!e.to_string().contains("eyJ-secret-token"), "{e}");
}

#[tokio::test]
async fn a_hanging_az_times_out() {
    let dir = tempfile::tempdir().unwrap();
    fake_az(dir.path(), "exec sleep 30");
    let az = AzureCli::new()
        .with_search_path(path_with(dir.path()))
        .with_timeout(std::time::Duration::from_millis(500));
    let e = az
        .access_token_for("https://x.crm.dynamics.com")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("gave no token within"), "{e}");
}
