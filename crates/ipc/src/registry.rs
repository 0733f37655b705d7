// Every command of the desktop app, declared once: its name, its arguments, its
// answer and, for long operations, the events it streams. Read by three places:
//   - src-tauri/src/commands/mod.rs generates the Tauri handlers from it, each
//     calling the implementation of the same name and signature (so a missing,
//     renamed or mistyped command fails the build);
//   - src-tauri/build.rs (which `include!`s this file) derives the permission of
//     each command and the window's capability, which grants exactly these;
//   - crates/ipc/src/typescript.rs generates ui/src/ipc/commands.ts, the UI's
//     typed functions.
// Types are named bare: each reader brings them into scope (ferry_ops, ferry_ipc).
// An answer is the command's success value; every command fails with a
// `CodedError`. `streams NAME: EVENT` adds a channel argument whose messages are
// EVENTs. Add a command: see ARCHITECTURE.md, "Add a command".

/// Calls `$callback! { … }` with every command of the app, in the registry's grammar:
/// `/// docs` then `name(arg: Type, …) -> Answer[, streams channel: Event];`.
#[macro_export]
macro_rules! ferry_commands {
    ($callback:ident) => {
        $callback! {
            /// The app's name, version and data folder.
            app_info() -> AppInfo;
            /// Where the cache is and how big it is.
            cache_info() -> CacheInfo;
            /// Empties the cache (profiles are kept); refused while an operation runs.
            clear_cache() -> CacheInfo;
            /// Opens the folder of the app's log files in the file manager; answers its path.
            open_logs_folder() -> String;

            /// The profile in use, whether its host answers, and as whom.
            status() -> HostStatus;
            /// Every profile, the Local sandbox included.
            profiles() -> Vec<ProfileInfo>;
            /// Adds (or replaces) a profile for a real host.
            add_profile(profile: NewProfile) -> ProfileInfo;
            /// Makes a profile the one in use.
            switch_profile(id: String) -> ProfileInfo;
            /// Removes a profile with its cached history; its sign-in leaves the keyring unless shared.
            remove_profile(id: String) -> RemovedProfile;

            /// The application (client) id this build of Ferry carries, if any (`FERRY_DEFAULT_CLIENT_ID`).
            built_in_client_id() -> Option<String>;
            /// Signs in to a cloud; the account, or null when canceled with `cancelOperation(opId)`.
            sign_in_to_cloud(request: CloudSignIn, op_id: String) -> Option<AccountInfo>, streams on_prompt: SignInEvent;
            /// The environments a cloud sign-in reaches, by name.
            cloud_environments(request: CloudSignIn) -> Vec<EnvironmentInfo>;
            /// Finds an environment's pipelines host, keeps it as a profile named after it and puts it in use.
            connect_environment(request: CloudSignIn, environment: String) -> ProfileInfo;
            /// The environments of the tenant of the profile in use (a profile made by signing in).
            environments() -> Vec<EnvironmentInfo>;
            /// Switches the profile in use to another environment of its tenant.
            use_environment(environment: String) -> ProfileInfo;
            /// What a connection file's text or a `ferry://` link holds, before anything is created.
            read_connection(text: String, method: SignInMethod) -> ConnectionOffer;
            /// Reads a connection file the maker picks in the open dialog; null when they cancel.
            open_connection_file(method: SignInMethod) -> Option<ConnectionOffer>;
            /// Sends each `ferry://` link or connection file Ferry is started with (now, and by later launches).
            connection_links() -> (), streams on_link: String;

            /// The development environment's unmanaged solutions.
            solutions() -> Vec<SolutionSummary>;
            /// The pipelines offered to the dev environment; with a solution, deployability and last runs.
            pipelines(solution: Option<String>) -> Vec<PipelineOverview>;
            /// What to tell a maker to whom no pipeline is offered: who can change that, and what to ask.
            no_pipeline_hint() -> String;
            /// Solutions × stages: what is deployed where, and drift.
            matrix() -> Matrix;
            /// A deployment, planned: versions, values and checks; nothing is sent.
            plan(request: PlanRequest) -> Plan;
            /// The engine's verdict on a deployment's values, as the maker types them (cheap: nothing
            /// goes to the host); reads a settings file into them when one is given.
            check_values(request: ValuesRequest) -> ValuesCheck;
            /// SHA-256 of the package a run carried, or null when it has none (yet).
            artifact_hash(run_id: String) -> Option<String>;
            /// The successful runs of a solution in a stage whose package can go there again, newest first.
            redeploy_candidates(solution: String, stage: String) -> Vec<RedeployCandidate>;

            /// Creates a run and validates it against the target.
            validate(request: PlanRequest, op_id: String) -> RunOutcome, streams on_event: RunEvent;
            /// Deploys now or later (a validated run is reused when `runId` is given).
            deploy(request: DeployRequest, op_id: String) -> RunOutcome, streams on_event: RunEvent;
            /// Follows a run to its end.
            watch_run(run_id: String, op_id: String) -> RunOutcome, streams on_event: RunEvent;
            /// Retries a failed deployment and follows it to its end.
            retry_run(run_id: String, op_id: String) -> RunOutcome, streams on_event: RunEvent;
            /// Cancels a stage run that has not finished.
            cancel_run(run_id: String) -> RunSummary;
            /// Stops following an operation of this window (the stage run goes on); false when none runs.
            cancel_operation(op_id: String) -> bool;

            /// A page of history, newest first, from the cache (offline too).
            history(filter: HistoryFilter) -> HistoryResult;
            /// The solutions and stage names the history holds (its filters' choices).
            history_choices() -> HistoryChoices;
            /// Reads the runs that changed on the host into the cache.
            sync_history() -> SyncReport;
            /// Everything about one run, from the cache, secrets redacted.
            run_record(run_id: String) -> RunRecord;
            /// A run record as Markdown or JSON text.
            export_run(run_id: String, format: ExportFormat) -> String;
            /// Saves a run record where the maker picks in the save dialog; null when they cancel.
            save_run_export(run_id: String, format: ExportFormat) -> Option<String>;
            /// Saves a deployment settings file (pac's JSON) through the save dialog; null when canceled.
            save_settings_file(solution: String, text: String) -> Option<String>;

            /// Signs the profile in use in; the account, or null when canceled with `cancelOperation(opId)`.
            sign_in(method: SignInMethod, op_id: String) -> Option<AccountInfo>, streams on_prompt: SignInEvent;
            /// Opens the page of the sign-in in progress in the browser again.
            open_sign_in_page() -> ();
            /// Signs the profile in use out: its tokens leave the keyring.
            sign_out() -> ();
            /// Who is signed in to the profile in use (null: nobody).
            account() -> Option<AccountInfo>;
        }
    };
}
