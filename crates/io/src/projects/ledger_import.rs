//! The writer side of offices' ledgers. Each record is found among the stored ones by its natural
//! key — a project by village, year and name; a source by region and 文号; an allocation by source
//! and project; a receipt by allocation, date and amount (as many times as the ledger repeats it);
//! a disbursement by allocation and voucher number — and is unchanged when it says the same,
//! refused with the columns that differ when it says otherwise (a ledger does not rewrite what was
//! recorded), and otherwise written through the single writes' checks and statements in the
//! import's transaction: the project's lifecycle replayed to its stage, the office each write
//! belongs to (`OfficeAct`: sources and allocations the county's, receipts and payments the
//! township's), the fund invariants
//! (Σ disbursed ≤ Σ received ≤ Σ allocated ≤ the source), the money's stages and dates, the
//! figures, history and audit. What the file adds is also kept here, so that a later row is checked
//! against the earlier ones whether or not they are written (a dry run, or after a rejected row).

use super::ledger::{on_column, Entry, FundLedgerRow, FundRecord, ProjectLedgerRow, ProjectRef};
use crate::columns::Kind;
use crate::import::{ImportError, Writer};
use crate::records::issue_at;
use crate::rows::RowAt;
use fupin_core::assessment::Step;
use fupin_core::offices::OfficeAct;
use fupin_core::projects::{
    check_stage_for, exceeds, replay_project, AllocationInput, Beneficiary, CheckedPayment,
    FundSourceData, FundSourceInput, LifecycleFacts, MoneyStep, ProjectData, Stage,
};
use fupin_core::{DomainError, RegionCode};
use std::collections::{HashMap, HashSet};
use time::Date;

/// A project as the ledgers know it.
#[derive(Debug, Clone)]
struct ProjectState {
    id: i64,
    data: ProjectData,
    stage: Stage,
}

/// A source as the ledger knows it, with what is allocated from it so far.
#[derive(Debug, Clone)]
struct SourceState {
    id: i64,
    data: FundSourceData,
    allocated: i64,
}

/// An allocation as the ledger knows it.
#[derive(Debug, Clone)]
struct AllocationState {
    id: i64,
    amount: i64,
    received: i64,
    disbursed: i64,
    date: Date,
    document: Option<String>,
}

/// What the ledgers of this import found stored and added.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Projects by (village, name), any year.
    projects: HashMap<(String, String), Vec<ProjectState>>,
    /// Sources by 文号, any region.
    sources: HashMap<String, Vec<SourceState>>,
    /// Projects whose allocations and movements were read.
    funded: HashSet<i64>,
    /// Allocations by (source, project).
    allocations: HashMap<(i64, i64), AllocationState>,
    /// Receipts by (allocation, date, amount): how many are stored, and how many rows matched.
    receipts: HashMap<(i64, Date, i64), (u32, u32)>,
    /// Disbursements by (allocation, voucher): amount, date and payee.
    vouchers: HashMap<(i64, String), (i64, Date, Option<String>)>,
    /// The id given to records not written (a dry run, or after a rejected row): negative.
    unwritten: i64,
}

impl State {
    fn placeholder(&mut self) -> i64 {
        self.unwritten -= 1;
        self.unwritten
    }
}

/// The ledger's column header of a column key.
fn project_header(key: &str) -> &'static str {
    let k = Kind::ProjectLedger;
    k.columns()
        .iter()
        .find(|c| c.key == key)
        .map_or("项目", |c| c.header)
}

fn differs(what: &str, columns: &[&str]) -> DomainError {
    DomainError::conflict(
        "ledger_differs",
        format!(
            "{what}已在系统中，台账的“{}”与系统中的不一致；台账不改已登记的内容，请核对台账，或在项目页办理",
            columns.join("”“")
        ),
    )
}

impl Writer<'_> {
    /// A ledger's row's issue, on the column the error names.
    fn ledger_reject(
        &mut self,
        sheet: u16,
        line: u64,
        cells: &[Option<String>],
        e: DomainError,
    ) -> Result<(), ImportError> {
        let Some(mapping) = self.mappings.get(&sheet).cloned() else {
            return Ok(());
        };
        let name = self
            .sheet_names
            .get(&sheet)
            .filter(|n| !n.is_empty())
            .cloned();
        let at = RowAt {
            sheet: name.as_deref(),
            line,
            mapping: &mapping,
        };
        let issue = issue_at(&at, mapping.kind, cells, e);
        self.reject(sheet, &[line], vec![issue])
    }

    /// Read the stored projects of these (village, name) not read yet.
    async fn load_projects(&mut self, keys: Vec<(RegionCode, String)>) -> Result<(), ImportError> {
        let keys: Vec<(RegionCode, String)> = keys
            .into_iter()
            .filter(|(v, n)| {
                !self
                    .ledger
                    .projects
                    .contains_key(&(v.as_str().to_string(), n.clone()))
            })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if keys.is_empty() {
            return Ok(());
        }
        let stored = self.session.projects_named(&keys).await?;
        for (v, n) in &keys {
            self.ledger
                .projects
                .entry((v.as_str().to_string(), n.clone()))
                .or_default();
        }
        for p in stored {
            self.ledger
                .projects
                .entry((
                    p.data.village_code.as_str().to_string(),
                    p.data.name.clone(),
                ))
                .or_default()
                .push(ProjectState {
                    id: p.id.0,
                    stage: p.stage,
                    data: p.data,
                });
        }
        Ok(())
    }

    // ---- 项目库台账 --------------------------------------------------------------------------

    pub(crate) async fn project_ledger(
        &mut self,
        rows: Vec<ProjectLedgerRow>,
    ) -> Result<(), ImportError> {
        let keys = rows
            .iter()
            .filter_map(|r| r.parsed.as_ref().ok())
            .map(|p| (p.data.village_code.clone(), p.data.name.clone()))
            .collect();
        self.load_projects(keys).await?;
        let numbers: Vec<String> = rows
            .iter()
            .filter_map(|r| r.parsed.as_ref().ok())
            .flat_map(|p| p.numbers.iter().cloned())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let households: HashMap<String, (i64, RegionCode)> = if numbers.is_empty() {
            HashMap::new()
        } else {
            self.session
                .household_refs(&numbers)
                .await?
                .into_iter()
                .map(|h| (h.household_number, (h.id.0, h.village)))
                .collect()
        };
        let params = self.parameters().await?;
        for r in rows {
            if self.start_row(r.sheet).is_none() {
                continue;
            }
            let mut p = match r.parsed {
                Ok(p) => p,
                Err(i) => {
                    self.reject(r.sheet, &[r.line], vec![i])?;
                    continue;
                }
            };
            let outcome = (|| {
                for n in &p.numbers {
                    let (id, village) = households.get(n).ok_or_else(|| {
                        crate::rows::no_such_household(&self.ctx.scope, "beneficiaries", n)
                    })?;
                    if !self.ctx.scope.allows(village) {
                        return Err(crate::rows::household_out_of_scope("beneficiaries", n));
                    }
                    let b = Beneficiary {
                        household_id: fupin_core::registry::HouseholdId(*id),
                        mode: p
                            .mode
                            .unwrap_or(fupin_core::projects::BenefitMode::PublicService),
                    };
                    if !p.data.beneficiaries.contains(&b) {
                        p.data.beneficiaries.push(b);
                    }
                }
                let key = (
                    p.data.village_code.as_str().to_string(),
                    p.data.name.clone(),
                );
                let stored = self
                    .ledger
                    .projects
                    .get(&key)
                    .and_then(|v| v.iter().find(|s| s.data.year == p.data.year));
                if let Some(s) = stored {
                    let mut keys: Vec<&str> = s
                        .data
                        .differences(&p.data)
                        .into_iter()
                        .map(|f| if f == "budget_fen" { "budget" } else { f })
                        .collect();
                    if p.stage.position() > s.stage.position() {
                        keys.push("stage");
                    }
                    let Some(first) = keys.first().copied() else {
                        return Ok(None);
                    };
                    let columns: Vec<&str> = keys.iter().map(|k| project_header(k)).collect();
                    return Err(differs(
                        &format!("村 {} 的 {} 年项目“{}”", key.0, p.data.year, p.data.name),
                        &columns,
                    )
                    .with_field(first));
                }
                // the steps a ledger brings belong to offices: the importer holds the village at
                // each step's level (a village's officer brings proposals, the county its library)
                for st in Stage::ORDER
                    .iter()
                    .take_while(|st| st.position() < p.stage.position())
                {
                    self.ctx
                        .require_office(&p.data.village_code, st.office(), st.label())
                        .map_err(|e| e.with_field("stage"))?;
                }
                let (workflow, _) = replay_project(
                    &params,
                    &p.data.village_code,
                    p.data.year,
                    p.proposed_on,
                    p.stage,
                    None,
                    &self.ctx.actor,
                    LifecycleFacts::default(),
                )
                .map_err(|e| {
                    let e = if e.field.is_none() {
                        e.with_field("stage")
                    } else {
                        e
                    };
                    on_column(e, |f| match f {
                        Some("accepted_on" | "stage") => Some("stage"),
                        _ => None,
                    })
                })?;
                Ok(Some(workflow))
            })();
            match outcome {
                Err(e) => self.ledger_reject(r.sheet, r.line, &r.cells, e)?,
                Ok(None) => self.report.unchanged += 1,
                Ok(Some(workflow)) => {
                    self.report.created += 1;
                    let id = if self.writing {
                        match self.session.ledger_project(p.data.clone(), workflow).await {
                            Ok(id) => id.0,
                            Err(e) if e.kind != fupin_core::ErrorKind::Internal => {
                                self.report.created -= 1;
                                self.ledger_reject(r.sheet, r.line, &r.cells, e)?;
                                continue;
                            }
                            Err(e) => return Err(e.into()),
                        }
                    } else {
                        self.ledger.placeholder()
                    };
                    self.ledger
                        .projects
                        .entry((
                            p.data.village_code.as_str().to_string(),
                            p.data.name.clone(),
                        ))
                        .or_default()
                        .push(ProjectState {
                            id,
                            stage: p.stage,
                            data: p.data,
                        });
                }
            }
        }
        Ok(())
    }

    // ---- 资金台账 ----------------------------------------------------------------------------

    /// Read the stored sources of these 文号 not read yet.
    async fn load_sources(&mut self, documents: Vec<String>) -> Result<(), ImportError> {
        let docs: Vec<String> = documents
            .into_iter()
            .filter(|d| !self.ledger.sources.contains_key(d))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if docs.is_empty() {
            return Ok(());
        }
        for d in &docs {
            self.ledger.sources.entry(d.clone()).or_default();
        }
        for s in self.session.sources_by_document(&docs).await? {
            let Some(doc) = s.data.document.clone() else {
                continue;
            };
            self.ledger
                .sources
                .entry(doc)
                .or_default()
                .push(SourceState {
                    id: s.id.0,
                    allocated: s.allocated_fen,
                    data: s.data,
                });
        }
        Ok(())
    }

    /// Read a stored project's allocations, receipts and disbursements, once.
    async fn load_funds(&mut self, project: i64) -> Result<(), ImportError> {
        if project < 0 || !self.ledger.funded.insert(project) {
            return Ok(());
        }
        let f = self
            .session
            .ledger_project_funds(fupin_core::projects::ProjectId(project))
            .await?;
        let mut of: HashMap<i64, i64> = HashMap::new();
        for a in &f.allocations {
            of.insert(a.id.0, a.source_id.0);
            self.ledger.allocations.insert(
                (a.source_id.0, project),
                AllocationState {
                    id: a.id.0,
                    amount: a.amount_fen,
                    received: a.received_fen,
                    disbursed: a.disbursed_fen,
                    date: a.date,
                    document: a.document.clone(),
                },
            );
        }
        for m in &f.movements {
            let a = m.allocation_id.0;
            if m.kind == "receipt" {
                self.ledger
                    .receipts
                    .entry((a, m.date, m.amount_fen))
                    .or_default()
                    .0 += 1;
            } else if let Some(v) = &m.voucher {
                self.ledger
                    .vouchers
                    .insert((a, v.clone()), (m.amount_fen, m.date, m.payee.clone()));
            }
        }
        Ok(())
    }

    /// The stored project a funds row names.
    fn ledger_project_of(&self, p: &ProjectRef) -> Result<ProjectState, DomainError> {
        let all = self
            .ledger
            .projects
            .get(&(p.village.as_str().to_string(), p.name.clone()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let found: Vec<&ProjectState> = all
            .iter()
            .filter(|s| p.year.is_none_or(|y| s.data.year == y))
            .collect();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(DomainError::invalid(
                "project_name",
                "unknown_project",
                format!(
                    "村 {} 没有{}名为“{}”的项目，请先导入项目库台账",
                    p.village.as_str(),
                    p.year.map(|y| format!(" {y} 年")).unwrap_or_default(),
                    crate::cells::shown(&p.name)
                ),
            )),
            many => Err(DomainError::invalid(
                "project_year",
                "ambiguous_project",
                format!(
                    "村 {} 有 {} 个名为“{}”的项目（{}年），请填写项目年度",
                    p.village.as_str(),
                    many.len(),
                    crate::cells::shown(&p.name),
                    many.iter()
                        .map(|s| s.data.year.to_string())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            )),
        }
    }

    /// The source a funds row's money comes from: its 文号, in the row's region when given, else
    /// the one holding the project's village.
    fn ledger_source_of(
        &self,
        document: &str,
        region: Option<&RegionCode>,
        village: &RegionCode,
    ) -> Result<SourceState, DomainError> {
        let all = self
            .ledger
            .sources
            .get(document)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let named: Vec<&SourceState> = all
            .iter()
            .filter(|s| region.is_none_or(|r| s.data.region_code == *r))
            .collect();
        let holding: Vec<&SourceState> = named
            .iter()
            .copied()
            .filter(|s| s.data.region_code.contains(village))
            .collect();
        match (holding.as_slice(), named.first()) {
            ([one], _) => Ok((*one).clone()),
            ([], None) => Err(DomainError::invalid(
                "document",
                "unknown_source",
                format!(
                    "文号“{}”的资金来源不存在{}，请先登记该资金的来源行",
                    crate::cells::shown(document),
                    region
                        .map(|r| format!("（区划 {}）", r.as_str()))
                        .unwrap_or_default()
                ),
            )),
            ([], Some(s)) => Err(DomainError::invalid(
                "village_code",
                "project_outside_source",
                format!(
                    "项目所在村 {} 不在资金来源所属区划 {} 之内",
                    village.as_str(),
                    s.data.region_code.as_str()
                ),
            )),
            (many, _) => Err(DomainError::invalid(
                "region_code",
                "ambiguous_source",
                format!(
                    "文号“{}”有 {} 个资金来源（区划 {}），请填写资金区划代码",
                    crate::cells::shown(document),
                    many.len(),
                    many.iter()
                        .map(|s| s.data.region_code.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            )),
        }
    }

    pub(crate) async fn fund_ledger(
        &mut self,
        rows: Vec<FundLedgerRow>,
    ) -> Result<(), ImportError> {
        let mut docs = Vec::new();
        let mut projects = Vec::new();
        for r in &rows {
            match &r.parsed {
                Ok(FundRecord::Source(d)) => docs.extend(d.document.clone()),
                Ok(FundRecord::Money {
                    document, project, ..
                }) => {
                    docs.push(document.clone());
                    projects.push((project.village.clone(), project.name.clone()));
                }
                Err(_) => {}
            }
        }
        self.load_sources(docs).await?;
        self.load_projects(projects).await?;
        for r in rows {
            if self.start_row(r.sheet).is_none() {
                continue;
            }
            let rec = match r.parsed {
                Ok(rec) => rec,
                Err(i) => {
                    self.reject(r.sheet, &[r.line], vec![i])?;
                    continue;
                }
            };
            let outcome = match rec {
                FundRecord::Source(d) => self.ledger_source_row(d).await,
                FundRecord::Money {
                    entry,
                    document,
                    region,
                    project,
                    payment,
                } => {
                    self.ledger_money_row(entry, &document, region.as_ref(), &project, payment)
                        .await
                }
            };
            match outcome {
                Ok(true) => self.report.created += 1,
                Ok(false) => self.report.unchanged += 1,
                Err(Ok(e)) => self.ledger_reject(r.sheet, r.line, &r.cells, e)?,
                Err(Err(e)) => return Err(e),
            }
        }
        Ok(())
    }

    /// A write of a ledger's record: its id, or the row's error (`Err(Ok)`) or the import's
    /// (`Err(Err)`).
    fn written<T>(r: Result<T, DomainError>) -> Result<T, Result<DomainError, ImportError>> {
        r.map_err(|e| {
            if e.kind == fupin_core::ErrorKind::Internal {
                Err(e.into())
            } else {
                Ok(e)
            }
        })
    }

    /// A 来源 row: whether it adds a source.
    async fn ledger_source_row(
        &mut self,
        d: FundSourceData,
    ) -> Result<bool, Result<DomainError, ImportError>> {
        let doc = d.document.clone().unwrap_or_default();
        let stored = self
            .ledger
            .sources
            .get(&doc)
            .and_then(|v| v.iter().find(|s| s.data.region_code == d.region_code));
        if let Some(s) = stored {
            let mut columns = Vec::new();
            let k = Kind::FundLedger;
            let h = |key: &str| k.columns()[k.col(key)].header;
            if s.data.kind != d.kind {
                columns.push(h("source_kind"));
            }
            if s.data.name != d.name {
                columns.push(h("source_name"));
            }
            if s.data.year != d.year {
                columns.push(h("year"));
            }
            if s.data.amount_fen != d.amount_fen {
                columns.push(h("amount"));
            }
            if s.data.date != d.date {
                columns.push(h("date"));
            }
            if columns.is_empty() {
                return Ok(false);
            }
            return Err(Ok(differs(
                &format!("区划 {} 文号“{doc}”的资金来源", d.region_code.as_str()),
                &columns,
            )
            .with_field("document")));
        }
        // the county's write (`OfficeAct`), as the store checks it again
        self.ctx
            .require_act(&d.region_code, OfficeAct::RegisterFundSource)
            .map_err(|e| Ok(e.with_field("region_code")))?;
        let id = if self.writing {
            let input = FundSourceInput {
                region_code: d.region_code.as_str().to_string(),
                year: d.year,
                kind: d.kind.as_str().to_string(),
                name: d.name.clone(),
                document: d.document.clone(),
                amount_fen: d.amount_fen,
                date: d.date,
            };
            Self::written(self.session.ledger_source(input).await)?.0
        } else {
            self.ledger.placeholder()
        };
        self.ledger
            .sources
            .entry(doc)
            .or_default()
            .push(SourceState {
                id,
                data: d,
                allocated: 0,
            });
        Ok(true)
    }

    /// A 下达, 到账 or 支付 row: whether it adds money.
    async fn ledger_money_row(
        &mut self,
        entry: Entry,
        document: &str,
        region: Option<&RegionCode>,
        project: &ProjectRef,
        c: CheckedPayment,
    ) -> Result<bool, Result<DomainError, ImportError>> {
        let p = self.ledger_project_of(project).map_err(Ok)?;
        let s = self
            .ledger_source_of(document, region, &project.village)
            .map_err(Ok)?;
        self.load_funds(p.id).await.map_err(Err)?;
        let on_project = |e: DomainError| {
            if e.field.is_none() {
                e.with_field("project_name")
            } else {
                e
            }
        };
        let key = (s.id, p.id);
        let h = |key: &str| {
            let k = Kind::FundLedger;
            k.columns()[k.col(key)].header
        };
        if entry == Entry::Allocation {
            if let Some(a) = self.ledger.allocations.get(&key) {
                let mut columns = Vec::new();
                if a.amount != c.amount_fen {
                    columns.push(h("amount"));
                }
                if a.date != c.date {
                    columns.push(h("date"));
                }
                if a.document != c.text {
                    columns.push(h("allocation_document"));
                }
                if columns.is_empty() {
                    return Ok(false);
                }
                return Err(Ok(differs(
                    &format!("文号“{document}”向项目“{}”的下达", p.data.name),
                    &columns,
                )
                .with_field("amount")));
            }
            self.ctx
                .require_act(&project.village, OfficeAct::Allocate)
                .map_err(|e| Ok(on_project(e)))?;
            check_stage_for(MoneyStep::Allocation, p.stage).map_err(|e| Ok(on_project(e)))?;
            if c.date < s.data.date {
                return Err(Ok(DomainError::invalid(
                    "date",
                    "date_before_previous",
                    format!("办理日期 {} 早于上一次办理日期 {}", c.date, s.data.date),
                )));
            }
            if s.allocated + c.amount_fen > s.data.amount_fen {
                return Err(Ok(exceeds(
                    MoneyStep::Allocation,
                    s.data.amount_fen - s.allocated,
                    c.amount_fen,
                )
                .with_field("amount")));
            }
            let id = if self.writing && s.id > 0 && p.id > 0 {
                let a = AllocationInput {
                    source_id: fupin_core::projects::SourceId(s.id),
                    project_id: fupin_core::projects::ProjectId(p.id),
                    amount_fen: c.amount_fen,
                    date: c.date,
                    document: c.text.clone(),
                };
                Self::written(self.session.ledger_allocate(a).await)?.0
            } else {
                self.ledger.placeholder()
            };
            if let Some(x) = self
                .ledger
                .sources
                .get_mut(document)
                .and_then(|v| v.iter_mut().find(|x| x.id == s.id))
            {
                x.allocated += c.amount_fen;
            }
            self.ledger.allocations.insert(
                key,
                AllocationState {
                    id,
                    amount: c.amount_fen,
                    received: 0,
                    disbursed: 0,
                    date: c.date,
                    document: c.text,
                },
            );
            return Ok(true);
        }
        let Some(a) = self.ledger.allocations.get(&key).cloned() else {
            return Err(Ok(DomainError::invalid(
                "document",
                "unknown_allocation",
                format!(
                    "文号“{document}”的资金尚未下达到项目“{}”，请先登记下达行",
                    p.data.name
                ),
            )));
        };
        let step = if entry == Entry::Receipt {
            MoneyStep::Receipt
        } else {
            MoneyStep::Disbursement
        };
        if step == MoneyStep::Receipt {
            let k = (a.id, c.date, c.amount_fen);
            let (stored, used) = self.ledger.receipts.get(&k).copied().unwrap_or_default();
            if used < stored {
                self.ledger.receipts.insert(k, (stored, used + 1));
                return Ok(false);
            }
        } else {
            let voucher = c.voucher.clone().unwrap_or_default();
            if let Some((amount, date, payee)) = self.ledger.vouchers.get(&(a.id, voucher.clone()))
            {
                let mut columns = Vec::new();
                if *amount != c.amount_fen {
                    columns.push(h("amount"));
                }
                if *date != c.date {
                    columns.push(h("date"));
                }
                if *payee != c.payee {
                    columns.push(h("payee"));
                }
                if columns.is_empty() {
                    return Ok(false);
                }
                return Err(Ok(
                    differs(&format!("凭证号 {voucher} 的支付"), &columns).with_field("voucher")
                ));
            }
        }
        let act = match step {
            MoneyStep::Receipt => OfficeAct::Receive,
            _ => OfficeAct::Disburse,
        };
        self.ctx
            .require_act(&project.village, act)
            .map_err(|e| Ok(on_project(e)))?;
        check_stage_for(step, p.stage).map_err(|e| Ok(on_project(e)))?;
        if c.date < a.date {
            return Err(Ok(DomainError::invalid(
                "date",
                "date_before_previous",
                format!("办理日期 {} 早于上一次办理日期 {}", c.date, a.date),
            )));
        }
        let (have, used) = match step {
            MoneyStep::Receipt => (a.amount, a.received),
            _ => (a.received, a.disbursed),
        };
        if used + c.amount_fen > have {
            return Err(Ok(
                exceeds(step, have - used, c.amount_fen).with_field("amount")
            ));
        }
        if self.writing && a.id > 0 {
            Self::written(
                self.session
                    .ledger_move(fupin_core::projects::AllocationId(a.id), step, c.clone())
                    .await,
            )?;
        }
        if let Some(x) = self.ledger.allocations.get_mut(&key) {
            match step {
                MoneyStep::Receipt => x.received += c.amount_fen,
                _ => x.disbursed += c.amount_fen,
            }
        }
        match step {
            MoneyStep::Receipt => {
                let e = self
                    .ledger
                    .receipts
                    .entry((a.id, c.date, c.amount_fen))
                    .or_default();
                e.0 += 1;
                e.1 += 1;
            }
            _ => {
                self.ledger.vouchers.insert(
                    (a.id, c.voucher.clone().unwrap_or_default()),
                    (c.amount_fen, c.date, c.payee.clone()),
                );
            }
        }
        Ok(true)
    }
}
