//! Exports to CSV and XLSX: households with members (the import layout, so an export imports back),
//! incomes, village profiles, regions, cadres, pairings, visits, and region statistics (a region and
//! its children, one row each). Read in keyset pages and written as they come, so memory does not grow with the region.
//!
//! Personal data comes masked unless the caller's `Ctx` unmasks; an unmasked export needs a reason
//! and is recorded in the audit log. Money is yuan with two decimals; coded values are written as
//! their Chinese labels (imports accept both).

use crate::columns::{Column, Kind, HOUSEHOLD_COLUMNS};
use crate::source::FileFormat;
use fupin_core::audit::AuditRecord;
use fupin_core::codes::{table, CodeBook};
use fupin_core::pairing::{UNIT_LEVEL_TABLE, VISIT_KIND_TABLE};
use fupin_core::registry::{Household, HouseholdStatus, Member};
use fupin_core::store::Store;
use fupin_core::{Ctx, DomainError, Fen, RegionCode};
use std::io::{BufWriter, Write};
use std::path::Path;

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExportKind {
    Households,
    Incomes,
    Profiles,
    Regions,
    /// Cadres managed in the region, with their units.
    Cadres,
    /// Pairings of the region's households (ended ones too).
    Pairings,
    /// Visits to the region's households (one year with `year`).
    Visits,
    /// Region statistics for a year: the region, then each child region.
    Stats,
}

impl ExportKind {
    pub const ALL: [ExportKind; 8] = [
        ExportKind::Households,
        ExportKind::Incomes,
        ExportKind::Profiles,
        ExportKind::Regions,
        ExportKind::Cadres,
        ExportKind::Pairings,
        ExportKind::Visits,
        ExportKind::Stats,
    ];

    /// The list of the same name, if the export is one.
    pub fn list(self) -> Option<Kind> {
        Some(match self {
            ExportKind::Households => Kind::Households,
            ExportKind::Incomes => Kind::Incomes,
            ExportKind::Profiles => Kind::Profiles,
            ExportKind::Regions => Kind::Regions,
            ExportKind::Cadres => Kind::Cadres,
            ExportKind::Pairings => Kind::Pairings,
            ExportKind::Visits => Kind::Visits,
            ExportKind::Stats => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        self.list().map_or("stats", Kind::as_str)
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        self.list().map_or("区域统计", Kind::label)
    }

    /// Whether the export reads `ExportOptions::year`: incomes, profiles and visits keep that year
    /// only, statistics are of that year. The other kinds write what is stored today whatever the
    /// year, so a year must not appear in their names.
    pub fn uses_year(self) -> bool {
        match self {
            ExportKind::Incomes | ExportKind::Profiles | ExportKind::Visits | ExportKind::Stats => {
                true
            }
            ExportKind::Households
            | ExportKind::Regions
            | ExportKind::Cadres
            | ExportKind::Pairings => false,
        }
    }

    /// English name.
    pub fn label_en(self) -> &'static str {
        self.list().map_or("Region statistics", Kind::label_en)
    }

    pub fn parse(s: &str) -> Option<ExportKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "stats" | "statistics" | "region_stats" => Some(ExportKind::Stats),
            other => Kind::parse(other).and_then(|k| match k {
                Kind::Households => Some(ExportKind::Households),
                Kind::Incomes => Some(ExportKind::Incomes),
                Kind::Profiles => Some(ExportKind::Profiles),
                Kind::Regions => Some(ExportKind::Regions),
                Kind::Cadres => Some(ExportKind::Cadres),
                Kind::Pairings => Some(ExportKind::Pairings),
                Kind::Visits => Some(ExportKind::Visits),
                // import-only lists (their records are read on the household pages)
                Kind::StatusChanges
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
                | Kind::CompareDeaths
                | Kind::CompareDibao
                | Kind::CompareDisability
                | Kind::CompareMedical
                | Kind::CompareVehicles
                | Kind::CompareEnterprises
                | Kind::CompareHousing
                | Kind::CompareStudents
                | Kind::CompareEmployment => None,
            }),
        }
    }
}

/// How to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub kind: ExportKind,
    pub region: RegionCode,
    /// Incomes, profiles and visits: only this year; statistics: the year (required); the other
    /// kinds do not read it ([`ExportKind::uses_year`]).
    pub year: Option<i32>,
    pub format: FileFormat,
    /// Why personal data is exported in full (required when `ctx.unmask`; audited).
    pub reason: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{}", .0.message)]
    Store(#[from] DomainError),
    #[error("写文件失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("写 XLSX 失败：{0}")]
    Xlsx(String),
}

impl From<rust_xlsxwriter::XlsxError> for ExportError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        ExportError::Xlsx(e.to_string())
    }
}

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Int(i64),
    /// Fen, written as yuan with two decimals.
    Yuan(i64),
    Decimal(f64),
}

impl Value {
    fn text(s: impl Into<String>) -> Value {
        let s = s.into();
        if s.is_empty() {
            Value::Empty
        } else {
            Value::Text(s)
        }
    }
    fn opt(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Empty, Value::text)
    }
    fn as_text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Yuan(f) => Fen::new(*f).yuan_string(),
            Value::Decimal(d) => crate::source::float_text(*d),
        }
    }
}

/// A sheet written row by row: CSV (UTF-8 with a byte order mark, which Excel needs to read
/// Chinese; text cells guarded against formulas, see `crate::formulas`) or XLSX (constant memory;
/// frozen header; column widths; yuan formatted `0.00`).
pub struct TableWriter {
    inner: Inner,
    rows: u64,
}

enum Inner {
    Csv(csv::Writer<BufWriter<std::fs::File>>),
    Xlsx {
        book: Box<rust_xlsxwriter::Workbook>,
        path: std::path::PathBuf,
        money: rust_xlsxwriter::Format,
        row: u32,
    },
}

impl TableWriter {
    /// Create the file with one sheet named `sheet` and the given headers and widths.
    pub fn create(
        path: &Path,
        format: FileFormat,
        sheet: &str,
        headers: &[(&str, f64)],
    ) -> Result<TableWriter, ExportError> {
        let inner = match format {
            FileFormat::Csv => {
                let mut f = BufWriter::new(crate::private::create(path)?);
                f.write_all(b"\xEF\xBB\xBF")?;
                let mut w = csv::Writer::from_writer(f);
                w.write_record(headers.iter().map(|(h, _)| *h))
                    .map_err(std::io::Error::from)?;
                Inner::Csv(w)
            }
            FileFormat::Xlsx => {
                let mut book = Box::new(rust_xlsxwriter::Workbook::new());
                book.set_tempdir(crate::private::scratch_dir(path))?;
                let bold = rust_xlsxwriter::Format::new()
                    .set_bold()
                    .set_background_color(rust_xlsxwriter::Color::RGB(0xDDEBF7));
                let ws = book.add_worksheet_with_constant_memory()?;
                ws.set_name(sheet)?;
                for (i, (h, w)) in headers.iter().enumerate() {
                    ws.set_column_width(i as u16, *w)?;
                    ws.write_string_with_format(0, i as u16, *h, &bold)?;
                }
                ws.set_freeze_panes(1, 0)?;
                Inner::Xlsx {
                    book,
                    path: path.to_path_buf(),
                    money: rust_xlsxwriter::Format::new().set_num_format("0.00"),
                    row: 1,
                }
            }
        };
        Ok(TableWriter { inner, rows: 0 })
    }

    pub fn row(&mut self, values: &[Value]) -> Result<(), ExportError> {
        self.rows += 1;
        match &mut self.inner {
            Inner::Csv(w) => {
                // text cells that a spreadsheet would run as a formula get a quote in front;
                // numbers (a negative amount too) are written as they are
                w.write_record(values.iter().map(|v| match v {
                    Value::Text(s) => crate::formulas::guard(s).into_owned(),
                    other => other.as_text(),
                }))
                .map_err(std::io::Error::from)?;
            }
            Inner::Xlsx {
                book, money, row, ..
            } => {
                let ws = book.worksheet_from_index(0)?;
                for (c, v) in values.iter().enumerate() {
                    let c = c as u16;
                    match v {
                        Value::Empty => {}
                        Value::Text(s) => {
                            ws.write_string(*row, c, s)?;
                        }
                        Value::Int(i) => {
                            ws.write_number(*row, c, *i as f64)?;
                        }
                        Value::Yuan(f) => {
                            ws.write_number_with_format(*row, c, *f as f64 / 100.0, money)?;
                        }
                        Value::Decimal(d) => {
                            ws.write_number(*row, c, *d)?;
                        }
                    }
                }
                *row += 1;
            }
        }
        Ok(())
    }

    /// Rows written.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn finish(self) -> Result<u64, ExportError> {
        match self.inner {
            Inner::Csv(mut w) => w.flush()?,
            Inner::Xlsx { mut book, path, .. } => {
                book.save_to_writer(crate::private::create(&path)?)?
            }
        }
        Ok(self.rows)
    }
}

fn bool_text(b: Option<bool>) -> Value {
    match b {
        Some(true) => Value::text("是"),
        Some(false) => Value::text("否"),
        None => Value::Empty,
    }
}

fn label(codes: &CodeBook, t: &str, code: Option<&str>) -> Value {
    code.map_or(Value::Empty, |c| Value::text(codes.label(t, c)))
}

/// One row of the households layout for a member.
pub(crate) fn household_row(codes: &CodeBook, h: &Household, m: &Member) -> Vec<Value> {
    let l = &h.living;
    let r = h.relocation.as_ref();
    HOUSEHOLD_COLUMNS
        .iter()
        .map(|c: &Column| match c.key {
            "household_number" => Value::text(&h.household_number),
            "village_code" => Value::text(h.village_code.as_str()),
            "group_name" => Value::opt(h.group_name.clone()),
            "address" => Value::opt(h.address.clone()),
            "head_name" => Value::opt(h.head_name.clone()),
            "attribute" => label(codes, table::HOUSEHOLD_ATTRIBUTE, Some(&h.attribute)),
            "identification_standard" => label(
                codes,
                table::IDENTIFICATION_STANDARD,
                Some(&h.identification_standard),
            ),
            "identification_year" => Value::Int(i64::from(h.identification_year)),
            "main_cause" => label(codes, table::POVERTY_CAUSE, Some(&h.main_cause)),
            "other_causes" => Value::text(
                h.other_causes
                    .iter()
                    .map(|c| codes.label(table::POVERTY_CAUSE, c))
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            "phone" => Value::opt(h.phone.clone()),
            "bank_name" => Value::opt(h.bank_name.clone()),
            "bank_account" => Value::opt(h.bank_account.clone()),
            "status" => Value::text(h.status.label()),
            "status_date" => Value::text(h.status_date.to_string()),
            "status_reason" => Value::Empty,
            "exit_year" => h
                .exit_year
                .filter(|_| h.status == HouseholdStatus::Exited)
                .map_or(Value::Empty, |y| Value::Int(i64::from(y))),
            "housing_grade" => label(
                codes,
                table::HOUSING_SAFETY_GRADE,
                l.housing_grade.as_deref(),
            ),
            "housing_area_m2" => l.housing_area_m2.map_or(Value::Empty, Value::Decimal),
            "housing_renovated_year" => l
                .housing_renovated_year
                .map_or(Value::Empty, |y| Value::Int(i64::from(y))),
            "safe_drinking_water" => bool_text(l.safe_drinking_water),
            "drinking_water_difficulty" => bool_text(l.drinking_water_difficulty),
            "electricity_living" => bool_text(l.electricity_living),
            "electricity_production" => bool_text(l.electricity_production),
            "radio_tv" => bool_text(l.radio_tv),
            "road_type" => label(codes, table::ROAD_TYPE, l.road_type.as_deref()),
            "road_distance_km" => l.road_distance_km.map_or(Value::Empty, Value::Decimal),
            "sanitary_toilet" => bool_text(l.sanitary_toilet),
            "fuel_type" => label(codes, table::FUEL_TYPE, l.fuel_type.as_deref()),
            "farmland_mu" => l.farmland_mu.map_or(Value::Empty, Value::Decimal),
            "irrigated_mu" => l.irrigated_mu.map_or(Value::Empty, Value::Decimal),
            "forest_mu" => l.forest_mu.map_or(Value::Empty, Value::Decimal),
            "orchard_mu" => l.orchard_mu.map_or(Value::Empty, Value::Decimal),
            "pasture_mu" => l.pasture_mu.map_or(Value::Empty, Value::Decimal),
            "water_surface_mu" => l.water_surface_mu.map_or(Value::Empty, Value::Decimal),
            "in_cooperative" => bool_text(l.in_cooperative),
            "relocated" => bool_text(r.map(|r| r.relocated)),
            "relocation_mode" => Value::opt(r.and_then(|r| r.mode.clone())),
            "relocation_resettlement" => Value::opt(r.and_then(|r| r.resettlement.clone())),
            "relocation_place" => Value::opt(r.and_then(|r| r.place.clone())),
            "relocation_move_in_date" => {
                Value::opt(r.and_then(|r| r.move_in_date).map(|d| d.to_string()))
            }
            "relocation_difficulties" => Value::opt(r.and_then(|r| r.difficulties.clone())),
            "name" => Value::text(&m.name),
            "id_number" => Value::text(&m.id_number),
            "sex" => Value::text(m.sex.label()),
            "birth_date" => Value::text(m.birth_date.to_string()),
            "relation" => label(codes, table::RELATION_TO_HEAD, Some(&m.relation)),
            "ethnicity" => label(codes, table::ETHNICITY, m.ethnicity.as_deref()),
            "education" => label(codes, table::EDUCATION, m.education.as_deref()),
            "schooling" => label(codes, table::SCHOOLING, m.schooling.as_deref()),
            "out_of_school_reason" => Value::opt(m.out_of_school_reason.clone()),
            "health" => label(codes, table::HEALTH, m.health.as_deref()),
            "labour_ability" => label(codes, table::LABOUR_ABILITY, m.labour_ability.as_deref()),
            "work_status" => label(codes, table::WORK_STATUS, m.work_status.as_deref()),
            "work_months" => m
                .work_months
                .map_or(Value::Empty, |v| Value::Int(i64::from(v))),
            "disability" => bool_text(m.disability),
            "basic_medical_insurance" => bool_text(m.basic_medical_insurance),
            "serious_illness_insurance" => bool_text(m.serious_illness_insurance),
            "pension_insurance" => bool_text(m.pension_insurance),
            "member_phone" => Value::opt(m.phone.clone()),
            "join_kind" => label(codes, table::MEMBER_CHANGE, m.join_kind.as_deref()),
            "join_date" => Value::opt(m.joined_on.map(|d| d.to_string())),
            _ => Value::Empty,
        })
        .collect()
}

/// One row of the visits layout.
fn visit_row(codes: &CodeBook, vi: &fupin_core::pairing::Visit) -> Vec<Value> {
    let f = &vi.findings;
    Kind::Visits
        .columns()
        .iter()
        .map(|col| match col.key {
            "household_number" => Value::text(&vi.household_number),
            "village_code" => Value::text(vi.village_code.as_str()),
            "date" => Value::text(vi.date.to_string()),
            "kind" => label(codes, VISIT_KIND_TABLE, Some(&vi.kind)),
            "cadres" => Value::text(
                vi.cadres
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            "findings_income" => Value::opt(f.income.clone()),
            "findings_education" => Value::opt(f.education.clone()),
            "findings_medical" => Value::opt(f.medical.clone()),
            "findings_housing" => Value::opt(f.housing.clone()),
            "findings_water" => Value::opt(f.water.clone()),
            "problems" => Value::opt(vi.problems.clone()),
            "actions" => Value::opt(vi.actions.clone()),
            "follow_up" => Value::opt(vi.follow_up.clone()),
            "condolence_money_fen" => Value::Yuan(vi.condolence_money_fen),
            "goods" => Value::text(
                vi.goods
                    .iter()
                    .map(|g| g.description.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            "goods_value_fen" => {
                if vi.goods.is_empty() {
                    Value::Empty
                } else {
                    Value::Yuan(vi.goods_value_fen)
                }
            }
            _ => Value::Empty,
        })
        .collect()
}

fn headers(kind: Kind) -> Vec<(&'static str, f64)> {
    kind.columns().iter().map(|c| (c.header, c.width)).collect()
}

/// Page size of export reads.
const PAGE: u32 = 1000;

/// Keyset paging of an export: the key to read after, until a page comes back short.
struct Pager<K> {
    size: u32,
    after: Option<K>,
    done: bool,
}

impl<K: Clone> Pager<K> {
    fn new(size: u32) -> Pager<K> {
        Pager {
            size,
            after: None,
            done: false,
        }
    }

    /// The key to read the next page after (`Some(None)`: from the start), or `None` when done.
    fn next(&self) -> Option<Option<K>> {
        (!self.done).then(|| self.after.clone())
    }

    /// Take note of a page read: its last key, and whether it was the last page.
    fn saw<T>(&mut self, page: &[T], key: impl Fn(&T) -> K) {
        match page.last() {
            Some(last) if page.len() >= self.size as usize => self.after = Some(key(last)),
            _ => self.done = true,
        }
    }
}

/// Export to `out`; returns the number of rows written. `progress` is called with rows so far.
pub async fn export(
    store: &dyn Store,
    ctx: &Ctx,
    opts: &ExportOptions,
    out: &Path,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<u64, ExportError> {
    if ctx.unmask {
        let reason = opts
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| {
                DomainError::invalid("reason", "reason_required", "导出完整个人信息须说明理由")
            })?;
        store
            .record_event(
                ctx,
                AuditRecord::event(
                    "export.unmask",
                    "export",
                    None,
                    serde_json::json!({
                        "kind": opts.kind,
                        "region": opts.region.as_str(),
                        "year": opts.year,
                        "reason": reason,
                    }),
                )
                .in_region(&opts.region),
            )
            .await?;
    }
    let codes = store.code_book().await?;
    let rows = match opts.kind {
        ExportKind::Households => {
            let mut w = TableWriter::create(
                out,
                opts.format,
                Kind::Households.label(),
                &headers(Kind::Households),
            )?;
            let mut pages = Pager::new(PAGE);
            while let Some(after) = pages.next() {
                let page = store
                    .export_households(ctx, &opts.region, after, PAGE)
                    .await?;
                pages.saw(&page, |last| {
                    (last.household.village_code.clone(), last.household.id)
                });
                for e in &page {
                    for m in e.members.iter().filter(|m| m.active) {
                        w.row(&household_row(&codes, &e.household, m))?;
                    }
                }
                progress(w.rows());
            }
            w.finish()?
        }
        ExportKind::Incomes => {
            let mut w = TableWriter::create(
                out,
                opts.format,
                Kind::Incomes.label(),
                &headers(Kind::Incomes),
            )?;
            let mut pages = Pager::new(PAGE);
            while let Some(after) = pages.next() {
                let page = store
                    .export_households(ctx, &opts.region, after, PAGE)
                    .await?;
                pages.saw(&page, |last| {
                    (last.household.village_code.clone(), last.household.id)
                });
                for e in &page {
                    for i in e
                        .incomes
                        .iter()
                        .filter(|i| opts.year.is_none_or(|y| y == i.year))
                    {
                        let c = &i.components;
                        let v: Vec<Value> = Kind::Incomes
                            .columns()
                            .iter()
                            .map(|col| match col.key {
                                "household_number" => Value::text(&e.household.household_number),
                                "village_code" => Value::text(e.household.village_code.as_str()),
                                "head_name" => Value::opt(e.household.head_name.clone()),
                                "year" => Value::Int(i64::from(i.year)),
                                "wage_fen" => Value::Yuan(c.wage_fen.get()),
                                "business_fen" => Value::Yuan(c.business_fen.get()),
                                "property_fen" => Value::Yuan(c.property_fen.get()),
                                "dividend_fen" => c
                                    .dividend_fen
                                    .map_or(Value::Empty, |d| Value::Yuan(d.get())),
                                "transfer_fen" => Value::Yuan(c.transfer_fen.get()),
                                "business_cost_fen" => Value::Yuan(c.business_cost_fen.get()),
                                "note" => Value::opt(i.note.clone()),
                                "gross_income_fen" => Value::Yuan(i.gross_income_fen.get()),
                                "net_income_fen" => Value::Yuan(i.net_income_fen.get()),
                                "persons" => Value::Int(i.persons),
                                "per_capita_net_income_fen" => i
                                    .per_capita_net_income_fen
                                    .map_or(Value::Empty, |f| Value::Yuan(f.get())),
                                _ => Value::Empty,
                            })
                            .collect();
                        w.row(&v)?;
                    }
                }
                progress(w.rows());
            }
            w.finish()?
        }
        ExportKind::Profiles => {
            let mut names = std::collections::HashMap::new();
            let mut pages = Pager::new(5000);
            while let Some(after) = pages.next() {
                let page = store.export_regions(ctx, &opts.region, after, 5000).await?;
                pages.saw(&page, |last| last.code.clone());
                for r in page.iter().filter(|r| r.code.is_village()) {
                    names.insert(r.code.as_str().to_string(), r.name.clone());
                }
            }
            let mut w = TableWriter::create(
                out,
                opts.format,
                Kind::Profiles.label(),
                &headers(Kind::Profiles),
            )?;
            let mut pages = Pager::new(PAGE);
            while let Some(after) = pages.next() {
                let page = store
                    .export_profiles(ctx, &opts.region, opts.year, after, PAGE)
                    .await?;
                pages.saw(&page, |last| (last.village_code.clone(), last.year));
                for p in &page {
                    w.row(&[
                        Value::text(p.village_code.as_str()),
                        Value::opt(names.get(p.village_code.as_str()).cloned()),
                        Value::Int(i64::from(p.year)),
                        p.collective_income_fen
                            .map_or(Value::Empty, |f| Value::Yuan(f.get())),
                        p.rural_population.map_or(Value::Empty, Value::Int),
                        Value::opt(p.note.clone()),
                    ])?;
                }
                progress(w.rows());
            }
            w.finish()?
        }
        ExportKind::Regions => {
            let mut w = TableWriter::create(
                out,
                opts.format,
                Kind::Regions.label(),
                &headers(Kind::Regions),
            )?;
            let mut pages = Pager::new(5000);
            while let Some(after) = pages.next() {
                let page = store.export_regions(ctx, &opts.region, after, 5000).await?;
                pages.saw(&page, |last| last.code.clone());
                for r in &page {
                    // levels by their Chinese names (省级 … 村级), as the statistics export writes
                    // them; the regions import reads them as it reads `village`
                    w.row(&[
                        Value::text(r.code.as_str()),
                        Value::text(r.level.label()),
                        Value::text(&r.name),
                        Value::opt(r.parent_code.as_ref().map(|p| p.as_str().to_string())),
                    ])?;
                    // the levels it stands for, as the national lists write them (东莞市 again at
                    // county level, with itself as parent), so that the file imports back the same
                    for l in r.levels().skip(1) {
                        w.row(&[
                            Value::text(r.code.as_str()),
                            Value::text(l.label()),
                            Value::text(&r.name),
                            Value::text(r.code.as_str()),
                        ])?;
                    }
                }
                progress(w.rows());
            }
            w.finish()?
        }
        ExportKind::Cadres => {
            let levels: std::collections::HashMap<_, _> = store
                .list_units(ctx, &fupin_core::paging::Keyset::all())
                .await?
                .items
                .into_iter()
                .map(|u| (u.id, u.level))
                .collect();
            let mut w = TableWriter::create(
                out,
                opts.format,
                Kind::Cadres.label(),
                &headers(Kind::Cadres),
            )?;
            let mut pages = Pager::new(PAGE);
            while let Some(after) = pages.next() {
                let page = store.export_cadres(ctx, &opts.region, after, PAGE).await?;
                pages.saw(&page, |last| last.id);
                for c in &page {
                    let v: Vec<Value> = Kind::Cadres
                        .columns()
                        .iter()
                        .map(|col| match col.key {
                            "unit_name" => Value::text(&c.unit_name),
                            "unit_level" => label(
                                codes.as_ref(),
                                UNIT_LEVEL_TABLE,
                                levels.get(&c.unit_id).map(String::as_str),
                            ),
                            "name" => Value::text(&c.name),
                            "rank" => Value::opt(c.rank.clone()),
                            "phone" => Value::opt(c.phone.clone()),
                            "region_code" => {
                                Value::opt(c.region_code.as_ref().map(|r| r.as_str().to_string()))
                            }
                            _ => Value::Empty,
                        })
                        .collect();
                    w.row(&v)?;
                }
                progress(w.rows());
            }
            w.finish()?
        }
        ExportKind::Pairings => {
            // a cadre's phone tells namesakes of one unit apart on import: read per unit, once
            let units: std::collections::HashMap<String, fupin_core::pairing::UnitId> = store
                .list_units(ctx, &fupin_core::paging::Keyset::all())
                .await?
                .items
                .into_iter()
                .map(|u| (u.name, u.id))
                .collect();
            let mut phones: std::collections::HashMap<
                fupin_core::pairing::UnitId,
                std::collections::HashMap<fupin_core::pairing::CadreId, String>,
            > = std::collections::HashMap::new();
            let mut w = TableWriter::create(
                out,
                opts.format,
                Kind::Pairings.label(),
                &headers(Kind::Pairings),
            )?;
            let mut pages = Pager::new(PAGE);
            while let Some(after) = pages.next() {
                let page = store
                    .export_pairings(ctx, &opts.region, after, PAGE)
                    .await?;
                pages.saw(&page, |last| (last.village_code.clone(), last.id));
                for p in &page {
                    let phone = match units.get(&p.unit_name) {
                        Some(u) => {
                            if !phones.contains_key(u) {
                                let of_unit = store
                                    .list_cadres(ctx, Some(*u), &fupin_core::paging::Keyset::all())
                                    .await?
                                    .items
                                    .into_iter()
                                    .filter_map(|c| c.phone.map(|ph| (c.id, ph)))
                                    .collect();
                                phones.insert(*u, of_unit);
                            }
                            phones.get(u).and_then(|m| m.get(&p.cadre_id)).cloned()
                        }
                        None => None,
                    };
                    let v: Vec<Value> = Kind::Pairings
                        .columns()
                        .iter()
                        .map(|col| match col.key {
                            "household_number" => Value::text(&p.household_number),
                            "village_code" => Value::text(p.village_code.as_str()),
                            "unit_name" => Value::text(&p.unit_name),
                            "cadre_name" => Value::text(&p.cadre_name),
                            "cadre_phone" => Value::opt(phone.clone()),
                            "start_date" => Value::text(p.start_date.to_string()),
                            "end_date" => Value::opt(p.end_date.map(|d| d.to_string())),
                            "end_reason" => Value::opt(p.end_reason.clone()),
                            _ => Value::Empty,
                        })
                        .collect();
                    w.row(&v)?;
                }
                progress(w.rows());
            }
            w.finish()?
        }
        ExportKind::Visits => {
            let mut w = TableWriter::create(
                out,
                opts.format,
                Kind::Visits.label(),
                &headers(Kind::Visits),
            )?;
            let mut pages = Pager::new(PAGE);
            while let Some(after) = pages.next() {
                let page = store.export_visits(ctx, &opts.region, after, PAGE).await?;
                pages.saw(&page, |last| (last.village_code.clone(), last.id));
                for vi in page
                    .iter()
                    .filter(|vi| opts.year.is_none_or(|y| vi.date.year() == y))
                {
                    w.row(&visit_row(&codes, vi))?;
                }
                progress(w.rows());
            }
            w.finish()?
        }
        ExportKind::Stats => {
            let year = opts
                .year
                .unwrap_or_else(|| fupin_core::years::today().year());
            let statuses: Vec<HouseholdStatus> = HouseholdStatus::ALL
                .into_iter()
                .filter(|s| *s != HouseholdStatus::Removed)
                .collect();
            let mut hs: Vec<(String, f64)> = vec![
                ("区划代码".into(), 15.0),
                ("区划名称".into(), 16.0),
                ("级别".into(), 8.0),
                ("年度".into(), 8.0),
                ("户数".into(), 10.0),
                ("人数".into(), 10.0),
            ];
            for s in &statuses {
                hs.push((format!("{}户数", s.label()), 12.0));
                hs.push((format!("{}人数", s.label()), 12.0));
            }
            for h in [
                "有收入记录户数",
                "有收入记录人数",
                "家庭纯收入合计(元)",
                "人均纯收入(元)",
                "村集体经济收入(元)",
                "农村人口",
            ] {
                hs.push((h.into(), 16.0));
            }
            let hdrs: Vec<(&str, f64)> = hs.iter().map(|(h, w)| (h.as_str(), *w)).collect();
            let mut w = TableWriter::create(out, opts.format, "区划统计", &hdrs)?;
            let mut regions = vec![opts.region.clone()];
            regions.extend(
                store
                    .region_children(ctx, Some(&opts.region))
                    .await?
                    .into_iter()
                    .map(|r| r.code),
            );
            for code in regions {
                let s = store.region_stats(ctx, &code, year).await?;
                let mut v = vec![
                    Value::text(s.region.code.as_str()),
                    Value::text(&s.region.name),
                    Value::text(s.region.level.label()),
                    Value::Int(i64::from(year)),
                    Value::Int(s.households),
                    Value::Int(s.persons),
                ];
                for st in &statuses {
                    let c = s.by_status.iter().find(|c| c.code == st.as_str());
                    v.push(Value::Int(c.map_or(0, |c| c.households)));
                    v.push(Value::Int(c.map_or(0, |c| c.persons)));
                }
                v.push(Value::Int(s.income_households));
                v.push(Value::Int(s.income_persons));
                v.push(Value::Yuan(s.net_income_fen));
                v.push(
                    s.per_capita_net_income_fen
                        .map_or(Value::Empty, Value::Yuan),
                );
                v.push(s.collective_income_fen.map_or(Value::Empty, Value::Yuan));
                v.push(s.rural_population.map_or(Value::Empty, Value::Int));
                w.row(&v)?;
            }
            w.finish()?
        }
    };
    progress(rows);
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::Pager;

    /// Pages of 2 over 5 rows: read from the start, after 2, after 4; the short page ends it. A
    /// full last page is followed by one empty read.
    #[test]
    fn pager_reads_after_each_full_page_until_a_short_one() {
        let rows = [1, 2, 3, 4, 5];
        let mut pages = Pager::new(2);
        let mut asked = Vec::new();
        while let Some(after) = pages.next() {
            asked.push(after);
            let page: Vec<i32> = rows
                .iter()
                .copied()
                .filter(|r| after.is_none_or(|a| *r > a))
                .take(2)
                .collect();
            pages.saw(&page, |last| *last);
        }
        assert_eq!(asked, vec![None, Some(2), Some(4)]);

        let mut pages = Pager::new(2);
        let mut reads = 0;
        while let Some(after) = pages.next() {
            reads += 1;
            let page: Vec<i32> = [1, 2]
                .into_iter()
                .filter(|r| after.is_none_or(|a| *r > a))
                .collect();
            pages.saw(&page, |last| *last);
        }
        assert_eq!(reads, 2);
    }
}
