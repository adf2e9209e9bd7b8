//! The bulk load of projects, funds, assets and dividends (`fupin import DIR --kind funds`): the
//! files `fupin gen --funds` writes (see `gen::funds` for their columns), for a province at once.
//! Every row is checked with core's rules and against the others — keys in order, a project's
//! lifecycle replayed to its stage, allocations inside their source's region and amount, money
//! moving only between the annual plan (disbursements: funding) and acceptance, Σ disbursed ≤
//! Σ received ≤ Σ allocated ≤ the source, assets of accepted projects of their village, dividends
//! summing to the households' share, households by number within the caller's regions — and
//! every fault is reported with its file, row, column and reason; nothing is kept unless every row
//! is good. Projects, sources, allocations, assets and incomes (a few hundred thousand) are held in
//! memory to check the rest against them; movements and dividends stream in batches.

use crate::gen::{FUNDS_COLUMNS, FUNDS_FILES};
use crate::import::ImportError;
use fupin_core::assessment::Step;
use fupin_core::offices::OfficeAct;
use fupin_core::projects::*;
use fupin_core::store::*;
use fupin_core::{Ctx, DomainError, RegionCode};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use time::Date;

/// Rows sent to the store at once.
const BATCH: usize = 20_000;
/// Faults kept for the report (all are counted).
const KEPT: usize = 200;

/// A fault of a row: file, line (the header is line 1), column, stable code and reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundsIssue {
    pub file: String,
    pub line: u64,
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

/// What a load read, wrote and found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundsLoadReport {
    pub sources: u64,
    pub projects: u64,
    pub allocations: u64,
    pub receipts: u64,
    pub disbursements: u64,
    pub assets: u64,
    pub asset_incomes: u64,
    pub dividends: u64,
    /// Every fault found (the first [`KEPT`] listed).
    pub issues_total: u64,
    pub issues: Vec<FundsIssue>,
    /// Written and committed (false on a dry run or when a row was bad).
    pub committed: bool,
    pub settled: Option<FundsSettled>,
}

impl FundsLoadReport {
    fn fault(&mut self, file: usize, line: u64, e: DomainError) {
        self.issues_total += 1;
        if self.issues.len() < KEPT {
            self.issues.push(FundsIssue {
                file: FUNDS_FILES[file].to_string(),
                line,
                column: e.field.clone(),
                code: e.code.to_string(),
                message: e.message.clone(),
            });
        }
    }
}

/// One file's rows as maps from column to cell.
struct Table {
    file: usize,
    reader: csv::Reader<std::io::BufReader<std::fs::File>>,
    cols: HashMap<String, usize>,
    line: u64,
}

impl Table {
    fn open(dir: &Path, file: usize) -> Result<Table, ImportError> {
        let path = dir.join(FUNDS_FILES[file]);
        let f = std::fs::File::open(&path)
            .map_err(|e| ImportError::Header(format!("无法打开 {}：{e}", path.display())))?;
        let mut reader = csv::Reader::from_reader(std::io::BufReader::with_capacity(1 << 20, f));
        let headers = reader
            .headers()
            .map_err(|e| ImportError::Header(format!("{}：{e}", FUNDS_FILES[file])))?
            .clone();
        let cols: HashMap<String, usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_string(), i))
            .collect();
        for c in FUNDS_COLUMNS[file] {
            if !cols.contains_key(*c) {
                return Err(ImportError::Header(format!(
                    "{} 缺少列 {c}",
                    FUNDS_FILES[file]
                )));
            }
        }
        Ok(Table {
            file,
            reader,
            cols,
            line: 1,
        })
    }

    /// The next row, or `None` at the end.
    fn next(&mut self) -> Result<Option<Row>, ImportError> {
        let mut rec = csv::StringRecord::new();
        let more = self
            .reader
            .read_record(&mut rec)
            .map_err(|e| ImportError::Header(format!("{}：{e}", FUNDS_FILES[self.file])))?;
        if !more {
            return Ok(None);
        }
        self.line += 1;
        Ok(Some(Row {
            rec,
            line: self.line,
        }))
    }
}

/// A row of a [`Table`].
struct Row {
    rec: csv::StringRecord,
    line: u64,
}

impl Row {
    fn cell(&self, t: &Table, col: &str) -> String {
        t.cols
            .get(col)
            .and_then(|&i| self.rec.get(i))
            .unwrap_or("")
            .trim()
            .to_string()
    }
}

/// A fault of a column, of the kind the catalogue gives its code.
fn bad(col: &str, code: &'static str, message: String) -> DomainError {
    DomainError::coded(code, message).with_field(col)
}

fn int<T: std::str::FromStr>(t: &Table, r: &Row, col: &str) -> Result<T, DomainError> {
    let v = r.cell(t, col);
    v.parse()
        .map_err(|_| bad(col, "not_a_number", format!("{col} 不是整数：{v}")))
}

fn day(t: &Table, r: &Row, col: &str) -> Result<Date, DomainError> {
    let v = r.cell(t, col);
    Date::parse(
        &v,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        bad(
            col,
            "invalid_date",
            format!("{col} 不是日期（YYYY-MM-DD）：{v}"),
        )
    })
}

fn opt_day(t: &Table, r: &Row, col: &str) -> Result<Option<Date>, DomainError> {
    if r.cell(t, col).is_empty() {
        Ok(None)
    } else {
        day(t, r, col).map(Some)
    }
}

fn opt(t: &Table, r: &Row, col: &str) -> Option<String> {
    Some(r.cell(t, col)).filter(|s| !s.is_empty())
}

/// The key of a row: the next one of its file.
fn key(t: &Table, r: &Row, expected: u64) -> Result<u64, DomainError> {
    let k: u64 = int(t, r, "key")?;
    if k != expected {
        return Err(bad(
            "key",
            "key_out_of_order",
            format!("编号须从 1 起逐行连续，本行应为 {expected}，而非 {k}"),
        ));
    }
    Ok(k)
}

/// A reference to a record of another file, by its key.
fn reference(t: &Table, r: &Row, col: &str, n: usize, what: &str) -> Result<usize, DomainError> {
    let k: u64 = int(t, r, col)?;
    if k == 0 || k as usize > n {
        return Err(bad(
            col,
            "unknown_reference",
            format!("{what}编号 {k} 不存在"),
        ));
    }
    Ok(k as usize - 1)
}

struct ProjectRec {
    line: u64,
    data: ProjectData,
    proposed_on: Date,
    stage: Stage,
    accepted_on: Option<Date>,
    allocated: i64,
    assets: i64,
    dates: Option<ReplayedDates>,
}

struct SourceRec {
    data: FundSourceData,
    allocated: i64,
}

struct AllocationRec {
    line: u64,
    project: usize,
    amount: i64,
    received: i64,
    disbursed: i64,
}

struct AssetRec {
    village: RegionCode,
    registered_on: Date,
    accepted_on: Option<Date>,
}

struct IncomeRec {
    line: u64,
    households_fen: i64,
    minimum_fen: i64,
    paid: i64,
}

/// Read, check and (unless `dry_run` or a row is bad) write the funds files of `dir` in one
/// import session.
pub async fn load_funds<S: BulkStore + ?Sized>(
    dir: &Path,
    ctx: &Ctx,
    store: &S,
    dry_run: bool,
) -> Result<FundsLoadReport, ImportError> {
    let mut rep = FundsLoadReport::default();
    let mut session = store.bulk_session(ctx, !dry_run).await?;
    let params = session.assessment_parameters().await?;

    // sources
    let mut t = Table::open(dir, 0)?;
    let mut sources: Vec<Option<SourceRec>> = Vec::new();
    while let Some(r) = t.next()? {
        let out = (|| {
            key(&t, &r, sources.len() as u64 + 1)?;
            let d = FundSourceInput {
                region_code: r.cell(&t, "region_code"),
                year: int(&t, &r, "year")?,
                kind: r.cell(&t, "kind"),
                name: r.cell(&t, "name"),
                document: opt(&t, &r, "document"),
                amount_fen: int(&t, &r, "amount_fen")?,
                date: day(&t, &r, "date")?,
            }
            .validate()?;
            if !ctx.scope.allows(&d.region_code) {
                return Err(bad(
                    "region_code",
                    "out_of_scope",
                    format!("区划 {} 不在您的管辖范围内", d.region_code.as_str()),
                ));
            }
            // a funds ledger is the county's (sources, allocations, lifecycles through approval)
            ctx.require_act(&d.region_code, OfficeAct::LoadFunds)
                .map_err(|e| e.with_field("region_code"))?;
            Ok(d)
        })();
        match out {
            Ok(data) => sources.push(Some(SourceRec { data, allocated: 0 })),
            Err(e) => {
                rep.fault(0, r.line, e);
                // keep the keys in step: rows referring to it are not checked further
                sources.push(None);
            }
        }
    }
    rep.sources = sources.len() as u64;

    // projects
    let mut t = Table::open(dir, 1)?;
    let mut projects: Vec<Option<ProjectRec>> = Vec::new();
    while let Some(r) = t.next()? {
        let out = (|| {
            key(&t, &r, projects.len() as u64 + 1)?;
            let targets = r
                .cell(&t, "targets")
                .split(';')
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    let (i, v) = s.split_once(':').unwrap_or((s, ""));
                    Target {
                        indicator: i.trim().to_string(),
                        value: v.trim().to_string(),
                    }
                })
                .collect();
            let data = ProjectInput {
                village_code: r.cell(&t, "village_code"),
                name: r.cell(&t, "name"),
                category: r.cell(&t, "category"),
                sub_category: None,
                year: int(&t, &r, "year")?,
                planned_start: day(&t, &r, "planned_start")?,
                planned_end: day(&t, &r, "planned_end")?,
                responsible_unit: r.cell(&t, "responsible_unit"),
                responsible_person: r.cell(&t, "responsible_person"),
                content: r.cell(&t, "content"),
                budget_fen: int(&t, &r, "budget_fen")?,
                targets,
                beneficiaries: Vec::new(),
                participation: None,
                proposed_on: None,
            }
            .validate()?;
            if !ctx.scope.allows(&data.village_code) {
                return Err(bad(
                    "village_code",
                    "out_of_scope",
                    format!("村 {} 不在您的管辖范围内", data.village_code.as_str()),
                ));
            }
            ctx.require_act(&data.village_code, OfficeAct::LoadFunds)
                .map_err(|e| e.with_field("village_code"))?;
            let stage_text = r.cell(&t, "stage");
            let stage = Stage::parse(&stage_text).ok_or_else(|| {
                bad(
                    "stage",
                    "unknown_stage",
                    format!("stage 的取值“{stage_text}”不是项目环节"),
                )
            })?;
            Ok(ProjectRec {
                line: r.line,
                data,
                proposed_on: day(&t, &r, "proposed_on")?,
                stage,
                accepted_on: opt_day(&t, &r, "accepted_on")?,
                allocated: 0,
                assets: 0,
                dates: None,
            })
        })();
        match out {
            Ok(p) => projects.push(Some(p)),
            Err(e) => {
                rep.fault(1, r.line, e);
                projects.push(None);
            }
        }
    }
    rep.projects = projects.len() as u64;

    // allocations
    let mut t = Table::open(dir, 2)?;
    let mut allocations: Vec<Option<AllocationRec>> = Vec::new();
    let mut alloc_rows: Vec<(u64, usize, CheckedPayment)> = Vec::new();
    while let Some(r) = t.next()? {
        let out = (|| {
            key(&t, &r, allocations.len() as u64 + 1)?;
            let s = reference(&t, &r, "source", sources.len(), "资金来源")?;
            let p = reference(&t, &r, "project", projects.len(), "项目")?;
            let c = AllocationInput {
                source_id: SourceId(0),
                project_id: ProjectId(0),
                amount_fen: int(&t, &r, "amount_fen")?,
                date: day(&t, &r, "date")?,
                document: opt(&t, &r, "document"),
            }
            .validate()?;
            let (Some(src), Some(prj)) = (&sources[s], &projects[p]) else {
                return Ok(None);
            };
            if !src.data.region_code.contains(&prj.data.village_code) {
                return Err(bad(
                    "project",
                    "project_outside_source",
                    format!(
                        "项目所在村 {} 不在资金来源所属区划 {} 之内",
                        prj.data.village_code.as_str(),
                        src.data.region_code.as_str()
                    ),
                ));
            }
            if c.date < src.data.date {
                return Err(bad(
                    "date",
                    "date_before_previous",
                    format!("下达日期 {} 早于资金来源日期 {}", c.date, src.data.date),
                ));
            }
            if src.allocated + c.amount_fen > src.data.amount_fen {
                return Err(bad(
                    "amount_fen",
                    "exceeds_source",
                    format!(
                        "下达累计 {} 分超过资金来源金额 {} 分",
                        src.allocated + c.amount_fen,
                        src.data.amount_fen
                    ),
                ));
            }
            Ok(Some((s, p, c)))
        })();
        match out {
            Ok(None) => allocations.push(None),
            Ok(Some((s, p, c))) => {
                if let Some(x) = sources[s].as_mut() {
                    x.allocated += c.amount_fen;
                }
                if let Some(x) = projects[p].as_mut() {
                    x.allocated += c.amount_fen;
                }
                allocations.push(Some(AllocationRec {
                    line: r.line,
                    project: p,
                    amount: c.amount_fen,
                    received: 0,
                    disbursed: 0,
                }));
                alloc_rows.push((s as u64 + 1, p, c));
            }
            Err(e) => {
                rep.fault(2, r.line, e);
                allocations.push(None);
            }
        }
    }
    rep.allocations = allocations.len() as u64;

    // assets
    let mut t = Table::open(dir, 4)?;
    let mut assets: Vec<Option<AssetRec>> = Vec::new();
    let mut asset_rows: Vec<BulkAsset> = Vec::new();
    while let Some(r) = t.next()? {
        let out = (|| {
            key(&t, &r, assets.len() as u64 + 1)?;
            let project = if r.cell(&t, "project").is_empty() {
                None
            } else {
                Some(reference(&t, &r, "project", projects.len(), "项目")?)
            };
            let data = AssetInput {
                project_id: None,
                village_code: r.cell(&t, "village_code"),
                name: r.cell(&t, "name"),
                kind: r.cell(&t, "kind"),
                value_fen: int(&t, &r, "value_fen")?,
                owner_kind: r.cell(&t, "owner_kind"),
                owner_name: r.cell(&t, "owner_name"),
                custodian: r.cell(&t, "custodian"),
                registered_on: day(&t, &r, "registered_on")?,
                shareholders: Vec::new(),
                note: None,
            }
            .validate()?;
            if !ctx.scope.allows(&data.village_code) {
                return Err(bad(
                    "village_code",
                    "out_of_scope",
                    format!("村 {} 不在您的管辖范围内", data.village_code.as_str()),
                ));
            }
            ctx.require_act(&data.village_code, OfficeAct::LoadFunds)
                .map_err(|e| e.with_field("village_code"))?;
            let mut accepted_on = None;
            if let Some(p) = project {
                let Some(prj) = &projects[p] else {
                    return Ok(None);
                };
                if prj.data.village_code != data.village_code {
                    return Err(bad(
                        "village_code",
                        "asset_village_mismatch",
                        "资产所在村须与其来源项目所在村相同".to_string(),
                    ));
                }
                let Some(a) = prj.accepted_on.filter(|_| prj.stage.accepted()) else {
                    return Err(bad(
                        "project",
                        "project_not_accepted",
                        "项目尚未验收，不能登记其形成的资产".to_string(),
                    ));
                };
                if data.registered_on < a {
                    return Err(bad(
                        "registered_on",
                        "registered_before_acceptance",
                        format!("资产登记日期 {} 早于项目验收日期 {a}", data.registered_on),
                    ));
                }
                accepted_on = Some(a);
            }
            Ok(Some((project, data, accepted_on)))
        })();
        match out {
            Ok(None) => assets.push(None),
            Ok(Some((project, data, accepted_on))) => {
                if let Some(x) = project.and_then(|p| projects[p].as_mut()) {
                    x.assets += 1;
                }
                assets.push(Some(AssetRec {
                    village: data.village_code.clone(),
                    registered_on: data.registered_on,
                    accepted_on,
                }));
                asset_rows.push(BulkAsset {
                    key: assets.len() as u64,
                    project: project.map(|p| p as u64 + 1),
                    data,
                });
            }
            Err(e) => {
                rep.fault(4, r.line, e);
                assets.push(None);
            }
        }
    }
    rep.assets = assets.len() as u64;

    // each project's lifecycle replayed to its stage, with what the ledger brings to its gates
    let mut project_rows: Vec<BulkProject> = Vec::with_capacity(projects.len());
    for (i, p) in projects.iter_mut().enumerate() {
        let Some(p) = p.as_mut() else { continue };
        let facts = LifecycleFacts {
            allocated_fen: p.allocated,
            progress_percent: if p.stage.position() > Stage::Implementation.position() {
                100
            } else {
                0
            },
            assets: p.assets,
        };
        match replay_project(
            &params,
            &p.data.village_code,
            p.data.year,
            p.proposed_on,
            p.stage,
            p.accepted_on,
            &ctx.actor,
            facts,
        ) {
            Ok((workflow, dates)) => {
                p.dates = Some(dates);
                project_rows.push(BulkProject {
                    key: i as u64 + 1,
                    data: p.data.clone(),
                    workflow,
                    accepted_on: p.accepted_on,
                });
            }
            Err(e) => {
                let e = if e.field.is_none() {
                    e.with_field("stage")
                } else {
                    e
                };
                rep.fault(1, p.line, e);
            }
        }
    }
    // allocations from the annual plan until acceptance
    for (a, (_, p, c)) in allocations.iter().flatten().zip(&alloc_rows) {
        let Some(prj) = &projects[*p] else { continue };
        let from = prj.dates.and_then(|d| d.annual_plan);
        let Some(from) = from else {
            if prj.dates.is_some() {
                rep.fault(
                    2,
                    a.line,
                    bad(
                        "project",
                        "allocation_not_allowed",
                        format!(
                            "项目处于{}，尚未纳入年度计划，不能下达资金",
                            prj.stage.label()
                        ),
                    ),
                );
            }
            continue;
        };
        if c.date < from || prj.accepted_on.is_some_and(|x| c.date > x) {
            rep.fault(
                2,
                a.line,
                bad(
                    "date",
                    "date_outside_stage",
                    format!(
                        "下达日期 {} 不在项目纳入年度计划（{from}）至验收之间",
                        c.date
                    ),
                ),
            );
        }
    }

    let mut writing = !dry_run && rep.issues_total == 0;
    if writing {
        session
            .reserve_funds(FundsLoadCounts {
                projects: projects.len() as u64,
                sources: sources.len() as u64,
                allocations: allocations.len() as u64,
                assets: assets.len() as u64,
            })
            .await?;
        session
            .put_fund_sources(
                sources
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, s)| BulkFundSource {
                        key: i as u64 + 1,
                        data: s.data.clone(),
                    })
                    .collect(),
            )
            .await?;
        let mut rows = std::mem::take(&mut project_rows);
        while !rows.is_empty() {
            let rest = rows.split_off(rows.len().min(BATCH));
            session.put_projects(rows).await?;
            rows = rest;
        }
        let mut batch = Vec::new();
        for (i, (s, p, c)) in alloc_rows.drain(..).enumerate() {
            batch.push(BulkAllocation {
                key: i as u64 + 1,
                source: s,
                project: p as u64 + 1,
                village: prj_village(&projects, p),
                payment: c,
            });
            if batch.len() >= BATCH {
                session.put_allocations(std::mem::take(&mut batch)).await?;
            }
        }
        session.put_allocations(batch).await?;
        let mut rows = std::mem::take(&mut asset_rows);
        while !rows.is_empty() {
            let rest = rows.split_off(rows.len().min(BATCH));
            session.put_assets(rows).await?;
            rows = rest;
        }
    }

    // receipts and disbursements, in batches
    let mut t = Table::open(dir, 3)?;
    let mut pending: Vec<(u64, usize, bool, CheckedPayment, Option<String>)> = Vec::new();
    let mut done = false;
    while !done {
        let r = t.next()?;
        done = r.is_none();
        if let Some(r) = r {
            let out = (|| {
                let a = reference(&t, &r, "allocation", allocations.len(), "资金下达")?;
                let disbursement = match r.cell(&t, "kind").as_str() {
                    "receipt" | "到账" => false,
                    "disbursement" | "支付" => true,
                    other => {
                        return Err(bad(
                            "kind",
                            "unknown_movement",
                            format!(
                                "kind 的取值“{other}”应为 receipt（到账）或 disbursement（支付）"
                            ),
                        ))
                    }
                };
                let amount_fen = int(&t, &r, "amount_fen")?;
                let date = day(&t, &r, "date")?;
                let c = if disbursement {
                    DisbursementInput {
                        payee: r.cell(&t, "payee"),
                        household_id: None,
                        amount_fen,
                        date,
                        voucher: r.cell(&t, "voucher"),
                        attachment: None,
                    }
                    .validate()?
                } else {
                    ReceiptInput {
                        amount_fen,
                        date,
                        note: None,
                    }
                    .validate()?
                };
                Ok((a, disbursement, c, opt(&t, &r, "household_number")))
            })();
            match out {
                Ok((a, d, c, h)) => pending.push((r.line, a, d, c, h)),
                Err(e) => rep.fault(3, r.line, e),
            }
        }
        if pending.len() >= BATCH || (done && !pending.is_empty()) {
            let numbers: Vec<String> = pending
                .iter()
                .filter_map(|p| p.4.clone())
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let refs: HashMap<String, HouseholdRef> = if numbers.is_empty() {
                HashMap::new()
            } else {
                session
                    .household_refs(&numbers)
                    .await?
                    .into_iter()
                    .map(|h| (h.household_number.clone(), h))
                    .collect()
            };
            let mut items = Vec::with_capacity(pending.len());
            for (line, a, disbursement, mut c, number) in pending.drain(..) {
                let Some(alloc) = &allocations[a] else {
                    continue;
                };
                let Some(prj) = &projects[alloc.project] else {
                    continue;
                };
                let check = (|| {
                    let from = prj.dates.and_then(|d| {
                        if disbursement {
                            d.funded
                        } else {
                            d.annual_plan
                        }
                    });
                    let Some(from) = from else {
                        return Err(bad(
                            "allocation",
                            if disbursement {
                                "disbursement_not_allowed"
                            } else {
                                "allocation_not_allowed"
                            },
                            format!(
                                "项目处于{}，不能{}",
                                prj.stage.label(),
                                if disbursement { "支付" } else { "到账" }
                            ),
                        ));
                    };
                    if c.date < from || prj.accepted_on.is_some_and(|x| c.date > x) {
                        return Err(bad(
                            "date",
                            "date_outside_stage",
                            format!(
                                "{}日期 {} 不在项目{}（{from}）至验收之间",
                                if disbursement { "支付" } else { "到账" },
                                c.date,
                                if disbursement {
                                    "资金下达"
                                } else {
                                    "纳入年度计划"
                                }
                            ),
                        ));
                    }
                    if let Some(n) = &number {
                        let h = refs.get(n).ok_or_else(|| {
                            bad(
                                "household_number",
                                "household_not_found",
                                format!("户编码 {n} 不是在册户"),
                            )
                        })?;
                        if !ctx.scope.allows(&h.village) {
                            return Err(bad(
                                "household_number",
                                "out_of_scope",
                                format!("户编码 {n} 的户不在您的管辖范围内"),
                            ));
                        }
                        c.household_id = Some(h.id);
                    }
                    Ok(())
                })();
                match check {
                    Err(e) => rep.fault(3, line, e),
                    Ok(()) => {
                        let Some(alloc) = allocations[a].as_mut() else {
                            continue;
                        };
                        if disbursement {
                            alloc.disbursed += c.amount_fen;
                            rep.disbursements += 1;
                        } else {
                            alloc.received += c.amount_fen;
                            rep.receipts += 1;
                        }
                        items.push(BulkMovement {
                            allocation: a as u64 + 1,
                            project: alloc.project as u64 + 1,
                            village: prj_village(&projects, alloc.project),
                            disbursement,
                            payment: c,
                        });
                    }
                }
            }
            writing &= rep.issues_total == 0;
            if writing {
                session.put_movements(items).await?;
            }
        }
    }
    for a in allocations.iter().flatten() {
        if a.received > a.amount {
            rep.fault(
                2,
                a.line,
                bad(
                    "amount_fen",
                    "exceeds_allocation",
                    format!("到账合计 {} 分超过下达金额 {} 分", a.received, a.amount),
                ),
            );
        } else if a.disbursed > a.received {
            rep.fault(
                2,
                a.line,
                bad(
                    "amount_fen",
                    "exceeds_received",
                    format!("支付合计 {} 分超过到账合计 {} 分", a.disbursed, a.received),
                ),
            );
        }
    }

    // assets' incomes
    let mut t = Table::open(dir, 5)?;
    let mut incomes: HashMap<(usize, i32), IncomeRec> = HashMap::new();
    let mut income_rows = Vec::new();
    while let Some(r) = t.next()? {
        let out = (|| {
            let a = reference(&t, &r, "asset", assets.len(), "资产")?;
            let Some(asset) = &assets[a] else {
                return Ok(None);
            };
            let income = AssetIncomeInput {
                year: int(&t, &r, "year")?,
                income_fen: int(&t, &r, "income_fen")?,
                collective_fen: int(&t, &r, "collective_fen")?,
                households_fen: int(&t, &r, "households_fen")?,
                minimum_fen: int(&t, &r, "minimum_fen")?,
                paid_on: day(&t, &r, "paid_on")?,
            };
            check_income(&income)?;
            income.check_paid_on(asset.registered_on, asset.accepted_on)?;
            if incomes.contains_key(&(a, income.year)) {
                return Err(bad(
                    "year",
                    "asset_income_exists",
                    format!("该资产 {} 年的收益重复填写", income.year),
                ));
            }
            Ok(Some((a, asset.village.clone(), income)))
        })();
        match out {
            Ok(None) => {}
            Ok(Some((a, village, income))) => {
                incomes.insert(
                    (a, income.year),
                    IncomeRec {
                        line: r.line,
                        households_fen: income.households_fen,
                        minimum_fen: income.minimum_fen,
                        paid: 0,
                    },
                );
                income_rows.push(BulkAssetIncome {
                    asset: a as u64 + 1,
                    village,
                    income,
                });
            }
            Err(e) => rep.fault(5, r.line, e),
        }
    }
    rep.asset_incomes = income_rows.len() as u64;
    writing &= rep.issues_total == 0;
    if writing {
        session.put_asset_incomes(income_rows).await?;
    }

    // dividends, in batches
    let mut t = Table::open(dir, 6)?;
    let mut holders: HashSet<(usize, i64)> = HashSet::new();
    let mut paid_once: HashSet<(usize, i64, i32)> = HashSet::new();
    let mut pending: Vec<(u64, usize, i32, String, i64, i64, Date)> = Vec::new();
    let mut done = false;
    while !done {
        let r = t.next()?;
        done = r.is_none();
        if let Some(r) = r {
            let out = (|| {
                let a = reference(&t, &r, "asset", assets.len(), "资产")?;
                let year: i32 = int(&t, &r, "year")?;
                let shares: i64 = int(&t, &r, "shares")?;
                if !(1..=1_000_000_000).contains(&shares) {
                    return Err(bad(
                        "shares",
                        "out_of_range",
                        "shares 须在 1 到 1000000000 之间".to_string(),
                    ));
                }
                let amount: i64 = int(&t, &r, "amount_fen")?;
                fupin_core::Fen::input("amount_fen", amount)?;
                let number = r.cell(&t, "household_number");
                Ok((a, year, number, shares, amount, day(&t, &r, "paid_on")?))
            })();
            match out {
                Ok((a, y, n, s, m, d)) => pending.push((r.line, a, y, n, s, m, d)),
                Err(e) => rep.fault(6, r.line, e),
            }
        }
        if pending.len() >= BATCH || (done && !pending.is_empty()) {
            let numbers: Vec<String> = pending
                .iter()
                .map(|p| p.3.clone())
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let refs: HashMap<String, HouseholdRef> = session
                .household_refs(&numbers)
                .await?
                .into_iter()
                .map(|h| (h.household_number.clone(), h))
                .collect();
            let mut items = Vec::with_capacity(pending.len());
            for (line, a, year, number, shares, amount, paid_on) in pending.drain(..) {
                let check = (|| {
                    if assets[a].is_none() {
                        return Ok(None);
                    }
                    let inc = incomes.get_mut(&(a, year)).ok_or_else(|| {
                        bad(
                            "year",
                            "no_asset_income",
                            format!("该资产 {year} 年没有收益分配"),
                        )
                    })?;
                    if amount < inc.minimum_fen {
                        return Err(bad(
                            "amount_fen",
                            "below_minimum",
                            format!("分红 {amount} 分低于保底分红 {} 分", inc.minimum_fen),
                        ));
                    }
                    let h = refs.get(&number).ok_or_else(|| {
                        bad(
                            "household_number",
                            "household_not_found",
                            format!("户编码 {number} 不是在册户"),
                        )
                    })?;
                    if !ctx.scope.allows(&h.village) {
                        return Err(bad(
                            "household_number",
                            "out_of_scope",
                            format!("户编码 {number} 的户不在您的管辖范围内"),
                        ));
                    }
                    if !paid_once.insert((a, h.id.0, year)) {
                        return Err(bad(
                            "household_number",
                            "repeated_shareholder",
                            format!("户 {number} 在该资产 {year} 年的分红中重复出现"),
                        ));
                    }
                    let first_of_holder = holders.insert((a, h.id.0));
                    inc.paid += amount;
                    Ok(Some(BulkDividend {
                        asset: a as u64 + 1,
                        year,
                        household_id: h.id,
                        village: h.village.clone(),
                        shares,
                        amount_fen: amount,
                        paid_on,
                        first_of_holder,
                    }))
                })();
                match check {
                    Ok(None) => {}
                    Ok(Some(d)) => {
                        rep.dividends += 1;
                        items.push(d);
                    }
                    Err(e) => rep.fault(6, line, e),
                }
            }
            writing &= rep.issues_total == 0;
            if writing {
                session.put_dividends(items).await?;
            }
        }
    }
    for inc in incomes.values() {
        let exact = if inc.minimum_fen > 0 {
            inc.paid >= inc.households_fen
        } else {
            inc.paid == inc.households_fen
        };
        if !exact {
            rep.fault(
                5,
                inc.line,
                bad(
                    "households_fen",
                    "dividends_mismatch",
                    format!(
                        "分红合计 {} 分与农户分配额 {} 分不符",
                        inc.paid, inc.households_fen
                    ),
                ),
            );
        }
    }
    writing &= rep.issues_total == 0;
    if writing {
        rep.settled = Some(session.settle_funds().await?);
        let summary = serde_json::json!({
            "kind": "funds",
            "sources": rep.sources,
            "projects": rep.projects,
            "allocations": rep.allocations,
            "receipts": rep.receipts,
            "disbursements": rep.disbursements,
            "assets": rep.assets,
            "asset_incomes": rep.asset_incomes,
            "dividends": rep.dividends,
        });
        session.finish(summary, true).await?;
        rep.committed = true;
    } else {
        session.finish(serde_json::Value::Null, false).await?;
    }
    Ok(rep)
}

/// The village of a project of the load (every project is there when writing).
fn prj_village(projects: &[Option<ProjectRec>], p: usize) -> RegionCode {
    projects[p]
        .as_ref()
        .map(|x| x.data.village_code.clone())
        .unwrap_or_else(RegionCode::nation)
}

/// A year's income as a payment's rules check it: a valid year, amounts of fen, the collective's
/// and the households' shares within the income.
fn check_income(i: &AssetIncomeInput) -> Result<(), DomainError> {
    if !(2000..=2100).contains(&i.year) {
        return Err(bad(
            "year",
            "invalid_year",
            format!("year 不是有效年度：{}", i.year),
        ));
    }
    let income = fupin_core::Fen::input("income_fen", i.income_fen)?.get();
    let collective = fupin_core::Fen::input("collective_fen", i.collective_fen)?.get();
    let households = fupin_core::Fen::input("households_fen", i.households_fen)?.get();
    fupin_core::Fen::input("minimum_fen", i.minimum_fen)?;
    if collective + households > income {
        return Err(bad(
            "collective_fen",
            "distribution_exceeds_income",
            format!(
                "集体分配 {collective} 分与农户分配 {households} 分之和超过当年收益 {income} 分"
            ),
        ));
    }
    Ok(())
}
