//! The modules of fupin-web depend on each other one way only: a page may use the shared modules
//! (`ui`, `error`, `params`, …) and another area's module, but no two modules may use each other,
//! directly or through others. A cycle is what makes a module impossible to change or lift out
//! alone (the household and phone pages once imported each other).
//!
//! The graph is read from the sources, one node per file (`src/registry/pages.rs` is
//! `registry::pages`, `src/registry/mod.rs` is `registry`): every path starting with `crate::` or
//! `super::` (braces expanded) is an edge to the longest module it names. A parent declaring or
//! re-exporting its children is not an edge (its relative paths are not read), so a child may name
//! its parent's re-exports. The crate root (`lib.rs`, which composes the areas), the test helpers
//! and each file's `#[cfg(test)]` tail, where tests reach into whatever they test, are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The areas: one folder each.
const AREAS: [&str; 11] = [
    "accounts",
    "assessment",
    "audit",
    "jobs",
    "measures",
    "pairing",
    "projects",
    "regions",
    "rectification",
    "registry",
    "reports",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src`: `a/b.rs` → `[a, b]`, `a/mod.rs` and `a.rs` → `[a]`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

fn ident(s: &str) -> usize {
    s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// The paths of a `use` tree starting at `s` (just after `crate::` or `super::`), braces expanded:
/// `a::{b, c::d}` → `[[a, b], [a, c, d]]`. Returns the paths and the length read.
fn paths(s: &str) -> (Vec<Vec<String>>, usize) {
    let s_trim = s.trim_start();
    let skipped = s.len() - s_trim.len();
    let s = s_trim;
    if let Some(inner) = s.strip_prefix('{') {
        let mut out = Vec::new();
        let mut at = 1;
        let mut rest = inner;
        loop {
            let (ps, n) = paths(rest);
            out.extend(ps);
            rest = &rest[n..];
            at += n;
            let t = rest.trim_start();
            at += rest.len() - t.len();
            rest = t;
            if let Some(r) = rest.strip_prefix(',') {
                rest = r;
                at += 1;
                continue;
            }
            if rest.starts_with('}') {
                at += 1;
            }
            break;
        }
        return (out, skipped + at);
    }
    let n = ident(s);
    if n == 0 {
        return (vec![vec![]], skipped);
    }
    let head = s[..n].to_string();
    if let Some(rest) = s[n..].strip_prefix("::") {
        let (tails, m) = paths(rest);
        let out = tails
            .into_iter()
            .map(|mut t| {
                t.insert(0, head.clone());
                t
            })
            .collect();
        return (out, skipped + n + 2 + m);
    }
    (vec![vec![head]], skipped + n)
}

/// Module → the modules its paths name.
fn graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut texts = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let module = module_of(rel);
        if module.is_empty() || module[0] == "test_support" {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
        let is_mod_rs = rel.ends_with("mod.rs");
        texts.insert(module, (code, is_mod_rs));
    }
    let modules: BTreeSet<Vec<String>> = texts.keys().cloned().collect();
    let mut g = BTreeMap::new();
    for (module, (code, is_mod_rs)) in &texts {
        let mut deps = BTreeSet::new();
        for (base_len, prefix) in [(0usize, "crate::"), (1, "super::")] {
            for (i, _) in code.match_indices(prefix) {
                if code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                // `super` of `a/b.rs` is `a`; of `a/mod.rs` it is the crate root.
                let base: Vec<String> = if base_len == 0 {
                    Vec::new()
                } else if *is_mod_rs {
                    module[..module.len().saturating_sub(1)].to_vec()
                } else {
                    module[..module.len() - 1].to_vec()
                };
                let (ps, _) = paths(&code[i + prefix.len()..]);
                for p in ps {
                    let mut full = base.clone();
                    full.extend(p);
                    // The longest module the path names (the rest are items in it).
                    let target = (1..=full.len())
                        .rev()
                        .map(|n| full[..n].to_vec())
                        .find(|m| modules.contains(m));
                    if let Some(t) = target {
                        if &t != module {
                            deps.insert(t);
                        }
                    }
                }
            }
        }
        g.insert(module.clone(), deps);
    }
    g
}

fn name(m: &[String]) -> String {
    m.join("::")
}

/// A cycle through `at`, if there is one, as the modules along it.
fn cycle_from(
    g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    at: &Vec<String>,
    path: &mut Vec<Vec<String>>,
    done: &mut BTreeSet<Vec<String>>,
) -> Option<Vec<String>> {
    if let Some(i) = path.iter().position(|m| m == at) {
        let mut cycle: Vec<String> = path[i..].iter().map(|m| name(m)).collect();
        cycle.push(name(at));
        return Some(cycle);
    }
    if done.contains(at) {
        return None;
    }
    path.push(at.clone());
    for next in g.get(at).into_iter().flatten() {
        if let Some(c) = cycle_from(g, next, path, done) {
            return Some(c);
        }
    }
    path.pop();
    done.insert(at.clone());
    None
}

fn m(path: &str) -> Vec<String> {
    path.split("::").map(String::from).collect()
}

#[test]
fn the_graph_is_read() {
    let g = graph();
    // Paths through braces and `super::` are followed to files, and re-exports to their module.
    assert!(g[&m("registry::pages")].contains(&m("ui::layout")), "{g:?}");
    assert!(g[&m("registry::pages")].contains(&m("pairing")), "{g:?}");
    assert!(
        g[&m("reports::pages")].contains(&m("reports::geo")),
        "{g:?}"
    );
    assert!(g[&m("jobs::pages")].contains(&m("jobs::api")), "{g:?}");
    for area in AREAS {
        assert!(g.contains_key(&m(area)), "{area} missing");
    }
}

#[test]
fn no_module_cycles() {
    let g = graph();
    let mut done = BTreeSet::new();
    for start in g.keys() {
        if let Some(c) = cycle_from(&g, start, &mut Vec::new(), &mut done) {
            panic!("modules import each other: {}", c.join(" → "));
        }
    }
}

#[test]
fn shared_modules_use_no_area() {
    // What every page and handler shares knows none of the areas, so an area can be added or
    // removed without touching it.
    for (module, deps) in graph() {
        if AREAS.contains(&module[0].as_str()) {
            continue;
        }
        for d in deps {
            assert!(
                !AREAS.contains(&d[0].as_str()),
                "shared module {} uses area {}",
                name(&module),
                name(&d)
            );
        }
    }
}
