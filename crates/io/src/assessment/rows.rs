//! Yearly verification, risk-event and procedure-case files: each row read into typed cells with the
//! checks that need only the file (required cells, dates, amounts, codes, a case's steps in its
//! procedure's order, the same record twice in the file). What needs the household (its status,
//! history, stored records, the assessments) is decided on the writer side, in `import`.

use crate::cells;
use crate::columns::Kind;
use crate::records::{blank_required, issue_at};
use crate::report::Issue;
use crate::rows::{get, named, required_text, RowAt};
use fupin_core::assessment::{
    EliminationStep, ExitStep, HouseholdYearInput, IdentificationStep, MonitoredKind,
    ProcedureKind, Step,
};
use fupin_core::codes::CodeBook;
use fupin_core::years::check_past_date;
use fupin_core::{DomainError, Fen};
use std::collections::HashMap;
use time::Date;

/// A verification row as read: household number, year, facts (`None` for a column the file does
/// not have, so that the stored value stays).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YearCells {
    pub number: String,
    pub year: i32,
    pub food_secure: Option<Option<bool>>,
    pub clothing_secure: Option<Option<bool>>,
    pub medical_spending_fen: Option<i64>,
    pub education_spending_fen: Option<i64>,
    pub disaster_spending_fen: Option<i64>,
    pub income_stable_months: Option<Option<i32>>,
}

impl YearCells {
    /// The facts of the row over those stored (or none), checked by core.
    pub fn over(
        &self,
        stored: Option<&HouseholdYearInput>,
        this_year: i32,
    ) -> Result<HouseholdYearInput, DomainError> {
        let base = stored.cloned().unwrap_or_default();
        HouseholdYearInput {
            food_secure: self.food_secure.unwrap_or(base.food_secure),
            clothing_secure: self.clothing_secure.unwrap_or(base.clothing_secure),
            medical_spending_fen: self
                .medical_spending_fen
                .unwrap_or(base.medical_spending_fen),
            education_spending_fen: self
                .education_spending_fen
                .unwrap_or(base.education_spending_fen),
            disaster_spending_fen: self
                .disaster_spending_fen
                .unwrap_or(base.disaster_spending_fen),
            income_stable_months: self
                .income_stable_months
                .unwrap_or(base.income_stable_months),
        }
        .validate(self.year, this_year)
    }
}

#[derive(Debug)]
pub(crate) struct YearRow {
    pub sheet: u16,
    pub line: u64,
    pub cells: Vec<Option<String>>,
    pub parsed: Result<YearCells, Issue>,
}

/// Rows read per (household, year): finds the same year twice in a file.
pub(crate) type YearsSeen = HashMap<(Box<str>, i32), u64>;

/// Read a verification row.
pub(crate) fn year_row(
    at: &RowAt,
    sheet: u16,
    cells: Vec<Option<String>>,
    this_year: i32,
    seen: &mut YearsSeen,
) -> YearRow {
    let k = Kind::HouseholdYears;
    let parsed = (|| {
        let number = required_text(k, &cells, "household_number")?;
        let year = named(k, "year", |h| cells::year(h, get(k, &cells, "year")))?
            .ok_or_else(|| blank_required(k, k.col("year")))?;
        fupin_core::years::check_year("year", year, this_year)?;
        let has = |key: &str| at.mapping.has(k.col(key));
        let flag = |key: &str| -> Result<Option<Option<bool>>, DomainError> {
            if !has(key) {
                return Ok(None);
            }
            named(k, key, |h| cells::boolean(h, get(k, &cells, key))).map(Some)
        };
        let amount = |key: &str| -> Result<Option<i64>, DomainError> {
            if !has(key) {
                return Ok(None);
            }
            Ok(Some(
                named(k, key, |h| cells::yuan(h, get(k, &cells, key)))?.map_or(0, Fen::get),
            ))
        };
        let months = if has("income_stable_months") {
            let m = named(k, "income_stable_months", |h| {
                cells::int(h, get(k, &cells, "income_stable_months"))
            })?;
            Some(
                m.map(|m| {
                    i32::try_from(m).map_err(|_| {
                        DomainError::invalid(
                            "income_stable_months",
                            "out_of_range",
                            "收入稳定月数须在 0 到 600 之间",
                        )
                    })
                })
                .transpose()?,
            )
        } else {
            None
        };
        let y = YearCells {
            number,
            year,
            food_secure: flag("food_secure")?,
            clothing_secure: flag("clothing_secure")?,
            medical_spending_fen: amount("medical_spending_fen")?,
            education_spending_fen: amount("education_spending_fen")?,
            disaster_spending_fen: amount("disaster_spending_fen")?,
            income_stable_months: months,
        };
        // the rules of core on what the row itself says
        y.over(None, this_year)?;
        let key = (y.number.clone().into_boxed_str(), year);
        if let Some(first) = seen.get(&key) {
            return Err(DomainError::invalid(
                "year",
                "duplicate_household_year",
                format!(
                    "户 {} 的 {year} 年核实与第 {first} 行重复",
                    cells::shown(&y.number)
                ),
            ));
        }
        seen.insert(key, at.line);
        Ok(y)
    })()
    .map_err(|e| issue_at(at, k, &cells, e));
    YearRow {
        sheet,
        line: at.line,
        cells,
        parsed,
    }
}

/// A risk-event row as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RiskCells {
    pub number: String,
    pub date: Date,
    /// Code of `risk_type`.
    pub risk_type: String,
    pub note: Option<String>,
    pub resolved_on: Option<Date>,
}

#[derive(Debug)]
pub(crate) struct RiskRow {
    pub sheet: u16,
    pub line: u64,
    pub cells: Vec<Option<String>>,
    pub parsed: Result<RiskCells, Issue>,
}

/// Rows read per (household, date, risk type): finds the same event twice in a file.
pub(crate) type RisksSeen = HashMap<(Box<str>, Date, Box<str>), u64>;

/// Read a risk-event row (core's `RiskEventInput` rules, and a resolution not before the event).
pub(crate) fn risk_row(
    at: &RowAt,
    sheet: u16,
    cells: Vec<Option<String>>,
    codes: &CodeBook,
    today: Date,
    seen: &mut RisksSeen,
) -> RiskRow {
    let k = Kind::RiskEvents;
    let parsed = (|| {
        let number = required_text(k, &cells, "household_number")?;
        let date = named(k, "date", |h| cells::date(h, get(k, &cells, "date")))?
            .ok_or_else(|| blank_required(k, k.col("date")))?;
        let (date, risk_type, note) = fupin_core::assessment::RiskEventInput {
            date,
            risk_type: required_text(k, &cells, "risk_type")?,
            note: cells::text(get(k, &cells, "note")),
        }
        .validate(codes, today)?;
        let resolved_on = named(k, "resolved_on", |h| {
            cells::date(h, get(k, &cells, "resolved_on"))
        })?;
        if let Some(r) = resolved_on {
            check_past_date("resolved_on", r, today)?;
            if r < date {
                return Err(DomainError::invalid(
                    "resolved_on",
                    "resolved_before_event",
                    "消除日期不能早于风险发生日期",
                ));
            }
        }
        let key = (
            number.clone().into_boxed_str(),
            date,
            risk_type.clone().into_boxed_str(),
        );
        if let Some(first) = seen.get(&key) {
            return Err(DomainError::invalid(
                "date",
                "duplicate_risk_event",
                format!("与第 {first} 行的风险事件重复（同一户、同一日期、同一风险类型）"),
            ));
        }
        seen.insert(key, at.line);
        Ok(RiskCells {
            number,
            date,
            risk_type,
            note,
            resolved_on,
        })
    })()
    .map_err(|e| issue_at(at, k, &cells, e));
    RiskRow {
        sheet,
        line: at.line,
        cells,
        parsed,
    }
}

/// Every step column of the cases kind, in no procedure's order.
pub(crate) const STEP_COLUMNS: [&str; 9] = [
    "step_proposal",
    "step_household_verification",
    "step_data_comparison",
    "step_democratic_appraisal",
    "step_verification",
    "step_household_consent",
    "step_public_notice",
    "step_township_review",
    "step_county_approval",
];

/// The column of a step (a village's proposal is one column for every procedure).
fn step_column(step: &str) -> &'static str {
    match step {
        "proposal" | "village_proposal" => "step_proposal",
        "household_verification" => "step_household_verification",
        "data_comparison" => "step_data_comparison",
        "democratic_appraisal" => "step_democratic_appraisal",
        "verification" => "step_verification",
        "household_consent" => "step_household_consent",
        "public_notice" => "step_public_notice",
        "township_review" => "step_township_review",
        _ => "step_county_approval",
    }
}

/// The columns of a procedure's steps, in its order (the terminal state has none).
pub(crate) fn step_columns(kind: ProcedureKind) -> Vec<&'static str> {
    fn of<S: Step>() -> Vec<&'static str> {
        S::ORDER
            .iter()
            .filter(|s| !s.is_terminal())
            .map(|s| step_column(s.as_str()))
            .collect()
    }
    match kind {
        ProcedureKind::Exit => of::<ExitStep>(),
        ProcedureKind::Identification => of::<IdentificationStep>(),
        ProcedureKind::Elimination => of::<EliminationStep>(),
    }
}

/// A procedure as a file names it: 脱贫退出 / exit, 监测对象识别 / identification, 风险消除 /
/// elimination (a few common shorter names too).
fn procedure(field: &str, s: &str) -> Result<ProcedureKind, DomainError> {
    let t = s.trim();
    let found = match t {
        "退出" | "脱贫" | "贫困户退出" => Some(ProcedureKind::Exit),
        "识别" | "监测识别" | "纳入监测" => Some(ProcedureKind::Identification),
        "消除" | "风险消除认定" => Some(ProcedureKind::Elimination),
        _ => [
            ProcedureKind::Exit,
            ProcedureKind::Identification,
            ProcedureKind::Elimination,
        ]
        .into_iter()
        .find(|k| k.label() == t || k.as_str() == t.to_ascii_lowercase()),
    };
    found.ok_or_else(|| {
        cells::bad(
            field,
            "unknown_procedure",
            format!(
                "{field} 的取值“{}”不是有效程序（脱贫退出、监测对象识别、风险消除）",
                cells::shown(t)
            ),
        )
    })
}

/// A case row as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CaseCells {
    pub number: String,
    pub kind: ProcedureKind,
    pub year: i32,
    pub started: Date,
    /// The day each step was completed, in the procedure's order: the first steps, without gaps.
    pub steps: Vec<Date>,
    /// The kind an identification's county approval gives.
    pub monitored: Option<MonitoredKind>,
    pub note: Option<String>,
}

impl CaseCells {
    /// Whether the row completes every step.
    pub fn finishes(&self) -> bool {
        self.steps.len() == step_columns(self.kind).len()
    }
}

#[derive(Debug)]
pub(crate) struct CaseRow {
    pub sheet: u16,
    pub line: u64,
    pub cells: Vec<Option<String>>,
    pub parsed: Result<CaseCells, Issue>,
}

/// Rows read per (household, procedure, year): finds the same case twice in a file.
pub(crate) type CasesSeen = HashMap<(Box<str>, ProcedureKind, i32), u64>;

/// Read a case row: the steps of its procedure filled from the first on, no step of another
/// procedure, dates in order (the workflow's own rules — notice length, evidence — are checked by
/// the writer through core).
pub(crate) fn case_row(
    at: &RowAt,
    sheet: u16,
    cells: Vec<Option<String>>,
    codes: &CodeBook,
    this_year: i32,
    seen: &mut CasesSeen,
) -> CaseRow {
    let k = Kind::Cases;
    let parsed = (|| {
        let number = required_text(k, &cells, "household_number")?;
        let kind = named(k, "procedure", |h| {
            procedure(h, &required_text(k, &cells, "procedure")?)
        })?;
        let year = named(k, "year", |h| cells::year(h, get(k, &cells, "year")))?
            .ok_or_else(|| blank_required(k, k.col("year")))?;
        fupin_core::years::check_year("year", year, this_year)?;
        let date = |key: &str| named(k, key, |h| cells::date(h, get(k, &cells, key)));
        let started = date("started_on")?.ok_or_else(|| blank_required(k, k.col("started_on")))?;
        let own = step_columns(kind);
        for key in STEP_COLUMNS.iter().filter(|c| !own.contains(c)) {
            if date(key)?.is_some() {
                return Err(DomainError::invalid(
                    *key,
                    "step_not_in_procedure",
                    format!(
                        "“{}”不是{}的环节，请留空",
                        k.columns()[k.col(key)].header,
                        kind.label()
                    ),
                ));
            }
        }
        let mut steps = Vec::new();
        let mut last = started;
        for key in &own {
            match date(key)? {
                Some(_) if steps.len() < own.iter().position(|c| c == key).unwrap_or(0) => {
                    return Err(DomainError::invalid(
                        *key,
                        "step_skipped",
                        format!(
                            "“{}”之前的环节尚未填写完成日期",
                            k.columns()[k.col(key)].header
                        ),
                    ));
                }
                Some(d) if d < last => {
                    return Err(DomainError::invalid(
                        *key,
                        "date_before_previous",
                        format!("办理日期 {d} 早于上一环节的 {last}"),
                    ))
                }
                Some(d) => {
                    steps.push(d);
                    last = d;
                }
                None => {}
            }
        }
        let monitored = match cells::text(get(k, &cells, "monitored_kind")) {
            Some(v) => {
                let c = codes.resolve(
                    fupin_core::assessment::monitoring::MONITORING_KIND_TABLE,
                    "monitored_kind",
                    &v,
                )?;
                Some(MonitoredKind::parse(&c).ok_or_else(|| {
                    DomainError::invalid("monitored_kind", "unknown_code", "监测类型无效")
                })?)
            }
            None => None,
        };
        if monitored.is_some() && kind != ProcedureKind::Identification {
            return Err(DomainError::invalid(
                "monitored_kind",
                "kind_not_in_procedure",
                "只有监测对象识别填写监测类型",
            ));
        }
        let key = (number.clone().into_boxed_str(), kind, year);
        if let Some(first) = seen.get(&key) {
            return Err(DomainError::invalid(
                "procedure",
                "duplicate_case",
                format!("与第 {first} 行重复（同一户、同一程序、同一年度）"),
            ));
        }
        seen.insert(key, at.line);
        Ok(CaseCells {
            number,
            kind,
            year,
            started,
            steps,
            monitored,
            note: cells::text(get(k, &cells, "note")),
        })
    })()
    .map_err(|e| issue_at(at, k, &cells, e));
    CaseRow {
        sheet,
        line: at.line,
        cells,
        parsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::Mapping;
    use time::macros::date;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn procedures_list_their_steps_in_order() {
        assert_eq!(
            step_columns(ProcedureKind::Exit),
            [
                "step_proposal",
                "step_democratic_appraisal",
                "step_verification",
                "step_household_consent",
                "step_public_notice",
                "step_township_review",
                "step_county_approval"
            ]
        );
        assert_eq!(step_columns(ProcedureKind::Identification).len(), 6);
        assert_eq!(step_columns(ProcedureKind::Elimination)[0], "step_proposal");
        for c in STEP_COLUMNS {
            assert!(Kind::Cases.columns().iter().any(|x| x.key == c));
        }
    }

    #[test]
    fn case_rows() {
        let header = s(&[
            "户编码",
            "程序",
            "年度",
            "启动日期",
            "村提名",
            "入户核实",
            "民主评议",
            "村委会和驻村工作队核实",
            "户签字认可",
            "村内公示",
            "乡镇审核",
            "县级审定公告",
            "监测类型",
        ]);
        let m = Mapping::new(Kind::Cases, &header).unwrap();
        let codes = CodeBook::defaults();
        let mut seen = CasesSeen::new();
        let mut read = |line: u64, row: &[&str]| {
            let at = RowAt {
                sheet: None,
                line,
                mapping: &m,
            };
            case_row(&at, 0, m.cells(&s(row)), &codes, 2026, &mut seen).parsed
        };
        let c = read(
            2,
            &[
                "H1",
                "脱贫退出",
                "2018",
                "2018-10-08",
                "2018-10-10",
                "",
                "2018-10-12",
                "2018-10-15",
                "2018-10-16",
                "2018-10-26",
                "2018-11-05",
                "2018-12-20",
                "",
            ],
        )
        .unwrap();
        assert_eq!(c.kind, ProcedureKind::Exit);
        assert_eq!(c.steps.len(), 7);
        assert!(c.finishes());
        // an open identification: the first two steps
        let c = read(
            3,
            &[
                "H2",
                "identification",
                "2021",
                "2021-03-18",
                "",
                "2021-03-19",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        )
        .unwrap();
        assert_eq!((c.steps.len(), c.finishes()), (1, false));
        let e = read(
            4,
            &[
                "H3",
                "监测对象识别",
                "2021",
                "2021-03-18",
                "2021-03-19",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        )
        .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("step_not_in_procedure", Some("村提名"))
        );
        let e = read(
            5,
            &[
                "H4",
                "风险消除",
                "2022",
                "2022-10-10",
                "2022-10-11",
                "",
                "2022-10-15",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        )
        .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("step_skipped", Some("民主评议"))
        );
        let e = read(
            6,
            &[
                "H5",
                "脱贫退出",
                "2018",
                "2018-10-08",
                "2018-10-07",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        )
        .unwrap_err();
        assert_eq!(e.code, "date_before_previous");
        let e = read(
            7,
            &[
                "H1",
                "脱贫退出",
                "2018",
                "2018-10-08",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        )
        .unwrap_err();
        assert_eq!(e.code, "duplicate_case");
        let e = read(
            8,
            &[
                "H6",
                "脱贫退出",
                "2018",
                "2018-10-08",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "突发严重困难户",
            ],
        )
        .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("kind_not_in_procedure", Some("监测类型"))
        );
        let e = read(
            9,
            &["H7", "脱贫", "2018", "", "", "", "", "", "", "", "", "", ""],
        )
        .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("required", Some("启动日期"))
        );
        let e = read(
            10,
            &[
                "H7",
                "退休",
                "2018",
                "2018-01-01",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        )
        .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("unknown_procedure", Some("程序"))
        );
    }

    #[test]
    fn risk_and_year_rows() {
        let today = date!(2026 - 11 - 29);
        let m = Mapping::new(
            Kind::RiskEvents,
            &s(&["户编码", "发生日期", "风险类型", "风险说明", "消除日期"]),
        )
        .unwrap();
        let codes = CodeBook::defaults();
        let mut seen = RisksSeen::new();
        let mut read = |line: u64, row: &[&str]| {
            let at = RowAt {
                sheet: None,
                line,
                mapping: &m,
            };
            risk_row(&at, 0, m.cells(&s(row)), &codes, today, &mut seen).parsed
        };
        let r = read(2, &["H1", "2021-03-15", "因病", "住院", "2022-05-31"]).unwrap();
        assert_eq!(
            (r.risk_type.as_str(), r.resolved_on),
            ("01", Some(date!(2022 - 05 - 31)))
        );
        let e = read(3, &["H1", "2021-03-15", "01", "", ""]).unwrap_err();
        assert_eq!(e.code, "duplicate_risk_event");
        let e = read(4, &["H2", "2021-03-15", "因穷", "", ""]).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("风险类型"));
        let e = read(5, &["H3", "2021-03-15", "因病", "", "2021-03-01"]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("resolved_before_event", Some("消除日期"))
        );
        let e = read(6, &["H4", "2030-01-01", "因病", "", ""]).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("发生日期"));

        let m = Mapping::new(
            Kind::HouseholdYears,
            &s(&["户编码", "年度", "不愁吃", "医疗支出(元)", "收入稳定月数"]),
        )
        .unwrap();
        let mut seen = YearsSeen::new();
        let mut read = |line: u64, row: &[&str]| {
            let at = RowAt {
                sheet: None,
                line,
                mapping: &m,
            };
            year_row(&at, 0, m.cells(&s(row)), 2026, &mut seen).parsed
        };
        let y = read(2, &["H1", "2021", "是", "48000", ""]).unwrap();
        assert_eq!(
            (y.food_secure, y.clothing_secure, y.medical_spending_fen),
            (Some(Some(true)), None, Some(4_800_000))
        );
        // a column the file lacks keeps the stored value
        let stored = HouseholdYearInput {
            clothing_secure: Some(true),
            ..Default::default()
        };
        assert_eq!(
            y.over(Some(&stored), 2026).unwrap().clothing_secure,
            Some(true)
        );
        assert_eq!(
            read(3, &["H1", "2021", "", "", ""]).unwrap_err().code,
            "duplicate_household_year"
        );
        let e = read(4, &["H2", "2021", "", "", "700"]).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("收入稳定月数"));
        let e = read(5, &["H3", "2021", "也许", "", ""]).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("不愁吃"));
    }
}
