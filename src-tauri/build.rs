// The app's permissions and the window's capability come from the one
// declaration of its commands (crates/ipc/src/registry.rs, included here: only
// the names are read, so none of its types need to exist in a build script).
// Tauri generates `allow-<name>` for each command; the window's capability,
// written into OUT_DIR, grants exactly those and nothing else: no file system,
// shell, HTTP or plugin commands.

include!("../crates/ipc/src/registry.rs");

macro_rules! command_names {
    ( $( $(#[doc = $doc:literal])* $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $answer:ty $(, streams $stream:ident : $event:ty)? ; )* ) => {
        &[$(stringify!($name)),*]
    };
}

const COMMANDS: &[&str] = ferry_commands!(command_names);

/// The startup mark of scripts/bench-app.sh (src/bench.rs): a command of `bench`
/// builds only, so a shipped window is never granted it.
const BENCH_COMMANDS: &[&str] = &["bench_ready"];

/// The declared commands, and the bench's in a `bench` build.
fn commands() -> &'static [&'static str] {
    if std::env::var_os("CARGO_FEATURE_BENCH").is_none() {
        return COMMANDS;
    }
    Box::leak([COMMANDS, BENCH_COMMANDS].concat().into_boxed_slice())
}

fn capability(commands: &[&str]) -> String {
    let permissions: Vec<String> = commands
        .iter()
        .map(|c| format!("\"allow-{}\"", c.replace('_', "-")))
        .collect();
    format!(
        r#"{{
  "identifier": "default",
  "description": "What the main window may do: Ferry's own commands, nothing else.",
  "windows": ["main"],
  "permissions": [{}]
}}
"#,
        permissions.join(", ")
    )
}

fn main() {
    println!("cargo:rerun-if-changed=../crates/ipc/src/registry.rs");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let dir = out.join("capabilities");
    std::fs::create_dir_all(&dir).expect("create the capability folder");
    let commands = commands();
    std::fs::write(dir.join("default.json"), capability(commands)).expect("write the capability");
    // tauri-build wants a 'static pattern; a build script runs once.
    let pattern: &'static str = Box::leak(format!("{}/*.json", dir.display()).into_boxed_str());
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern(pattern)
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("failed to run tauri-build");
}
