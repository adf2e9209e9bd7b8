//! The import driver: `import(store, ctx, file, options, progress) → ImportReport`.
//!
//! A reader thread streams the file (CSV or XLSX), reads each row into core's inputs and runs every
//! check that needs only the file (core's validation, one head per household, ID numbers and
//! household numbers not repeated, villages known and in scope); it hands batches of records to the
//! async side, which looks up what is stored (in batches), decides create / update / unchanged /
//! rejected, and writes through one `BulkSession` — one transaction, committed only when every
//! record is good (or, with `partial`, with exactly the good records). Reading and writing overlap,
//! one core each. When rows were rejected, the file is read once more to write the error file.
//!
//! Memory is bounded by the batch size plus the sets that find repeats across the file (a compact
//! key per ID number and the household numbers), whatever the size of the file.
//!
//! Cadres, pairings and visits are written by the same driver; what they compare with and how they
//! keep to the pairing limits is in `crate::pairing::import`; wishes in `crate::pairing::import_wishes`
//! and status changes in `crate::registry::import_statuses`.

use crate::columns::{detect_kind, header_fit, Kind, Mapping};
use crate::encoding::TextEncoding;
use crate::pairing::rows::{CadreRow, CadresSeen, PairingRow, VisitRow};
use crate::records::{self, IncomeRow, ProfileRow, RegionRow};
use crate::registry::households::{id_key, Group, GroupChecker, C};
use crate::report::{ErrorFileWriter, ErrorLog, ImportReport, Issue, SheetRow, KEPT_ISSUES};
use crate::rows::{stored_as_number, totals_row, village_key, RowAt};
use crate::source::{
    read_events, Counters, Event, FileFormat, ReadSeek, SourceError, HEADER_SEARCH_ROWS,
};
use fupin_core::codes::CodeBook;
use fupin_core::registry::IncomeRecord;
use fupin_core::store::{
    BulkHouseholdUpdate, BulkIncome, BulkNewHousehold, BulkProfile, BulkSession, Store,
    StoredHousehold,
};
use fupin_core::{Ctx, DomainError, Scope};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use time::{Date, OffsetDateTime};

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// What the file holds; detected from the header when `None`.
    pub kind: Option<Kind>,
    /// CSV or XLSX; detected from the content when `None`.
    pub format: Option<FileFormat>,
    /// Encoding of a CSV file; detected when `None`.
    pub encoding: Option<TextEncoding>,
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// Write the good records even when others are rejected.
    pub partial: bool,
    /// Where to write the error file when rows are rejected (same format as the input).
    pub error_file: Option<PathBuf>,
    /// Records per batch between the reader and the writer.
    pub batch: usize,
    /// "Today" for the rules (defaults to today in China).
    pub today: Option<Date>,
    /// The name a compared list is recorded under (its problems' source and evidence): the
    /// uploaded file's name; "部门名单" when `None`.
    pub list_name: Option<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            kind: None,
            format: None,
            encoding: None,
            dry_run: false,
            partial: false,
            error_file: None,
            batch: 2000,
            today: None,
            list_name: None,
        }
    }
}

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading, checking and writing rows.
    Importing,
    /// Rebuilding indexes, statistics and committing.
    Finishing,
    /// Writing the error file.
    ErrorFile,
    Done,
}

/// A progress report, given to the callback after every batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ImportProgress))]
pub struct Progress {
    pub phase: Phase,
    /// Data rows read.
    pub rows: u64,
    /// Bytes of a CSV file read so far (0 for XLSX).
    pub bytes: u64,
    /// Size of a CSV file in bytes, or rows of an XLSX workbook (an estimate).
    pub total: u64,
    /// Issues found so far.
    pub issues: u64,
}

/// Why an import could not run at all (as opposed to rows it rejected, which are in the report).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Source(#[from] SourceError),
    /// The header does not fit the kind (missing required columns, unknown kind …).
    #[error("表头有误：{0}")]
    Header(String),
    #[error("{}", .0.message)]
    Store(#[from] DomainError),
    #[error("写入错误文件失败：{0}")]
    Io(#[from] std::io::Error),
}

/// What the reader thread sends.
enum Msg {
    Sheet {
        index: u16,
        name: String,
        mapping: Arc<Mapping>,
        /// The row the header was found in.
        line: u64,
    },
    /// A totals row (合计, 小计, 总计), skipped.
    Skipped {
        sheet: u16,
        line: u64,
        text: String,
    },
    Batch(Vec<Rec>),
}

enum Rec {
    Household(Box<Group>),
    Income(IncomeRow),
    Profile(ProfileRow),
    Region(RegionRow),
    Cadre(CadreRow),
    Pairing(PairingRow),
    Visit(VisitRow),
    Status(crate::registry::statuses::StatusRow),
    Year(crate::assessment::rows::YearRow),
    Risk(crate::assessment::rows::RiskRow),
    Case(crate::assessment::rows::CaseRow),
    Wish(crate::pairing::rows::WishRow),
    Dept(crate::measures::rows::DeptRow),
    Compare(crate::rectification::compare::CompareRow),
    ProjectLedger(crate::projects::ledger::ProjectLedgerRow),
    FundLedger(crate::projects::ledger::FundLedgerRow),
}

/// Everything the reader thread needs.
struct ReaderSetup {
    kind: Option<Kind>,
    format: Option<FileFormat>,
    encoding: Option<TextEncoding>,
    codes: Arc<CodeBook>,
    villages: Arc<HashSet<u64>>,
    scope: Scope,
    today: Date,
    batch: usize,
    counters: Arc<Counters>,
}

type ReaderResult =
    Result<(Box<dyn ReadSeek>, crate::source::SourceInfo), (Box<dyn ReadSeek>, ImportError)>;

/// Read the whole file, sending batches of checked records.
fn reader_thread(
    mut input: Box<dyn ReadSeek>,
    s: ReaderSetup,
    tx: tokio::sync::mpsc::Sender<Msg>,
) -> ReaderResult {
    // the kind as known so far (given, or told by the first sheet), for the header search too
    let kind = std::cell::Cell::new(s.kind);
    let fit = |row: &[String]| header_fit(kind.get(), row);
    let mut mappings: HashMap<u16, Arc<Mapping>> = HashMap::new();
    let mut sheet_names: Vec<String> = Vec::new();
    let mut checker = GroupChecker {
        codes: &s.codes,
        today: s.today,
        villages: &s.villages,
        scope: &s.scope,
        seen_ids: HashMap::new(),
        seen_numbers: HashMap::new(),
        sheet_names: Vec::new(),
    };
    let mut batch: Vec<Rec> = Vec::with_capacity(s.batch);
    let mut group: Option<Group> = None;
    let mut income_seen = HashMap::new();
    let mut profile_seen = HashMap::new();
    let mut cadres_seen = CadresSeen::new();
    let mut wishes_seen = HashMap::new();
    let mut years_seen = HashMap::new();
    let mut risks_seen = HashMap::new();
    let mut cases_seen = HashMap::new();
    let mut dept_seen = HashMap::new();
    let mut ledger_projects_seen = HashMap::new();
    let mut ledger_funds_seen = HashMap::new();
    let this_year = s.today.year();
    let mut fatal: Option<ImportError> = None;
    let mut skipped_sheets: HashSet<u16> = HashSet::new();

    let send =
        |batch: &mut Vec<Rec>, tx: &tokio::sync::mpsc::Sender<Msg>| -> Result<(), SourceError> {
            if batch.is_empty() {
                return Ok(());
            }
            let b = std::mem::replace(batch, Vec::with_capacity(s.batch));
            tx.blocking_send(Msg::Batch(b))
                .map_err(|_| SourceError::Stopped)
        };

    let result = read_events(
        input.as_mut(),
        s.format,
        s.encoding,
        &s.counters,
        &fit,
        &mut |e| {
            match e {
                Event::Sheet {
                    index,
                    name,
                    header,
                    line,
                    titles,
                } => {
                    if let Some(g) = group.take() {
                        finish_group(g, &mut checker, &mappings, &mut batch);
                    }
                    send(&mut batch, &tx)?;
                    while sheet_names.len() <= index as usize {
                        sheet_names.push(String::new());
                    }
                    sheet_names[index as usize] = name.to_string();
                    checker.sheet_names = sheet_names.clone();
                    let k = match kind.get().or_else(|| detect_kind(header)) {
                        Some(k) => k,
                        None if !mappings.is_empty() => {
                            skipped_sheets.insert(index);
                            return Ok(());
                        }
                        None => {
                            fatal = Some(ImportError::Header(format!(
                                "无法判断文件内容：表头中没有“身份证号”“工资性收入(元)”“村集体经济收入(元)”“走访日期”“开始日期”“干部姓名”“变更日期”“心愿内容”“风险类型”“程序”“绩效目标”“业务类型”或“区划代码”等列，请指定文件内容（导入类型）后重新导入{}",
                                if name.is_empty() { String::new() } else { format!("（工作表“{name}”）") }
                            )));
                            return Err(SourceError::Stopped);
                        }
                    };
                    kind.set(Some(k));
                    match Mapping::new(k, header) {
                        Ok(m) => {
                            let m = Arc::new(m.with_titles(titles));
                            mappings.insert(index, Arc::clone(&m));
                            tx.blocking_send(Msg::Sheet {
                                index,
                                name: name.to_string(),
                                mapping: m,
                                line,
                            })
                            .map_err(|_| SourceError::Stopped)?;
                        }
                        // a further sheet that is not data (notes, a pivot table …) is skipped
                        Err(_) if !mappings.is_empty() && detect_kind(header) != Some(k) => {
                            skipped_sheets.insert(index);
                        }
                        Err(msg) => {
                            let place = if name.is_empty() {
                                format!("第 {line} 行")
                            } else {
                                format!("工作表“{name}”第 {line} 行")
                            };
                            fatal = Some(ImportError::Header(format!(
                                "{place}{msg}（在前 {HEADER_SEARCH_ROWS} 行中没有找到含全部必需列的表头行）"
                            )));
                            return Err(SourceError::Stopped);
                        }
                    }
                }
                Event::Row {
                    sheet,
                    line,
                    cells,
                    numeric,
                    bad,
                } => {
                    if skipped_sheets.contains(&sheet) {
                        return Ok(());
                    }
                    let Some(mapping) = mappings.get(&sheet).cloned() else {
                        return Ok(());
                    };
                    if let Some(text) = totals_row(cells) {
                        return tx
                            .blocking_send(Msg::Skipped { sheet, line, text })
                            .map_err(|_| SourceError::Stopped);
                    }
                    let name = sheet_names
                        .get(sheet as usize)
                        .filter(|n| !n.is_empty())
                        .cloned();
                    let at = RowAt {
                        sheet: name.as_deref(),
                        line,
                        mapping: &mapping,
                    };
                    let row = mapping.cells(cells);
                    let mut unreadable = bad.map(|code| {
                        at.issue(
                            None,
                            &row,
                            DomainError::invalid(
                                "row",
                                code,
                                "本行含有无法识别的字符（不是有效的 UTF-8；GBK 文件请用 --encoding gbk）",
                            ),
                        )
                    });
                    // long digit strings a workbook stored as numbers (their last digits lost)
                    let mut as_numbers = stored_as_number(&at, &row, cells, numeric);
                    if unreadable.is_none() && mapping.kind != Kind::Households {
                        unreadable = as_numbers.pop();
                    }
                    match mapping.kind {
                        Kind::Households => {
                            let number = row[C.household_number].clone().unwrap_or_default();
                            let same = group
                                .as_ref()
                                .is_some_and(|g| g.sheet == sheet && g.number == number);
                            if !same {
                                if let Some(g) = group.take() {
                                    finish_group(g, &mut checker, &mappings, &mut batch);
                                    if batch.len() >= s.batch {
                                        send(&mut batch, &tx)?;
                                    }
                                }
                                let width = row.len();
                                group = Some(Group {
                                    sheet,
                                    lines: Vec::new(),
                                    number,
                                    hh: vec![None; width],
                                    hh_line: vec![line; width],
                                    rows: Vec::new(),
                                    issues: Vec::new(),
                                    new: None,
                                    members: Vec::new(),
                                });
                            }
                            let g = group.as_mut().expect("group");
                            for (i, c) in Kind::Households.columns().iter().enumerate() {
                                if c.level == crate::columns::Level::Household {
                                    if let Some(v) = &row[i] {
                                        let empty = g.hh[i].as_deref().is_none_or(str::is_empty);
                                        if empty && (g.hh[i].is_none() || !v.is_empty()) {
                                            g.hh[i] = Some(v.clone());
                                            g.hh_line[i] = line;
                                        }
                                    }
                                }
                            }
                            if let Some(issue) = unreadable {
                                g.issues.push(issue);
                            }
                            g.issues.extend(as_numbers);
                            g.lines.push(line);
                            g.rows.push(row);
                        }
                        Kind::Incomes => {
                            let mut r =
                                records::income_row(&at, sheet, row, this_year, &mut income_seen);
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Income(r));
                        }
                        Kind::Profiles => {
                            let mut r = records::profile_row(
                                &at,
                                sheet,
                                &row,
                                this_year,
                                &s.villages,
                                &s.scope,
                                &mut profile_seen,
                            );
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Profile(r));
                        }
                        Kind::Regions => {
                            let mut r = records::region_row(&at, sheet, &row);
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Region(r));
                        }
                        Kind::Cadres => {
                            let mut r = crate::pairing::rows::cadre_row(
                                &at,
                                sheet,
                                row,
                                &s.codes,
                                &s.scope,
                                &mut cadres_seen,
                            );
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Cadre(r));
                        }
                        Kind::Pairings => {
                            let mut r = crate::pairing::rows::pairing_row(&at, sheet, row, s.today);
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Pairing(r));
                        }
                        Kind::Visits => {
                            let mut r = crate::pairing::rows::visit_row(&at, sheet, row, &s.codes);
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Visit(r));
                        }
                        Kind::HouseholdYears => {
                            let mut r = crate::assessment::rows::year_row(
                                &at,
                                sheet,
                                row,
                                this_year,
                                &mut years_seen,
                            );
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Year(r));
                        }
                        Kind::RiskEvents => {
                            let mut r = crate::assessment::rows::risk_row(
                                &at,
                                sheet,
                                row,
                                &s.codes,
                                s.today,
                                &mut risks_seen,
                            );
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Risk(r));
                        }
                        Kind::Cases => {
                            let mut r = crate::assessment::rows::case_row(
                                &at,
                                sheet,
                                row,
                                &s.codes,
                                this_year,
                                &mut cases_seen,
                            );
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Case(r));
                        }
                        Kind::StatusChanges => {
                            let mut r = crate::registry::statuses::status_row(&at, sheet, row);
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Status(r));
                        }
                        Kind::Wishes => {
                            let mut r = crate::pairing::rows::wish_row(
                                &at,
                                sheet,
                                row,
                                s.today,
                                &mut wishes_seen,
                            );
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Wish(r));
                        }
                        k @ (Kind::DeptEmployment
                        | Kind::DeptTraining
                        | Kind::DeptPension
                        | Kind::DeptSchool
                        | Kind::DeptMedical) => {
                            let mut r = crate::measures::rows::dept_row(
                                &at,
                                k,
                                sheet,
                                row,
                                s.today,
                                &mut dept_seen,
                            );
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Dept(r));
                        }
                        k @ (Kind::CompareDeaths
                        | Kind::CompareDibao
                        | Kind::CompareDisability
                        | Kind::CompareMedical
                        | Kind::CompareVehicles
                        | Kind::CompareEnterprises
                        | Kind::CompareHousing
                        | Kind::CompareStudents
                        | Kind::CompareEmployment) => {
                            let mut r =
                                crate::rectification::compare::compare_row(&at, k, sheet, row);
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::Compare(r));
                        }
                        Kind::ProjectLedger => {
                            let mut r = crate::projects::ledger::project_row(
                                &at,
                                sheet,
                                row,
                                &s.villages,
                                &s.scope,
                                &mut ledger_projects_seen,
                            );
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::ProjectLedger(r));
                        }
                        Kind::FundLedger => {
                            let mut r = crate::projects::ledger::fund_row(
                                &at,
                                sheet,
                                row,
                                &s.villages,
                                &s.scope,
                                &mut ledger_funds_seen,
                            );
                            if let Some(issue) = unreadable {
                                r.parsed = Err(issue);
                            }
                            batch.push(Rec::FundLedger(r));
                        }
                    }
                    if batch.len() >= s.batch {
                        send(&mut batch, &tx)?;
                    }
                }
            }
            Ok(())
        },
    );
    let result = result.and_then(|info| {
        if let Some(g) = group.take() {
            finish_group(g, &mut checker, &mappings, &mut batch);
        }
        send(&mut batch, &tx)?;
        Ok(info)
    });
    match (result, fatal) {
        (_, Some(f)) => Err((input, f)),
        (Ok(info), None) => Ok((input, info)),
        (Err(e), None) => Err((input, e.into())),
    }
}

fn finish_group(
    mut g: Group,
    checker: &mut GroupChecker,
    mappings: &HashMap<u16, Arc<Mapping>>,
    batch: &mut Vec<Rec>,
) {
    if let Some(m) = mappings.get(&g.sheet) {
        let preexisting = g.issues.len();
        checker.check(&mut g, m);
        if preexisting > 0 {
            g.new = None;
        }
    }
    batch.push(Rec::Household(Box::new(g)));
}

/// The writer side's state. Its fields are the crate's so that each area's writer (`pairing::import`)
/// can live in the area's folder.
pub(crate) struct Writer<'a> {
    pub(crate) ctx: &'a Ctx,
    pub(crate) session: Box<dyn BulkSession>,
    pub(crate) report: ImportReport,
    pub(crate) log: ErrorLog,
    /// Still writing: false once a record is rejected in all-or-nothing mode, or in a dry run.
    pub(crate) writing: bool,
    pub(crate) partial: bool,
    pub(crate) planned: bool,
    pub(crate) registry: (u64, u64),
    pub(crate) mappings: HashMap<u16, Arc<Mapping>>,
    pub(crate) sheet_names: HashMap<u16, String>,
    pub(crate) codes: Arc<CodeBook>,
    pub(crate) villages: Arc<HashSet<u64>>,
    pub(crate) today: Date,
    pub(crate) regions: Vec<(u16, u64, fupin_core::regions::RegionRecord)>,
    /// What this import has accepted of cadres, pairings and visits so far.
    pub(crate) links: crate::pairing::import::State,
    /// Households whose status this import changed, as changed.
    pub(crate) statuses:
        HashMap<fupin_core::registry::HouseholdId, crate::registry::import_statuses::Current>,
    /// The assessment parameters, read at the first case.
    pub(crate) assessment_params: Option<Arc<Vec<fupin_core::assessment::Parameter>>>,
    /// What the ledgers of projects and funds found stored and added so far.
    pub(crate) ledger: crate::projects::ledger_import::State,
}

impl Writer<'_> {
    fn keep(&mut self, issues: &[Issue]) {
        self.report.issues_total += issues.len() as u64;
        for i in issues {
            if self.report.issues.len() < KEPT_ISSUES {
                self.report.issues.push(i.clone());
            }
        }
    }

    /// Count a row of a list (one record per row), and give the column mapping and the name of
    /// its worksheet (none for CSV) for its issues; `None` when its sheet has no mapping.
    pub(crate) fn start_row(&mut self, sheet: u16) -> Option<(Arc<Mapping>, Option<String>)> {
        self.report.records += 1;
        self.report.rows += 1;
        let mapping = self.mappings.get(&sheet).map(Arc::clone)?;
        let name = self
            .sheet_names
            .get(&sheet)
            .filter(|n| !n.is_empty())
            .cloned();
        Some((mapping, name))
    }

    /// Reject a record of `lines` with its issues: counted, kept, marked for the error file.
    pub(crate) fn reject(
        &mut self,
        sheet: u16,
        lines: &[u64],
        issues: Vec<Issue>,
    ) -> Result<(), ImportError> {
        if !self.partial {
            self.writing = false;
        }
        self.report.rejected += 1;
        self.report.rejected_rows += lines.len() as u64;
        self.keep(&issues);
        let bad_lines: Vec<u64> = issues.iter().map(|i| i.line).collect();
        for &line in lines {
            let mut reasons: Vec<String> = issues
                .iter()
                .filter(|i| i.line == line)
                .map(Issue::reason)
                .collect();
            reasons.dedup();
            let text = if reasons.is_empty() {
                let mut others: Vec<String> = bad_lines.iter().map(u64::to_string).collect();
                others.dedup();
                format!(
                    "同一户的其他行有错误（第 {} 行），本行随该户一并未导入",
                    others.join("、")
                )
            } else {
                reasons.join("；")
            };
            self.log.mark(sheet, line, &text)?;
        }
        Ok(())
    }

    fn checker(&self) -> GroupChecker<'_> {
        let mut names: Vec<String> = Vec::new();
        for (i, n) in &self.sheet_names {
            while names.len() <= *i as usize {
                names.push(String::new());
            }
            names[*i as usize] = n.clone();
        }
        GroupChecker {
            codes: &self.codes,
            today: self.today,
            villages: &self.villages,
            scope: &self.ctx.scope,
            seen_ids: HashMap::new(),
            seen_numbers: HashMap::new(),
            sheet_names: names,
        }
    }

    async fn plan(
        &mut self,
        counters: &Counters,
        format: Option<FileFormat>,
    ) -> Result<(), ImportError> {
        if self.planned || !self.writing {
            return Ok(());
        }
        // the index plan is about person rows: lists of cadres, pairings and visits add none
        if matches!(
            self.report.kind,
            Some(
                Kind::Cadres
                    | Kind::Pairings
                    | Kind::Visits
                    | Kind::StatusChanges
                    | Kind::Wishes
                    | Kind::HouseholdYears
                    | Kind::RiskEvents
                    | Kind::Cases
                    | Kind::DeptEmployment
                    | Kind::DeptTraining
                    | Kind::DeptPension
                    | Kind::DeptSchool
                    | Kind::DeptMedical
                    | Kind::ProjectLedger
                    | Kind::FundLedger
            )
        ) || self.report.kind.and_then(Kind::compare_list).is_some()
        {
            return Ok(());
        }
        self.planned = true;
        let total = counters.total.load(Ordering::Relaxed);
        // about 100 bytes per person row in a CSV file; XLSX totals are rows already
        let estimate = match format {
            Some(FileFormat::Xlsx) => total,
            _ => total / 100,
        };
        self.session.plan(estimate).await?;
        Ok(())
    }

    async fn households(&mut self, groups: Vec<Group>) -> Result<(), ImportError> {
        let numbers: Vec<String> = groups
            .iter()
            .filter(|g| g.issues.is_empty())
            .map(|g| g.number.clone())
            .collect();
        let stored: HashMap<String, StoredHousehold> = if self.registry.0 > 0 && !numbers.is_empty()
        {
            self.session
                .households_by_number(&numbers)
                .await?
                .into_iter()
                .map(|s| (s.household.household_number.clone(), s))
                .collect()
        } else {
            HashMap::new()
        };
        // a status the file restates with its date, as the household's history has it (a
        // registration file imported again), is no change: the history of those households
        let restated: Vec<fupin_core::registry::HouseholdId> = groups
            .iter()
            .filter_map(|g| {
                let s = stored.get(&g.number)?;
                let sc = crate::registry::households::status_cells(&g.hh).ok()?;
                (sc.status.is_some_and(|to| to != s.household.status) && sc.date.is_some())
                    .then_some(s.household.id)
            })
            .collect();
        let history: HashSet<_> = if restated.is_empty() {
            HashSet::new()
        } else {
            self.session
                .status_changes_of(&restated)
                .await?
                .into_iter()
                .collect()
        };
        let ids: Vec<String> = groups
            .iter()
            .filter(|g| g.issues.is_empty())
            .flat_map(|g| {
                g.members
                    .iter()
                    .flatten()
                    .map(|m| m.id_number.expose().to_string())
            })
            .collect();
        let active: HashMap<String, Option<String>> = if self.registry.1 > 0 && !ids.is_empty() {
            self.session
                .active_id_numbers(&ids)
                .await?
                .into_iter()
                .collect()
        } else {
            HashMap::new()
        };
        let mut creates: Vec<BulkNewHousehold> = Vec::new();
        let mut updates: Vec<BulkHouseholdUpdate> = Vec::new();
        for mut g in groups {
            self.report.records += 1;
            self.report.rows += g.lines.len() as u64;
            let mapping = match self.mappings.get(&g.sheet) {
                Some(m) => Arc::clone(m),
                None => continue,
            };
            let outcome = if !g.issues.is_empty() {
                Err(std::mem::take(&mut g.issues))
            } else if let Some(s) = stored.get(&g.number) {
                let checker = self.checker();
                checker
                    .plan_update(&g, s, &mapping, &active, &history)
                    .map(|u| (None, u))
            } else {
                let checker = self.checker();
                let dups = checker.registry_duplicates(&g, &mapping, &active);
                if dups.is_empty() {
                    match g.new.take() {
                        Some(n) => Ok((Some(n), None)),
                        None => Err(vec![]),
                    }
                } else {
                    Err(dups)
                }
            };
            match outcome {
                Err(issues) => self.reject(g.sheet, &g.lines, issues)?,
                Ok((Some(new), _)) => {
                    self.report.created += 1;
                    if self.writing {
                        creates.push(new);
                    }
                }
                Ok((None, Some(u))) => {
                    self.report.updated += 1;
                    self.report.status_changes += u64::from(u.status.is_some());
                    self.report.members_added += u.new_members.len() as u64;
                    self.report.members_updated += u.changed_members.len() as u64;
                    if self.writing {
                        updates.push(u);
                    }
                }
                Ok((None, None)) => self.report.unchanged += 1,
            }
        }
        if self.writing {
            self.session.create_households(creates).await?;
            self.session.update_households(updates).await?;
        }
        Ok(())
    }

    async fn incomes(&mut self, rows: Vec<IncomeRow>) -> Result<(), ImportError> {
        let mut numbers: Vec<String> = rows
            .iter()
            .filter(|r| r.parsed.is_ok())
            .map(|r| r.number.clone())
            .collect();
        numbers.sort();
        numbers.dedup();
        let stored: HashMap<String, StoredHousehold> = if numbers.is_empty() {
            HashMap::new()
        } else {
            self.session
                .households_by_number(&numbers)
                .await?
                .into_iter()
                .map(|s| (s.household.household_number.clone(), s))
                .collect()
        };
        let mut items = Vec::new();
        let now = OffsetDateTime::now_utc();
        for r in rows {
            self.report.records += 1;
            self.report.rows += 1;
            let mapping = match self.mappings.get(&r.sheet) {
                Some(m) => Arc::clone(m),
                None => continue,
            };
            let name = self
                .sheet_names
                .get(&r.sheet)
                .filter(|n| !n.is_empty())
                .cloned();
            let at = RowAt {
                sheet: name.as_deref(),
                line: r.line,
                mapping: &mapping,
            };
            let number_col = Some(Kind::Incomes.col("household_number"));
            let outcome = r.parsed.and_then(|(c, note)| {
                let s = stored.get(&r.number).ok_or_else(|| {
                    at.issue(
                        number_col,
                        &r.cells,
                        crate::rows::no_such_household(
                            &self.ctx.scope,
                            "household_number",
                            &r.number,
                        ),
                    )
                })?;
                if !self.ctx.scope.allows(&s.household.village_code) {
                    return Err(at.issue(
                        number_col,
                        &r.cells,
                        crate::rows::household_out_of_scope("household_number", &r.number),
                    ));
                }
                let before = s.incomes.iter().find(|i| i.year == r.year).cloned();
                if before
                    .as_ref()
                    .is_some_and(|b| b.components == c && b.note == note)
                {
                    return Ok(None);
                }
                let persons = s
                    .members
                    .iter()
                    .filter(|m| m.present_on(fupin_core::years::year_end(r.year)))
                    .count() as i64;
                let after = IncomeRecord::new(s.household.id, r.year, c, persons, note, now);
                Ok(Some(BulkIncome {
                    village: s.household.village_code.clone(),
                    before,
                    after,
                }))
            });
            match outcome {
                Err(issue) => self.reject(r.sheet, &[r.line], vec![issue])?,
                Ok(None) => self.report.unchanged += 1,
                Ok(Some(item)) => {
                    if item.before.is_some() {
                        self.report.updated += 1;
                    } else {
                        self.report.created += 1;
                    }
                    if self.writing {
                        items.push(item);
                    }
                }
            }
        }
        if self.writing {
            self.session.put_incomes(items).await?;
        }
        Ok(())
    }

    async fn profiles(&mut self, rows: Vec<ProfileRow>) -> Result<(), ImportError> {
        let keys: Vec<_> = rows
            .iter()
            .filter_map(|r| r.parsed.as_ref().ok())
            .map(|p| (p.village_code.clone(), p.year))
            .collect();
        let stored: HashMap<(String, i32), fupin_core::regions::VillageProfile> = if keys.is_empty()
        {
            HashMap::new()
        } else {
            self.session
                .profiles(&keys)
                .await?
                .into_iter()
                .map(|p| ((p.village_code.as_str().to_string(), p.year), p))
                .collect()
        };
        let mut items = Vec::new();
        for r in rows {
            self.report.records += 1;
            self.report.rows += 1;
            match r.parsed {
                Err(issue) => self.reject(r.sheet, &[r.line], vec![issue])?,
                Ok(p) => {
                    let before = stored
                        .get(&(p.village_code.as_str().to_string(), p.year))
                        .cloned();
                    if before.as_ref() == Some(&p) {
                        self.report.unchanged += 1;
                        continue;
                    }
                    if before.is_some() {
                        self.report.updated += 1;
                    } else {
                        self.report.created += 1;
                    }
                    if self.writing {
                        items.push(BulkProfile { before, after: p });
                    }
                }
            }
        }
        if self.writing {
            self.session.put_profiles(items).await?;
        }
        Ok(())
    }

    fn regions(&mut self, rows: Vec<RegionRow>) -> Result<(), ImportError> {
        for r in rows {
            self.report.rows += 1;
            self.report.records += 1;
            match r.parsed {
                Ok(rec) => self.regions.push((r.sheet, r.line, rec)),
                Err(issue) => self.reject(r.sheet, &[r.line], vec![issue])?,
            }
        }
        Ok(())
    }
}

/// Import a file. Rows the rules reject are in the report (and the error file), never an `Err`;
/// `Err` means the file could not be imported at all (unreadable, wrong header, database down).
pub async fn import(
    store: &dyn Store,
    ctx: &Ctx,
    input: Box<dyn ReadSeek>,
    opts: &ImportOptions,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let today = opts.today.unwrap_or_else(fupin_core::years::today);
    let codes = store.code_book().await?;
    let mut session = store.bulk_session(ctx, !opts.dry_run).await?;
    let villages: HashSet<u64> = session
        .villages()
        .await?
        .iter()
        .filter_map(|c| village_key(c.as_str()))
        .collect();
    let villages = Arc::new(villages);
    let registry = session.registry_size().await?;
    let counters = Arc::new(Counters::default());
    // two batches ahead keep the writer busy; more only hold memory (tens of MB at province scale)
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(2);
    let setup = ReaderSetup {
        kind: opts.kind,
        format: opts.format,
        encoding: opts.encoding,
        codes: Arc::clone(&codes),
        villages: Arc::clone(&villages),
        scope: ctx.scope.clone(),
        today,
        batch: opts.batch.max(1),
        counters: Arc::clone(&counters),
    };
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("fupin-import-reader".into())
        .spawn(move || {
            let r = reader_thread(input, setup, tx);
            let _ = done_tx.send(r);
        })
        .map_err(ImportError::Io)?;

    let mut w = Writer {
        ctx,
        session,
        report: ImportReport {
            kind: opts.kind,
            format: opts.format,
            encoding: opts.encoding,
            dry_run: opts.dry_run,
            partial: opts.partial,
            ..Default::default()
        },
        log: ErrorLog::new(opts.error_file.as_deref().map(crate::private::scratch_dir))?,
        writing: !opts.dry_run,
        partial: opts.partial,
        planned: false,
        registry,
        mappings: HashMap::new(),
        sheet_names: HashMap::new(),
        codes,
        villages,
        today,
        regions: Vec::new(),
        links: crate::pairing::import::State::default(),
        statuses: HashMap::new(),
        assessment_params: None,
        ledger: Default::default(),
    };
    let report_progress = |w: &Writer, phase: Phase| {
        progress(&Progress {
            phase,
            rows: counters.rows.load(Ordering::Relaxed),
            bytes: counters.bytes.load(Ordering::Relaxed),
            total: counters.total.load(Ordering::Relaxed),
            issues: w.report.issues_total,
        })
    };
    let mut failure: Option<ImportError> = None;
    while let Some(msg) = rx.recv().await {
        let step = async {
            match msg {
                Msg::Skipped { sheet, line, text } => {
                    let name = w.sheet_names.get(&sheet).filter(|n| !n.is_empty()).cloned();
                    w.report.skipped_total += 1;
                    if w.report.skipped_rows.len() < KEPT_ISSUES {
                        w.report.skipped_rows.push(SheetRow {
                            sheet: name,
                            line,
                            text: Some(text),
                        });
                    }
                    Ok(())
                }
                Msg::Sheet {
                    index,
                    name,
                    mapping,
                    line,
                } => {
                    w.report.header_rows.push(SheetRow {
                        sheet: (!name.is_empty()).then(|| name.clone()),
                        line,
                        text: None,
                    });
                    w.report.kind = Some(mapping.kind);
                    for u in &mapping.unknown {
                        if !w.report.ignored_columns.contains(u) {
                            w.report.ignored_columns.push(u.clone());
                        }
                    }
                    w.mappings.insert(index, mapping);
                    w.sheet_names.insert(index, name);
                    Ok(())
                }
                Msg::Batch(recs) => {
                    w.plan(&counters, opts.format).await?;
                    let mut households = Vec::new();
                    let mut incomes = Vec::new();
                    let mut profiles = Vec::new();
                    let mut regions = Vec::new();
                    let mut cadres = Vec::new();
                    let mut pairings = Vec::new();
                    let mut visits = Vec::new();
                    let mut statuses = Vec::new();
                    let mut wishes = Vec::new();
                    let mut years = Vec::new();
                    let mut risks = Vec::new();
                    let mut cases = Vec::new();
                    let mut dept = Vec::new();
                    let mut compare = Vec::new();
                    let mut project_ledger = Vec::new();
                    let mut fund_ledger = Vec::new();
                    for r in recs {
                        match r {
                            Rec::Household(g) => households.push(*g),
                            Rec::Income(i) => incomes.push(i),
                            Rec::Profile(p) => profiles.push(p),
                            Rec::Region(r) => regions.push(r),
                            Rec::Cadre(c) => cadres.push(c),
                            Rec::Pairing(p) => pairings.push(p),
                            Rec::Visit(v) => visits.push(v),
                            Rec::Status(v) => statuses.push(v),
                            Rec::Wish(v) => wishes.push(v),
                            Rec::Year(v) => years.push(v),
                            Rec::Risk(v) => risks.push(v),
                            Rec::Case(v) => cases.push(v),
                            Rec::Dept(v) => dept.push(v),
                            Rec::Compare(v) => compare.push(v),
                            Rec::ProjectLedger(v) => project_ledger.push(v),
                            Rec::FundLedger(v) => fund_ledger.push(v),
                        }
                    }
                    if !households.is_empty() {
                        w.households(households).await?;
                    }
                    if !incomes.is_empty() {
                        w.incomes(incomes).await?;
                    }
                    if !profiles.is_empty() {
                        w.profiles(profiles).await?;
                    }
                    if !regions.is_empty() {
                        w.regions(regions)?;
                    }
                    if !cadres.is_empty() {
                        w.cadres(cadres).await?;
                    }
                    if !pairings.is_empty() {
                        w.pairings(pairings).await?;
                    }
                    if !visits.is_empty() {
                        w.visits(visits).await?;
                    }
                    if !statuses.is_empty() {
                        w.status_changes(statuses).await?;
                    }
                    if !wishes.is_empty() {
                        w.wishes(wishes).await?;
                    }
                    if !years.is_empty() {
                        w.household_years(years).await?;
                    }
                    if !risks.is_empty() {
                        w.risk_events(risks).await?;
                    }
                    if !cases.is_empty() {
                        w.cases(cases).await?;
                    }
                    if !dept.is_empty() {
                        w.dept_lists(dept).await?;
                    }
                    if !compare.is_empty() {
                        w.compare_rows(compare).await?;
                    }
                    if !project_ledger.is_empty() {
                        w.project_ledger(project_ledger).await?;
                    }
                    if !fund_ledger.is_empty() {
                        w.fund_ledger(fund_ledger).await?;
                    }
                    Ok::<(), ImportError>(())
                }
            }
        };
        if let Err(e) = step.await {
            failure = Some(e);
            break;
        }
        report_progress(&w, Phase::Importing);
    }
    drop(rx);
    let reader = done_rx
        .await
        .map_err(|_| ImportError::Io(std::io::Error::other("reader thread failed")))?;
    if let Some(e) = failure {
        let _ = w.session.finish(serde_json::Value::Null, false).await;
        return Err(e);
    }
    let (input, info) = match reader {
        Ok(x) => x,
        Err((_, e)) => {
            let _ = w.session.finish(serde_json::Value::Null, false).await;
            return Err(e);
        }
    };
    w.report.format = Some(info.format);
    w.report.encoding = info.encoding;
    report_progress(&w, Phase::Finishing);

    // regions are imported by the region store (all or nothing, parents checked there)
    let regions = std::mem::take(&mut w.regions);
    let is_regions = w.report.kind == Some(Kind::Regions);
    let commit = !opts.dry_run && (opts.partial || w.report.issues_total == 0);
    let summary = serde_json::json!({
        "kind": w.report.kind.map(Kind::as_str),
        "rows": w.report.rows,
        "records": w.report.records,
        "created": w.report.created,
        "updated": w.report.updated,
        "unchanged": w.report.unchanged,
        "rejected": w.report.rejected,
        "units_created": w.report.units_created,
        "partial": opts.partial,
    });
    let Writer {
        mut session,
        mut report,
        mut log,
        mappings,
        sheet_names,
        ..
    } = w;
    if is_regions {
        session.finish(serde_json::Value::Null, false).await?;
        if !regions.is_empty() && (commit || opts.dry_run) && report.issues_total == 0 {
            let records: Vec<_> = regions.iter().map(|(_, l, r)| (*l, r.clone())).collect();
            if opts.dry_run {
                report.created = records.len() as u64;
            } else {
                match store.import_regions(ctx, records).await {
                    Ok(s) => {
                        report.created = s.inserted;
                        report.updated = s.updated;
                        report.unchanged = s.unchanged;
                        report.committed = true;
                    }
                    Err(errors) => {
                        let sheet = regions.first().map_or(0, |r| r.0);
                        let mapping = mappings.get(&sheet).cloned();
                        let name = sheet_names.get(&sheet).filter(|n| !n.is_empty()).cloned();
                        let mut errors = errors;
                        errors.sort_by_key(|e| e.line);
                        for e in errors {
                            let issue = match &mapping {
                                Some(m) => {
                                    records::region_issue(m, name.as_deref(), e.line, e.error)
                                }
                                None => Issue::new(name.as_deref(), e.line, None, None, e.error),
                            };
                            report.rejected += 1;
                            report.rejected_rows += 1;
                            report.issues_total += 1;
                            if report.issues.len() < KEPT_ISSUES {
                                report.issues.push(issue.clone());
                            }
                            log.mark(sheet, issue.line, &issue.reason())?;
                        }
                    }
                }
            }
        }
    } else {
        // a list compared: the one set-based match, in the import's transaction
        if let (true, Some(list)) = (commit, report.kind.and_then(Kind::compare_list)) {
            let name = opts.list_name.as_deref().unwrap_or("部门名单");
            match session.compare_finish(list, name, today).await {
                Ok(out) => report.comparison = Some(out),
                Err(e) => {
                    let _ = session.finish(serde_json::Value::Null, false).await;
                    return Err(e.into());
                }
            }
        }
        session.finish(summary, commit).await?;
        report.committed = commit;
    }
    if !report.committed {
        // nothing was written: the counts say what would have been
    }

    if report.issues_total > 0 {
        if let Some(path) = &opts.error_file {
            report_progress_final(progress, &counters, Phase::ErrorFile, report.issues_total);
            let marks = log.into_reader()?;
            let path = path.clone();
            let format = info.format;
            let encoding = info.encoding;
            let sheets = info.sheets.clone();
            let kind = report.kind;
            let (etx, erx) = tokio::sync::oneshot::channel();
            std::thread::spawn(move || {
                let r = write_error_file(input, format, encoding, kind, &path, marks, &sheets);
                let _ = etx.send(r);
            });
            erx.await.map_err(|_| {
                ImportError::Io(std::io::Error::other("error file thread failed"))
            })??;
            report.error_file = opts.error_file.as_ref().map(|p| p.display().to_string());
        }
    }
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    report_progress_final(progress, &counters, Phase::Done, report.issues_total);
    Ok(report)
}

fn report_progress_final(
    progress: &(dyn Fn(&Progress) + Send + Sync),
    counters: &Counters,
    phase: Phase,
    issues: u64,
) {
    progress(&Progress {
        phase,
        rows: counters.rows.load(Ordering::Relaxed),
        bytes: counters.bytes.load(Ordering::Relaxed),
        total: counters.total.load(Ordering::Relaxed),
        issues,
    });
}

/// Read the input again and write the rows to correct, each with its reason.
fn write_error_file(
    mut input: Box<dyn ReadSeek>,
    format: FileFormat,
    encoding: Option<TextEncoding>,
    kind: Option<Kind>,
    path: &std::path::Path,
    mut marks: crate::report::MarkReader,
    _sheets: &[String],
) -> Result<(), ImportError> {
    let mut out = ErrorFileWriter::create(path, format, encoding)?;
    let counters = Arc::new(Counters::default());
    let mut io_err: Option<std::io::Error> = None;
    read_events(
        input.as_mut(),
        Some(format),
        encoding,
        &counters,
        &|row: &[String]| header_fit(kind, row),
        &mut |e| {
            let r = match e {
                Event::Sheet { name, header, .. } => out.sheet(name, header),
                Event::Row {
                    sheet, line, cells, ..
                } => match marks.reason_for(sheet, line) {
                    // the rejected rows only: the good ones are in the original file (and, with
                    // --partial, already written); repeating them would make a file of a
                    // province's rows to fix three dozen
                    Ok(Some(reason)) => out.row(cells, &reason),
                    Ok(None) => Ok(()),
                    Err(e) => Err(e),
                },
            };
            r.map_err(|e| {
                io_err = Some(e);
                SourceError::Stopped
            })
        },
    )
    .map_err(|e| match io_err.take() {
        Some(io) => ImportError::Io(io),
        None => ImportError::Source(e),
    })?;
    out.finish()?;
    Ok(())
}

/// Validate a households file without a store (for the fuzz target and its corpus test): every
/// check that needs only the file, with `villages` as the known villages.
pub fn check_without_store(
    bytes: &[u8],
    kind: Option<Kind>,
    villages: &[&str],
    today: Date,
) -> Result<Vec<Issue>, ImportError> {
    let codes = Arc::new(CodeBook::defaults());
    let villages: Arc<HashSet<u64>> =
        Arc::new(villages.iter().filter_map(|v| village_key(v)).collect());
    let counters = Arc::new(Counters::default());
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(1 << 20);
    let setup = ReaderSetup {
        kind,
        format: None,
        encoding: None,
        codes,
        villages,
        scope: Scope::All,
        today,
        batch: 64,
        counters,
    };
    let input: Box<dyn ReadSeek> = Box::new(std::io::Cursor::new(bytes.to_vec()));
    // the channel is large enough that the reader never waits for this (same) thread
    let handle = std::thread::spawn(move || {
        reader_thread(input, setup, tx)
            .map(|(_, i)| i)
            .map_err(|(_, e)| e)
    });
    let mut issues = Vec::new();
    let mut lines_seen: HashSet<(u16, u64)> = HashSet::new();
    while let Some(msg) = rx.blocking_recv() {
        if let Msg::Batch(recs) = msg {
            for r in recs {
                match r {
                    Rec::Household(g) => {
                        for l in &g.lines {
                            assert!(lines_seen.insert((g.sheet, *l)), "line {l} read twice");
                        }
                        assert!(
                            g.issues.is_empty() == g.new.is_some() || !g.issues.is_empty(),
                            "a group without issues must be importable"
                        );
                        if g.issues.is_empty() {
                            let n = g.new.as_ref().expect("valid group");
                            let heads = n.members.iter().filter(|m| m.is_head()).count();
                            assert_eq!(heads, 1, "a valid household has one head");
                            for m in &n.members {
                                assert!(id_key(m.id_number.expose()).is_some());
                            }
                        }
                        for i in &g.issues {
                            assert!(
                                g.lines.contains(&i.line) || i.line == g.lines[0],
                                "issue outside its household"
                            );
                        }
                        issues.extend(g.issues);
                    }
                    Rec::Income(r) => issues.extend(r.parsed.err()),
                    Rec::Profile(r) => issues.extend(r.parsed.err()),
                    Rec::Region(r) => issues.extend(r.parsed.err()),
                    Rec::Cadre(r) => issues.extend(r.parsed.err()),
                    Rec::Pairing(r) => issues.extend(r.parsed.err()),
                    Rec::Visit(r) => issues.extend(r.parsed.err()),
                    Rec::Status(r) => issues.extend(r.parsed.err()),
                    Rec::Wish(r) => issues.extend(r.parsed.err()),
                    Rec::Year(r) => issues.extend(r.parsed.err()),
                    Rec::Risk(r) => issues.extend(r.parsed.err()),
                    Rec::Case(r) => issues.extend(r.parsed.err()),
                    Rec::Dept(r) => issues.extend(r.parsed.err()),
                    Rec::Compare(r) => issues.extend(r.parsed.err()),
                    Rec::ProjectLedger(r) => issues.extend(r.parsed.err()),
                    Rec::FundLedger(r) => issues.extend(r.parsed.err()),
                }
            }
        }
    }
    match handle.join() {
        Ok(r) => {
            r?;
        }
        Err(panic) => std::panic::resume_unwind(panic),
    }
    Ok(issues)
}

/// The fuzz harness: any bytes as an import file, through every check that needs no store, once
/// with the kind detected and once read as a households file. Panics are the findings.
#[doc(hidden)]
pub fn fuzz_one(data: &[u8]) {
    let today = time::macros::date!(2026 - 11 - 29);
    let villages = ["360124106204", "360124106205"];
    // the first byte picks the kind (or detection from the header), the rest is the file
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let kinds: Vec<Option<Kind>> = std::iter::once(None)
        .chain(Kind::ALL.iter().copied().map(Some))
        .collect();
    let _ = check_without_store(file, kinds[pick as usize % kinds.len()], &villages, today);
}
