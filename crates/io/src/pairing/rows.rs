//! Cadres, pairings and visits files: each row read into typed cells with the checks that need only
//! the file (required cells, dates, amounts, codes or labels, the same cadre twice in the file), and
//! the rules that find a row's cadre among the stored ones by unit, name and phone.
//!
//! What needs the registry (households, stored cadres, pairing limits, stored visits) is decided on
//! the writer side, in `import.rs` beside this file.

use crate::cells;
use crate::columns::Kind;
use crate::records::{blank_required, issue_at};
use crate::report::Issue;
use crate::rows::{get, named, required_text, RowAt};
use fupin_core::codes::CodeBook;
use fupin_core::error::check_text;
use fupin_core::id_number::mask_phone;
use fupin_core::pairing::{
    check_pairing_end, check_pairing_start, Cadre, CadreInput, UnitId, VisitFindings, WishInput,
    UNIT_LEVEL_TABLE, VISIT_KIND_TABLE,
};
use fupin_core::registry::check_phone;
use fupin_core::{DomainError, Fen, RegionCode, Scope};
use std::collections::HashMap;
use time::Date;

/// A phone as a file writes it: in full, or masked as exports write it (`138****8000`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phone {
    Full(String),
    Masked(String),
}

impl Phone {
    /// Read a phone cell (blank is `None`; a full number is checked like any phone).
    pub fn read(field: &str, s: &str) -> Result<Option<Phone>, DomainError> {
        let t = s.trim();
        if t.is_empty() {
            Ok(None)
        } else if t.contains('*') {
            Ok(Some(Phone::Masked(t.to_string())))
        } else {
            Ok(check_phone(field, &Some(t.to_string()))?.map(Phone::Full))
        }
    }

    /// Whether a stored phone is this one (a masked phone matches the numbers it masks).
    pub fn matches(&self, stored: Option<&str>) -> bool {
        match (self, stored) {
            (Phone::Full(p), Some(s)) => p == s,
            (Phone::Masked(m), Some(s)) => mask_phone(s) == *m,
            _ => false,
        }
    }

    /// Whether two phones of a file may be the same number.
    fn same(&self, other: &Phone) -> bool {
        match (self, other) {
            (Phone::Full(a), Phone::Full(b)) | (Phone::Masked(a), Phone::Masked(b)) => a == b,
            (Phone::Full(f), Phone::Masked(m)) | (Phone::Masked(m), Phone::Full(f)) => {
                mask_phone(f) == *m
            }
        }
    }
}

/// Which stored cadre a row names, among those of its unit with its name.
#[derive(Debug, PartialEq)]
pub(crate) enum CadreMatch<'a> {
    One(&'a Cadre),
    NoneFound,
    /// Several namesakes and nothing in the row to tell them apart.
    Ambiguous(usize),
}

/// The natural key of a cadre is unit + name + phone, or unit + name when the phone is not given:
/// with a phone, the namesake with that phone (or else the only namesake without a phone, whose
/// phone the row adds); without one, the only namesake.
pub(crate) fn match_cadre<'a>(candidates: &[&'a Cadre], phone: Option<&Phone>) -> CadreMatch<'a> {
    match phone {
        Some(p) => {
            let with: Vec<&Cadre> = candidates
                .iter()
                .copied()
                .filter(|c| p.matches(c.phone.as_deref()))
                .collect();
            let without: Vec<&Cadre> = candidates
                .iter()
                .copied()
                .filter(|c| c.phone.is_none())
                .collect();
            match (with.as_slice(), without.as_slice()) {
                ([one], _) => CadreMatch::One(one),
                ([], [one]) => CadreMatch::One(one),
                ([], _) => CadreMatch::NoneFound,
                (many, _) => CadreMatch::Ambiguous(many.len()),
            }
        }
        None => match candidates {
            [] => CadreMatch::NoneFound,
            [one] => CadreMatch::One(one),
            many => CadreMatch::Ambiguous(many.len()),
        },
    }
}

/// A cadres row as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CadreCells {
    pub unit_name: String,
    /// Code of `helping_unit_level`.
    pub unit_level: Option<String>,
    pub name: String,
    pub rank: Option<String>,
    pub phone: Option<Phone>,
    /// Checked to lie within the caller's scope.
    pub region: Option<RegionCode>,
}

#[derive(Debug)]
pub(crate) struct CadreRow {
    pub sheet: u16,
    pub line: u64,
    pub cells: Vec<Option<String>>,
    pub parsed: Result<CadreCells, Issue>,
}

/// Rows already read per (unit, name), with their phones: finds the same cadre twice in a file.
pub(crate) type CadresSeen = HashMap<(Box<str>, Box<str>), Vec<(Option<Phone>, u64)>>;

/// Read a cadres row.
pub(crate) fn cadre_row(
    at: &RowAt,
    sheet: u16,
    cells: Vec<Option<String>>,
    codes: &CodeBook,
    scope: &Scope,
    seen: &mut CadresSeen,
) -> CadreRow {
    let k = Kind::Cadres;
    let parsed = (|| {
        let unit_name = check_text("unit_name", &required_text(k, &cells, "unit_name")?, 100)?;
        let unit_level = match cells::text(get(k, &cells, "unit_level")) {
            Some(v) => Some(codes.resolve(UNIT_LEVEL_TABLE, "unit_level", &v)?),
            None => None,
        };
        let name = required_text(k, &cells, "name")?;
        let phone = named(k, "phone", |h| Phone::read(h, get(k, &cells, "phone")))?;
        let input = CadreInput {
            name,
            unit_id: UnitId(0),
            rank: cells::text(get(k, &cells, "rank")),
            phone: match &phone {
                Some(Phone::Full(p)) => Some(p.clone()),
                _ => None,
            },
            user_id: None,
            region_code: cells::text(get(k, &cells, "region_code")),
        };
        let c = input.validate()?;
        let region = match &c.region_code {
            Some(r) => {
                let code = RegionCode::parse_field("region_code", r)?;
                if !scope.allows(&code) {
                    return Err(DomainError::invalid(
                        "region_code",
                        "out_of_scope",
                        format!("管理区划 {code} 不在您的管辖范围内"),
                    ));
                }
                Some(code)
            }
            None => None,
        };
        let key = (
            unit_name.clone().into_boxed_str(),
            c.name.clone().into_boxed_str(),
        );
        let earlier = seen.entry(key).or_default();
        if let Some((_, first)) = earlier.iter().find(|(p, _)| match (p, &phone) {
            (Some(a), Some(b)) => a.same(b),
            _ => true,
        }) {
            return Err(DomainError::invalid(
                "name",
                "duplicate_cadre",
                format!(
                    "帮扶单位“{}”的干部“{}”与第 {first} 行重复（同名的两名干部请填写各自的联系电话）",
                    cells::shown(&unit_name),
                    cells::shown(&c.name)
                ),
            ));
        }
        earlier.push((phone.clone(), at.line));
        Ok(CadreCells {
            unit_name,
            unit_level,
            name: c.name,
            rank: c.rank,
            phone,
            region,
        })
    })()
    .map_err(|e| issue_at(at, k, &cells, e));
    CadreRow {
        sheet,
        line: at.line,
        cells,
        parsed,
    }
}

/// A pairings row as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PairingCells {
    pub number: String,
    pub unit_name: String,
    pub cadre_name: String,
    pub phone: Option<Phone>,
    pub start: Date,
    /// Last day and reason, when the row records the pairing's end.
    pub end: Option<(Date, String)>,
}

/// Reason of a pairing end a file records without one.
pub(crate) const END_REASON: &str = "结对结束（导入）";

#[derive(Debug)]
pub(crate) struct PairingRow {
    pub sheet: u16,
    pub line: u64,
    pub cells: Vec<Option<String>>,
    pub parsed: Result<PairingCells, Issue>,
}

/// Read a pairings row.
pub(crate) fn pairing_row(
    at: &RowAt,
    sheet: u16,
    cells: Vec<Option<String>>,
    today: Date,
) -> PairingRow {
    let k = Kind::Pairings;
    let parsed = (|| {
        let number = required_text(k, &cells, "household_number")?;
        let unit_name = required_text(k, &cells, "unit_name")?;
        let cadre_name = required_text(k, &cells, "cadre_name")?;
        let phone = named(k, "cadre_phone", |h| {
            Phone::read(h, get(k, &cells, "cadre_phone"))
        })?;
        let start = named(k, "start_date", |h| {
            cells::date(h, get(k, &cells, "start_date"))
        })?
        .ok_or_else(|| blank_required(k, k.col("start_date")))?;
        check_pairing_start(start, today)?;
        let end = named(k, "end_date", |h| {
            cells::date(h, get(k, &cells, "end_date"))
        })?;
        let reason = cells::text(get(k, &cells, "end_reason"));
        let end = match (end, reason) {
            (Some(e), reason) => {
                let reason = reason.unwrap_or_else(|| END_REASON.to_string());
                let reason = check_pairing_end(start, e, &reason, today).map_err(|e| {
                    match e.field.as_deref() {
                        Some("reason") => e.with_field("end_reason"),
                        _ => e,
                    }
                })?;
                Some((e, reason))
            }
            (None, Some(_)) => {
                return Err(DomainError::invalid(
                    "end_reason",
                    "reason_without_end",
                    "填写了结束原因，请同时填写结束日期",
                ))
            }
            (None, None) => None,
        };
        Ok(PairingCells {
            number,
            unit_name,
            cadre_name,
            phone,
            start,
            end,
        })
    })()
    .map_err(|e| issue_at(at, k, &cells, e));
    PairingRow {
        sheet,
        line: at.line,
        cells,
        parsed,
    }
}

/// A visits row as read. Text cells are `None` when blank (the writer keeps stored values for
/// columns the file does not have).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VisitCells {
    pub number: String,
    pub date: Date,
    /// Code of `visit_kind`.
    pub kind: String,
    /// Names of the cadres present, in the file's order.
    pub names: Vec<String>,
    pub unit_name: Option<String>,
    pub findings: VisitFindings,
    pub problems: Option<String>,
    pub actions: Option<String>,
    pub follow_up: Option<String>,
    pub money_fen: i64,
    pub goods: Option<String>,
    pub goods_value_fen: i64,
}

#[derive(Debug)]
pub(crate) struct VisitRow {
    pub sheet: u16,
    pub line: u64,
    pub cells: Vec<Option<String>>,
    pub parsed: Result<VisitCells, Issue>,
}

/// Read a visits row (the rules of core's `VisitInput` run once the household and cadres are known).
pub(crate) fn visit_row(
    at: &RowAt,
    sheet: u16,
    cells: Vec<Option<String>>,
    codes: &CodeBook,
) -> VisitRow {
    let k = Kind::Visits;
    let parsed = (|| {
        let number = required_text(k, &cells, "household_number")?;
        let date = named(k, "date", |h| cells::date(h, get(k, &cells, "date")))?
            .ok_or_else(|| blank_required(k, k.col("date")))?;
        let kind = codes.resolve(VISIT_KIND_TABLE, "kind", &required_text(k, &cells, "kind")?)?;
        let names = cells::list(get(k, &cells, "cadres"));
        if names.is_empty() {
            return Err(blank_required(k, k.col("cadres")));
        }
        let amount = |key: &str| -> Result<i64, DomainError> {
            Ok(named(k, key, |h| cells::yuan(h, get(k, &cells, key)))?.map_or(0, Fen::get))
        };
        let goods = cells::text(get(k, &cells, "goods"));
        let goods_value_fen = amount("goods_value_fen")?;
        if goods.is_none() && goods_value_fen != 0 {
            return Err(DomainError::invalid(
                "goods",
                "goods_without_description",
                "填写了慰问品价值，请同时填写慰问品",
            ));
        }
        let text = |key: &str| cells::text(get(k, &cells, key));
        Ok(VisitCells {
            number,
            date,
            kind,
            names,
            unit_name: text("unit_name"),
            findings: VisitFindings {
                income: text("findings_income"),
                education: text("findings_education"),
                medical: text("findings_medical"),
                housing: text("findings_housing"),
                water: text("findings_water"),
            },
            problems: text("problems"),
            actions: text("actions"),
            follow_up: text("follow_up"),
            money_fen: amount("condolence_money_fen")?,
            goods,
            goods_value_fen,
        })
    })()
    .map_err(|e| issue_at(at, k, &cells, e));
    VisitRow {
        sheet,
        line: at.line,
        cells,
        parsed,
    }
}

/// How a wish ended, as a file records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WishEnd {
    Fulfilled { date: Date, actual_value_fen: i64 },
    Cancelled { date: Date, reason: String },
}

/// Who claimed a wish, as a file names it: a unit, or a cadre of that unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClaimCells {
    pub unit_name: String,
    pub cadre: Option<(String, Option<Phone>)>,
    pub date: Date,
}

/// A wishes row as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WishCells {
    pub number: String,
    pub text: String,
    pub estimated_value_fen: i64,
    pub submitted_on: Date,
    pub claim: Option<ClaimCells>,
    pub end: Option<WishEnd>,
}

#[derive(Debug)]
pub(crate) struct WishRow {
    pub sheet: u16,
    pub line: u64,
    pub cells: Vec<Option<String>>,
    pub parsed: Result<WishCells, Issue>,
}

/// Rows already read per (household, wish text, submission date): finds the same wish twice.
pub(crate) type WishesSeen = HashMap<(Box<str>, Box<str>, Date), u64>;

/// Read a wishes row: the wish, its claim and how it ended, each step complete (core's order of
/// steps and their dates are checked once the household and claimant are known).
pub(crate) fn wish_row(
    at: &RowAt,
    sheet: u16,
    cells: Vec<Option<String>>,
    today: Date,
    seen: &mut WishesSeen,
) -> WishRow {
    let k = Kind::Wishes;
    let parsed = (|| {
        let number = required_text(k, &cells, "household_number")?;
        let input = WishInput {
            household_id: fupin_core::registry::HouseholdId(0),
            person_id: None,
            text: required_text(k, &cells, "text")?,
            estimated_value_fen: named(k, "estimated_value_fen", |h| {
                cells::yuan(h, get(k, &cells, "estimated_value_fen"))
            })?
            .map_or(0, Fen::get),
            submitted_on: named(k, "submitted_on", |h| {
                cells::date(h, get(k, &cells, "submitted_on"))
            })?
            .ok_or_else(|| blank_required(k, k.col("submitted_on")))?,
        }
        .validate(today)?;
        let date = |key: &str| named(k, key, |h| cells::date(h, get(k, &cells, key)));
        let text = |key: &str| cells::text(get(k, &cells, key));
        let needs = |key: &str, what: &str| {
            let c = &k.columns()[k.col(key)];
            DomainError::invalid(key, "required", format!("{what}时须填写{}", c.header))
        };
        let claimed_on = date("claimed_on")?;
        let claim = match (text("claim_unit"), text("claim_cadre")) {
            (Some(unit_name), cadre) => {
                let cadre = match cadre {
                    Some(name) => Some((
                        name,
                        named(k, "claim_cadre_phone", |h| {
                            Phone::read(h, get(k, &cells, "claim_cadre_phone"))
                        })?,
                    )),
                    None => None,
                };
                Some(ClaimCells {
                    unit_name,
                    cadre,
                    date: claimed_on.ok_or_else(|| needs("claimed_on", "填写认领单位"))?,
                })
            }
            (None, Some(_)) => return Err(needs("claim_unit", "填写认领干部")),
            (None, None) if claimed_on.is_some() => {
                return Err(needs("claim_unit", "填写认领日期"))
            }
            (None, None) => None,
        };
        let end = match (date("fulfilled_on")?, date("cancelled_on")?) {
            (Some(_), Some(_)) => {
                return Err(DomainError::invalid(
                    "cancelled_on",
                    "fulfilled_and_cancelled",
                    "同一心愿不能既已实现又已取消",
                ))
            }
            (Some(d), None) => {
                if claim.is_none() {
                    return Err(needs("claim_unit", "填写实现日期"));
                }
                let actual = named(k, "actual_value_fen", |h| {
                    cells::yuan(h, get(k, &cells, "actual_value_fen"))
                })?
                .ok_or_else(|| needs("actual_value_fen", "填写实现日期"))?;
                Some(WishEnd::Fulfilled {
                    date: d,
                    actual_value_fen: actual.get(),
                })
            }
            (None, Some(d)) => Some(WishEnd::Cancelled {
                date: d,
                reason: text("cancel_reason")
                    .ok_or_else(|| needs("cancel_reason", "填写取消日期"))?,
            }),
            (None, None) => None,
        };
        let key = (
            number.clone().into_boxed_str(),
            input.text.clone().into_boxed_str(),
            input.submitted_on,
        );
        if let Some(first) = seen.get(&key) {
            return Err(DomainError::invalid(
                "text",
                "duplicate_wish",
                format!("与第 {first} 行的心愿重复（同一户、同一内容、同一提交日期）"),
            ));
        }
        seen.insert(key, at.line);
        Ok(WishCells {
            number,
            text: input.text,
            estimated_value_fen: input.estimated_value_fen,
            submitted_on: input.submitted_on,
            claim,
            end,
        })
    })()
    .map_err(|e| issue_at(at, k, &cells, e));
    WishRow {
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
    use fupin_core::pairing::CadreId;
    use time::macros::date;

    fn cadre(id: i64, phone: Option<&str>) -> Cadre {
        Cadre {
            id: CadreId(id),
            name: "张三".into(),
            unit_id: UnitId(1),
            unit_name: "县人社局".into(),
            rank: None,
            phone: phone.map(str::to_string),
            user_id: None,
            region_code: None,
        }
    }

    #[test]
    fn cadres_match_by_phone_then_by_name() {
        let a = cadre(1, Some("13800138000"));
        let b = cadre(2, Some("13900139000"));
        let c = cadre(3, None);
        let full = |s: &str| Phone::Full(s.into());
        assert_eq!(
            match_cadre(&[&a, &b], Some(&full("13900139000"))),
            CadreMatch::One(&b)
        );
        assert_eq!(
            match_cadre(&[&a, &b], Some(&Phone::Masked("138****8000".into()))),
            CadreMatch::One(&a)
        );
        assert_eq!(
            match_cadre(&[&a, &b], Some(&full("13700137000"))),
            CadreMatch::NoneFound
        );
        // the only namesake without a phone is the same cadre, whose phone the row adds
        assert_eq!(
            match_cadre(&[&a, &c], Some(&full("13700137000"))),
            CadreMatch::One(&c)
        );
        assert_eq!(match_cadre(&[&a], None), CadreMatch::One(&a));
        assert_eq!(match_cadre(&[&a, &b], None), CadreMatch::Ambiguous(2));
        assert_eq!(match_cadre(&[], None), CadreMatch::NoneFound);
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn cadre_rows_check_cells_and_repeats() {
        let header = s(&[
            "帮扶单位",
            "单位级别",
            "干部姓名",
            "联系电话",
            "管理区划代码",
        ]);
        let m = Mapping::new(Kind::Cadres, &header).unwrap();
        let codes = CodeBook::defaults();
        let scope = Scope::Within(vec![RegionCode::parse("360124000000").unwrap()]);
        let mut seen = CadresSeen::new();
        let mut read = |line: u64, row: &[&str]| {
            let at = RowAt {
                sheet: None,
                line,
                mapping: &m,
            };
            cadre_row(&at, 0, m.cells(&s(row)), &codes, &scope, &mut seen).parsed
        };
        let ok = read(
            2,
            &["县人社局", "县", "张三", "13800138000", "360124106204"],
        )
        .unwrap();
        assert_eq!(ok.unit_level.as_deref(), Some("04"));
        assert_eq!(ok.phone, Some(Phone::Full("13800138000".into())));
        // a namesake with another phone is another cadre; without a phone it repeats line 2
        assert!(read(3, &["县人社局", "04", "张三", "13900139000", ""]).is_ok());
        let e = read(4, &["县人社局", "", "张三", "", ""]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("duplicate_cadre", Some("干部姓名"))
        );
        assert!(e.message.contains("第 2 行"), "{}", e.message);
        let e = read(5, &["县人社局", "厅级", "李四", "", ""]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("unknown_code", Some("单位级别"))
        );
        let e = read(6, &["县人社局", "", "李四", "12a", ""]).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("联系电话"));
        assert_ne!(
            e.value.as_deref(),
            Some("12a"),
            "phones are masked in reports"
        );
        let e = read(7, &["县人社局", "", "李四", "", "360125000000"]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("out_of_scope", Some("管理区划代码"))
        );
        let e = read(8, &["", "", "李四", "", ""]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("required", Some("帮扶单位"))
        );
    }

    #[test]
    fn pairing_and_visit_rows() {
        let today = date!(2026 - 11 - 29);
        let m = Mapping::new(
            Kind::Pairings,
            &s(&["户编号", "帮扶单位", "帮扶干部", "开始日期"]),
        )
        .unwrap();
        let at = RowAt {
            sheet: None,
            line: 2,
            mapping: &m,
        };
        let p = pairing_row(
            &at,
            0,
            m.cells(&s(&["H1", "县人社局", "张三", "2016/3/1"])),
            today,
        );
        assert_eq!(p.parsed.unwrap().start, date!(2016 - 03 - 01));
        let p = pairing_row(
            &at,
            0,
            m.cells(&s(&["H1", "县人社局", "张三", "2016-02-30"])),
            today,
        );
        let e = p.parsed.unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("invalid_date", Some("开始日期"))
        );
        assert!(e.message.starts_with("开始日期"), "{}", e.message);
        let p = pairing_row(
            &at,
            0,
            m.cells(&s(&["H1", "县人社局", "张三", "1999-01-01"])),
            today,
        );
        assert_eq!(p.parsed.unwrap_err().code, "date_out_of_range");

        let m = Mapping::new(
            Kind::Visits,
            &s(&[
                "户编码",
                "走访日期",
                "走访类型",
                "参加干部",
                "慰问金(元)",
                "慰问品",
                "慰问品价值(元)",
            ]),
        )
        .unwrap();
        let at = RowAt {
            sheet: None,
            line: 2,
            mapping: &m,
        };
        let codes = CodeBook::defaults();
        let v = visit_row(
            &at,
            0,
            m.cells(&s(&[
                "H1",
                "2018-05-01",
                "慰问",
                "张三、李四,王五",
                "500.5",
                "大米",
                "200",
            ])),
            &codes,
        )
        .parsed
        .unwrap();
        assert_eq!(v.kind, "02");
        assert_eq!(v.names, ["张三", "李四", "王五"]);
        assert_eq!((v.money_fen, v.goods_value_fen), (50_050, 20_000));
        let e = visit_row(
            &at,
            0,
            m.cells(&s(&["H1", "2018-05-01", "01", "张三", "五百", "", ""])),
            &codes,
        )
        .parsed
        .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("not_an_amount", Some("慰问金(元)"))
        );
        let e = visit_row(
            &at,
            0,
            m.cells(&s(&["H1", "2018-05-01", "01", "张三", "", "", "20"])),
            &codes,
        )
        .parsed
        .unwrap_err();
        assert_eq!(e.code, "goods_without_description");
        let e = visit_row(
            &at,
            0,
            m.cells(&s(&["H1", "2018-05-01", "01", " 、", "", "", ""])),
            &codes,
        )
        .parsed
        .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("required", Some("参加干部"))
        );
    }
}
