//! A small reader of the workspace's Rust sources that finds where error codes are minted: every call
//! of an error constructor whose code argument is a string literal, the constructors found by
//! following helper functions that pass a `&'static str` parameter on as the code, struct fields
//! written `code: "…"`, and hand-written `错误 [code]` lines of the command line. Test code
//! (`#[cfg(test)]` items, `tests/`, `benches/`, `examples/`) is left out.
//!
//! It reads tokens, not a syntax tree: enough to split a call's arguments at top-level commas. A
//! parser crate was rejected for a test that needs only this.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How a use site answers over HTTP, as far as the source says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Answer {
    /// `ErrorKind::X` or `StatusCode::X`, by name.
    Named(&'static str),
    /// The source does not say (a struct field, a command-line line, a catalogue constructor).
    Unknown,
}

/// One place where a code is minted.
#[derive(Debug, Clone)]
pub struct Use {
    pub code: String,
    pub answer: Answer,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
    Other,
}

#[derive(Debug, Clone)]
struct T {
    tok: Tok,
    line: usize,
}

fn lex(src: &str) -> Vec<T> {
    let b: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && b.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == 'r' && (b.get(i + 1) == Some(&'"') || b.get(i + 1) == Some(&'#')) && {
            let mut j = i + 1;
            while b.get(j) == Some(&'#') {
                j += 1;
            }
            b.get(j) == Some(&'"')
        } {
            let start_line = line;
            let mut j = i + 1;
            let mut hashes = 0;
            while b[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            let mut s = String::new();
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                if b[j] == '\n' {
                    line += 1;
                }
                s.push(b[j]);
                j += 1;
            }
            out.push(T {
                tok: Tok::Str(s),
                line: start_line,
            });
            i = j;
        } else if c == '"' || (c == 'b' && b.get(i + 1) == Some(&'"')) {
            let start_line = line;
            let mut j = if c == 'b' { i + 2 } else { i + 1 };
            let mut s = String::new();
            while j < b.len() && b[j] != '"' {
                if b[j] == '\\' {
                    j += 1;
                    match b.get(j) {
                        Some('n') => s.push('\n'),
                        Some('\n') => {
                            line += 1;
                            j += 1;
                            while j < b.len() && b[j].is_whitespace() {
                                if b[j] == '\n' {
                                    line += 1;
                                }
                                j += 1;
                            }
                            continue;
                        }
                        Some(&x) => s.push(x),
                        None => {}
                    }
                    j += 1;
                    continue;
                }
                if b[j] == '\n' {
                    line += 1;
                }
                s.push(b[j]);
                j += 1;
            }
            out.push(T {
                tok: Tok::Str(s),
                line: start_line,
            });
            i = j + 1;
        } else if c == '\'' {
            // a char literal ('a', '\n', '字') or a lifetime ('static)
            if b.get(i + 1) == Some(&'\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                out.push(T {
                    tok: Tok::Other,
                    line,
                });
                i = j + 1;
            } else if b.get(i + 2) == Some(&'\'') {
                out.push(T {
                    tok: Tok::Other,
                    line,
                });
                i += 3;
            } else {
                let mut j = i + 1;
                while j < b.len() && (b[j].is_alphanumeric() || b[j] == '_') {
                    j += 1;
                }
                out.push(T {
                    tok: Tok::Other,
                    line,
                });
                i = j;
            }
        } else if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while j < b.len() && (b[j].is_alphanumeric() || b[j] == '_') {
                j += 1;
            }
            out.push(T {
                tok: Tok::Ident(b[i..j].iter().collect()),
                line,
            });
            i = j;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < b.len() && (b[j].is_alphanumeric() || b[j] == '_' || b[j] == '.') {
                if b[j] == '.' && !b.get(j + 1).is_some_and(|d| d.is_ascii_digit()) {
                    break;
                }
                j += 1;
            }
            out.push(T {
                tok: Tok::Other,
                line,
            });
            i = j;
        } else {
            out.push(T {
                tok: Tok::Punct(c),
                line,
            });
            i += 1;
        }
    }
    out
}

fn is_punct(t: &T, c: char) -> bool {
    t.tok == Tok::Punct(c)
}

fn ident(t: &T) -> Option<&str> {
    match &t.tok {
        Tok::Ident(s) => Some(s),
        _ => None,
    }
}

/// Index of the token that closes the group opened at `open` (`(`, `[` or `{`).
fn close_of(toks: &[T], open: usize) -> usize {
    let mut depth = 0i32;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Punct('(') | Tok::Punct('[') | Tok::Punct('{') => depth += 1,
            Tok::Punct(')') | Tok::Punct(']') | Tok::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

/// Drop items marked `#[cfg(test)]` (test modules and test-only helpers).
fn without_tests(toks: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if is_punct(&toks[i], '#') && toks.get(i + 1).is_some_and(|t| is_punct(t, '[')) {
            let end = close_of(&toks, i + 1);
            let attr: Vec<&str> = toks[i + 2..end].iter().filter_map(ident).collect();
            if attr.first() == Some(&"cfg") && attr.contains(&"test") && !attr.contains(&"not") {
                // skip the item: up to its block's end, or a `;` before any block
                let mut k = end + 1;
                while k < toks.len() {
                    if is_punct(&toks[k], ';') {
                        break;
                    }
                    if is_punct(&toks[k], '{') {
                        k = close_of(&toks, k);
                        break;
                    }
                    k += 1;
                }
                i = k + 1;
                continue;
            }
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// The arguments of the call whose `(` is at `open`: token ranges split at top-level commas.
fn args(toks: &[T], open: usize) -> Vec<(usize, usize)> {
    let close = close_of(toks, open);
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = open + 1;
    for (k, t) in toks.iter().enumerate().take(close).skip(open + 1) {
        match t.tok {
            Tok::Punct('(') | Tok::Punct('[') | Tok::Punct('{') => depth += 1,
            Tok::Punct(')') | Tok::Punct(']') | Tok::Punct('}') => depth -= 1,
            Tok::Punct(',') if depth == 0 => {
                out.push((start, k));
                start = k + 1;
            }
            _ => {}
        }
    }
    if start < close {
        out.push((start, close));
    }
    out
}

/// How a constructor decides the answer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum KindOf {
    Fixed(Answer),
    /// From the argument at this index (`ErrorKind::X` / `StatusCode::X`).
    Arg(usize),
}

#[derive(Debug, Clone)]
struct Ctor {
    code_arg: usize,
    kind: KindOf,
}

struct File {
    path: String,
    krate: String,
    toks: Vec<T>,
}

struct FnDef {
    file: usize,
    /// a `let` closure: local to its file
    closure: bool,
    name: String,
    params: Vec<String>,
    body: (usize, usize),
}

/// `let name = |a: A, b| body` (a closure that may be a local constructor).
fn closure_at(t: &[T], i: usize) -> Option<FnDef> {
    if ident(&t[i]) != Some("let") {
        return None;
    }
    let name = ident(t.get(i + 1)?)?;
    if !is_punct(t.get(i + 2)?, '=') {
        return None;
    }
    let mut k = i + 3;
    if ident(t.get(k)?) == Some("move") {
        k += 1;
    }
    if !is_punct(t.get(k)?, '|') {
        return None;
    }
    let mut params = Vec::new();
    let mut expect_name = true;
    k += 1;
    let mut depth = 0;
    while k < t.len() && !(depth == 0 && is_punct(&t[k], '|')) {
        match &t[k].tok {
            Tok::Punct('<') | Tok::Punct('(') => depth += 1,
            Tok::Punct('>') | Tok::Punct(')') => depth -= 1,
            Tok::Punct(',') if depth == 0 => expect_name = true,
            Tok::Ident(n) if expect_name && depth == 0 => {
                params.push(n.clone());
                expect_name = false;
            }
            _ => {}
        }
        k += 1;
    }
    let start = k + 1;
    let mut end = start;
    let mut depth = 0;
    while end < t.len() {
        match t[end].tok {
            Tok::Punct('(') | Tok::Punct('[') | Tok::Punct('{') => depth += 1,
            Tok::Punct(')') | Tok::Punct(']') | Tok::Punct('}') => {
                depth -= 1;
                if depth < 0 {
                    break;
                }
            }
            Tok::Punct(';') if depth == 0 => break,
            _ => {}
        }
        end += 1;
    }
    Some(FnDef {
        file: 0,
        closure: true,
        name: name.to_string(),
        params,
        body: (start, end),
    })
}

fn fn_defs(files: &[File]) -> Vec<FnDef> {
    let mut out = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        let t = &f.toks;
        for i in 0..t.len().saturating_sub(2) {
            if let Some(c) = closure_at(t, i) {
                out.push(FnDef { file: fi, ..c });
                continue;
            }
            if ident(&t[i]) != Some("fn") {
                continue;
            }
            let Some(name) = ident(&t[i + 1]) else {
                continue;
            };
            // skip generics to the parameter list
            let mut k = i + 2;
            if is_punct(&t[k], '<') {
                let mut depth = 0;
                while k < t.len() {
                    if is_punct(&t[k], '<') {
                        depth += 1;
                    } else if is_punct(&t[k], '>') && !is_punct(&t[k - 1], '-') {
                        depth -= 1;
                        if depth == 0 {
                            k += 1;
                            break;
                        }
                    }
                    k += 1;
                }
            }
            if k >= t.len() || !is_punct(&t[k], '(') {
                continue;
            }
            let params = args(t, k)
                .into_iter()
                .map(|(a, _)| ident(&t[a]).unwrap_or("").to_string())
                .collect();
            let close = close_of(t, k);
            let mut b = close + 1;
            while b < t.len() && !is_punct(&t[b], '{') && !is_punct(&t[b], ';') {
                b += 1;
            }
            if b >= t.len() || is_punct(&t[b], ';') {
                continue;
            }
            out.push(FnDef {
                file: fi,
                closure: false,
                name: name.to_string(),
                params,
                body: (b, close_of(t, b)),
            });
        }
    }
    out
}

fn answer_of_arg(toks: &[T], (a, b): (usize, usize)) -> Option<Answer> {
    // `ErrorKind::Invalid` or `StatusCode::NOT_FOUND` (possibly with a path before it)
    let names: Vec<&str> = toks[a..b].iter().filter_map(ident).collect();
    let n = names.len();
    if n >= 2 && (names[n - 2] == "ErrorKind" || names[n - 2] == "StatusCode") {
        let s: &'static str = Box::leak(names[n - 1].to_string().into_boxed_str());
        return Some(Answer::Named(s));
    }
    None
}

fn single_str(toks: &[T], (a, b): (usize, usize)) -> Option<&str> {
    if b == a + 1 {
        if let Tok::Str(s) = &toks[a].tok {
            return Some(s);
        }
    }
    None
}

/// A call at `i`: `Path::name(` or `name(` (not a definition, not a method call on a value).
struct Call<'a> {
    qualifier: Option<&'a str>,
    name: &'a str,
    open: usize,
}

fn call_at(toks: &[T], i: usize) -> Option<Call<'_>> {
    let name = ident(&toks[i])?;
    if !toks.get(i + 1).is_some_and(|t| is_punct(t, '(')) {
        return None;
    }
    if i > 0 && (ident(&toks[i - 1]) == Some("fn") || is_punct(&toks[i - 1], '.')) {
        return None;
    }
    let qualifier = if i >= 3 && is_punct(&toks[i - 1], ':') && is_punct(&toks[i - 2], ':') {
        ident(&toks[i - 3])
    } else {
        None
    };
    Some(Call {
        qualifier,
        name,
        open: i + 1,
    })
}

struct Ctors {
    /// `DomainError::x`, `ApiError::x` (and `Self::x` inside their impls).
    typed: HashMap<(&'static str, &'static str), Ctor>,
    /// helpers by (file, name) and by (crate, name)
    by_file: HashMap<(usize, String), Ctor>,
    by_crate: HashMap<(String, String), Vec<Ctor>>,
}

impl Ctors {
    fn resolve(&self, files: &[File], fi: usize, c: &Call) -> Option<Ctor> {
        match c.qualifier {
            Some(q @ ("DomainError" | "ApiError")) => {
                let q: &str = q;
                self.typed
                    .iter()
                    .find(|((t, n), _)| *t == q && *n == c.name)
                    .map(|(_, v)| v.clone())
            }
            Some("Self") => {
                let owner = if files[fi].path.ends_with("core/src/error.rs") {
                    "DomainError"
                } else if files[fi].path.ends_with("web/src/error.rs") {
                    "ApiError"
                } else {
                    ""
                };
                self.typed
                    .iter()
                    .find(|((t, n), _)| *t == owner && *n == c.name)
                    .map(|(_, v)| v.clone())
                    .or_else(|| self.by_file.get(&(fi, c.name.to_string())).cloned())
            }
            Some(q) if q.starts_with(|c: char| c.is_ascii_uppercase()) => None,
            _ => self
                .by_file
                .get(&(fi, c.name.to_string()))
                .cloned()
                .or_else(|| {
                    let v = self
                        .by_crate
                        .get(&(files[fi].krate.clone(), c.name.to_string()))?;
                    (v.len() == 1).then(|| v[0].clone())
                }),
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if !matches!(name, "tests" | "benches" | "examples" | "target") {
                rust_files(&p, out);
            }
        } else if name.ends_with(".rs") && name != "test_support.rs" && name != "testing.rs" {
            out.push(p);
        }
    }
}

/// Every place in `crates/*/src` that mints an error code.
pub fn uses(workspace: &Path) -> Vec<Use> {
    let mut paths = Vec::new();
    rust_files(&workspace.join("crates"), &mut paths);
    let files: Vec<File> = paths
        .iter()
        .filter(|p| p.components().any(|c| c.as_os_str() == "src"))
        .map(|p| {
            let rel = p.strip_prefix(workspace).unwrap_or(p);
            let krate = rel
                .components()
                .nth(1)
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .unwrap_or_default();
            File {
                path: rel.to_string_lossy().into_owned(),
                krate,
                toks: without_tests(lex(&std::fs::read_to_string(p).expect("read source"))),
            }
        })
        .collect();
    let defs = fn_defs(&files);

    use Answer::Named;
    let mut ctors = Ctors {
        typed: HashMap::new(),
        by_file: HashMap::new(),
        by_crate: HashMap::new(),
    };
    for (t, n, code_arg, kind) in [
        ("DomainError", "invalid", 1, KindOf::Fixed(Named("Invalid"))),
        (
            "DomainError",
            "not_found",
            0,
            KindOf::Fixed(Named("NotFound")),
        ),
        (
            "DomainError",
            "conflict",
            0,
            KindOf::Fixed(Named("Conflict")),
        ),
        ("DomainError", "new", 1, KindOf::Arg(0)),
        ("DomainError", "coded", 0, KindOf::Fixed(Answer::Unknown)),
        ("ApiError", "new", 1, KindOf::Arg(0)),
        (
            "ApiError",
            "bad_request",
            0,
            KindOf::Fixed(Named("BAD_REQUEST")),
        ),
        ("ApiError", "coded", 0, KindOf::Fixed(Answer::Unknown)),
    ] {
        ctors.typed.insert((t, n), Ctor { code_arg, kind });
    }

    // helpers: functions that hand one of their parameters on as the code of a known constructor
    loop {
        let mut added = false;
        for d in &defs {
            if ctors.by_file.contains_key(&(d.file, d.name.clone())) {
                continue;
            }
            let f = &files[d.file];
            let t = &f.toks;
            for i in d.body.0..d.body.1 {
                let Some(call) = call_at(t, i) else { continue };
                let Some(inner) = ctors.resolve(&files, d.file, &call) else {
                    continue;
                };
                let a = args(t, call.open);
                let Some(&code_range) = a.get(inner.code_arg) else {
                    continue;
                };
                let Some(p) = (code_range.1 == code_range.0 + 1)
                    .then(|| ident(&t[code_range.0]))
                    .flatten()
                    .and_then(|id| d.params.iter().position(|p| p == id))
                else {
                    continue;
                };
                let kind = match inner.kind {
                    KindOf::Fixed(k) => KindOf::Fixed(k),
                    KindOf::Arg(n) => match a.get(n).and_then(|&r| answer_of_arg(t, r)) {
                        Some(k) => KindOf::Fixed(k),
                        None => match a.get(n).and_then(|&(x, y)| {
                            (y == x + 1)
                                .then(|| ident(&t[x]))
                                .flatten()
                                .and_then(|id| d.params.iter().position(|p| p == id))
                        }) {
                            Some(pk) => KindOf::Arg(pk),
                            None => KindOf::Fixed(Answer::Unknown),
                        },
                    },
                };
                let ctor = Ctor { code_arg: p, kind };
                ctors.by_file.insert((d.file, d.name.clone()), ctor.clone());
                if !d.closure {
                    ctors
                        .by_crate
                        .entry((f.krate.clone(), d.name.clone()))
                        .or_default()
                        .push(ctor);
                }
                added = true;
                break;
            }
        }
        if !added {
            break;
        }
    }

    let mut out = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        let t = &f.toks;
        for i in 0..t.len() {
            if let Some(call) = call_at(t, i) {
                if let Some(c) = ctors.resolve(&files, fi, &call) {
                    let a = args(t, call.open);
                    let code_arg = a.get(c.code_arg).copied();
                    if let Some(code) = code_arg.and_then(|r| single_str(t, r)) {
                        let answer = match c.kind {
                            KindOf::Fixed(k) => k,
                            KindOf::Arg(n) => a
                                .get(n)
                                .and_then(|&r| answer_of_arg(t, r))
                                .unwrap_or(Answer::Unknown),
                        };
                        out.push(Use {
                            code: code.to_string(),
                            answer,
                            file: f.path.clone(),
                            line: t[i].line,
                        });
                    }
                }
            }
            // `code: "…"` in a struct literal
            if ident(&t[i]) == Some("code")
                && t.get(i + 1).is_some_and(|x| is_punct(x, ':'))
                && !t.get(i + 2).is_some_and(|x| is_punct(x, ':'))
            {
                if let Some(Tok::Str(s)) = t.get(i + 2).map(|x| &x.tok) {
                    if is_code(s) {
                        out.push(Use {
                            code: s.clone(),
                            answer: Answer::Unknown,
                            file: f.path.clone(),
                            line: t[i].line,
                        });
                    }
                }
            }
            // `错误 [code] …` written out by hand on the command line
            if let Tok::Str(s) = &t[i].tok {
                if let Some(rest) = s.trim_start().strip_prefix("错误 [") {
                    if let Some(code) = rest.split(']').next().filter(|c| is_code(c)) {
                        out.push(Use {
                            code: code.to_string(),
                            answer: Answer::Unknown,
                            file: f.path.clone(),
                            line: t[i].line,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Every string literal of the sources (test code left out).
pub fn literals(workspace: &Path) -> std::collections::HashSet<String> {
    let mut paths = Vec::new();
    rust_files(&workspace.join("crates"), &mut paths);
    let mut out = std::collections::HashSet::new();
    for p in paths
        .iter()
        .filter(|p| p.components().any(|c| c.as_os_str() == "src"))
    {
        let toks = without_tests(lex(&std::fs::read_to_string(p).expect("read source")));
        for t in toks {
            if let Tok::Str(s) = t.tok {
                out.insert(s);
            }
        }
    }
    out
}

/// A code is lower-case ASCII words joined by `_`.
pub fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// Where the audit log is written, and with which action: the first argument of every
/// `AuditRecord::change(…)`, `AuditRecord::event(…)` and `audit_user(…)` call (its string literals;
/// a variable is followed to its `let`), the actions of a project's history (`project.` and each
/// code literal passed to `project_changed` or `create_project_in`), and a `format!` whose text
/// begins with a prefix (`problem.{…}`) as that prefix, ending in `.`. Returns (action or prefix,
/// `file:line`).
#[allow(dead_code)]
pub fn audit_actions(workspace: &Path) -> Vec<(String, String)> {
    let mut paths = Vec::new();
    rust_files(&workspace.join("crates"), &mut paths);
    let mut out = Vec::new();
    let is_action = |s: &str| !s.is_empty() && s.split('.').all(is_code);
    for p in paths
        .iter()
        .filter(|p| p.components().any(|c| c.as_os_str() == "src"))
    {
        let toks = without_tests(lex(&std::fs::read_to_string(p).expect("read source")));
        let file = p.strip_prefix(workspace).unwrap_or(p).display().to_string();
        let at = |t: &T| format!("{file}:{}", t.line);
        for i in 0..toks.len() {
            let Some(name) = ident(&toks[i]) else {
                continue;
            };
            if !toks.get(i + 1).is_some_and(|t| is_punct(t, '(')) {
                continue;
            }
            let recorded = matches!(name, "change" | "event")
                && i >= 3
                && ident(&toks[i - 3]) == Some("AuditRecord");
            if recorded || name == "audit_user" {
                let Some(&(a, b)) = args(&toks, i + 1).first() else {
                    continue;
                };
                let mut first: Vec<&T> = toks[a..b].iter().collect();
                // a variable: the literals of its `let`
                if let [t] = first.as_slice() {
                    if let Some(var) = ident(t) {
                        let let_at = (0..i).rev().find(|&k| {
                            ident(&toks[k]) == Some("let")
                                && toks.get(k + 1).and_then(ident) == Some(var)
                        });
                        if let Some(k) = let_at {
                            let end = (k..i).find(|&e| is_punct(&toks[e], ';')).unwrap_or(i);
                            first = toks[k..end].iter().collect();
                        }
                    }
                }
                for t in first {
                    if let Tok::Str(s) = &t.tok {
                        match s.split_once('{') {
                            Some((prefix, _)) if prefix.ends_with('.') => {
                                out.push((prefix.to_string(), at(t)))
                            }
                            Some(_) => {}
                            None if is_action(s) => out.push((s.clone(), at(t))),
                            None => {}
                        }
                    }
                }
            } else if matches!(name, "project_changed" | "create_project_in") {
                for (a, b) in args(&toks, i + 1) {
                    for t in &toks[a..b] {
                        if let Tok::Str(s) = &t.tok {
                            if is_code(s) {
                                out.push((format!("project.{s}"), at(t)));
                            }
                        }
                    }
                }
            }
        }
    }
    out
}
