//! The error-code catalogue against the workspace: every code minted in `crates/*/src` is in
//! `fupin_core::error_codes::CATALOGUE` with the kind it is raised with, every entry is still used,
//! and the README lists the catalogue as it is.

mod scan;

use fupin_core::error_codes::{lookup, markdown_table, HttpKind, CATALOGUE};
use fupin_core::ErrorKind;
use scan::Answer;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether a use site raising its code as `answer` agrees with the catalogue's kind.
fn agrees(kind: HttpKind, answer: Answer) -> bool {
    let Answer::Named(name) = answer else {
        return true;
    };
    let error_kind = match name {
        "Invalid" => Some(ErrorKind::Invalid),
        "NotFound" => Some(ErrorKind::NotFound),
        "Conflict" => Some(ErrorKind::Conflict),
        "Forbidden" => Some(ErrorKind::Forbidden),
        "Unauthenticated" => Some(ErrorKind::Unauthenticated),
        "TooMany" => Some(ErrorKind::TooMany),
        "Internal" => Some(ErrorKind::Internal),
        _ => None,
    };
    if let Some(k) = error_kind {
        return kind.error_kind() == k;
    }
    let status = match name {
        "BAD_REQUEST" => 400,
        "UNAUTHORIZED" => 401,
        "FORBIDDEN" => 403,
        "NOT_FOUND" => 404,
        "METHOD_NOT_ALLOWED" => 405,
        "CONFLICT" => 409,
        "PAYLOAD_TOO_LARGE" => 413,
        "UNSUPPORTED_MEDIA_TYPE" => 415,
        "UNPROCESSABLE_ENTITY" => 422,
        "TOO_MANY_REQUESTS" => 429,
        "INTERNAL_SERVER_ERROR" => 500,
        "SERVICE_UNAVAILABLE" => 503,
        "INSUFFICIENT_STORAGE" => 507,
        other => panic!("an error raised with {other}: teach this test its status"),
    };
    kind.answers(status)
}

#[test]
fn every_code_minted_is_catalogued_with_its_kind() {
    let uses = scan::uses(&workspace());
    assert!(
        uses.len() > 300,
        "the scan found only {} places: is it still reading the sources?",
        uses.len()
    );
    let mut problems = Vec::new();
    for u in &uses {
        match lookup(&u.code) {
            None => problems.push(format!(
                "{}:{}: `{}` is not in the catalogue (crates/core/src/error_codes.rs)",
                u.file, u.line, u.code
            )),
            Some(e) if !agrees(e.kind, u.answer) => problems.push(format!(
                "{}:{}: `{}` raised as {:?}, but the catalogue says {} ({}): a code names one \
                 meaning, use another code for another kind",
                u.file,
                u.line,
                u.code,
                u.answer,
                e.kind.name(),
                e.kind.status()
            )),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_scan_finds_each_kind_of_place() {
    let uses = scan::uses(&workspace());
    let found = |code: &str, file: &str| {
        uses.iter()
            .any(|u| u.code == code && u.file.ends_with(file))
    };
    // a core constructor, a store's local helper, a closure, an HTTP status, a struct field, the CLI
    assert!(found("duplicate_id_number", "db/src/registry/mod.rs"));
    assert!(found("cadre_not_found", "db/src/pairing/mod.rs"));
    assert!(found("invalid_check_digit", "core/src/id_number.rs"));
    assert!(found("job_space_full", "web/src/jobs/api.rs"));
    assert!(found("shutting_down", "web/src/health.rs"));
    assert!(found("backup_exists", "db-sqlite/src/backup.rs"));
    assert!(found("upload_lost", "web/src/jobs/api.rs"));
    assert!(found("use_pg_dump", "fupin/src/cli/backup.rs"));
    // test code is not a use
    assert!(!uses.iter().any(|u| u.code == "stub"));
}

#[test]
fn every_entry_is_still_used() {
    // an entry is used when its code appears as a string literal in the sources (some codes travel
    // in variables the scan does not follow, e.g. the importer's `not_utf8`)
    let sources = scan::literals(&workspace());
    let unused: Vec<&str> = CATALOGUE
        .iter()
        .map(|e| e.code)
        .filter(|c| !sources.contains(*c))
        .collect();
    assert!(
        unused.is_empty(),
        "catalogued but used nowhere (remove them): {unused:?}"
    );
}

const BEGIN: &str = "<!-- error codes: generated from crates/core/src/error_codes.rs -->\n";
const END: &str = "<!-- end of error codes -->";

#[test]
fn the_readme_lists_the_catalogue() {
    let path = workspace().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (Some(a), Some(b)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md lacks the markers {BEGIN:?} … {END:?}");
    };
    let shown = &readme[a + BEGIN.len()..b];
    let table = markdown_table();
    if shown != table {
        if std::env::var_os("FUPIN_WRITE_README").is_some() {
            let new = format!("{}{BEGIN}{table}{}", &readme[..a], &readme[b..]);
            std::fs::write(&path, new).expect("write README.md");
        } else {
            panic!(
                "the README's table of error codes is out of date: run \
                 `FUPIN_WRITE_README=1 cargo test -p fupin-core --test error_catalogue`"
            );
        }
    }
}
