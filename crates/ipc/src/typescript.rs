//! The UI's one IPC module, generated: `ui/src/ipc/commands.ts` holds the error
//! codes, every type the commands carry (found from the registry, dependencies
//! included, through ts-rs) and a typed function per command. It is the only UI
//! module that imports Tauri.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};

use ferry_error::{CodedError, ErrorCode};
use ts_rs::{Config, TypeVisitor, TS};

#[allow(unused_imports)] // the registry names these types bare
use crate::AppInfo;
#[allow(unused_imports)]
use ferry_ops::*;

/// One command as the UI sees it.
struct Command {
    name: &'static str,
    docs: Vec<&'static str>,
    args: Vec<Arg>,
    answer: String,
    /// The channel argument and the TypeScript type of its messages.
    stream: Option<(&'static str, String)>,
}

struct Arg {
    name: &'static str,
    ts: String,
    optional: bool,
}

/// Every declared type reachable from the commands, by TypeScript name.
#[derive(Default)]
struct Declarations {
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, String>,
}

impl Declarations {
    fn add<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let cfg = Config::default();
        // Only derived types have a file of their own, and so a declaration.
        if T::output_path().is_some() {
            self.decls.insert(T::ident(&cfg), T::decl(&cfg));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        self.add::<T>();
    }
}

macro_rules! describe_commands {
    ( $( $(#[doc = $doc:literal])* $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $answer:ty $(, streams $stream:ident : $event:ty)? ; )* ) => {
        fn commands(decls: &mut Declarations) -> Vec<Command> {
            let cfg = Config::default();
            vec![$({
                $( decls.add::<$ty>(); )*
                decls.add::<$answer>();
                $( decls.add::<$event>(); )?
                Command {
                    name: stringify!($name),
                    docs: vec![$($doc),*],
                    args: vec![$( Arg {
                        name: stringify!($arg),
                        ts: <$ty as TS>::name(&cfg),
                        optional: <$ty as TS>::IS_OPTION,
                    } ),*],
                    answer: <$answer as TS>::name(&cfg),
                    stream: None $( .or(Some((stringify!($stream), <$event as TS>::name(&cfg)))) )?,
                }
            }),*]
        }
    };
}

crate::ferry_commands!(describe_commands);

/// `op_id` → `opId`, as Tauri names arguments on the JavaScript side.
fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn jsdoc(docs: &[&str], indent: &str) -> String {
    match docs {
        [] => String::new(),
        [one] => format!("{indent}/**{one} */\n"),
        many => {
            let mut out = format!("{indent}/**\n");
            for line in many {
                out.push_str(&format!("{indent} *{line}\n"));
            }
            out.push_str(&format!("{indent} */\n"));
            out
        }
    }
}

const PREAMBLE: &str = r#"// Generated from crates/ipc (src/registry.rs and the types it names) by
// `UPDATE_BINDINGS=1 cargo test -p ferry-ipc`. Do not edit.
//
// The one UI module that talks to Tauri: every command of the app as a typed
// function, with the types it carries. Everything else imports from ./index.
import { Channel, invoke } from "@tauri-apps/api/core";
import { toFerryError } from "./errors";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toFerryError(raw);
  }
}

function channel<T>(onMessage: (message: T) => void): Channel<T> {
  const c = new Channel<T>();
  c.onmessage = onMessage;
  return c;
}
"#;

/// The whole of `ui/src/ipc/commands.ts`.
pub fn commands_ts() -> String {
    let cfg = Config::default();
    let mut decls = Declarations::default();
    decls.add::<ErrorCode>();
    decls.add::<CodedError>();
    // Handed to the page with its first script (src-tauri/src/window.rs), not by a command.
    decls.add::<StartReads>();
    let commands = commands(&mut decls);

    let mut out = String::from(PREAMBLE);
    out.push_str("\n// Types\n\n");
    for decl in decls.decls.values() {
        out.push_str("export ");
        out.push_str(decl);
        out.push_str("\n\n");
    }
    let codes: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect();
    out.push_str(&format!(
        "/** Every error code, as Rust declares them (crates/error). */\nexport const ERROR_CODES: readonly {}[] = [{}];\n",
        ErrorCode::ident(&cfg),
        codes.join(", ")
    ));

    out.push_str("\n// Commands\n");
    for c in &commands {
        // Trailing optional arguments may be left out; the channel comes last.
        let mut params = Vec::new();
        let mut required_after = c.stream.is_some();
        let mut rendered: Vec<String> = c
            .args
            .iter()
            .rev()
            .map(|a| {
                let optional = a.optional && !required_after;
                required_after |= !optional;
                format!(
                    "{}{}: {}",
                    camel(a.name),
                    if optional { "?" } else { "" },
                    a.ts
                )
            })
            .collect();
        rendered.reverse();
        params.extend(rendered);
        let mut fields: Vec<String> = c
            .args
            .iter()
            .map(|a| {
                let js = camel(a.name);
                if a.optional {
                    format!("{js}: {js} ?? null")
                } else {
                    js
                }
            })
            .collect();
        if let Some((name, event)) = &c.stream {
            let js = camel(name);
            params.push(format!("{js}: (event: {event}) => void"));
            fields.push(format!("{js}: channel({js})"));
        }
        let args = if fields.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", fields.join(", "))
        };
        out.push('\n');
        out.push_str(&jsdoc(&c.docs, ""));
        out.push_str(&format!(
            "export const {} = ({}): Promise<{}> =>\n  call(\"{}\"{});\n",
            camel(c.name),
            params.join(", "),
            c.answer,
            c.name,
            args
        ));
    }
    out
}

/// The names of every command, in the registry's order.
pub fn command_names() -> Vec<&'static str> {
    commands(&mut Declarations::default())
        .iter()
        .map(|c| c.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_named_as_tauri_names_them() {
        assert_eq!(camel("op_id"), "opId");
        assert_eq!(camel("run_id"), "runId");
        assert_eq!(camel("request"), "request");
    }

    #[test]
    fn a_long_operation_takes_its_events_as_a_callback_over_a_channel() {
        let ts = commands_ts();
        assert!(
            ts.contains("export const validate = (request: PlanRequest, opId: string, onEvent: (event: RunEvent) => void): Promise<RunOutcome> =>\n  call(\"validate\", { request, opId, onEvent: channel(onEvent) });"),
            "{ts}"
        );
    }

    #[test]
    fn a_trailing_option_may_be_left_out_and_goes_as_null() {
        let ts = commands_ts();
        assert!(
            ts.contains("export const pipelines = (solution?: string | null): Promise<Array<PipelineOverview>> =>\n  call(\"pipelines\", { solution: solution ?? null });"),
            "{ts}"
        );
    }

    #[test]
    fn every_type_a_command_carries_is_declared_once() {
        let ts = commands_ts();
        for name in [
            "Plan",
            "RunEvent",
            "Explanation",
            "HostStatus",
            "Gate",
            "ErrorCode",
            "CodedError",
            "AppInfo",
            "TimelineItem",
        ] {
            let decl = format!("export type {name} =");
            assert_eq!(ts.matches(&decl).count(), 1, "{name}");
        }
        // DeployRequest flattens its plan request.
        let deploy = &ts[ts
            .find("export type DeployRequest =")
            .expect("DeployRequest")..];
        let deploy = &deploy[..deploy.find("};").expect("end")];
        assert!(
            deploy.contains("solution: string") && deploy.contains("wait: boolean"),
            "{deploy}"
        );
    }

    #[test]
    fn the_status_problem_is_an_error_code_not_a_string() {
        let ts = commands_ts();
        assert!(ts.contains("problemCode: ErrorCode | null"), "{ts}");
    }
}
