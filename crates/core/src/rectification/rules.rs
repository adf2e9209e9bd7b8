//! Data-quality rules as data (数据质量规则): each rule has a code, a Chinese description, a
//! severity, a category and its parameters; the shipped set is `data/quality-rules.json`, stored in
//! the database where a deployment may change parameters or disable a rule.
//!
//! A rule's run yields [`Finding`]s, one per subject (a household and year, a person, a pairing and
//! year, a cadre). [`reconcile`] compares them with the problems the rule found before: a new
//! subject becomes a problem, a subject whose problem was closed comes back as the same problem
//! reopened, and an open problem whose subject no longer triggers the rule is closed automatically.
//! So a second run on the same data changes nothing. The detection itself is set-based SQL in the
//! store (one pass per rule over the caller's regions), with the thresholds this module resolves.

use super::model::{Category, ProblemId, ProblemStatus, Severity};
use crate::assessment::standards::{count_or_shipped, fen_or_shipped};
use crate::assessment::Parameter;
use crate::regions::RegionCode;
use crate::registry::{HouseholdId, PersonId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

/// The rules fupin knows how to run (a stored rule of another code is listed but not run).
pub mod code {
    pub const VISITS_BELOW_MINIMUM: &str = "visits_below_minimum";
    pub const NO_INCOME_LAST_YEAR: &str = "no_income_last_year";
    pub const EXITED_BELOW_MONITORING_LINE: &str = "exited_below_monitoring_line";
    pub const MEMBER_AGE_IMPLAUSIBLE: &str = "member_age_implausible";
    pub const HOUSEHOLD_WITHOUT_HEAD: &str = "household_without_head";
    pub const CADRE_OVER_LIMIT: &str = "cadre_over_limit";
    pub const PROJECT_OVERDUE: &str = "project_overdue";
}

/// A data-quality rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualityRule {
    pub code: String,
    pub description: String,
    pub severity: Severity,
    pub category: Category,
    /// Thresholds and the days given to rectify (`deadline_days`); `standard` names the standards
    /// parameter the threshold is read from when the rule does not set it itself.
    pub params: serde_json::Map<String, serde_json::Value>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl QualityRule {
    /// The rules fupin ships.
    pub fn shipped() -> Vec<QualityRule> {
        serde_json::from_str(include_str!("../../data/quality-rules.json"))
            .expect("the shipped rules parse")
    }

    /// An integer parameter.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.params.get(name).and_then(|v| v.as_i64())
    }

    /// Days given to rectify a finding (30 when the rule does not say).
    pub fn deadline_days(&self) -> i64 {
        self.int("deadline_days").unwrap_or(30).clamp(1, 3650)
    }

    /// The count threshold: the rule's own `name`, else the standard it names for `region` and
    /// `year` (the standards table, falling back to the shipped value).
    pub fn count_threshold(
        &self,
        name: &str,
        standards: &[Parameter],
        region: &RegionCode,
        year: i32,
    ) -> i64 {
        self.int(name).unwrap_or_else(|| {
            let key = self.params.get("standard").and_then(|v| v.as_str());
            key.map_or(0, |k| count_or_shipped(standards, k, region, year))
        })
    }

    /// The money threshold, as [`Self::count_threshold`].
    pub fn fen_threshold(
        &self,
        name: &str,
        standards: &[Parameter],
        region: &RegionCode,
        year: i32,
    ) -> i64 {
        self.int(name).unwrap_or_else(|| {
            let key = self.params.get("standard").and_then(|v| v.as_str());
            key.map_or(0, |k| fen_or_shipped(standards, k, region, year).get())
        })
    }
}

/// Visits a pairing should have had by `as_of` in its year: the yearly minimum prorated by the days
/// of the year gone (rounded down), so that nobody is flagged in January for visits due in December.
pub fn visits_due(minimum: i64, as_of: Date) -> i64 {
    let days_in_year = time::util::days_in_year(as_of.year()) as i64;
    minimum * as_of.ordinal() as i64 / days_in_year
}

/// The latest birth date of a person over `max_age` on `as_of` (born before it: older).
pub fn born_before_for_age(max_age: i64, as_of: Date) -> Date {
    let year = as_of.year() - max_age as i32;
    // 29 February in a year that has none: 28 February
    Date::from_calendar_date(year, as_of.month(), as_of.day())
        .or_else(|_| Date::from_calendar_date(year, as_of.month(), 28))
        .expect("a valid date")
}

/// What a rule found on one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub rule: String,
    /// What it was found on, unique within the rule (`household:12:2018`, `person:7`).
    pub subject: String,
    /// The village (or the cadre's region) the problem belongs to.
    pub region: RegionCode,
    pub household_id: Option<HouseholdId>,
    pub person_id: Option<PersonId>,
    /// The project it was found on (the project rule).
    pub project_id: Option<i64>,
    /// The problem's text: the rule's description and the particulars.
    pub description: String,
    pub evidence: serde_json::Value,
}

/// A problem a rule found before, as reconciliation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFinding {
    pub id: ProblemId,
    pub subject: String,
    pub status: ProblemStatus,
}

/// What to do with the problems of one rule after a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Reconcile {
    /// A new subject: record a problem.
    Create(Finding),
    /// A closed problem whose subject triggers the rule again: reopen it.
    Reopen(ProblemId, Finding),
    /// An open problem whose subject no longer triggers the rule: close it.
    Close(ProblemId),
}

/// Compare a run's findings with the problems the rule found before (within the same regions).
/// Subjects found and still open change nothing.
pub fn reconcile(found: Vec<Finding>, known: Vec<KnownFinding>) -> Vec<Reconcile> {
    let mut by_subject: HashMap<&str, &KnownFinding> =
        known.iter().map(|k| (k.subject.as_str(), k)).collect();
    let mut out = vec![];
    for f in found {
        match by_subject.remove(f.subject.as_str()) {
            None => out.push(Reconcile::Create(f)),
            Some(k) if k.status == ProblemStatus::Closed => out.push(Reconcile::Reopen(k.id, f)),
            Some(_) => {}
        }
    }
    let mut closes: Vec<_> = by_subject
        .into_values()
        .filter(|k| k.status != ProblemStatus::Closed)
        .map(|k| k.id)
        .collect();
    closes.sort();
    out.extend(closes.into_iter().map(Reconcile::Close));
    out
}

/// What one rule's run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleOutcome {
    pub code: String,
    pub description: String,
    /// Subjects that trigger the rule now.
    pub findings: u64,
    pub created: u64,
    pub reopened: u64,
    pub closed: u64,
}

/// What a run of the checks did: every rule, then overdue escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckRun {
    pub as_of: Date,
    pub rules: Vec<RuleOutcome>,
    /// Overdue problems escalated to the level above by this run.
    pub escalated: u64,
    pub ran_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub ran_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn finding(subject: &str) -> Finding {
        Finding {
            rule: "r".into(),
            subject: subject.into(),
            region: RegionCode::parse("360124106204").unwrap(),
            household_id: None,
            person_id: None,
            project_id: None,
            description: String::new(),
            evidence: serde_json::Value::Null,
        }
    }

    fn known(id: i64, subject: &str, status: ProblemStatus) -> KnownFinding {
        KnownFinding {
            id: ProblemId(id),
            subject: subject.into(),
            status,
        }
    }

    #[test]
    fn reconciliation() {
        let out = reconcile(
            vec![finding("a"), finding("b"), finding("c")],
            vec![
                known(1, "a", ProblemStatus::InProgress),
                known(2, "b", ProblemStatus::Closed),
                known(3, "d", ProblemStatus::Open),
                known(4, "e", ProblemStatus::Closed),
                known(5, "f", ProblemStatus::CloseRequested),
            ],
        );
        assert_eq!(
            out,
            vec![
                Reconcile::Reopen(ProblemId(2), finding("b")),
                Reconcile::Create(finding("c")),
                Reconcile::Close(ProblemId(3)),
                Reconcile::Close(ProblemId(5)),
            ]
        );
        // the same findings against what the first run left: nothing to do
        let again = reconcile(vec![finding("a")], vec![known(1, "a", ProblemStatus::Open)]);
        assert!(again.is_empty());
    }

    #[test]
    fn shipped_rules_and_thresholds() {
        let rules = QualityRule::shipped();
        assert_eq!(rules.len(), 7);
        let standards = crate::assessment::default_parameters();
        let tagang = RegionCode::parse("360124106204").unwrap();
        let visits = rules
            .iter()
            .find(|r| r.code == code::VISITS_BELOW_MINIMUM)
            .unwrap();
        assert_eq!(
            visits.count_threshold("min_visits", &standards, &tagang, 2019),
            4
        );
        let line = rules
            .iter()
            .find(|r| r.code == code::EXITED_BELOW_MONITORING_LINE)
            .unwrap();
        assert_eq!(
            line.fen_threshold("line_fen", &standards, &tagang, 2020),
            600_000
        );
        let age = rules
            .iter()
            .find(|r| r.code == code::MEMBER_AGE_IMPLAUSIBLE)
            .unwrap();
        assert_eq!(
            age.count_threshold("max_age", &standards, &tagang, 2019),
            100
        );
        assert_eq!(age.deadline_days(), 15);
    }

    #[test]
    fn due_visits_are_prorated() {
        assert_eq!(visits_due(4, date!(2019 - 12 - 31)), 4);
        assert_eq!(visits_due(4, date!(2019 - 01 - 31)), 0);
        assert_eq!(visits_due(4, date!(2019 - 07 - 02)), 2);
        assert_eq!(
            born_before_for_age(100, date!(2019 - 06 - 01)),
            date!(1919 - 06 - 01)
        );
        assert_eq!(
            born_before_for_age(1, date!(2020 - 02 - 29)),
            date!(2019 - 02 - 28)
        );
    }
}
