//! Comparison of a department's list with the registry: the list's ID numbers matched against the
//! active members of registered households in the caller's regions, in chunks of a few thousand
//! numbers per query (one index probe each on `persons (id_number) WHERE active`), and every
//! match the list's kind flags recorded once as a problem or a monitoring warning, with the row as
//! evidence (its ID number masked).

use super::NewProblem;
use crate::query::Query;
use crate::rows::{one_text, Cols};
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::rectification::*;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::StoreResult;
use fupin_core::{Ctx, DomainError, RegionCode};
use serde_json::json;
use std::collections::HashMap;
use time::{Date, Duration};

/// ID numbers per matching query: well inside every engine's parameter limit.
const CHUNK: usize = 4000;

/// Days given to look into a comparison's flag.
const DEADLINE_DAYS: i64 = 30;

impl SqlStore {
    pub(crate) async fn compare_list_impl(
        &self,
        ctx: &Ctx,
        kind: ListKind,
        list_name: &str,
        rows: Vec<DeptRow>,
        on: Date,
    ) -> StoreResult<ComparisonOutcome> {
        let list_name = fupin_core::error::check_text("list_name", list_name, 200)?;
        let ranges = ctx.scope.ranges(None);
        let mut tx = self.db.begin_write().await?;
        let mut out = ComparisonOutcome {
            kind: kind.as_str().into(),
            kind_label: kind.label().into(),
            rows: rows.len() as u64,
            ..Default::default()
        };
        let rule_code = format!("comparison:{}", kind.as_str());
        for chunk in rows.chunks(CHUNK) {
            let mut q = Query::new(
                "SELECT p.id_number, p.id, p.name, h.id, h.village_code, h.household_number FROM persons p \
                 JOIN households h ON h.id = p.household_id WHERE p.active AND h.status <> 'removed' AND p.id_number IN (",
            );
            let marks: Vec<String> = chunk.iter().map(|r| q.arg(r.id_number.expose())).collect();
            q.push(&marks.join(", "));
            q.push(")");
            q.and_in_ranges("h.village_code", &ranges);
            let matched: HashMap<String, (i64, String, i64, String, String)> = tx
                .fetch_all(&q.sql, &q.args)
                .await?
                .iter()
                .map(|r| {
                    Cols::read(r, |c| {
                        Ok((
                            c.text()?,
                            (c.i64()?, c.text()?, c.i64()?, c.text()?, c.text()?),
                        ))
                    })
                })
                .collect::<StoreResult<_>>()?;
            for row in chunk {
                let Some((person, name, household, village, number)) =
                    matched.get(row.id_number.expose())
                else {
                    out.unmatched += 1;
                    continue;
                };
                out.matched += 1;
                let Some(flag) = flag(kind, row, name) else {
                    continue;
                };
                let subject = format!("person:{person}");
                let known = tx
                    .fetch_optional(
                        "SELECT id, status FROM problems WHERE rule_code = $1 AND subject_key = $2",
                        &args![rule_code.as_str(), subject.as_str()],
                    )
                    .await?;
                let region = RegionCode::parse(village)?;
                let evidence = json!({
                    "list": list_name,
                    "kind": kind.as_str(),
                    "id_number": row.id_number.masked(),
                    "name": row.name,
                    "date": row.date.map(|d| d.to_string()),
                    "amount_fen": row.amount_fen,
                    "detail": row.detail,
                    "household_number": number,
                });
                let known = known
                    .map(|k| Cols::read(&k, |c| Ok((ProblemId(c.i64()?), c.text()?))))
                    .transpose()?;
                match known {
                    Some((id, status)) if status == ProblemStatus::Closed.as_str() => {
                        let before = self.load_problem(tx.as_mut(), id).await?;
                        self.move_problem(
                            tx.as_mut(),
                            ctx,
                            &before,
                            EventAction::AutoReopen,
                            ProblemStatus::Open,
                            Some(&format!("{on} 比对“{list_name}”再次比中")),
                            None,
                            Some(on + Duration::days(DEADLINE_DAYS)),
                        )
                        .await?;
                    }
                    Some(_) => {
                        out.already_recorded += 1;
                        continue;
                    }
                    None => {
                        let unit = tx
                            .fetch_optional(
                                "SELECT name FROM regions WHERE code = $1",
                                &args![region.as_str()],
                            )
                            .await?
                            .map(|r| one_text(&r))
                            .transpose()?
                            .ok_or_else(DomainError::internal)?;
                        self.insert_problem(
                            tx.as_mut(),
                            ctx,
                            &NewProblem {
                                region: &region,
                                household_id: Some(HouseholdId(*household)),
                                person_id: Some(PersonId(*person)),
                                project_id: None,
                                campaign_id: None,
                                source: Source::Comparison,
                                source_ref: Some(&list_name),
                                rule_code: Some(&rule_code),
                                subject_key: Some(&subject),
                                description: &flag.description,
                                category: flag.category,
                                severity: flag.severity,
                                responsible_unit: &unit,
                                responsible_person: None,
                                found_on: on,
                                deadline: on + Duration::days(DEADLINE_DAYS),
                                measures: None,
                                evidence: Some(&evidence),
                            },
                            Some(&format!("与“{list_name}”（{}）比对发现", kind.label())),
                        )
                        .await?;
                    }
                }
                if flag.problem {
                    out.problems += 1;
                } else {
                    out.warnings += 1;
                }
            }
        }
        let mut rec = AuditRecord::event(
            "rectification.compare",
            "department_list",
            None,
            json!({"list": list_name, "outcome": out}),
        );
        if let fupin_core::Scope::Within(roots) = &ctx.scope {
            if let [root] = roots.as_slice() {
                rec = rec.in_region(root);
            }
        }
        self.audit(tx.as_mut(), ctx, rec).await?;
        tx.commit().await?;
        Ok(out)
    }
}
