//! The module graph of supply-sig: top-level modules import only modules below them.
//!
//! The order is the one the crate documentation gives (`lib.rs`, "Layers"; `alg`). This test
//! reads `src/**/*.rs`, collects every `crate::<module>` path outside comments and
//! `#[cfg(test)]` items, and checks that the graph of top-level modules has no cycle and that
//! every edge points to a strictly lower layer. A new top-level module must be placed in
//! [`LAYERS`] before it compiles into a green test run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The documented layers, bottom first. A module may import modules of lower layers only (not
/// of its own layer: siblings stay independent).
const LAYERS: &[&[&str]] = &[
    &["alg", "limits"],
    &["time", "pem", "cjson", "digest", "http"],
    &["key", "verify"],
    &["crypto"],
    &["sign"],
    &["dsse", "x509"],
    &["sigstore", "revocation"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file belongs to (`src/key/encoding/pem.rs` → `key`), or `None` for
/// the crate root.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
    (name != "lib").then_some(name)
}

/// `text` without comment lines and without the items that follow a `#[cfg(test)]` line (a
/// one-line item, or everything up to its matching closing brace).
fn code_without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed.starts_with("#[cfg(test)]") {
            let mut depth: i64 = 0;
            let mut opened = false;
            for item in lines.by_ref() {
                let item = item.trim_start();
                if item.starts_with("//") || item.starts_with("#[") {
                    continue;
                }
                depth += item.matches('{').count() as i64;
                depth -= item.matches('}').count() as i64;
                opened |= item.contains('{');
                if (opened && depth <= 0) || (!opened && item.ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The top-level modules named by `crate::` paths in `code`, including `use crate::{a, b::C}`
/// groups.
fn crate_refs(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        // `supply_crate::` or `$crate::` is not this crate's path.
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = code[at + "crate::".len()..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start_of_item = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start_of_item = true,
                    c if c.is_whitespace() => {}
                    _ if start_of_item && depth == 0 => {
                        let name = ident(&group[i..]);
                        if !name.is_empty() {
                            out.insert(name);
                        }
                        start_of_item = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// The edges `module → imported module` of supply-sig's `src/`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src) {
        let Some(module) = top_module(&src, &file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let refs = crate_refs(&code_without_tests(&text));
        let edges = graph.entry(module.clone()).or_default();
        edges.extend(refs.into_iter().filter(|r| *r != module));
    }
    graph
}

/// A cycle of `graph`, if it has one (depth-first search).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, done, path) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

#[test]
fn scanner_reads_paths_groups_and_skips_tests() {
    let code = "use crate::key::PublicKey;\n\
                use crate::{\n    digest::{Algorithm, Digest},\n    limits,\n};\n\
                // use crate::sigstore::Bundle;\n\
                let x = crate::time::Timestamp::now();\n\
                let y = supply_crate::nope::X;\n\
                #[cfg(test)]\nmod tests {\n    use crate::crypto::RUSTCRYPTO;\n    fn f() { let _ = \"{}\"; }\n}\n\
                #[cfg(test)]\nuse crate::sign::Signer;\n\
                pub use crate::alg::KeyAlgorithm;\n";
    let refs = crate_refs(&code_without_tests(code));
    let want: BTreeSet<String> = ["key", "digest", "limits", "time", "alg"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(refs, want);
}

#[test]
fn cycle_finder_finds_a_cycle() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_cycle(&g), None);
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&g),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

#[test]
fn top_level_modules_form_the_documented_layers() {
    let graph = module_graph();
    assert!(
        graph.contains_key("key") && graph.contains_key("sigstore"),
        "the scan found no modules: {graph:?}"
    );
    let unplaced: Vec<&String> = graph.keys().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "top-level modules missing from LAYERS (place them in the documented order): {unplaced:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle between modules: {}", cycle.join(" → "));
    }
    let mut upward = Vec::new();
    for (from, tos) in &graph {
        let from_layer = layer_of(from).unwrap_or(usize::MAX);
        for to in tos {
            match layer_of(to) {
                Some(l) if l < from_layer => {}
                Some(_) => upward.push(format!("{from} → {to}")),
                None => upward.push(format!("{from} → {to} (not a module in LAYERS)")),
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that do not point to a lower layer: {upward:?}"
    );
}
