//! Runs of the data-quality rules: one set-based query per rule over the caller's regions, the
//! findings reconciled (core's `reconcile`) with the problems the rule recorded before, then the
//! escalation of overdue problems. One transaction for the whole run.

use super::{problem_not_found, NewProblem};
use crate::query::Query;
use crate::rows::{one_i64, one_text, Cols};
use crate::sql::Tx;
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::rectification::*;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::StoreResult;
use fupin_core::{Ctx, DomainError, RegionCode};
use serde_json::json;
use time::{Date, Duration, OffsetDateTime};

impl SqlStore {
    /// Store the shipped rules that are not stored yet (a deployment's changes are kept).
    pub(crate) async fn seed_quality_rules(&self) -> StoreResult<()> {
        let mut tx = self.db.begin_write().await?;
        for r in QualityRule::shipped() {
            tx.execute(
                "INSERT INTO quality_rules (code, description, severity, category, params, enabled) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (code) DO NOTHING",
                &args![
                    r.code.as_str(),
                    r.description.as_str(),
                    r.severity.as_str(),
                    r.category.as_str(),
                    serde_json::Value::Object(r.params.clone()).to_string(),
                    r.enabled
                ],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn load_rules(&self, tx: &mut dyn Tx) -> StoreResult<Vec<QualityRule>> {
        let rows = tx
            .fetch_all(
                "SELECT code, description, severity, category, params, enabled FROM quality_rules ORDER BY code",
                &[],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Cols::read(r, |c| {
                    let (code, description) = (c.text()?, c.text()?);
                    let severity = Severity::parse(&c.text()?).ok_or_else(DomainError::internal)?;
                    let category = Category::parse(&c.text()?).ok_or_else(DomainError::internal)?;
                    let params = match serde_json::from_str(&c.text()?) {
                        Ok(serde_json::Value::Object(m)) => m,
                        _ => return Err(DomainError::internal()),
                    };
                    Ok(QualityRule {
                        code,
                        description,
                        severity,
                        category,
                        params,
                        enabled: c.bool()?,
                    })
                })
            })
            .collect()
    }

    /// What `rule` finds in `ranges` on `as_of`, and the pattern of the subjects it owns (a
    /// yearly rule reconciles only this year's subjects).
    async fn find(
        &self,
        tx: &mut dyn Tx,
        rule: &QualityRule,
        ranges: &Option<Vec<(String, String)>>,
        as_of: Date,
    ) -> StoreResult<Option<(Vec<Finding>, Option<String>)>> {
        let year = as_of.year();
        let params = self.params();
        let region_of = |s: &str| RegionCode::parse(s);
        let finding = |subject: String,
                       region: RegionCode,
                       household: Option<i64>,
                       person: Option<i64>,
                       particulars: String,
                       evidence: serde_json::Value| Finding {
            rule: rule.code.clone(),
            subject,
            region,
            household_id: household.map(HouseholdId),
            person_id: person.map(PersonId),
            project_id: None,
            description: format!("{}：{particulars}", rule.description),
            evidence,
        };
        let mut out = vec![];
        let pattern;
        match rule.code.as_str() {
            code::VISITS_BELOW_MINIMUM => {
                let jan1 = Date::from_ordinal_date(year, 1).expect("1 January");
                let mut q = Query::new("");
                let (a0, a1) = (q.arg(jan1), q.arg(as_of));
                q.push(&format!(
                    "SELECT pr.id, pr.household_id, pr.village_code, c.name, h.household_number, \
                     (SELECT COUNT(*) FROM visit_cadres vc JOIN visits v ON v.id = vc.visit_id \
                      WHERE vc.cadre_id = pr.cadre_id AND v.household_id = pr.household_id AND v.date BETWEEN {a0} AND {a1}) \
                     FROM pairings pr JOIN cadres c ON c.id = pr.cadre_id JOIN households h ON h.id = pr.household_id \
                     WHERE pr.start_date <= {a1} AND (pr.end_date IS NULL OR pr.end_date >= {a1}) AND h.status <> 'removed'"
                ));
                q.and_in_ranges("pr.village_code", ranges);
                for r in tx.fetch_all(&q.sql, &q.args).await? {
                    let (pairing, household, village, cadre, number, n) = Cols::read(&r, |c| {
                        Ok((
                            c.i64()?,
                            c.i64()?,
                            c.text()?,
                            c.text()?,
                            c.text()?,
                            c.i64()?,
                        ))
                    })?;
                    let region = region_of(&village)?;
                    let minimum = rule.count_threshold("min_visits", &params, &region, year);
                    let due = visits_due(minimum, as_of);
                    if n < due {
                        out.push(finding(
                            format!("pairing:{pairing}:{year}"),
                            region,
                            Some(household),
                            None,
                            format!("户 {number} 的帮扶干部{cadre}本年走访 {n} 次，截至 {as_of} 应不少于 {due} 次（全年 {minimum} 次）"),
                            json!({"pairing": pairing, "cadre": cadre, "visits": n, "due": due, "minimum": minimum, "year": year}),
                        ));
                    }
                }
                pattern = Some(format!("pairing:%:{year}"));
            }
            code::NO_INCOME_LAST_YEAR => {
                let last = year - 1;
                let mut q = Query::new("");
                let y = q.arg(last);
                q.push(&format!(
                    "SELECT h.id, h.village_code, h.household_number FROM households h \
                     WHERE h.status <> 'removed' AND h.identification_year <= {y} \
                     AND NOT EXISTS (SELECT 1 FROM incomes i WHERE i.household_id = h.id AND i.year = {y})"
                ));
                q.and_in_ranges("h.village_code", ranges);
                for r in tx.fetch_all(&q.sql, &q.args).await? {
                    let (household, village, number) =
                        Cols::read(&r, |c| Ok((c.i64()?, c.text()?, c.text()?)))?;
                    out.push(finding(
                        format!("household:{household}:{last}"),
                        region_of(&village)?,
                        Some(household),
                        None,
                        format!("户 {number} 没有 {last} 年度收入记录"),
                        json!({"year": last}),
                    ));
                }
                pattern = Some(format!("household:%:{last}"));
            }
            code::EXITED_BELOW_MONITORING_LINE => {
                let last = year - 1;
                let mut q = Query::new("");
                let y = q.arg(last);
                q.push(&format!(
                    "SELECT h.id, h.village_code, h.household_number, \
                     i.wage_fen + i.business_fen + i.property_fen + i.transfer_fen - i.business_cost_fen, \
                     (SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id AND p.active) \
                     FROM households h JOIN incomes i ON i.household_id = h.id AND i.year = {y} \
                     WHERE h.status = 'exited'"
                ));
                q.and_in_ranges("h.village_code", ranges);
                for r in tx.fetch_all(&q.sql, &q.args).await? {
                    let (household, village, number, net, persons) = Cols::read(&r, |c| {
                        Ok((c.i64()?, c.text()?, c.text()?, c.i64()?, c.i64()?))
                    })?;
                    let region = region_of(&village)?;
                    let line = rule.fen_threshold("line_fen", &params, &region, last);
                    // net ÷ persons < line, compared without rounding
                    if persons > 0 && (net as i128) < line as i128 * persons as i128 {
                        out.push(finding(
                            format!("household:{household}:{last}"),
                            region,
                            Some(household),
                            None,
                            format!(
                                "户 {number} {last} 年人均纯收入 {} 元，低于监测线 {} 元",
                                fupin_core::Fen::new(net / persons).yuan_string(),
                                fupin_core::Fen::new(line).yuan_string()
                            ),
                            json!({"year": last, "net_fen": net, "persons": persons, "line_fen": line}),
                        ));
                    }
                }
                pattern = Some(format!("household:%:{last}"));
            }
            code::MEMBER_AGE_IMPLAUSIBLE => {
                let max_age = rule.int("max_age").unwrap_or(100);
                // older than max_age: born on or before the day they turned max_age + 1
                let oldest = born_before_for_age(max_age + 1, as_of);
                let mut q = Query::new("");
                let (a0, a1) = (q.arg(oldest), q.arg(as_of));
                q.push(&format!(
                    "SELECT p.id, h.id, h.village_code, p.name, p.birth_date, h.household_number FROM persons p \
                     JOIN households h ON h.id = p.household_id \
                     WHERE p.active AND h.status <> 'removed' AND (p.birth_date <= {a0} OR p.birth_date > {a1})"
                ));
                q.and_in_ranges("h.village_code", ranges);
                for r in tx.fetch_all(&q.sql, &q.args).await? {
                    let (person, household, village, name, birth, number) = Cols::read(&r, |c| {
                        Ok((
                            c.i64()?,
                            c.i64()?,
                            c.text()?,
                            c.text()?,
                            c.date()?,
                            c.text()?,
                        ))
                    })?;
                    let why = if birth > as_of {
                        format!("出生日期 {birth} 晚于 {as_of}")
                    } else {
                        format!("出生于 {birth}，已超过 {max_age} 岁")
                    };
                    out.push(finding(
                        format!("person:{person}"),
                        region_of(&village)?,
                        Some(household),
                        Some(person),
                        format!("户 {number} 成员{name}{why}"),
                        json!({"birth_date": birth.to_string()}),
                    ));
                }
                pattern = None;
            }
            code::HOUSEHOLD_WITHOUT_HEAD => {
                let mut q = Query::new(
                    "SELECT h.id, h.village_code, h.household_number FROM households h WHERE h.status <> 'removed' \
                     AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.household_id = h.id AND p.active AND p.relation = '01')",
                );
                q.and_in_ranges("h.village_code", ranges);
                for r in tx.fetch_all(&q.sql, &q.args).await? {
                    let (household, village, number) =
                        Cols::read(&r, |c| Ok((c.i64()?, c.text()?, c.text()?)))?;
                    out.push(finding(
                        format!("household:{household}"),
                        region_of(&village)?,
                        Some(household),
                        None,
                        format!("户 {number} 没有在册户主"),
                        json!({}),
                    ));
                }
                pattern = None;
            }
            code::CADRE_OVER_LIMIT => {
                // the smallest limit in force anywhere bounds the query; each cadre is then held
                // to the limit of their own region
                let floor = rule.int("limit").unwrap_or_else(|| {
                    params
                        .iter()
                        .filter(|p| {
                            p.key == fupin_core::assessment::standards::key::CADRE_HOUSEHOLD_LIMIT
                        })
                        .filter_map(|p| match p.value {
                            fupin_core::assessment::ParamValue::Count(c) => Some(c),
                            _ => None,
                        })
                        .min()
                        .unwrap_or(1)
                });
                let mut q = Query::new("");
                let d = q.arg(as_of);
                let n = q.arg(floor);
                q.push(&format!(
                    "SELECT t.id, t.name, t.region, t.n, t.unit FROM (SELECT c.id, c.name, COALESCE(c.region_code, MIN(pr.village_code)) AS region, \
                     COUNT(*) AS n, u.name AS unit FROM pairings pr JOIN cadres c ON c.id = pr.cadre_id JOIN helping_units u ON u.id = c.unit_id \
                     WHERE pr.start_date <= {d} AND (pr.end_date IS NULL OR pr.end_date >= {d}) \
                     GROUP BY c.id, c.name, c.region_code, u.name HAVING COUNT(*) > {n}) t WHERE 1 = 1"
                ));
                q.and_in_ranges("t.region", ranges);
                for r in tx.fetch_all(&q.sql, &q.args).await? {
                    let (cadre, name, village, count, unit) = Cols::read(&r, |c| {
                        Ok((c.i64()?, c.text()?, c.text()?, c.i64()?, c.text()?))
                    })?;
                    let region = region_of(&village)?;
                    let limit = rule.count_threshold("limit", &params, &region, year);
                    if count > limit {
                        out.push(finding(
                            format!("cadre:{cadre}"),
                            region,
                            None,
                            None,
                            format!("{unit}的{name}结对 {count} 户，超过上限 {limit} 户"),
                            json!({"cadre": cadre, "households": count, "limit": limit}),
                        ));
                    }
                }
                pattern = None;
            }
            code::PROJECT_OVERDUE => {
                // the condition of `ProjectStore::overdue_projects`: past the planned end (and
                // the rule's grace days), not accepted
                let grace = rule.int("grace_days").unwrap_or(0).clamp(0, 3650);
                let mut q = Query::new("");
                let d = q.arg(as_of - Duration::days(grace));
                q.push(&format!(
                    "SELECT p.id, p.village_code, p.name, p.planned_end, p.stage, p.responsible_unit FROM projects p \
                     WHERE p.planned_end < {d} AND p.accepted_on IS NULL"
                ));
                q.and_in_ranges("p.village_code", ranges);
                for r in tx.fetch_all(&q.sql, &q.args).await? {
                    let (project, village, name, end, stage, unit) = Cols::read(&r, |c| {
                        Ok((
                            c.i64()?,
                            c.text()?,
                            c.text()?,
                            c.date()?,
                            c.text()?,
                            c.text()?,
                        ))
                    })?;
                    let stage_label = fupin_core::projects::Stage::parse(&stage)
                        .map_or(stage.clone(), |s| {
                            fupin_core::assessment::procedure::Step::label(s).to_string()
                        });
                    let mut f = finding(
                        format!("project:{project}"),
                        region_of(&village)?,
                        None,
                        None,
                        format!(
                            "项目“{name}”计划 {end} 完工，截至 {as_of} 仍未验收（当前环节：{stage_label}，责任单位：{unit}）"
                        ),
                        json!({"project": project, "planned_end": end.to_string(), "stage": stage}),
                    );
                    f.project_id = Some(project);
                    out.push(f);
                }
                pattern = None;
            }
            _ => return Ok(None),
        }
        Ok(Some((out, pattern)))
    }

    pub(crate) async fn run_checks_impl(
        &self,
        ctx: &Ctx,
        region: Option<&RegionCode>,
        as_of: Date,
    ) -> StoreResult<CheckRun> {
        let ranges = ctx.scope.ranges(region);
        if let (Some(r), Some(v)) = (region, &ranges) {
            if v.is_empty() {
                return Err(DomainError::not_found(
                    "region_not_found",
                    format!("区划 {} 不存在或不在您的管辖范围内", r.as_str()),
                ));
            }
        }
        let mut tx = self.db.begin_write().await?;
        let mut outcomes = vec![];
        for rule in self.load_rules(tx.as_mut()).await? {
            if !rule.enabled {
                continue;
            }
            let Some((found, pattern)) = self.find(tx.as_mut(), &rule, &ranges, as_of).await?
            else {
                continue;
            };
            let mut q =
                Query::new("SELECT id, subject_key, status FROM problems WHERE rule_code = ");
            let a = q.arg(rule.code.as_str());
            q.push(&a);
            q.push(" AND subject_key IS NOT NULL");
            if let Some(p) = &pattern {
                let a = q.arg(p.as_str());
                q.push(&format!(" AND subject_key LIKE {a}"));
            }
            q.and_in_ranges("region_code", &ranges);
            let known = tx
                .fetch_all(&q.sql, &q.args)
                .await?
                .iter()
                .map(|r| {
                    Cols::read(r, |c| {
                        Ok(KnownFinding {
                            id: ProblemId(c.i64()?),
                            subject: c.text()?,
                            status: ProblemStatus::parse(&c.text()?)
                                .ok_or_else(DomainError::internal)?,
                        })
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            let mut o = RuleOutcome {
                code: rule.code.clone(),
                description: rule.description.clone(),
                findings: found.len() as u64,
                ..Default::default()
            };
            let deadline = as_of + Duration::days(rule.deadline_days());
            for step in reconcile(found, known) {
                match step {
                    Reconcile::Create(f) => {
                        let unit = self.region_name(tx.as_mut(), &f.region).await?;
                        self.insert_problem(
                            tx.as_mut(),
                            ctx,
                            &NewProblem {
                                region: &f.region,
                                household_id: f.household_id,
                                person_id: f.person_id,
                                project_id: f.project_id,
                                campaign_id: None,
                                source: Source::Rule,
                                source_ref: Some(&rule.code),
                                rule_code: Some(&rule.code),
                                subject_key: Some(&f.subject),
                                description: &f.description,
                                category: rule.category,
                                severity: rule.severity,
                                responsible_unit: &unit,
                                responsible_person: None,
                                found_on: as_of,
                                deadline,
                                measures: None,
                                evidence: Some(&f.evidence),
                            },
                            Some(&format!("数据规则 {} 发现", rule.code)),
                        )
                        .await?;
                        o.created += 1;
                    }
                    Reconcile::Reopen(id, f) => {
                        let before = self.load_problem(tx.as_mut(), id).await?;
                        self.move_problem(
                            tx.as_mut(),
                            ctx,
                            &before,
                            EventAction::AutoReopen,
                            ProblemStatus::Open,
                            Some(&format!("{as_of} 复查再次发现：{}", f.description)),
                            None,
                            Some(deadline),
                        )
                        .await?;
                        o.reopened += 1;
                    }
                    Reconcile::Close(id) => {
                        let before = self.load_problem(tx.as_mut(), id).await?;
                        self.move_problem(
                            tx.as_mut(),
                            ctx,
                            &before,
                            EventAction::AutoClose,
                            ProblemStatus::Closed,
                            Some(&format!("{as_of} 复查未再发现")),
                            None,
                            None,
                        )
                        .await?;
                        o.closed += 1;
                    }
                }
            }
            outcomes.push(o);
        }
        let escalated = self.escalate(tx.as_mut(), ctx, &ranges, as_of).await?;
        let run = CheckRun {
            as_of,
            rules: outcomes,
            escalated,
            ran_by: ctx.actor.clone(),
            ran_at: OffsetDateTime::now_utc(),
        };
        let mut rec = AuditRecord::event(
            "rectification.checks",
            "quality_rules",
            None,
            serde_json::to_value(&run).expect("serialisable"),
        );
        // recorded in the region run over: the one asked for, or the caller's only region
        let root = match (&ctx.scope, region) {
            (_, Some(r)) => Some(r.clone()),
            (fupin_core::Scope::Within(roots), None) if roots.len() == 1 => Some(roots[0].clone()),
            _ => None,
        };
        if let Some(r) = root {
            rec = rec.in_region(&r);
        }
        self.audit(tx.as_mut(), ctx, rec).await?;
        tx.commit().await?;
        Ok(run)
    }

    /// Escalate the problems in `ranges` overdue on `as_of` and not escalated yet to the level
    /// above their region.
    async fn escalate(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        ranges: &Option<Vec<(String, String)>>,
        as_of: Date,
    ) -> StoreResult<u64> {
        let mut q = Query::new("SELECT id FROM problems WHERE status <> 'closed' AND escalated_to IS NULL AND deadline < ");
        let a = q.arg(as_of);
        q.push(&a);
        q.and_in_ranges("region_code", ranges);
        q.push(" ORDER BY id");
        let ids = tx.fetch_all(&q.sql, &q.args).await?;
        for r in &ids {
            let before = self
                .load_problem(tx, ProblemId(one_i64(r)?))
                .await
                .map_err(|_| problem_not_found())?;
            self.move_problem(
                tx,
                ctx,
                &before,
                EventAction::Escalate,
                before.status,
                None,
                None,
                None,
            )
            .await?;
        }
        Ok(ids.len() as u64)
    }

    async fn region_name(&self, tx: &mut dyn Tx, code: &RegionCode) -> StoreResult<String> {
        Ok(tx
            .fetch_optional(
                "SELECT name FROM regions WHERE code = $1",
                &args![code.as_str()],
            )
            .await?
            .map(|r| one_text(&r))
            .transpose()?
            .unwrap_or_else(|| code.as_str().to_string()))
    }
}
