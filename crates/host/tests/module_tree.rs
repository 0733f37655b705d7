//! The modules of ferry-host form a tree: no module reaches itself through the `crate::` and
//! `super::` paths of the modules it names (issue 18 §5). A cycle makes every change touch
//! both ends, so this test fails on any, naming the modules and their edges.
//!
//! A file is a module (`a/b.rs` and `a/b/mod.rs` are `a::b`, `lib.rs` the root); a path names
//! the longest module it starts with (`crate::runs::record::Run` → `runs::record`), a use
//! tree each of its leaves. Paths are read from the token stream (proc-macro2), so comments,
//! doc links and strings do not count, and paths inside macro calls do. The crate root is
//! the crate's namespace, not a module anyone depends on; a parent's bare paths to its own
//! children (`mod x; use x::Y;`) are the tree itself and are not edges either.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr as _;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The module graph of the crate whose sources are under `src`.
fn graph(src: &Path) -> Graph {
    let mut files = BTreeMap::new();
    collect(src, src, &mut files);
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    let mut edges = Graph::new();
    for (module, text) in &files {
        let tokens = TokenStream::from_str(text)
            .unwrap_or_else(|e| panic!("{module}: not Rust tokens: {e:?}"));
        let segments: Vec<String> = split(module);
        let mut targets = BTreeSet::new();
        walk(tokens, &segments, &modules, &mut targets);
        targets.remove(module);
        targets.remove("");
        edges.insert(module.clone(), targets);
    }
    edges
}

/// `a::b` → `["a", "b"]`, the root → `[]`.
fn split(module: &str) -> Vec<String> {
    module
        .split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(root, &path, files);
            continue;
        }
        if path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = path.strip_prefix(root).expect("below the root");
        let mut parts: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
            parts.pop();
        }
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        files.insert(parts.join("::"), text);
    }
}

/// Adds to `out` the modules the paths in `tokens` name, `current` being the module (file or
/// inline `mod x { … }`) the tokens are in.
fn walk(
    tokens: TokenStream,
    current: &[String],
    modules: &BTreeSet<String>,
    out: &mut BTreeSet<String>,
) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        // `mod name { … }`: its tokens are in the inline module `current::name`.
        if is_ident(&tokens[i], "mod") {
            if let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(body))) =
                (tokens.get(i + 1), tokens.get(i + 2))
            {
                if body.delimiter() == Delimiter::Brace {
                    let mut inner = current.to_vec();
                    inner.push(name.to_string());
                    walk(body.stream(), &inner, modules, out);
                    i += 3;
                    continue;
                }
            }
        }
        let preceded_by_colons = i >= 1 && is_punct(&tokens[i - 1], ':');
        if !preceded_by_colons && (is_ident(&tokens[i], "crate") || is_ident(&tokens[i], "super")) {
            // The path's start: the crate root, or `current`'s ancestor for each `super`.
            let mut base: Vec<String> = Vec::new();
            let mut j = i;
            if is_ident(&tokens[i], "super") {
                base = current.to_vec();
                while is_ident_at(&tokens, j, "super") {
                    base.pop();
                    if is_path_sep(&tokens, j + 1) && is_ident_at(&tokens, j + 3, "super") {
                        j += 3;
                    } else {
                        break;
                    }
                }
            }
            j += 1;
            // Without `::` after it, `crate` or `super` is a visibility (`pub(super)`).
            if is_path_sep(&tokens, j) {
                j = path(&tokens, j, base, modules, out);
            }
            i = j.max(i + 1);
            continue;
        }
        if let TokenTree::Group(g) = &tokens[i] {
            walk(g.stream(), current, modules, out);
        }
        i += 1;
    }
}

/// Reads a path's rest from `tokens[j..]` (`::seg::seg…` or `::{tree}`), adding the module it
/// names; returns the index after it.
fn path(
    tokens: &[TokenTree],
    mut j: usize,
    mut segments: Vec<String>,
    modules: &BTreeSet<String>,
    out: &mut BTreeSet<String>,
) -> usize {
    while is_path_sep(tokens, j) {
        match tokens.get(j + 2) {
            Some(TokenTree::Ident(seg)) => {
                segments.push(seg.to_string());
                j += 3;
            }
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                use_tree(g.stream(), &segments, modules, out);
                return j + 3;
            }
            _ => break,
        }
    }
    out.insert(longest_module(&segments, modules));
    j
}

/// The leaves of a use tree's braces, each a path relative to `prefix`.
fn use_tree(
    tokens: TokenStream,
    prefix: &[String],
    modules: &BTreeSet<String>,
    out: &mut BTreeSet<String>,
) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for item in tokens.split(|t| is_punct(t, ',')) {
        let mut segments = prefix.to_vec();
        let mut j = 0;
        match item.first() {
            Some(TokenTree::Ident(seg)) if seg == "self" => j = 1,
            Some(TokenTree::Ident(seg)) => {
                segments.push(seg.to_string());
                j = 1;
            }
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                use_tree(g.stream(), prefix, modules, out);
                continue;
            }
            _ => {}
        }
        path(item, j, segments, modules, out);
    }
}

/// The longest module `segments` starts with (`""`, the root, when none).
fn longest_module(segments: &[String], modules: &BTreeSet<String>) -> String {
    (0..=segments.len())
        .rev()
        .map(|n| segments[..n].join("::"))
        .find(|m| modules.contains(m))
        .unwrap_or_default()
}

fn is_ident(t: &TokenTree, name: &str) -> bool {
    matches!(t, TokenTree::Ident(i) if i == name)
}

fn is_ident_at(tokens: &[TokenTree], j: usize, name: &str) -> bool {
    tokens.get(j).is_some_and(|t| is_ident(t, name))
}

fn is_punct(t: &TokenTree, c: char) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == c)
}

/// `tokens[j..j + 2]` is `::`.
fn is_path_sep(tokens: &[TokenTree], j: usize) -> bool {
    tokens.get(j).is_some_and(|t| is_punct(t, ':'))
        && tokens.get(j + 1).is_some_and(|t| is_punct(t, ':'))
}

/// The cycles of `graph`: each set of two or more modules that reach one another.
fn cycles(graph: &Graph) -> Vec<BTreeSet<String>> {
    let reach: BTreeMap<&String, BTreeSet<&String>> = graph
        .keys()
        .map(|start| {
            let mut seen = BTreeSet::new();
            let mut todo = vec![start];
            while let Some(m) = todo.pop() {
                for next in graph.get(m).into_iter().flatten() {
                    if seen.insert(next) {
                        todo.push(next);
                    }
                }
            }
            (start, seen)
        })
        .collect();
    let mut found: Vec<BTreeSet<String>> = Vec::new();
    for (m, reached) in &reach {
        if found.iter().any(|c| c.contains(*m)) {
            continue;
        }
        let cycle: BTreeSet<String> = reached
            .iter()
            .filter(|other| reach[*other].contains(m))
            .map(|s| (*s).clone())
            .collect();
        if cycle.len() > 1 {
            found.push(cycle);
        }
    }
    found
}

/// Each cycle with its modules' edges inside it, as the failure shows them.
fn describe(graph: &Graph, found: &[BTreeSet<String>]) -> String {
    let mut text = String::new();
    for cycle in found {
        text.push_str(&format!("a cycle of {} modules:\n", cycle.len()));
        for m in cycle {
            let inside: Vec<&String> = graph[m].iter().filter(|t| cycle.contains(*t)).collect();
            text.push_str(&format!("  {m} -> {inside:?}\n"));
        }
    }
    text
}

#[test]
fn the_module_graph_of_ferry_host_has_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph(&src);
    assert!(graph.len() > 50, "read {} modules only", graph.len());
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "ferry-host's modules import each other in a cycle; move what both use into a leaf \
         module (see ARCHITECTURE.md, ferry-host):\n{}",
        describe(&graph, &found)
    );
}

/// The checker itself: it sees `crate::`, `super::` (from inline modules too), nested use
/// trees and paths inside macros, and not comments or strings.
#[test]
fn the_checker_reads_paths_as_rust_does() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("lib.rs", "pub mod a; pub mod b; pub mod c; pub mod d;");
    write(
        "a/mod.rs",
        "pub mod x; use crate::{b::{self, B}, c::C}; // crate::d::D\n",
    );
    write("a/x.rs", "fn f() { let _ = super::super::d::make(); }");
    write(
        "b.rs",
        "fn f() { tracing::info!(\"{}\", crate::a::x::X); let _ = \"crate::d\"; }",
    );
    write("c.rs", "#[cfg(test)] mod tests { use super::*; }");
    write(
        "d.rs",
        "/// [`crate::a`]\npub(super) fn make() {}\npub(crate) struct D;",
    );
    let first = graph(dir.path());
    let names = |m: &str| first[m].iter().cloned().collect::<Vec<_>>();
    assert_eq!(names("a"), ["b", "c"]);
    assert_eq!(names("a::x"), ["d"]);
    assert_eq!(names("b"), ["a::x"]);
    assert_eq!(names("c"), Vec::<String>::new());
    assert_eq!(names("d"), Vec::<String>::new());
    assert!(cycles(&first).is_empty());

    write("d.rs", "pub fn make() { crate::b::f() }");
    let found = cycles(&graph(dir.path()));
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].iter().collect::<Vec<_>>(),
        ["a::x", "b", "d"],
        "{found:?}"
    );
}
