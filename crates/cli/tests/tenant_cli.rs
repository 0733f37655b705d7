//! Real tenants through the real binary, `pac`-style: `ferry login --environment`
//! signs in to the local cloud a `ferry host serve` process serves, Ferry finds
//! the environment's pipelines host by itself, and `env list|use`, `profile
//! import|remove` work from there. Device-code sign-ins keep tokens in the
//! keyring, so those tests need a Secret Service and run with `KEYRING_REAL=1`;
//! the Azure CLI tests (a fake `az` on PATH, an open host) need none.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use common::{host_serve, text, Served};
use serde_json::Value;

fn keyring_available() -> bool {
    let real = std::env::var_os("KEYRING_REAL").is_some_and(|v| v == "1");
    if !real {
        eprintln!(
            "skipping: set KEYRING_REAL=1 inside a Secret Service session (the test command does)"
        );
    }
    real
}

/// A host (strict or open) with a fast device-code poll, and a `ferry` with its own
/// data folder and keyring service.
struct Tenant {
    host: Served,
    _host_dir: tempfile::TempDir,
    dir: tempfile::TempDir,
    service: String,
    /// Prepended to PATH (the fake `az`).
    bin: Option<PathBuf>,
}

impl Tenant {
    fn new(auth: &str) -> Self {
        Self::with_args(auth, &[])
    }

    fn with_args(auth: &str, extra: &[std::ffi::OsString]) -> Self {
        let host_dir = tempfile::tempdir().unwrap();
        let mut args: Vec<std::ffi::OsString> = vec![
            "--speed".into(),
            "100".into(),
            "--device-code-interval".into(),
            "1".into(),
            "--auth".into(),
            auth.into(),
            "--data-dir".into(),
            host_dir.path().into(),
        ];
        args.extend(extra.iter().cloned());
        Self {
            host: host_serve(&args),
            _host_dir: host_dir,
            dir: tempfile::tempdir().unwrap(),
            service: format!("ferry-test-{}", uuid::Uuid::new_v4()),
            bin: None,
        }
    }

    fn base(&self) -> &str {
        &self.host.url
    }

    fn env_url(&self, name: &str) -> String {
        format!("{}/environments/{name}", self.base())
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferry"));
        cmd.args(args)
            .env("FERRY_DATA_DIR", self.dir.path().join("data"))
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env("FERRY_KEYRING_SERVICE", &self.service)
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .env_remove("FERRY_PROFILE")
            .env_remove("FERRY_TOKEN")
            .stdin(Stdio::null());
        if let Some(bin) = &self.bin {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut dirs = vec![bin.clone()];
            dirs.extend(std::env::split_paths(&path));
            cmd.env("PATH", std::env::join_paths(dirs).unwrap());
        }
        cmd
    }

    fn ferry(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.ferry(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {}", text(&out)))
    }

    /// Runs a command that shows a device code, approves it as mona with
    /// `ferry host approve-code`, and returns the whole output.
    fn approving(&self, args: &[&str]) -> Output {
        common::approving(self.command(args), |code| {
            let approve = self.ferry(&[
                "host",
                "approve-code",
                code,
                "--user",
                "mona",
                "--url",
                self.base(),
            ]);
            assert!(approve.status.success(), "{}", text(&approve));
        })
    }

    /// `ferry login --environment <dev> --device-code`, approved; `extra` goes first.
    fn login(&self, extra: &[&str], environment: &str) -> Output {
        let mut args = extra.to_vec();
        args.extend(["login", "--environment", environment, "--device-code"]);
        self.approving(&args)
    }

    /// The local cloud's endpoint table.
    fn cloud(&self) -> Value {
        let (status, body) = common::request(self.base(), "GET", "/.well-known/ferry/cloud", "");
        assert!(status.contains("200"), "{status}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// A fake `az` on this tenant's PATH (see [`common::fake_az`]); returns its log.
    fn fake_az(&mut self) -> PathBuf {
        let (bin, log) = common::fake_az(self.dir.path());
        self.bin = Some(bin);
        log
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn pipeline_names(listing: &Value) -> Vec<String> {
    listing["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

fn environment_names(listing: &Value) -> Vec<String> {
    listing["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

/// `-v` said the discovery steps, and no token.
fn assert_verbose_steps_without_tokens(out: &Output) {
    let err = stderr(out);
    for step in [
        "Global Discovery",
        "ProjectHostEnvironmentId",
        "environments API",
    ] {
        assert!(err.contains(step), "-v did not say {step:?}: {}", text(out));
    }
    assert!(!err.contains("eyJ"), "a token in the log: {}", text(out));
    assert!(
        !stdout(out).contains("eyJ"),
        "a token printed: {}",
        text(out)
    );
}

/// Each way an environment is not ready: (name, what the sentence says).
const UNREADY: [(&str, &str); 3] = [
    ("Contoso Sandbox", "is not bound to a pipelines host"),
    ("Contoso QA", "as a Target environment"),
    ("Contoso Lab", "no pipeline you can use deploys from it"),
];

/// `env use` of each unready environment, of an unknown one, and of the one on
/// the second host, with the profile of Contoso Dev in use.
fn check_environment_switches(t: &Tenant) {
    for (env, says) in UNREADY {
        let out = t.ferry(&["env", "use", env]);
        assert_eq!(out.status.code(), Some(12), "{env}: {}", text(&out));
        let err = stderr(&out);
        assert!(
            err.contains(says) && err.contains("admin"),
            "{env}: {}",
            text(&out)
        );
        let out = t.ferry(&["env", "use", env, "--json"]);
        assert_eq!(out.status.code(), Some(12), "{env}: {}", text(&out));
        let e: Value = serde_json::from_slice(&out.stderr)
            .unwrap_or_else(|_| panic!("no JSON error: {}", text(&out)));
        assert_eq!(e["error"]["code"], "not_set_up", "{env}: {}", text(&out));
        assert!(
            e["error"]["message"].as_str().unwrap().contains(says),
            "{e}"
        );
    }
    let out = t.ferry(&["env", "use", "Contoso Nowhere", "--json"]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["error"]["code"], "not_found");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ferry env list"),
        "{e}"
    );
    // Nothing was kept for the failures, and Contoso Dev is still in use.
    let profiles = t.json(&["profile", "list", "--json"]);
    let ids: Vec<&str> = profiles
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&"contoso-dev"), "{ids:?}");

    let out = t.ferry(&["env", "use", "Contoso HR Dev"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = stdout(&out);
    assert!(
        said.contains("Created profile contoso-hr-dev")
            && said.contains(&t.env_url("hr-host"))
            && said.contains("now the profile in use"),
        "{said}"
    );
    let listing = t.json(&["pipeline", "list", "--json"]);
    assert_eq!(pipeline_names(&listing), ["HR Release"]);
    let envs = t.json(&["env", "list", "--json"]);
    assert_eq!(envs["profile"], "contoso-hr-dev");
    assert_eq!(envs["hostUrl"], t.env_url("hr-host"));
    let current: Vec<&Value> = envs["environments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["current"] == true)
        .collect();
    assert_eq!(current.len(), 1, "{envs}");
    assert_eq!(current[0]["name"], "Contoso HR Dev");
}

#[test]
fn login_by_environment_then_pipelines_and_environments_follow() {
    if !keyring_available() {
        return;
    }
    let t = Tenant::new("strict");
    let out = t.login(&["-v"], &t.env_url("dev"));
    assert!(out.status.success(), "{}", text(&out));
    let said = stdout(&out);
    assert!(said.contains("/devicelogin"), "{said}");
    assert!(
        said.contains("Signed in as mona@contoso.example")
            && said.contains("Created profile contoso-dev for Contoso Dev")
            && said.contains(&format!("Pipelines host: {}", t.base()))
            && said.contains("ProjectHostEnvironmentId")
            && said.contains("now the profile in use"),
        "{said}"
    );
    assert_verbose_steps_without_tokens(&out);

    let listing = t.json(&["pipeline", "list", "--json"]);
    assert!(
        pipeline_names(&listing).contains(&"Contoso Release".to_string()),
        "{listing}"
    );
    let envs = t.json(&["env", "list", "--json"]);
    let names = environment_names(&envs);
    for name in ["Contoso Dev", "Contoso HR Dev", "Contoso Sandbox"] {
        assert!(names.contains(&name.to_string()), "{names:?}");
    }
    let dev = &envs["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Contoso Dev")
        .unwrap();
    assert_eq!(dev["current"], true);
    assert_eq!(dev["url"], t.env_url("dev"));
    assert_ne!(dev["environmentId"], dev["organizationId"]);
    assert_eq!(envs["hostUrl"], t.base());
    let table = stdout(&t.ferry(&["env", "list"]));
    assert!(
        table.contains("ENVIRONMENT ID")
            && table.contains("* Contoso Dev")
            && table.contains(&format!("pipelines host {}", t.base())),
        "{table}"
    );
    let who = t.ferry(&["whoami"]);
    assert!(
        stdout(&who).contains("mona@contoso.example"),
        "{}",
        text(&who)
    );
}

#[test]
fn each_unready_environment_is_one_sentence_with_exit_12() {
    if !keyring_available() {
        return;
    }
    let t = Tenant::new("strict");
    // Through `login --environment` too: the sign-in works, the connect does not.
    let out = t.login(&[], &t.env_url("qa"));
    assert_eq!(out.status.code(), Some(12), "{}", text(&out));
    assert!(
        stderr(&out).contains("as a Target environment"),
        "{}",
        text(&out)
    );
    let out = t.login(&[], &t.env_url("dev"));
    assert!(out.status.success(), "{}", text(&out));
    check_environment_switches(&t);
}

#[test]
fn profile_remove_deletes_the_sign_in_once_no_profile_shares_it() {
    if !keyring_available() {
        return;
    }
    let t = Tenant::new("strict");
    let out = t.login(&[], &t.env_url("dev"));
    assert!(out.status.success(), "{}", text(&out));
    let out = t.ferry(&["env", "use", "Contoso HR Dev"]);
    assert!(out.status.success(), "{}", text(&out));
    // The two profiles share one keyring entry: the sign-in's.
    let store = ferry_auth::KeyringStore::new(&t.service);
    let key = format!("signin:local:organizations:ferry:{}", t.base());
    use ferry_auth::TokenStore as _;
    assert!(store.load(&key).unwrap().is_some(), "no entry {key}");

    let out = t.ferry(&["profile", "remove", "contoso-dev"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = stdout(&out);
    assert!(
        said.contains("Removed the profile contoso-dev")
            && said.contains("stays in the keyring")
            && said.contains("(0 runs)"),
        "{said}"
    );
    assert!(store.load(&key).unwrap().is_some());
    let who = t.ferry(&["whoami"]);
    assert!(
        stdout(&who).contains("mona@contoso.example on Contoso HR Dev"),
        "{}",
        text(&who)
    );

    let out = t.ferry(&["profile", "remove", "contoso-hr-dev"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = stdout(&out);
    assert!(
        said.contains("deleted from the keyring")
            && said.contains("history went with it")
            && said.contains("now sandbox is"),
        "{said}"
    );
    assert!(store.load(&key).unwrap().is_none(), "the entry is left");
    // Nothing of it is left to use.
    let out = t.ferry(&["--profile", "contoso-hr-dev", "whoami"]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let out = t.ferry(&["env", "list"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(stderr(&out).contains("ferry login --environment"));
}

/// A connection file an admin hands out for the local cloud.
fn connection_file(t: &Tenant, environment: Option<&str>) -> PathBuf {
    let tenant = t.cloud()["tenantId"].as_str().unwrap().to_string();
    let mut file = serde_json::json!({
        "version": 1, "name": "Contoso", "tenant": tenant, "cloud": "local", "clientId": "ferry",
    });
    if let Some(env) = environment {
        file["environment"] = env.into();
    }
    let path = t.dir.path().join("contoso.ferry.json");
    std::fs::write(&path, file.to_string()).unwrap();
    path
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn connection_link(t: &Tenant, environment: &str) -> String {
    let tenant = t.cloud()["tenantId"].as_str().unwrap().to_string();
    format!(
        "ferry://connect?version=1&name=Contoso&tenant={tenant}&cloud=local&clientId=ferry&environment={}",
        percent(environment)
    )
}

#[test]
fn profile_import_of_a_connection_file_and_of_a_link() {
    if !keyring_available() {
        return;
    }
    let t = Tenant::new("strict");
    let file = connection_file(&t, Some(&t.env_url("dev")));
    let out = t.approving(&[
        "profile",
        "import",
        file.to_str().unwrap(),
        "--yes",
        "--device-code",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let said = stdout(&out);
    let tenant = t.cloud()["tenantId"].as_str().unwrap().to_string();
    // What the file holds comes before the sign-in.
    let shown = said.find("cloud:       local").expect(&said);
    assert!(shown < said.find("code: ").unwrap(), "{said}");
    assert!(
        said.contains(&tenant)
            && said.contains("client id:   ferry")
            && said.contains(&format!("environment: {}", t.env_url("dev")))
            && said.contains("Created profile contoso-dev"),
        "{said}"
    );
    let listing = t.json(&["pipeline", "list", "--json"]);
    assert!(pipeline_names(&listing).contains(&"Contoso Release".to_string()));

    let link = connection_link(&t, &t.env_url("hrdev"));
    let out = t.approving(&["profile", "import", &link, "--yes", "--device-code"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        stdout(&out).contains("Created profile contoso-hr-dev"),
        "{}",
        text(&out)
    );
    let listing = t.json(&["pipeline", "list", "--json"]);
    assert_eq!(pipeline_names(&listing), ["HR Release"]);
}

#[test]
fn profile_import_without_a_terminal_needs_yes() {
    // No sign-in happens, so no keyring is needed.
    let t = Tenant::new("strict");
    let file = connection_file(&t, Some(&t.env_url("dev")));
    for json in [false, true] {
        let mut args = vec!["profile", "import", file.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        let out = t.ferry(&args);
        assert_eq!(out.status.code(), Some(6), "{}", text(&out));
        let err = stderr(&out);
        assert!(err.contains("--yes"), "{}", text(&out));
        if json {
            assert!(err.contains("\"invalid_input\""), "{}", text(&out));
        } else {
            assert!(
                stdout(&out).contains("cloud:       local"),
                "{}",
                text(&out)
            );
        }
    }
    let profiles = t.json(&["profile", "list", "--json"]);
    assert_eq!(profiles.as_array().unwrap().len(), 1, "{profiles}");
    // A broken file is refused with what is wrong.
    std::fs::write(&file, r#"{"version": 2}"#).unwrap();
    let out = t.ferry(&["profile", "import", file.to_str().unwrap(), "--yes"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(stderr(&out).contains("version"), "{}", text(&out));
}

#[test]
fn azure_cli_login_asks_az_for_each_audience_and_everything_follows() {
    let mut t = Tenant::new("open");
    let log = t.fake_az();
    let out = t.ferry(&[
        "-v",
        "login",
        "--environment",
        &t.env_url("dev"),
        "--azure-cli",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let said = stdout(&out);
    assert!(
        said.contains("Signed in as mona@contoso.example")
            && said.contains("Created profile contoso-dev"),
        "{said}"
    );
    assert_verbose_steps_without_tokens(&out);
    let calls = std::fs::read_to_string(&log).unwrap();
    let gds = t.cloud()["gdsAudience"].as_str().unwrap().to_string();
    for resource in [gds.as_str(), &t.env_url("dev")] {
        assert!(
            calls
                .lines()
                .any(|l| l.contains(&format!("--resource {resource} "))),
            "az was not asked for {resource}: {calls}"
        );
    }
    assert!(calls.contains("get-access-token"), "{calls}");

    let listing = t.json(&["pipeline", "list", "--json"]);
    assert!(pipeline_names(&listing).contains(&"Contoso Release".to_string()));
    let envs = t.json(&["env", "list", "--json"]);
    assert!(environment_names(&envs).contains(&"Contoso HR Dev".to_string()));
    check_environment_switches(&t);

    // No keyring entry to delete: the Azure CLI keeps its own sign-in.
    let out = t.ferry(&["profile", "remove", "contoso-dev"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(stdout(&out).contains("Azure CLI"), "{}", text(&out));
    let removed = t.json(&["profile", "remove", "contoso-hr-dev", "--json"]);
    assert_eq!(removed["tokensDeleted"], false);
    assert_eq!(removed["active"], "sandbox");
}

#[test]
fn azure_cli_import_of_a_link_and_of_a_file_without_an_environment() {
    let mut t = Tenant::new("open");
    t.fake_az();
    let link = connection_link(&t, &t.env_url("hrdev"));
    let out = t.ferry(&["profile", "import", &link, "--azure-cli", "--yes", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let done: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(done["profile"]["id"], "contoso-hr-dev");
    assert_eq!(done["profile"]["signIn"], "azureCli");
    assert_eq!(done["account"]["account"], "mona@contoso.example");
    let listing = t.json(&["pipeline", "list", "--json"]);
    assert_eq!(pipeline_names(&listing), ["HR Release"]);

    // A file without an environment: the local cloud needs the URL, so it is refused
    // with what to pass — the cloud table lives on the host.
    let file = connection_file(&t, None);
    let out = t.ferry(&[
        "profile",
        "import",
        file.to_str().unwrap(),
        "--azure-cli",
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(
        stderr(&out).contains("needs the environment's URL"),
        "{}",
        text(&out)
    );
}

#[test]
fn login_flags_need_an_environment() {
    let t = Tenant::new("open");
    let out = t.ferry(&["login", "--tenant", "contoso.example"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = t.ferry(&["login", "--environment", "x", "--cloud", "mars"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = t.ferry(&["env", "list"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(
        stderr(&out).contains("ferry login --environment"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_platform_host_the_tenant_default_disagrees_with_is_an_admin_sentence() {
    // The first host is the tenant's platform host, and the tenant names the HR host as
    // its default custom host: only an admin can set that straight.
    let dir = tempfile::tempdir().unwrap();
    let mut scenario = ferry_host::Scenario::demo();
    scenario.tenant.platform_host = true;
    scenario.tenant.default_custom_host = "hr-host".into();
    let path = dir.path().join("tenant.toml");
    std::fs::write(&path, toml::to_string(&scenario).unwrap()).unwrap();
    let mut t = Tenant::with_args("open", &["--scenario".into(), path.into()]);
    t.fake_az();
    let out = t.ferry(&[
        "login",
        "--environment",
        &t.env_url("dev"),
        "--azure-cli",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(12), "{}", text(&out));
    let err: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    assert_eq!(err["error"]["code"], "not_set_up", "{err}");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("default custom host") && message.contains("admin"),
        "{message}"
    );
}

#[test]
fn a_bound_environment_without_pipelines_or_whose_registration_is_gone_pending_or_failed_is_an_admin_sentence(
) {
    use ferry_host::scenario::{EnvironmentSpec, ValidationSpec};
    use ferry_host::store::environments::EnvKind;
    // Bound to the first host (its ProjectHostEnvironmentId names it) while the
    // registration there was removed, is still validating, or failed validation.
    let mut scenario = ferry_host::Scenario::demo();
    for (name, display, register, validation, host) in [
        ("gone", "Contoso Gone", false, ValidationSpec::Success, None),
        (
            "waiting",
            "Contoso Waiting",
            true,
            ValidationSpec::Pending,
            None,
        ),
        (
            "broken",
            "Contoso Broken",
            true,
            ValidationSpec::Failed,
            None,
        ),
        // Bound to an environment that is no pipelines host (its Pipelines app is gone).
        (
            "orphan",
            "Contoso Orphan",
            false,
            ValidationSpec::Success,
            Some("uat"),
        ),
    ] {
        scenario.environments.push(EnvironmentSpec {
            name: name.into(),
            display_name: display.into(),
            kind: EnvKind::Development,
            host: host.map(str::to_string),
            register,
            validation,
            bound: Some(true),
            ..Default::default()
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenant.toml");
    std::fs::write(&path, toml::to_string(&scenario).unwrap()).unwrap();
    let mut t = Tenant::with_args("open", &["--scenario".into(), path.into()]);
    t.fake_az();
    for (env, says) in [
        ("gone", "is not registered on the pipelines host"),
        ("waiting", "is still being validated"),
        ("broken", "failed validation"),
        ("orphan", "the Pipelines app is not installed there"),
    ] {
        let out = t.ferry(&[
            "login",
            "--environment",
            &t.env_url(env),
            "--azure-cli",
            "--json",
        ]);
        assert_eq!(out.status.code(), Some(12), "{env}: {}", text(&out));
        let err: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
        assert_eq!(err["error"]["code"], "not_set_up", "{env}: {err}");
        let message = err["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(says) && message.contains("admin"),
            "{env}: {message}"
        );
    }
}
