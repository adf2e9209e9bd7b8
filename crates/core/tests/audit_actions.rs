//! Every action the workspace writes to the audit log has a Chinese name in
//! `fupin_core::audit::actions`, so that the log's page never shows a bare code for it.

#[allow(dead_code)]
mod scan;

use fupin_core::audit::actions::{action_name, ACTIONS};
use fupin_core::rectification::EventAction;
use std::path::Path;

#[test]
fn every_action_written_has_a_name() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let found = scan::audit_actions(&workspace);
    assert!(
        found.len() > 80,
        "the scan found only {} actions: is it still reading the sources?",
        found.len()
    );
    // each kind of place the scan follows
    let has = |a: &str| found.iter().any(|(f, _)| f == a);
    for a in [
        "household.create",        // AuditRecord::change("…")
        "login.failed",            // AuditRecord::event("…")
        "user.disable",            // audit_user(if … { "…" } else { … })
        "household.import_status", // a variable and its `let`
        "project.step",            // a project's history
        "problem.",                // format!("problem.{}", …)
    ] {
        assert!(has(a), "the scan misses {a}");
    }
    let mut missing = Vec::new();
    for (action, at) in &found {
        if action.ends_with('.') {
            // a prefix: every action it can make must be named
            let made: Vec<String> = match action.as_str() {
                "problem." => EventAction::ALL
                    .iter()
                    .map(|a| format!("problem.{}", a.as_str()))
                    .collect(),
                // the movements of an allocation (`record_movement`, db/src/projects/funds.rs)
                "fund." => vec!["fund.receipt".into(), "fund.disbursement".into()],
                "project." => ACTIONS
                    .iter()
                    .filter(|(c, _)| c.starts_with("project."))
                    .map(|(c, _)| c.to_string())
                    .collect(),
                other => {
                    missing.push(format!("{at}: actions `{other}…` (teach this test them)"));
                    continue;
                }
            };
            missing.extend(
                made.into_iter()
                    .filter(|m| action_name(m).is_none())
                    .map(|m| format!("{at}: {m}")),
            );
        } else if action_name(action).is_none() {
            missing.push(format!("{at}: {action}"));
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "actions without a name in crates/core/src/audit/actions.rs:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_name_is_of_an_action_written() {
    // a name nobody writes any more is removed (problem steps are named by their workflow)
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let found = scan::audit_actions(&workspace);
    let unused: Vec<&str> = ACTIONS
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| {
            !found.iter().any(|(f, _)| f == c) && !["fund.receipt", "fund.disbursement"].contains(c)
        })
        .collect();
    assert!(unused.is_empty(), "named but never written: {unused:?}");
}
