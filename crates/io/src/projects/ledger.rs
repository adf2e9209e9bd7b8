//! Offices' ledgers of projects and funds as rows: the project library ledger (项目库台账, one row
//! per project) and the funds ledger (资金台账: rows of sources, allocations, receipts and
//! disbursements). Each row is read into core's inputs with the checks that need only the file:
//! required cells, dates typed the ways offices type them (an Excel date number too), amounts in
//! 元 or 万元 exactly to the fen, codes or labels, villages known and within the importer's
//! regions, the same record twice in the file. What needs the store (projects and sources by
//! their natural keys, stages and sums) is decided on the writer side (`ledger_import`).

use crate::cells;
use crate::columns::Kind;
use crate::records::{blank_required, issue_at};
use crate::report::Issue;
use crate::rows::{get, named, required_text, village_key, RowAt};
use fupin_core::money::Fen;
use fupin_core::projects::{
    AllocationInput, BenefitMode, CheckedPayment, DisbursementInput, FundSourceData,
    FundSourceInput, ProjectData, ProjectId, ProjectInput, ReceiptInput, SourceId, Stage, Target,
};
use fupin_core::{DomainError, RegionCode, Scope};
use std::collections::{HashMap, HashSet};
use time::Date;

/// A date cell: what [`cells::date`] reads, and the day number a workbook keeps when the cell is
/// formatted as a number (`43525` is 2019-03-01).
fn day(k: Kind, cells_: &[Option<String>], key: &str) -> Result<Option<Date>, DomainError> {
    let t = get(k, cells_, key).trim();
    if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = t.parse().unwrap_or(0);
        // 1954 … 2119; the workbook's day 1 is 1900-01-01 and it counts 1900-02-29, which never was
        if (20_000..80_000).contains(&n) {
            let base = time::macros::date!(1899 - 12 - 30);
            return Ok(Some(base + time::Duration::days(n)));
        }
    }
    named(k, key, |h| cells::date(h, t))
}

fn required_day(k: Kind, cells_: &[Option<String>], key: &str) -> Result<Date, DomainError> {
    day(k, cells_, key)?.ok_or_else(|| blank_required(k, k.col(key)))
}

/// An amount cell in the unit its column (or sheet) gives, exactly in fen.
fn amount(at: &RowAt, cells_: &[Option<String>], key: &str) -> Result<i64, DomainError> {
    let k = at.mapping.kind;
    let i = k.col(key);
    let t = get(k, cells_, key)
        .trim()
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .trim_end_matches('万')
        .trim();
    if t.is_empty() {
        return Err(blank_required(k, i));
    }
    let header = at.mapping.header_of(i).to_string();
    Ok(Fen::parse_in(&header, t, at.mapping.unit_of(i))
        .map_err(|e| e.with_field(key))?
        .get())
}

fn village(
    k: Kind,
    cells_: &[Option<String>],
    key: &str,
    villages: &HashSet<u64>,
    scope: &Scope,
) -> Result<RegionCode, DomainError> {
    let code = RegionCode::parse_field(key, &required_text(k, cells_, key)?)?;
    if !code.is_village() {
        return Err(DomainError::invalid(
            key,
            "not_a_village",
            format!("{} 不是村级区划代码", code.as_str()),
        ));
    }
    if !scope.allows(&code) {
        return Err(DomainError::invalid(
            key,
            "out_of_scope",
            format!("村 {} 不在您的管辖范围内", code.as_str()),
        ));
    }
    if !villages.contains(&village_key(code.as_str()).unwrap_or_default()) {
        return Err(DomainError::invalid(
            key,
            "unknown_village",
            format!(
                "村代码 {} 不是系统中的村级区划，请先导入区划",
                code.as_str()
            ),
        ));
    }
    Ok(code)
}

/// A category as offices write it: the label or code, also with 类 or 项目 after it, and the
/// usual longer names (产业发展 → 产业, 村集体经济 → 集体经济).
fn category(s: &str) -> String {
    let t = s.trim();
    let t = t.strip_suffix('类').unwrap_or(t);
    let t = t.strip_suffix("项目").unwrap_or(t);
    match t {
        "基础设施建设" | "基础设施" => "基础设施",
        "产业发展" | "产业扶贫" | "产业" => "产业",
        "村集体经济" | "壮大村集体经济" | "集体经济" => "集体经济",
        "就业扶贫" | "就业创业" | "就业" => "就业",
        "教育扶贫" | "教育" => "教育",
        "健康扶贫" | "健康" => "健康",
        "住房保障" | "危房改造" | "住房" => "住房",
        other => other,
    }
    .to_string()
}

/// Targets as a ledger writes them: items separated by ； ; or line breaks, each "指标：目标值"
/// (one without a colon is the indicator 绩效目标 with the item as its value).
fn targets(s: &str) -> Vec<Target> {
    s.split(['；', ';', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t.split_once(['：', ':']) {
            Some((i, v)) if !i.trim().is_empty() && !v.trim().is_empty() => Target {
                indicator: i.trim().to_string(),
                value: v.trim().to_string(),
            },
            _ => Target {
                indicator: "绩效目标".to_string(),
                value: t.to_string(),
            },
        })
        .collect()
}

/// The column of the ledger a core error names.
fn project_column(field: Option<&str>) -> Option<&'static str> {
    let f = field?;
    Some(match f {
        "budget_fen" => "budget",
        f if f.starts_with("targets") => "targets",
        f if f.starts_with("beneficiaries") => "beneficiaries",
        "village_code" => "village_code",
        "name" => "name",
        "category" => "category",
        "sub_category" => "sub_category",
        "year" => "year",
        "planned_start" => "planned_start",
        "planned_end" => "planned_end",
        "responsible_unit" => "responsible_unit",
        "responsible_person" => "responsible_person",
        "content" => "content",
        "participation" => "participation",
        "accepted_on" | "stage" => "stage",
        _ => return None,
    })
}

/// A core error on a ledger's row, named by the row's column.
pub(crate) fn on_column(
    e: DomainError,
    column: fn(Option<&str>) -> Option<&'static str>,
) -> DomainError {
    match column(e.field.as_deref()) {
        Some(c) => e.with_field(c),
        None => e,
    }
}

/// A project of the ledger as read: checked by core's rules, its beneficiaries still household
/// numbers.
#[derive(Debug, Clone)]
pub(crate) struct LedgerProject {
    pub data: ProjectData,
    pub numbers: Vec<String>,
    pub mode: Option<BenefitMode>,
    pub stage: Stage,
    pub proposed_on: Date,
}

#[derive(Debug)]
pub(crate) struct ProjectLedgerRow {
    pub sheet: u16,
    pub line: u64,
    pub cells: Vec<Option<String>>,
    pub parsed: Result<LedgerProject, Issue>,
}

/// Read a project row. `seen` finds the same project (village, year, name) twice in the file.
pub(crate) fn project_row(
    at: &RowAt,
    sheet: u16,
    cells_: Vec<Option<String>>,
    villages: &HashSet<u64>,
    scope: &Scope,
    seen: &mut HashMap<(String, i32, String), u64>,
) -> ProjectLedgerRow {
    let k = Kind::ProjectLedger;
    let parsed = (|| {
        let village_code = village(k, &cells_, "village_code", villages, scope)?;
        let planned_start = required_day(k, &cells_, "planned_start")?;
        let planned_end = required_day(k, &cells_, "planned_end")?;
        let year = named(k, "year", |h| cells::year(h, get(k, &cells_, "year")))?
            .unwrap_or(planned_start.year());
        let text = |key: &str| required_text(k, &cells_, key);
        let input = ProjectInput {
            village_code: village_code.as_str().to_string(),
            name: text("name")?,
            category: category(&text("category")?),
            sub_category: cells::text(get(k, &cells_, "sub_category")),
            year,
            planned_start,
            planned_end,
            responsible_unit: text("responsible_unit")?,
            responsible_person: text("responsible_person")?,
            content: text("content")?,
            budget_fen: amount(at, &cells_, "budget")?,
            targets: targets(&text("targets")?),
            beneficiaries: Vec::new(),
            participation: cells::text(get(k, &cells_, "participation")),
            proposed_on: None,
        };
        let data = input.validate().map_err(|e| on_column(e, project_column))?;
        let numbers = cells::list(get(k, &cells_, "beneficiaries"));
        let mode = match cells::text(get(k, &cells_, "benefit_mode")) {
            None if numbers.is_empty() => None,
            None => return Err(blank_required(k, k.col("benefit_mode"))),
            Some(m) => Some(BenefitMode::parse(&m).ok_or_else(|| {
                DomainError::invalid(
                    "benefit_mode",
                    "unknown_benefit_mode",
                    format!(
                        "带贫方式 的取值“{}”不是带贫方式（分红、务工、土地流转、带动生产、公共服务）",
                        cells::shown(&m)
                    ),
                )
            })?),
        };
        let stage = match cells::text(get(k, &cells_, "stage")) {
            None => Stage::Library,
            Some(t) => {
                let t = match t.as_str() {
                    "入库" | "已入库" | "在库" => "已入库",
                    "年度计划" | "已纳入年度计划" => "纳入年度计划",
                    "申报" | "村申报" => "村级申报",
                    other => other,
                }
                .to_string();
                Stage::parse(&t).ok_or_else(|| {
                    DomainError::invalid(
                        "stage",
                        "unknown_stage",
                        format!("项目状态 的取值“{}”不是项目环节", cells::shown(&t)),
                    )
                })?
            }
        };
        let proposed_on = day(k, &cells_, "proposed_on")?.unwrap_or_else(|| {
            Date::from_ordinal_date(year, 1).unwrap_or(planned_start)
        });
        let key = (
            village_code.as_str().to_string(),
            year,
            data.name.clone(),
        );
        if let Some(first) = seen.get(&key) {
            return Err(DomainError::invalid(
                "name",
                "duplicate_ledger_row",
                format!(
                    "与第 {first} 行重复（村 {} 的 {year} 年项目“{}”）",
                    village_code.as_str(),
                    cells::shown(&data.name)
                ),
            ));
        }
        seen.insert(key, at.line);
        Ok(LedgerProject {
            data,
            numbers,
            mode,
            stage,
            proposed_on,
        })
    })()
    .map_err(|e| issue_at(at, k, &cells_, e));
    ProjectLedgerRow {
        sheet,
        line: at.line,
        cells: cells_,
        parsed,
    }
}

/// What a funds ledger's row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Entry {
    /// 来源: a fund source of a region.
    Source,
    /// 下达: a source's money allocated to a project.
    Allocation,
    /// 到账: money of an allocation received.
    Receipt,
    /// 支付: paid out of an allocation.
    Disbursement,
}

impl Entry {
    fn parse(s: &str) -> Option<Entry> {
        Some(match s.trim() {
            "来源" | "资金来源" | "指标" | "收入" | "source" => Entry::Source,
            "下达" | "资金下达" | "分配" | "安排" | "allocation" => Entry::Allocation,
            "到账" | "资金到账" | "拨入" | "receipt" => Entry::Receipt,
            "支付" | "拨付" | "资金支付" | "支出" | "使用" | "disbursement" => {
                Entry::Disbursement
            }
            _ => return None,
        })
    }
}

/// A project as a funds ledger names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ProjectRef {
    pub village: RegionCode,
    pub name: String,
    pub year: Option<i32>,
}

/// A funds ledger's row as read.
#[derive(Debug, Clone)]
pub(crate) enum FundRecord {
    Source(FundSourceData),
    Money {
        entry: Entry,
        document: String,
        /// The source's region when the row gives it.
        region: Option<RegionCode>,
        project: ProjectRef,
        payment: CheckedPayment,
    },
}

#[derive(Debug)]
pub(crate) struct FundLedgerRow {
    pub sheet: u16,
    pub line: u64,
    pub cells: Vec<Option<String>>,
    pub parsed: Result<FundRecord, Issue>,
}

/// The column of the funds ledger a core error names.
fn fund_column(field: Option<&str>) -> Option<&'static str> {
    Some(match field? {
        "amount_fen" => "amount",
        "region_code" => "region_code",
        "year" => "year",
        "kind" => "source_kind",
        "name" => "source_name",
        "document" => "document",
        "date" => "date",
        "payee" => "payee",
        "voucher" => "voucher",
        "attachment" => "attachment",
        "note" => "note",
        "project_id" => "project_name",
        "source_id" => "document",
        _ => return None,
    })
}

/// Read a funds ledger's row. `seen` finds the same source (region, 文号) or disbursement
/// (文号, project, voucher) twice in the file.
pub(crate) fn fund_row(
    at: &RowAt,
    sheet: u16,
    cells_: Vec<Option<String>>,
    villages: &HashSet<u64>,
    scope: &Scope,
    seen: &mut HashMap<String, u64>,
) -> FundLedgerRow {
    let k = Kind::FundLedger;
    let parsed = (|| {
        let entry_text = required_text(k, &cells_, "entry")?;
        let entry = Entry::parse(&entry_text).ok_or_else(|| {
            DomainError::invalid(
                "entry",
                "unknown_ledger_entry",
                format!(
                    "业务类型 的取值“{}”应为 来源、下达、到账 或 支付",
                    cells::shown(&entry_text)
                ),
            )
        })?;
        let document = required_text(k, &cells_, "document")?;
        let amount_fen = amount(at, &cells_, "amount")?;
        let date = required_day(k, &cells_, "date")?;
        let text = |key: &str| cells::text(get(k, &cells_, key));
        let region = match text("region_code") {
            None => None,
            Some(t) => Some(RegionCode::parse_field("region_code", &t)?),
        };
        let repeated = |what: String, seen: &mut HashMap<String, u64>| match seen.get(&what) {
            Some(first) => Err(DomainError::invalid(
                "document",
                "duplicate_ledger_row",
                format!("与第 {first} 行重复（{what}）"),
            )),
            None => {
                seen.insert(what, at.line);
                Ok(())
            }
        };
        if entry == Entry::Source {
            let region = region.ok_or_else(|| blank_required(k, k.col("region_code")))?;
            let kind = text("source_kind").ok_or_else(|| blank_required(k, k.col("source_kind")))?;
            let year = named(k, "year", |h| cells::year(h, get(k, &cells_, "year")))?
                .unwrap_or(date.year());
            let d = FundSourceInput {
                region_code: region.as_str().to_string(),
                year,
                kind: kind.clone(),
                name: text("source_name").unwrap_or_else(|| document.clone()),
                document: Some(document.clone()),
                amount_fen,
                date,
            }
            .validate()
            .map_err(|e| {
                if e.code == "unknown_source_kind" {
                    DomainError::invalid(
                        "source_kind",
                        "unknown_source_kind",
                        format!("资金来源 的取值“{}”不是资金来源类型（中央财政资金、省级财政资金、市级财政资金、县级财政资金、统筹整合涉农资金、帮扶单位资金、社会捐赠、贷款、企业投资）", cells::shown(&kind)),
                    )
                } else {
                    on_column(e, fund_column)
                }
            })?;
            if !scope.allows(&d.region_code) {
                return Err(DomainError::invalid(
                    "region_code",
                    "out_of_scope",
                    format!("区划 {} 不在您的管辖范围内", d.region_code.as_str()),
                ));
            }
            repeated(
                format!("区划 {} 的资金来源“{}”", d.region_code.as_str(), document),
                seen,
            )?;
            return Ok(FundRecord::Source(d));
        }
        let village = village(k, &cells_, "village_code", villages, scope)?;
        let project = ProjectRef {
            village,
            name: required_text(k, &cells_, "project_name")?,
            year: named(k, "project_year", |h| {
                cells::year(h, get(k, &cells_, "project_year"))
            })?,
        };
        let payment = match entry {
            Entry::Allocation => AllocationInput {
                source_id: SourceId(0),
                project_id: ProjectId(0),
                amount_fen,
                date,
                document: text("allocation_document"),
            }
            .validate(),
            Entry::Receipt => ReceiptInput {
                amount_fen,
                date,
                note: text("note"),
            }
            .validate(),
            _ => DisbursementInput {
                payee: text("payee").ok_or_else(|| blank_required(k, k.col("payee")))?,
                household_id: None,
                amount_fen,
                date,
                voucher: text("voucher").ok_or_else(|| blank_required(k, k.col("voucher")))?,
                attachment: text("attachment"),
            }
            .validate(),
        }
        .map_err(|e| on_column(e, fund_column))?;
        let what = format!(
            "文号“{}”向村 {} 项目“{}”",
            document,
            project.village.as_str(),
            project.name
        );
        match entry {
            Entry::Allocation => repeated(format!("{what}的下达"), seen)?,
            Entry::Disbursement => repeated(
                format!(
                    "{what}的支付凭证号 {}",
                    payment.voucher.as_deref().unwrap_or_default()
                ),
                seen,
            )?,
            _ => {}
        }
        Ok(FundRecord::Money {
            entry,
            document,
            region,
            project,
            payment,
        })
    })()
    .map_err(|e| issue_at(at, k, &cells_, e));
    FundLedgerRow {
        sheet,
        line: at.line,
        cells: cells_,
        parsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_categories_as_offices_write_them() {
        let t = targets("受益贫困户：14户；硬化道路:3公里\n带动务工");
        assert_eq!(t.len(), 3);
        assert_eq!(
            (t[0].indicator.as_str(), t[0].value.as_str()),
            ("受益贫困户", "14户")
        );
        assert_eq!(t[1].value, "3公里");
        assert_eq!(
            (t[2].indicator.as_str(), t[2].value.as_str()),
            ("绩效目标", "带动务工")
        );
        assert_eq!(category("产业发展类"), "产业");
        assert_eq!(category("基础设施类"), "基础设施");
        assert_eq!(category("村集体经济项目"), "集体经济");
        assert_eq!(Entry::parse("拨付"), Some(Entry::Disbursement));
        assert_eq!(Entry::parse("合计"), None);
    }
}
