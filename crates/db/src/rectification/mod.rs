//! Rectification in SQL: problems with their trail (`problem_events`, one row per step), campaigns,
//! the rectification view of a region grouped in SQL by child region and responsible unit, the
//! data-quality rules' runs (`checks`) and comparisons with department lists (`comparison`).
//!
//! Every read and write is limited to the caller's regions by the problem's `region_code`; a
//! problem out of reach answers `problem_not_found`, like one that does not exist. Every step is
//! an event row and an audit record in the step's transaction.

mod attachments;
mod checks;
mod comparison;
mod rows;

use crate::query::Query;
use crate::rows::{one_i64, one_text, Cols, Record};
use crate::sql::Tx;
use crate::versioned::Versioned;
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::offices::OfficeAct;
use fupin_core::rectification::*;
use fupin_core::regions::Level;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::{RectificationStore, StoreResult};
use fupin_core::years::today;
use fupin_core::{Ctx, DomainError, RegionCode};
use rows::*;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

pub(crate) fn problem_not_found() -> DomainError {
    DomainError::not_found("problem_not_found", "该问题不存在或不在您的管辖范围内")
}

fn campaign_not_found() -> DomainError {
    DomainError::not_found("campaign_not_found", "该整改行动不存在或不在您的管辖范围内")
        .with_field("campaign_id")
}

fn region_not_found(code: &RegionCode) -> DomainError {
    DomainError::not_found(
        "region_not_found",
        format!(
            "区划 {code} 不存在或不在您的管辖范围内",
            code = code.as_str()
        ),
    )
    .with_field("region_code")
}

/// A new problem's row, as the person's entry or a rule's finding gives it.
pub(crate) struct NewProblem<'a> {
    pub region: &'a RegionCode,
    pub household_id: Option<HouseholdId>,
    pub person_id: Option<PersonId>,
    pub project_id: Option<i64>,
    pub campaign_id: Option<CampaignId>,
    pub source: Source,
    pub source_ref: Option<&'a str>,
    pub rule_code: Option<&'a str>,
    pub subject_key: Option<&'a str>,
    pub description: &'a str,
    pub category: Category,
    pub severity: Severity,
    pub responsible_unit: &'a str,
    pub responsible_person: Option<&'a str>,
    pub found_on: Date,
    pub deadline: Date,
    pub measures: Option<&'a str>,
    pub evidence: Option<&'a serde_json::Value>,
}

impl SqlStore {
    pub(crate) async fn load_problem(
        &self,
        tx: &mut dyn Tx,
        id: ProblemId,
    ) -> StoreResult<Problem> {
        let r = tx
            .fetch_optional(
                &format!("SELECT {PROBLEM_COLS} FROM {PROBLEM_FROM} WHERE pb.id = $1"),
                &args![id.0],
            )
            .await?
            .ok_or_else(problem_not_found)?;
        problem_on(&r, today())
    }

    async fn visible_problem(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: ProblemId,
    ) -> StoreResult<Problem> {
        let p = self.load_problem(tx, id).await?;
        if !ctx.scope.allows(&p.region_code) {
            return Err(problem_not_found());
        }
        Ok(p)
    }

    /// Append a step to a problem's trail.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn problem_event(
        &self,
        tx: &mut dyn Tx,
        id: ProblemId,
        action: EventAction,
        from: Option<ProblemStatus>,
        to: ProblemStatus,
        note: Option<&str>,
        actor: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        tx.execute(
            &INSERT_EVENT,
            &event_values(id, action, from, to, note, actor, at),
        )
        .await?;
        Ok(())
    }

    /// Insert a problem with its first step (`create`) and its audit record.
    pub(crate) async fn insert_problem(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        n: &NewProblem<'_>,
        note: Option<&str>,
    ) -> StoreResult<ProblemId> {
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(&INSERT_PROBLEM, &new_problem(n, &ctx.actor, now))
            .await?;
        let id = ProblemId(one_i64(&r)?);
        self.problem_event(
            tx,
            id,
            EventAction::Create,
            None,
            ProblemStatus::Open,
            note,
            &ctx.actor,
            now,
        )
        .await?;
        let details = serde_json::json!({
            "source": n.source.as_str(),
            "rule": n.rule_code,
            "subject": n.subject_key,
            "category": n.category.as_str(),
            "severity": n.severity.as_str(),
            "deadline": n.deadline.to_string(),
            "responsible_unit": n.responsible_unit,
        });
        self.audit(
            tx,
            ctx,
            AuditRecord::event("problem.create", "problem", Some(id.0.to_string()), details)
                .in_region(n.region),
        )
        .await?;
        Ok(id)
    }

    /// Change a problem's status by a step (a person's or the system's), with its event and audit.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn move_problem(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        before: &Problem,
        action: EventAction,
        to: ProblemStatus,
        note: Option<&str>,
        measures: Option<&str>,
        new_deadline: Option<Date>,
    ) -> StoreResult<Problem> {
        let now = OffsetDateTime::now_utc();
        let actor = ctx.actor.as_str();
        // what each step sets besides the status
        let (req_by, req_at, closed_by, closed_at) = match action {
            EventAction::RequestClose => (Some(actor), Some(now), None, None),
            EventAction::SignOff | EventAction::AutoClose => (
                before.close_requested_by.as_deref(),
                before.close_requested_at,
                Some(actor),
                Some(now),
            ),
            EventAction::Escalate => (
                before.close_requested_by.as_deref(),
                before.close_requested_at,
                before.closed_by.as_deref(),
                before.closed_at,
            ),
            _ => (None, None, None, None),
        };
        let (esc_to, esc_at) = match action {
            EventAction::Escalate => (
                Some(escalation_target(&before.region_code).as_str().to_string()),
                Some(now),
            ),
            // a reopened problem has a new deadline: its escalation starts again
            EventAction::AutoReopen | EventAction::Reopen if new_deadline.is_some() => (None, None),
            _ => (
                before.escalated_to.as_ref().map(|c| c.as_str().to_string()),
                before.escalated_at,
            ),
        };
        tx.execute(
            "UPDATE problems SET status = $1, measures = $2, deadline = $3, close_requested_by = $4, close_requested_at = $5, \
             closed_by = $6, closed_at = $7, escalated_to = $8, escalated_at = $9, version = version + 1, updated_by = $10, updated_at = $11 \
             WHERE id = $12",
            &args![
                to.as_str(),
                measures.or(before.measures.as_deref()),
                new_deadline.unwrap_or(before.deadline),
                req_by,
                crate::sql::Value::Time(req_at),
                closed_by,
                crate::sql::Value::Time(closed_at),
                esc_to,
                crate::sql::Value::Time(esc_at),
                actor,
                now,
                before.id.0
            ],
        )
        .await?;
        let note = match action {
            EventAction::Escalate => Some(format!(
                "逾期未销号（期限 {}），上报{}督办",
                before.deadline,
                escalation_target(&before.region_code).as_str()
            )),
            _ => note.map(String::from),
        };
        let details = serde_json::json!({
            "action": action.as_str(),
            "from": before.status.as_str(),
            "to": to.as_str(),
            "note": note,
        });
        let audit = AuditRecord::event(
            &format!("problem.{}", action.as_str()),
            "problem",
            Some(before.id.0.to_string()),
            details,
        )
        .in_region(&before.region_code);
        self.record_version(
            tx,
            ctx,
            before.id.0,
            |_: &Problem| {
                (
                    INSERT_EVENT.as_str(),
                    event_values(
                        before.id,
                        action,
                        Some(before.status),
                        to,
                        note.as_deref(),
                        actor,
                        now,
                    ),
                )
            },
            |_| audit,
        )
        .await
    }

    /// The region a person's problem goes to, checked against the caller's regions: the
    /// household's village (the person's household when only a person is given), or the region
    /// named, which must then hold the household.
    async fn problem_region(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        d: &mut ProblemData,
    ) -> StoreResult<RegionCode> {
        if let (Some(p), None) = (d.person_id, d.household_id) {
            let r = tx
                .fetch_optional(
                    "SELECT household_id FROM persons WHERE id = $1",
                    &args![p.0],
                )
                .await?
                .ok_or_else(|| {
                    DomainError::not_found("member_not_found", "该成员不存在或不在您的管辖范围内")
                        .with_field("person_id")
                })?;
            d.household_id = Some(HouseholdId(one_i64(&r)?));
        }
        let village = match d.household_id {
            None => None,
            Some(h) => {
                let r = tx
                    .fetch_optional(
                        "SELECT village_code FROM households WHERE id = $1",
                        &args![h.0],
                    )
                    .await?;
                let v = match r {
                    Some(r) => Some(RegionCode::parse(&one_text(&r)?)?),
                    None => None,
                }
                .filter(|v| ctx.scope.allows(v))
                .ok_or_else(|| {
                    DomainError::not_found("household_not_found", "该户不存在或不在您的管辖范围内")
                        .with_field("household_id")
                })?;
                if let Some(p) = d.person_id {
                    tx.fetch_optional(
                        "SELECT id FROM persons WHERE id = $1 AND household_id = $2",
                        &args![p.0, h.0],
                    )
                    .await?
                    .ok_or_else(|| {
                        DomainError::invalid("person_id", "not_a_member", "该成员不属于此户")
                    })?;
                }
                Some(v)
            }
        };
        let region = match (&d.region_code, village) {
            (None, Some(v)) => v,
            (Some(r), v) => {
                let exists = tx
                    .fetch_optional(
                        "SELECT code FROM regions WHERE code = $1",
                        &args![r.as_str()],
                    )
                    .await?
                    .is_some();
                if !exists || !ctx.scope.allows(r) {
                    return Err(region_not_found(r));
                }
                if let Some(v) = v {
                    if !r.contains(&v) {
                        return Err(DomainError::invalid(
                            "region_code",
                            "household_outside_region",
                            format!("该户不在区划 {} 内", r.as_str()),
                        ));
                    }
                }
                r.clone()
            }
            (None, None) => unreachable!("validated: a region or a household"),
        };
        if let Some(c) = d.campaign_id {
            let r = tx
                .fetch_optional(
                    "SELECT region_code FROM campaigns WHERE id = $1",
                    &args![c.0],
                )
                .await?
                .ok_or_else(campaign_not_found)?;
            let campaign_region = RegionCode::parse(&one_text(&r)?)?;
            if !campaign_region.contains(&region) {
                return Err(DomainError::invalid(
                    "campaign_id",
                    "outside_campaign",
                    format!(
                        "问题所在区划不在该整改行动的范围（{}）内",
                        campaign_region.as_str()
                    ),
                ));
            }
        }
        Ok(region)
    }

    /// Counts of the problems in `ranges` (and the campaign), grouped by the first `prefix`
    /// characters of the region code (the child region) and, separately, by responsible unit.
    async fn grouped_progress(
        &self,
        tx: &mut dyn Tx,
        ranges: &Option<Vec<(String, String)>>,
        campaign: Option<CampaignId>,
        prefix: usize,
        as_of: Date,
    ) -> StoreResult<(BTreeMap<String, Progress>, BTreeMap<String, Progress>)> {
        let mut out = (BTreeMap::new(), BTreeMap::new());
        for (i, key) in [
            format!("SUBSTR(pb.region_code, 1, {prefix})"),
            "pb.responsible_unit".to_string(),
        ]
        .iter()
        .enumerate()
        {
            let mut q = Query::new("");
            let d = q.arg(as_of);
            q.push(&format!(
                "SELECT {key}, pb.status, CASE WHEN pb.status <> 'closed' AND pb.deadline < {d} THEN 1 ELSE 0 END, COUNT(*) \
                 FROM problems pb WHERE 1 = 1"
            ));
            q.and_in_ranges("pb.region_code", ranges);
            if let Some(c) = campaign {
                let a = q.arg(c.0);
                q.push(&format!(" AND pb.campaign_id = {a}"));
            }
            q.push(" GROUP BY 1, 2, 3");
            let rows = tx.fetch_all(&q.sql, &q.args).await?;
            let map = if i == 0 { &mut out.0 } else { &mut out.1 };
            for r in rows {
                let (key, status, late, n) =
                    Cols::read(&r, |c| Ok((c.text()?, c.text()?, c.i64()? == 1, c.i64()?)))?;
                let status = ProblemStatus::parse(&status).ok_or_else(DomainError::internal)?;
                let p: &mut Progress = map.entry(key).or_default();
                p.found += n;
                if status == ProblemStatus::Closed {
                    p.closed += n;
                } else {
                    p.in_progress += n;
                }
                if late {
                    p.overdue += n;
                }
            }
        }
        Ok(out)
    }

    async fn board_in_tx(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        region: &RegionCode,
        campaign: Option<CampaignId>,
        as_of: Date,
    ) -> StoreResult<RectificationBoard> {
        // the view of a region the caller holds (or one below it), never of a region above
        if !ctx.scope.allows(region) {
            return Err(region_not_found(region));
        }
        let ranges = ctx.scope.ranges(Some(region));
        let name = one_text(
            &tx.fetch_optional(
                "SELECT name FROM regions WHERE code = $1",
                &args![region.as_str()],
            )
            .await?
            .ok_or_else(|| region_not_found(region))?,
        )?;
        // children by the next level's prefix; a village's own problems are its only line
        let child_len = region.level().child().map_or(12, |l: Level| l.prefix_len());
        let (by_prefix, by_unit) = self
            .grouped_progress(tx, &ranges, campaign, child_len, as_of)
            .await?;
        let mut total = Progress::default();
        let mut by_region = vec![];
        for (prefix, p) in by_prefix {
            let code = format!("{prefix:0<12}");
            total.found += p.found;
            total.in_progress += p.in_progress;
            total.closed += p.closed;
            total.overdue += p.overdue;
            let name = if code == region.as_str() {
                format!("{name}（本级）")
            } else {
                tx.fetch_optional(
                    "SELECT name FROM regions WHERE code = $1",
                    &args![code.as_str()],
                )
                .await?
                .map(|r| one_text(&r))
                .transpose()?
                .unwrap_or_else(|| code.clone())
            };
            by_region.push(ProgressLine {
                key: code,
                name,
                progress: p,
            });
        }
        let by_unit = by_unit
            .into_iter()
            .map(|(unit, p)| ProgressLine {
                key: unit.clone(),
                name: unit,
                progress: p,
            })
            .collect();
        let mut q = Query::new("SELECT COUNT(*) FROM problems pb WHERE pb.escalated_to = ");
        let a = q.arg(region.as_str());
        q.push(&a);
        q.push(" AND pb.status <> 'closed'");
        q.and_in_ranges("pb.region_code", &ranges);
        if let Some(c) = campaign {
            let a = q.arg(c.0);
            q.push(&format!(" AND pb.campaign_id = {a}"));
        }
        let escalated_here = one_i64(&tx.fetch_one(&q.sql, &q.args).await?)?;
        Ok(RectificationBoard {
            region_code: region.clone(),
            region_name: name,
            campaign_id: campaign,
            as_of,
            total,
            by_region,
            by_unit,
            escalated_here,
        })
    }

    /// A step, with files on its note (progress or close-out request) when given: the step and
    /// its files in one transaction.
    async fn step_impl(
        &self,
        ctx: &Ctx,
        id: ProblemId,
        step: StepInput,
        files: Vec<(String, Vec<u8>)>,
    ) -> StoreResult<Problem> {
        let step = step.validate()?;
        if !files.is_empty()
            && !matches!(
                step.action,
                EventAction::Progress | EventAction::RequestClose
            )
        {
            return Err(DomainError::invalid(
                "file",
                "not_a_progress_note",
                "只能给整改进展或销号申请附加文件",
            ));
        }
        let files = attachments::prepare_files(files).await?;
        let mut tx = self.db.begin_write().await?;
        // lock the row against a concurrent step (PostgreSQL; SQLite's write transaction is one)
        tx.execute(
            "UPDATE problems SET version = version WHERE id = $1",
            &args![id.0],
        )
        .await?;
        let before = self.visible_problem(tx.as_mut(), ctx, id).await?;
        let to = next_status(
            before.status,
            step.action,
            &ctx.actor,
            before.close_requested_by.as_deref(),
        )?;
        // verifying, sending back and reopening are the county's (a requester may withdraw); asked
        // after the order and the four-eyes rule, before anything is written
        if let Some(act) = office_for(
            step.action,
            &ctx.actor,
            before.close_requested_by.as_deref(),
        ) {
            ctx.require_office(&before.region_code, act.office(), step.action.label())?;
        }
        let after = self
            .move_problem(
                tx.as_mut(),
                ctx,
                &before,
                step.action,
                to,
                step.note.as_deref(),
                step.measures.as_deref(),
                None,
            )
            .await?;
        if !files.is_empty() {
            let seq = one_i64(
                &tx.fetch_one(
                    "SELECT MAX(seq) FROM problem_events WHERE problem_id = $1",
                    &args![id.0],
                )
                .await?,
            )?;
            let seq = i32::try_from(seq).map_err(|_| DomainError::internal())?;
            self.attach_files(tx.as_mut(), ctx, &after, seq, files)
                .await?;
        }
        let out = self.load_problem(tx.as_mut(), id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// A campaign the caller reaches: its region overlaps theirs.
    async fn visible_campaign(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: CampaignId,
    ) -> StoreResult<Campaign> {
        let r = tx
            .fetch_optional(
                &format!("SELECT {CAMPAIGN_COLS} FROM {CAMPAIGN_FROM} WHERE c.id = $1"),
                &args![id.0],
            )
            .await?
            .ok_or_else(campaign_not_found)?;
        let c = Campaign::from_row(&r)?;
        match ctx.scope.ranges(Some(&c.region_code)) {
            Some(r) if r.is_empty() => Err(campaign_not_found()),
            _ => Ok(c),
        }
    }
}

#[async_trait::async_trait]
impl Versioned for Problem {
    async fn reload(store: &SqlStore, tx: &mut dyn Tx, _: &Ctx, id: i64) -> StoreResult<Self> {
        store.load_problem(tx, ProblemId(id)).await
    }
}

#[async_trait::async_trait]
impl RectificationStore for SqlStore {
    async fn create_problem(&self, ctx: &Ctx, p: ProblemInput) -> StoreResult<Problem> {
        let mut d = p.validate(today())?;
        let mut tx = self.db.begin_write().await?;
        let region = self.problem_region(tx.as_mut(), ctx, &mut d).await?;
        let id = self
            .insert_problem(
                tx.as_mut(),
                ctx,
                &NewProblem {
                    region: &region,
                    household_id: d.household_id,
                    person_id: d.person_id,
                    project_id: d.project_id,
                    campaign_id: d.campaign_id,
                    source: d.source,
                    source_ref: d.source_ref.as_deref(),
                    rule_code: None,
                    subject_key: None,
                    description: &d.description,
                    category: d.category,
                    severity: d.severity,
                    responsible_unit: &d.responsible_unit,
                    responsible_person: d.responsible_person.as_deref(),
                    found_on: d.found_on,
                    deadline: d.deadline,
                    measures: d.measures.as_deref(),
                    evidence: None,
                },
                None,
            )
            .await?;
        let out = self.load_problem(tx.as_mut(), id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn problem(&self, ctx: &Ctx, id: ProblemId) -> StoreResult<ProblemDetail> {
        let mut tx = self.db.begin_read().await?;
        let problem = self.visible_problem(tx.as_mut(), ctx, id).await?;
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {EVENT_COLS} FROM problem_events WHERE problem_id = $1 ORDER BY seq"
                ),
                &args![id.0],
            )
            .await?;
        let mut trail = rows
            .iter()
            .map(ProblemEvent::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let mut files = self.attachments_by_step(tx.as_mut(), id).await?;
        for e in &mut trail {
            e.attachments = files.remove(&e.seq).unwrap_or_default();
        }
        Ok(ProblemDetail { problem, trail })
    }

    async fn problems(&self, ctx: &Ctx, f: &ProblemFilter) -> StoreResult<ProblemPage> {
        if let Some(r) = &f.region {
            ctx.require_overlap(r, "区划")?;
        }
        let mut tx = self.db.begin_read().await?;
        let ranges = ctx.scope.ranges(f.region.as_ref());
        let mut q = Query::new(&format!(
            "SELECT {PROBLEM_COLS} FROM {PROBLEM_FROM} WHERE 1 = 1"
        ));
        q.and_in_ranges("pb.region_code", &ranges);
        if let Some(s) = f.status {
            let a = q.arg(s.as_str());
            q.push(&format!(" AND pb.status = {a}"));
        }
        if let Some(c) = f.campaign {
            let a = q.arg(c.0);
            q.push(&format!(" AND pb.campaign_id = {a}"));
        }
        if let Some(s) = f.source {
            let a = q.arg(s.as_str());
            q.push(&format!(" AND pb.source = {a}"));
        }
        if let Some(u) = &f.responsible_unit {
            let a = q.arg(u.as_str());
            q.push(&format!(" AND pb.responsible_unit = {a}"));
        }
        if f.overdue {
            let a = q.arg(today());
            q.push(&format!(" AND pb.status <> 'closed' AND pb.deadline < {a}"));
        }
        if let Some(e) = &f.escalated_to {
            let a = q.arg(e.as_str());
            q.push(&format!(
                " AND pb.escalated_to = {a} AND pb.status <> 'closed'"
            ));
        }
        if let Some(h) = f.household {
            let a = q.arg(h.0);
            q.push(&format!(" AND pb.household_id = {a}"));
        }
        // keyset along the id, forwards or backwards
        let (cmp, dir) = if f.descending {
            ("<", " DESC")
        } else {
            (">", "")
        };
        if let Some(after) = f.after {
            let a = q.arg(after.0);
            q.push(&format!(" AND pb.id {cmp} {a}"));
        }
        let limit = f.limit.clamp(1, 500);
        q.push(&format!(" ORDER BY pb.id{dir} LIMIT {}", limit + 1));
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let now = today();
        let mut items = rows
            .iter()
            .map(|r| problem_on(r, now))
            .collect::<StoreResult<Vec<_>>>()?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|p| p.id)
        } else {
            None
        };
        Ok(ProblemPage { items, next })
    }

    async fn problem_step(
        &self,
        ctx: &Ctx,
        id: ProblemId,
        step: StepInput,
    ) -> StoreResult<Problem> {
        self.step_impl(ctx, id, step, Vec::new()).await
    }

    async fn problem_step_with_files(
        &self,
        ctx: &Ctx,
        id: ProblemId,
        step: StepInput,
        files: Vec<(String, Vec<u8>)>,
    ) -> StoreResult<Problem> {
        self.step_impl(ctx, id, step, files).await
    }

    async fn add_problem_attachment(
        &self,
        ctx: &Ctx,
        id: ProblemId,
        seq: i32,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> StoreResult<AttachmentRef> {
        self.add_attachment_impl(ctx, id, seq, file_name, bytes)
            .await
    }

    async fn problem_attachment(
        &self,
        ctx: &Ctx,
        id: i64,
    ) -> StoreResult<(AttachmentRef, Vec<u8>)> {
        self.attachment_impl(ctx, id).await
    }

    async fn create_campaign(&self, ctx: &Ctx, c: CampaignInput) -> StoreResult<Campaign> {
        let d = c.validate()?;
        let mut tx = self.db.begin_write().await?;
        let exists = tx
            .fetch_optional(
                "SELECT code FROM regions WHERE code = $1",
                &args![d.region_code.as_str()],
            )
            .await?
            .is_some();
        if !exists || !ctx.scope.allows(&d.region_code) {
            return Err(region_not_found(&d.region_code));
        }
        ctx.require_act(&d.region_code, OfficeAct::CreateCampaign)?;
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(&INSERT_CAMPAIGN, &new_campaign(&d, &ctx.actor, now))
            .await?;
        let id = CampaignId(one_i64(&r)?);
        let out = self.visible_campaign(tx.as_mut(), ctx, id).await?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("campaign.create", "campaign", id.0, None, Some(&out))
                .in_region(&d.region_code),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn campaigns(
        &self,
        ctx: &Ctx,
        region: Option<&RegionCode>,
    ) -> StoreResult<Vec<Campaign>> {
        if let Some(r) = region {
            ctx.require_overlap(r, "区划")?;
        }
        let mut tx = self.db.begin_read().await?;
        let rows = tx
            .fetch_all(
                &format!("SELECT {CAMPAIGN_COLS} FROM {CAMPAIGN_FROM} ORDER BY c.start_date, c.id"),
                &[],
            )
            .await?;
        let mut out = vec![];
        for r in &rows {
            let c = Campaign::from_row(r)?;
            // overlapping the caller's regions, and the region asked about
            let reach = !matches!(ctx.scope.ranges(Some(&c.region_code)), Some(v) if v.is_empty());
            let within =
                region.is_none_or(|q| q.contains(&c.region_code) || c.region_code.contains(q));
            if reach && within {
                out.push(c);
            }
        }
        Ok(out)
    }

    async fn campaign(&self, ctx: &Ctx, id: CampaignId) -> StoreResult<CampaignDetail> {
        let mut tx = self.db.begin_read().await?;
        let campaign = self.visible_campaign(tx.as_mut(), ctx, id).await?;
        // the view of the campaign's region, or of the caller's own region inside it
        let region = match &ctx.scope {
            fupin_core::Scope::Within(roots)
                if !roots.iter().any(|r| r.contains(&campaign.region_code)) =>
            {
                roots
                    .iter()
                    .find(|r| campaign.region_code.contains(r))
                    .cloned()
                    .unwrap_or_else(|| campaign.region_code.clone())
            }
            _ => campaign.region_code.clone(),
        };
        let board = self
            .board_in_tx(tx.as_mut(), ctx, &region, Some(id), today())
            .await?;
        Ok(CampaignDetail { campaign, board })
    }

    async fn rectification_board(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        campaign: Option<CampaignId>,
        as_of: Date,
    ) -> StoreResult<RectificationBoard> {
        let mut tx = self.db.begin_read().await?;
        self.board_in_tx(tx.as_mut(), ctx, region, campaign, as_of)
            .await
    }

    async fn quality_rules(&self, _ctx: &Ctx) -> StoreResult<Vec<QualityRule>> {
        let mut tx = self.db.begin_read().await?;
        self.load_rules(tx.as_mut()).await
    }

    async fn run_checks(
        &self,
        ctx: &Ctx,
        region: Option<&RegionCode>,
        as_of: Date,
    ) -> StoreResult<CheckRun> {
        self.run_checks_impl(ctx, region, as_of).await
    }

    async fn compare_list(
        &self,
        ctx: &Ctx,
        kind: ListKind,
        list_name: &str,
        rows: Vec<DeptRow>,
        on: Date,
    ) -> StoreResult<ComparisonOutcome> {
        self.compare_list_impl(ctx, kind, list_name, rows, on).await
    }
}
