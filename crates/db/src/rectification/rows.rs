//! Rectification's tables as typed rows (see `crate::rows`): problems with their region, household,
//! member and campaign, their trail of steps, and campaigns — the column lists, decoders and value
//! builders of every write and read of them.

use super::NewProblem;
use crate::args;
use crate::rows::{Cols, Columns, Record, Select, Sql};
use crate::sql::Value;
use fupin_core::rectification::*;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::StoreResult;
use fupin_core::{DomainError, RegionCode};
use time::{Date, OffsetDateTime};

/// Problems with their region, household, member and campaign.
pub(crate) const PROBLEM_FROM: &str = "problems pb JOIN regions r ON r.code = pb.region_code \
    LEFT JOIN households h ON h.id = pb.household_id LEFT JOIN persons p ON p.id = pb.person_id \
    LEFT JOIN campaigns c ON c.id = pb.campaign_id";

/// The columns of a [`Problem`] from [`PROBLEM_FROM`].
pub(crate) const PROBLEM_COLS: Select<Problem> = Select::new();

/// A problem as stored; whether it is overdue depends on the day it is read ([`problem_on`]), so
/// the decoder leaves it `false`.
impl Record for Problem {
    fn columns() -> Columns {
        Columns(&[
            "pb.id",
            "pb.region_code",
            "r.name",
            "pb.household_id",
            "h.household_number",
            "pb.person_id",
            "p.name",
            "pb.project_id",
            "pb.campaign_id",
            "c.name",
            "pb.source",
            "pb.source_ref",
            "pb.rule_code",
            "pb.subject_key",
            "pb.description",
            "pb.category",
            "pb.severity",
            "pb.responsible_unit",
            "pb.responsible_person",
            "pb.found_on",
            "pb.deadline",
            "pb.measures",
            "pb.status",
            "pb.evidence",
            "pb.close_requested_by",
            "pb.close_requested_at",
            "pb.closed_by",
            "pb.closed_at",
            "pb.escalated_to",
            "pb.escalated_at",
            "pb.version",
            "pb.created_by",
            "pb.created_at",
            "pb.updated_by",
            "pb.updated_at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let id = ProblemId(c.i64()?);
        let region_code = RegionCode::parse(&c.text()?)?;
        let region_name = c.text()?;
        let household_id = c.opt_i64()?.map(HouseholdId);
        let household_number = c.opt_text()?;
        let person_id = c.opt_i64()?.map(PersonId);
        let person_name = c.opt_text()?;
        let project_id = c.opt_i64()?;
        let campaign_id = c.opt_i64()?.map(CampaignId);
        let campaign_name = c.opt_text()?;
        let source = Source::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        let source_ref = c.opt_text()?;
        let rule_code = c.opt_text()?;
        let subject_key = c.opt_text()?;
        let description = c.text()?;
        let category = Category::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        let severity = Severity::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        let responsible_unit = c.text()?;
        let responsible_person = c.opt_text()?;
        let found_on = c.date()?;
        let deadline = c.date()?;
        let measures = c.opt_text()?;
        let status = ProblemStatus::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        Ok(Problem {
            id,
            region_code,
            region_name,
            household_id,
            household_number,
            person_id,
            person_name,
            project_id,
            campaign_id,
            campaign_name,
            source,
            source_label: source.label(),
            source_ref,
            rule_code,
            subject_key,
            description,
            category,
            category_label: category.label(),
            severity,
            severity_label: severity.label(),
            responsible_unit,
            responsible_person,
            found_on,
            deadline,
            measures,
            status,
            status_label: status.label(),
            overdue: false,
            evidence: c.opt_json()?,
            close_requested_by: c.opt_text()?,
            close_requested_at: c.opt_time()?,
            closed_by: c.opt_text()?,
            closed_at: c.opt_time()?,
            escalated_to: c.opt_text()?.map(|c| RegionCode::parse(&c)).transpose()?,
            escalated_at: c.opt_time()?,
            version: c.i32()?,
            created_by: c.text()?,
            created_at: c.time()?,
            updated_by: c.text()?,
            updated_at: c.time()?,
        })
    }
}

/// A problem's row as it reads on `today` (overdue when past its deadline and not signed off).
pub(crate) fn problem_on(row: &crate::sql::Row, today: Date) -> StoreResult<Problem> {
    let mut p = Problem::from_row(row)?;
    p.overdue = is_overdue(p.status, p.deadline, today);
    Ok(p)
}

/// A new problem's columns, its id assigned by the database.
pub(crate) const PROBLEM_NEW: Columns = Columns(&[
    "region_code",
    "household_id",
    "person_id",
    "project_id",
    "campaign_id",
    "source",
    "source_ref",
    "rule_code",
    "subject_key",
    "description",
    "category",
    "severity",
    "responsible_unit",
    "responsible_person",
    "found_on",
    "deadline",
    "measures",
    "status",
    "evidence",
    "version",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
]);

/// Insert one problem (values of [`new_problem`]), returning its id.
pub(crate) static INSERT_PROBLEM: Sql =
    Sql::new(|| format!("{} RETURNING id", PROBLEM_NEW.insert("problems")));

/// A new problem's row for [`INSERT_PROBLEM`]: open, at version 1.
pub(crate) fn new_problem(n: &NewProblem<'_>, actor: &str, now: OffsetDateTime) -> Vec<Value> {
    Vec::from(args![
        n.region.as_str(),
        n.household_id.map(|h| h.0),
        n.person_id.map(|p| p.0),
        n.project_id,
        n.campaign_id.map(|c| c.0),
        n.source.as_str(),
        n.source_ref,
        n.rule_code,
        n.subject_key,
        n.description,
        n.category.as_str(),
        n.severity.as_str(),
        n.responsible_unit,
        n.responsible_person,
        n.found_on,
        n.deadline,
        n.measures,
        ProblemStatus::Open.as_str(),
        n.evidence.map(|e| e.to_string()),
        1i32,
        actor,
        now,
        actor,
        now
    ])
}

/// The columns of a [`ProblemEvent`] from `problem_events`.
pub(crate) const EVENT_COLS: Select<ProblemEvent> = Select::new();

/// A step of a problem's trail.
impl Record for ProblemEvent {
    fn columns() -> Columns {
        Columns(&[
            "seq",
            "action",
            "from_status",
            "to_status",
            "note",
            "actor",
            "at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let seq = c.i32()?;
        let action = EventAction::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        Ok(ProblemEvent {
            seq,
            action,
            action_label: action.label(),
            from_status: c
                .opt_text()?
                .map(|s| ProblemStatus::parse(&s).ok_or_else(DomainError::internal))
                .transpose()?,
            to_status: ProblemStatus::parse(&c.text()?).ok_or_else(DomainError::internal)?,
            note: c.opt_text()?,
            actor: c.text()?,
            at: c.time()?,
            attachments: Vec::new(),
        })
    }
}

/// Append a step to a problem's trail, numbered after its last (values of [`event_values`]).
pub(crate) static INSERT_EVENT: Sql = Sql::new(|| {
    let cols = ProblemEvent::columns();
    let rest: Vec<String> = (3..=cols.len() + 1).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO problem_events (problem_id, {}) SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, {} \
         FROM problem_events WHERE problem_id = $1",
        cols.list(),
        rest[..cols.len() - 2].join(", ")
    )
});

/// The values of [`INSERT_EVENT`]: the problem, then the step's columns after `seq`.
pub(crate) fn event_values(
    id: ProblemId,
    action: EventAction,
    from: Option<ProblemStatus>,
    to: ProblemStatus,
    note: Option<&str>,
    actor: &str,
    at: OffsetDateTime,
) -> Vec<Value> {
    Vec::from(args![
        id.0,
        action.as_str(),
        from.map(|s| s.as_str()),
        to.as_str(),
        note,
        actor,
        at
    ])
}

/// Campaigns with their region.
pub(crate) const CAMPAIGN_FROM: &str = "campaigns c JOIN regions r ON r.code = c.region_code";

/// The columns of a [`Campaign`] from [`CAMPAIGN_FROM`].
pub(crate) const CAMPAIGN_COLS: Select<Campaign> = Select::new();

impl Record for Campaign {
    fn columns() -> Columns {
        Columns(&[
            "c.id",
            "c.name",
            "c.region_code",
            "r.name",
            "c.start_date",
            "c.end_date",
            "c.description",
            "c.created_by",
            "c.created_at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Campaign {
            id: CampaignId(c.i64()?),
            name: c.text()?,
            region_code: RegionCode::parse(&c.text()?)?,
            region_name: c.text()?,
            start_date: c.date()?,
            end_date: c.date()?,
            description: c.opt_text()?,
            created_by: c.text()?,
            created_at: c.time()?,
        })
    }
}

/// Insert one campaign (values of [`new_campaign`]), returning its id.
pub(crate) static INSERT_CAMPAIGN: Sql = Sql::new(|| {
    format!(
        "{} RETURNING id",
        Columns(&[
            "name",
            "region_code",
            "start_date",
            "end_date",
            "description",
            "created_by",
            "created_at",
        ])
        .insert("campaigns")
    )
});

/// A new campaign's row for [`INSERT_CAMPAIGN`].
pub(crate) fn new_campaign(d: &CampaignData, actor: &str, now: OffsetDateTime) -> Vec<Value> {
    Vec::from(args![
        d.name.as_str(),
        d.region_code.as_str(),
        d.start_date,
        d.end_date,
        d.description.as_deref(),
        actor,
        now
    ])
}

/// The columns of an [`AttachmentRef`] from `problem_attachments` (without the bytes).
pub(crate) const ATTACHMENT_COLS: Select<AttachmentRef> = Select::new();

/// A file of a problem's trail, as listed with its step.
impl Record for AttachmentRef {
    fn columns() -> Columns {
        Columns(&[
            "id",
            "seq",
            "file_name",
            "content_type",
            "size",
            "uploaded_by",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(AttachmentRef {
            id: c.i64()?,
            seq: c.i32()?,
            file_name: c.text()?,
            content_type: c.text()?,
            size: c.i64()?,
            uploaded_by: c.text()?,
        })
    }
}

/// Insert one file of a step (values of [`new_attachment`]), returning its id.
pub(crate) static INSERT_ATTACHMENT: Sql = Sql::new(|| {
    format!(
        "{} RETURNING id",
        Columns(&[
            "problem_id",
            "seq",
            "file_name",
            "content_type",
            "size",
            "data",
            "uploaded_by",
            "uploaded_at",
        ])
        .insert("problem_attachments")
    )
});

/// A file's row for [`INSERT_ATTACHMENT`].
pub(crate) fn new_attachment(
    problem: ProblemId,
    seq: i32,
    file: PreparedAttachment,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    let size = file.bytes.len() as i64;
    Vec::from(args![
        problem.0,
        seq,
        file.file_name,
        file.content_type,
        size,
        file.bytes,
        actor,
        now
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_numbered_after_the_last() {
        assert_eq!(
            INSERT_EVENT.as_str(),
            "INSERT INTO problem_events (problem_id, seq, action, from_status, to_status, note, actor, at) \
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7 FROM problem_events WHERE problem_id = $1"
        );
    }
}
