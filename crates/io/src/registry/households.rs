//! Households files, one row per person: cells to core's `HouseholdInput` and `MemberInput`, the
//! checks of a household as a whole (exactly one head, the household columns the same on every row,
//! no ID number twice), and what changes when a household is already registered.
//!
//! Columns a file does not have keep their stored values for a registered household (a file with
//! only some optional columns updates only those); a blank cell in a column the file has clears the
//! value. For a new household, absent optional columns are empty.

use crate::cells;
use crate::columns::{Kind, Mapping};
use crate::report::Issue;
use crate::rows::{village_key, RowAt};
use fupin_core::codes::{CodeBook, HEAD_RELATION};
use fupin_core::error::DomainError;
use fupin_core::registry::{
    check_one_head, Household, HouseholdData, HouseholdId, HouseholdInput, HouseholdStatus,
    InitialStatus, JoinInput, LivingConditions, Member, MemberData, MemberInput, Relocation,
    StatusChange, StatusChangeInput,
};
use fupin_core::store::{BulkHouseholdUpdate, BulkNewHousehold, StoredHousehold};
use fupin_core::Scope;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use time::{Date, Month};

/// Column indexes of the households kind, looked up once.
pub(crate) struct Cols {
    pub household_number: usize,
    pub village_code: usize,
    pub group_name: usize,
    pub address: usize,
    pub head_name: usize,
    pub attribute: usize,
    pub identification_standard: usize,
    pub identification_year: usize,
    pub main_cause: usize,
    pub other_causes: usize,
    pub phone: usize,
    pub bank_name: usize,
    pub bank_account: usize,
    pub status: usize,
    pub status_date: usize,
    pub status_reason: usize,
    pub exit_year: usize,
    pub relocated: usize,
    pub relocation_mode: usize,
    pub relocation_resettlement: usize,
    pub relocation_place: usize,
    pub relocation_move_in_date: usize,
    pub relocation_difficulties: usize,
    pub name: usize,
    pub id_number: usize,
    pub sex: usize,
    pub birth_date: usize,
    pub relation: usize,
    pub ethnicity: usize,
    pub education: usize,
    pub schooling: usize,
    pub out_of_school_reason: usize,
    pub health: usize,
    pub labour_ability: usize,
    pub work_status: usize,
    pub work_months: usize,
    pub disability: usize,
    pub basic_medical_insurance: usize,
    pub serious_illness_insurance: usize,
    pub pension_insurance: usize,
    pub member_phone: usize,
    pub join_kind: usize,
    pub join_date: usize,
}

pub(crate) static C: LazyLock<Cols> = LazyLock::new(|| {
    let k = |n: &str| Kind::Households.col(n);
    Cols {
        household_number: k("household_number"),
        village_code: k("village_code"),
        group_name: k("group_name"),
        address: k("address"),
        head_name: k("head_name"),
        attribute: k("attribute"),
        identification_standard: k("identification_standard"),
        identification_year: k("identification_year"),
        main_cause: k("main_cause"),
        other_causes: k("other_causes"),
        phone: k("phone"),
        bank_name: k("bank_name"),
        bank_account: k("bank_account"),
        status: k("status"),
        status_date: k("status_date"),
        status_reason: k("status_reason"),
        exit_year: k("exit_year"),
        relocated: k("relocated"),
        relocation_mode: k("relocation_mode"),
        relocation_resettlement: k("relocation_resettlement"),
        relocation_place: k("relocation_place"),
        relocation_move_in_date: k("relocation_move_in_date"),
        relocation_difficulties: k("relocation_difficulties"),
        name: k("name"),
        id_number: k("id_number"),
        sex: k("sex"),
        birth_date: k("birth_date"),
        relation: k("relation"),
        ethnicity: k("ethnicity"),
        education: k("education"),
        schooling: k("schooling"),
        out_of_school_reason: k("out_of_school_reason"),
        health: k("health"),
        labour_ability: k("labour_ability"),
        work_status: k("work_status"),
        work_months: k("work_months"),
        disability: k("disability"),
        basic_medical_insurance: k("basic_medical_insurance"),
        serious_illness_insurance: k("serious_illness_insurance"),
        pension_insurance: k("pension_insurance"),
        member_phone: k("member_phone"),
        join_kind: k("join_kind"),
        join_date: k("join_date"),
    }
});

/// Living-condition columns in the order of `LivingConditions`' optional fields.
type TextField = fn(&mut LivingConditions) -> &mut Option<String>;
const LIVING_TEXT: [(&str, TextField); 3] = [
    ("housing_grade", |l| &mut l.housing_grade),
    ("road_type", |l| &mut l.road_type),
    ("fuel_type", |l| &mut l.fuel_type),
];
type F64Field = fn(&mut LivingConditions) -> &mut Option<f64>;
const LIVING_F64: [(&str, F64Field); 8] = [
    ("housing_area_m2", |l| &mut l.housing_area_m2),
    ("road_distance_km", |l| &mut l.road_distance_km),
    ("farmland_mu", |l| &mut l.farmland_mu),
    ("irrigated_mu", |l| &mut l.irrigated_mu),
    ("forest_mu", |l| &mut l.forest_mu),
    ("orchard_mu", |l| &mut l.orchard_mu),
    ("pasture_mu", |l| &mut l.pasture_mu),
    ("water_surface_mu", |l| &mut l.water_surface_mu),
];
type BoolField = fn(&mut LivingConditions) -> &mut Option<bool>;
const LIVING_BOOL: [(&str, BoolField); 7] = [
    ("safe_drinking_water", |l| &mut l.safe_drinking_water),
    ("drinking_water_difficulty", |l| {
        &mut l.drinking_water_difficulty
    }),
    ("electricity_living", |l| &mut l.electricity_living),
    ("electricity_production", |l| &mut l.electricity_production),
    ("radio_tv", |l| &mut l.radio_tv),
    ("sanitary_toilet", |l| &mut l.sanitary_toilet),
    ("in_cooperative", |l| &mut l.in_cooperative),
];

/// A cell-level problem: the column (index of the kind) and the error.
#[derive(Debug)]
pub(crate) struct CellError {
    pub col: usize,
    pub error: DomainError,
}

/// Read the cell of column `col` with `read`, which is given the column's Chinese header to name
/// it in its message (`识别年度 须为四位年份`, not the key); the error keeps the key as its field.
fn read<T>(col: usize, f: impl FnOnce(&str) -> Result<T, DomainError>) -> Result<T, CellError> {
    let c = &Kind::Households.columns()[col];
    f(c.header).map_err(|e| CellError {
        col,
        error: e.with_field(c.key),
    })
}

/// The column a core field path names, for households files.
pub(crate) fn column_of_field(field: &str, member: bool) -> Option<usize> {
    let f = field
        .trim_start_matches("household.")
        .split('[')
        .next()
        .unwrap_or(field);
    let f = f.split('.').collect::<Vec<_>>();
    let key = match f.as_slice() {
        ["living", x] => *x,
        ["relocation", "mode"] => "relocation_mode",
        ["relocation", "resettlement"] => "relocation_resettlement",
        ["relocation", "place"] => "relocation_place",
        ["relocation", "move_in_date"] => "relocation_move_in_date",
        ["relocation", "difficulties"] => "relocation_difficulties",
        ["joined", "kind"] => "join_kind",
        ["joined", "date"] | ["joined"] => "join_date",
        ["initial_status", "date"] | ["date"] => "status_date",
        ["initial_status", "exit_year"] | ["exit_year"] => "exit_year",
        ["initial_status", "status"] | ["to"] => "status",
        ["initial_status", "reason"] | ["reason"] => "status_reason",
        ["phone"] if member => "member_phone",
        ["members", ..] => "relation",
        [x] => *x,
        _ => return None,
    };
    Kind::Households.columns().iter().position(|c| c.key == key)
}

fn cell(c: &[Option<String>], i: usize) -> Option<&str> {
    c[i].as_deref()
}

/// Text of a present column (blank = None), or the fallback when the column is absent.
fn text_or(c: &[Option<String>], i: usize, base: Option<String>) -> Option<String> {
    match cell(c, i) {
        Some(s) => cells::text(s),
        None => base,
    }
}

fn required_text(c: &[Option<String>], i: usize, base: Option<&str>) -> Result<String, CellError> {
    match cell(c, i) {
        Some(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(_) => Err(CellError {
            col: i,
            error: DomainError::invalid(
                Kind::Households.columns()[i].key,
                "required",
                format!("{} 不能为空", Kind::Households.columns()[i].header),
            ),
        }),
        None => Ok(base.unwrap_or_default().to_string()),
    }
}

/// Build a household's input from its cells; absent columns come from `base` (the stored household).
pub(crate) fn household_input(
    c: &[Option<String>],
    base: Option<&Household>,
) -> Result<HouseholdInput, CellError> {
    let col = &*C;
    let identification_year = match cell(c, col.identification_year) {
        Some(s) => {
            read(col.identification_year, |h| cells::year(h, s))?.ok_or_else(|| CellError {
                col: col.identification_year,
                error: DomainError::invalid("identification_year", "required", "识别年度 不能为空"),
            })?
        }
        None => base.map(|b| b.identification_year).unwrap_or_default(),
    };
    let other_causes = match cell(c, col.other_causes) {
        Some(s) => cells::list(s),
        None => base.map(|b| b.other_causes.clone()).unwrap_or_default(),
    };
    let mut living = base.map(|b| b.living.clone()).unwrap_or_default();
    for (k, f) in LIVING_TEXT {
        let i = Kind::Households.col(k);
        if let Some(s) = cell(c, i) {
            *f(&mut living) = cells::text(s);
        }
    }
    for (k, f) in LIVING_F64 {
        let i = Kind::Households.col(k);
        if let Some(s) = cell(c, i) {
            *f(&mut living) = read(i, |h| cells::decimal(h, s))?;
        }
    }
    for (k, f) in LIVING_BOOL {
        let i = Kind::Households.col(k);
        if let Some(s) = cell(c, i) {
            *f(&mut living) = read(i, |h| cells::boolean(h, s))?;
        }
    }
    let ry = Kind::Households.col("housing_renovated_year");
    if let Some(s) = cell(c, ry) {
        living.housing_renovated_year = read(ry, |h| cells::year(h, s))?;
    }
    Ok(HouseholdInput {
        household_number: required_text(
            c,
            col.household_number,
            base.map(|b| b.household_number.as_str()),
        )?,
        village_code: required_text(c, col.village_code, base.map(|b| b.village_code.as_str()))?,
        group_name: text_or(c, col.group_name, base.and_then(|b| b.group_name.clone())),
        address: text_or(c, col.address, base.and_then(|b| b.address.clone())),
        phone: text_or(c, col.phone, base.and_then(|b| b.phone.clone())),
        bank_name: text_or(c, col.bank_name, base.and_then(|b| b.bank_name.clone())),
        bank_account: text_or(
            c,
            col.bank_account,
            base.and_then(|b| b.bank_account.clone()),
        ),
        attribute: required_text(c, col.attribute, base.map(|b| b.attribute.as_str()))?,
        identification_standard: required_text(
            c,
            col.identification_standard,
            base.map(|b| b.identification_standard.as_str()),
        )?,
        identification_year,
        main_cause: required_text(c, col.main_cause, base.map(|b| b.main_cause.as_str()))?,
        other_causes,
        living,
        relocation: relocation(c, base.and_then(|b| b.relocation.as_ref()))?,
        // an import finds its households by number: it never renumbers one
        confirm_renumber: false,
    })
}

fn relocation(
    c: &[Option<String>],
    base: Option<&Relocation>,
) -> Result<Option<Relocation>, CellError> {
    let col = &*C;
    let idx = [
        col.relocated,
        col.relocation_mode,
        col.relocation_resettlement,
        col.relocation_place,
        col.relocation_move_in_date,
        col.relocation_difficulties,
    ];
    if idx.iter().all(|i| c[*i].is_none()) {
        return Ok(base.cloned());
    }
    if idx
        .iter()
        .all(|i| c[*i].as_deref().is_none_or(|s| s.trim().is_empty()))
        && c[col.relocated].is_some()
    {
        return Ok(None);
    }
    let b = base.cloned().unwrap_or_default();
    let relocated = match cell(c, col.relocated) {
        Some(s) => read(col.relocated, |h| cells::boolean(h, s))?.unwrap_or(false),
        None => b.relocated,
    };
    let move_in_date = match cell(c, col.relocation_move_in_date) {
        Some(s) => read(col.relocation_move_in_date, |h| cells::date(h, s))?,
        None => b.move_in_date,
    };
    Ok(Some(Relocation {
        relocated,
        mode: text_or(c, col.relocation_mode, b.mode),
        resettlement: text_or(c, col.relocation_resettlement, b.resettlement),
        place: text_or(c, col.relocation_place, b.place),
        move_in_date,
        difficulties: text_or(c, col.relocation_difficulties, b.difficulties),
    }))
}

fn opt_bool(c: &[Option<String>], i: usize, base: Option<bool>) -> Result<Option<bool>, CellError> {
    match cell(c, i) {
        Some(s) => read(i, |h| cells::boolean(h, s)),
        None => Ok(base),
    }
}

/// Build a member's input from the cells of its row; absent columns come from `base`.
pub(crate) fn member_input(
    c: &[Option<String>],
    base: Option<&Member>,
) -> Result<MemberInput, CellError> {
    let col = &*C;
    let birth_date = match cell(c, col.birth_date) {
        Some(s) => read(col.birth_date, |h| cells::date(h, s))?,
        None => base.map(|b| b.birth_date),
    };
    let work_months = match cell(c, col.work_months) {
        Some(s) => read(col.work_months, |h| cells::int(h, s))?
            .map(|v| i32::try_from(v).unwrap_or(i32::MAX)),
        None => base.and_then(|b| b.work_months),
    };
    let joined = match cell(c, col.join_kind).and_then(cells::text) {
        Some(kind) => {
            let date = match cell(c, col.join_date) {
                Some(s) => read(col.join_date, |h| cells::date(h, s))?,
                None => None,
            }
            .ok_or_else(|| CellError {
                col: col.join_date,
                error: DomainError::invalid(
                    "joined.date",
                    "required",
                    "填写加入方式时须填写加入日期",
                ),
            })?;
            Some(JoinInput {
                kind,
                date,
                reason: None,
            })
        }
        None => None,
    };
    Ok(MemberInput {
        name: required_text(c, col.name, base.map(|b| b.name.as_str()))?,
        id_number: required_text(c, col.id_number, base.map(|b| b.id_number.as_str()))?,
        sex: text_or(c, col.sex, base.map(|b| b.sex.as_str().to_string())),
        birth_date,
        relation: required_text(c, col.relation, base.map(|b| b.relation.as_str()))?,
        ethnicity: text_or(c, col.ethnicity, base.and_then(|b| b.ethnicity.clone())),
        education: text_or(c, col.education, base.and_then(|b| b.education.clone())),
        schooling: text_or(c, col.schooling, base.and_then(|b| b.schooling.clone())),
        out_of_school_reason: text_or(
            c,
            col.out_of_school_reason,
            base.and_then(|b| b.out_of_school_reason.clone()),
        ),
        health: text_or(c, col.health, base.and_then(|b| b.health.clone())),
        labour_ability: text_or(
            c,
            col.labour_ability,
            base.and_then(|b| b.labour_ability.clone()),
        ),
        work_status: text_or(c, col.work_status, base.and_then(|b| b.work_status.clone())),
        work_months,
        disability: opt_bool(c, col.disability, base.and_then(|b| b.disability))?,
        basic_medical_insurance: opt_bool(
            c,
            col.basic_medical_insurance,
            base.and_then(|b| b.basic_medical_insurance),
        )?,
        serious_illness_insurance: opt_bool(
            c,
            col.serious_illness_insurance,
            base.and_then(|b| b.serious_illness_insurance),
        )?,
        pension_insurance: opt_bool(
            c,
            col.pension_insurance,
            base.and_then(|b| b.pension_insurance),
        )?,
        phone: text_or(c, col.member_phone, base.and_then(|b| b.phone.clone())),
        joined,
    })
}

/// The status columns of a household.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StatusCells {
    pub status: Option<HouseholdStatus>,
    pub date: Option<Date>,
    pub exit_year: Option<i32>,
    pub reason: Option<String>,
}

pub(crate) fn status_cells(c: &[Option<String>]) -> Result<StatusCells, CellError> {
    let col = &*C;
    Ok(StatusCells {
        status: match cell(c, col.status) {
            Some(s) => read(col.status, |h| cells::status(h, s))?,
            None => None,
        },
        date: match cell(c, col.status_date) {
            Some(s) => read(col.status_date, |h| cells::date(h, s))?,
            None => None,
        },
        exit_year: match cell(c, col.exit_year) {
            Some(s) => read(col.exit_year, |h| cells::year(h, s))?,
            None => None,
        },
        reason: cell(c, col.status_reason).and_then(cells::text),
    })
}

/// The initial status history of a new household. A household entered as exited was poor from its
/// identification year until the status date (so that earlier years count it as poor); any other
/// status starts on its date.
pub(crate) fn initial_history(
    s: &StatusCells,
    identification_year: i32,
    today: Date,
) -> Result<Vec<StatusChange>, DomainError> {
    let start = Date::from_calendar_date(identification_year, Month::January, 1)
        .map_err(|_| DomainError::invalid("identification_year", "invalid_year", "识别年度无效"))?;
    let status = s.status.unwrap_or(HouseholdStatus::Poor);
    let poor = StatusChange {
        from: None,
        to: HouseholdStatus::Poor,
        date: start,
        reason: "建档立卡".to_string(),
        exit_year: None,
    };
    if status == HouseholdStatus::Exited {
        let date = s.date.ok_or_else(|| {
            DomainError::invalid("status_date", "required", "状态为“已脱贫”时须填写状态日期")
        })?;
        if date.year() > identification_year {
            let change = StatusChangeInput {
                to: HouseholdStatus::Exited,
                date,
                reason: s.reason.clone().unwrap_or_else(|| "脱贫退出".to_string()),
                exit_year: s.exit_year,
            }
            .validate(HouseholdStatus::Poor, Some(start), today)?;
            return Ok(vec![poor, change]);
        }
    }
    let v = InitialStatus {
        status,
        date: s.date.unwrap_or(start),
        reason: s.reason.clone(),
        exit_year: s.exit_year,
    }
    .validate(today)?;
    Ok(vec![StatusChange {
        from: None,
        to: v.status,
        date: v.date,
        reason: v.reason,
        exit_year: v.exit_year,
    }])
}

/// A compact key of an ID number: the 17 digits before the check character (which they determine).
pub(crate) fn id_key(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(&b[..17]).ok()?.parse().ok()
}

/// A household's rows as read, with what the parser found.
#[derive(Debug)]
pub(crate) struct Group {
    pub sheet: u16,
    pub lines: Vec<u64>,
    pub number: String,
    /// Household cells, merged over the rows (the first non-blank value of each column).
    pub hh: Vec<Option<String>>,
    /// Line each merged household cell came from.
    pub hh_line: Vec<u64>,
    pub rows: Vec<Vec<Option<String>>>,
    pub issues: Vec<Issue>,
    /// Valid as a new household (no issues).
    pub new: Option<BulkNewHousehold>,
    /// Validated members by row (`None` where the row is bad).
    pub members: Vec<Option<MemberData>>,
}

/// The checks that need nothing but the file: everything about a household except what is stored.
pub(crate) struct GroupChecker<'a> {
    pub codes: &'a CodeBook,
    pub today: Date,
    pub villages: &'a std::collections::HashSet<u64>,
    pub scope: &'a Scope,
    /// ID key → (sheet, line) of its first row in the file.
    pub seen_ids: HashMap<u64, (u16, u32)>,
    /// Household number → (sheet, line) of its first row.
    pub seen_numbers: HashMap<Box<str>, (u16, u64)>,
    pub sheet_names: Vec<String>,
}

/// The household an ID number is active in, as an error may name it: by its number when the
/// caller may see it, else only as "another household" (neither its number nor its region).
fn other_household(number: &Option<String>) -> String {
    match number {
        Some(n) => format!("户 {} ", cells::shown(n)),
        None => "另一户".to_string(),
    }
}

impl GroupChecker<'_> {
    fn place(&self, sheet: u16, line: u64) -> String {
        match self
            .sheet_names
            .get(sheet as usize)
            .filter(|s| !s.is_empty())
        {
            Some(name) if self.sheet_names.len() > 1 => format!("工作表“{name}”第 {line} 行"),
            _ => format!("第 {line} 行"),
        }
    }

    /// Check a household's rows; fills `issues`, `members` and `new`.
    pub fn check(&mut self, g: &mut Group, mapping: &Mapping) {
        let col = &*C;
        let sheet = self.sheet_names.get(g.sheet as usize).cloned();
        let sheet = sheet.as_deref().filter(|s| !s.is_empty());
        let first = RowAt {
            sheet,
            line: g.lines[0],
            mapping,
        };
        // the same household number further up the file: the rows of a household must be together
        match self.seen_numbers.get(g.number.as_str()) {
            Some(&(s, l)) => {
                let msg = format!(
                    "户编码 {} 已在{}出现：同一户的成员行须相邻，且每户只出现一次",
                    cells::shown(&g.number),
                    self.place(s, l)
                );
                for (i, line) in g.lines.iter().enumerate() {
                    let at = RowAt {
                        line: *line,
                        ..first.clone()
                    };
                    g.issues.push(at.issue(
                        Some(col.household_number),
                        &g.rows[i],
                        DomainError::invalid(
                            "household_number",
                            "repeated_household_number",
                            msg.clone(),
                        ),
                    ));
                }
            }
            None => {
                self.seen_numbers
                    .insert(g.number.clone().into_boxed_str(), (g.sheet, g.lines[0]));
            }
        }
        // household columns must agree across the rows
        for (r, row) in g.rows.iter().enumerate().skip(1) {
            for (i, c) in Kind::Households.columns().iter().enumerate() {
                if c.level != crate::columns::Level::Household {
                    continue;
                }
                if let (Some(v), Some(first_v)) = (row[i].as_deref(), g.hh[i].as_deref()) {
                    if !v.is_empty() && v != first_v {
                        let at = RowAt {
                            line: g.lines[r],
                            ..first.clone()
                        };
                        g.issues.push(at.issue(
                            Some(i),
                            row,
                            DomainError::invalid(
                                c.key,
                                "inconsistent_household",
                                format!(
                                    "同一户的“{}”与{}不一致（应为“{}”）",
                                    mapping.header_of(i),
                                    self.place(g.sheet, g.hh_line[i]),
                                    cells::shown(first_v)
                                ),
                            ),
                        ));
                    }
                }
            }
        }
        // members, row by row
        let mut heads = Vec::new();
        for (r, row) in g.rows.iter().enumerate() {
            let at = RowAt {
                line: g.lines[r],
                ..first.clone()
            };
            let m = member_input(row, None)
                .map_err(|e| at.issue(Some(e.col), row, e.error))
                .and_then(|mi| {
                    mi.validate(self.codes, self.today).map_err(|e| {
                        let c = e.field.as_deref().and_then(|f| column_of_field(f, true));
                        at.issue(c, row, e)
                    })
                });
            match m {
                Ok(m) => {
                    if let Some(k) = id_key(m.id_number.expose()) {
                        match self.seen_ids.get(&k) {
                            Some(&(s, l)) => g.issues.push(at.issue(
                                Some(col.id_number),
                                row,
                                DomainError::invalid(
                                    "id_number",
                                    "repeated_id_number",
                                    format!(
                                        "身份证号 {} 与{}重复：一人只能在一户中登记一次",
                                        m.id_number.masked(),
                                        self.place(s, u64::from(l))
                                    ),
                                ),
                            )),
                            None => {
                                self.seen_ids.insert(
                                    k,
                                    (g.sheet, u32::try_from(g.lines[r]).unwrap_or(u32::MAX)),
                                );
                            }
                        }
                    }
                    if m.relation == HEAD_RELATION {
                        heads.push(r);
                    }
                    g.members.push(Some(m));
                }
                Err(issue) => {
                    // one issue per cell: a cell already reported (an ID number stored as a
                    // number) is not reported again by the rules
                    let known = g.issues.iter().any(|i| {
                        i.line == issue.line && i.column.is_some() && i.column == issue.column
                    });
                    if !known {
                        g.issues.push(issue);
                    }
                    g.members.push(None);
                }
            }
        }
        let head_rows_ok = g.members.iter().all(Option::is_some);
        if head_rows_ok {
            if let Err(e) = check_one_head(heads.len()) {
                let r = heads.get(1).copied().unwrap_or(0);
                let at = RowAt {
                    line: g.lines[r],
                    ..first.clone()
                };
                g.issues.push(at.issue(Some(col.relation), &g.rows[r], e));
            }
        }
        if g.rows.len() > 50 {
            g.issues.push(first.issue(
                None,
                &g.hh,
                DomainError::invalid("members", "too_many_members", "一户最多 50 名成员"),
            ));
        }
        if let (Some(h), Some(name)) = (heads.first(), g.hh[col.head_name].as_deref()) {
            if !name.is_empty() && g.rows[*h][col.name].as_deref() != Some(name) {
                let at = RowAt {
                    line: g.hh_line[col.head_name],
                    ..first.clone()
                };
                g.issues.push(at.issue(
                    Some(col.head_name),
                    &g.hh,
                    DomainError::invalid(
                        "head_name",
                        "head_name_mismatch",
                        "户主姓名与户主行的姓名不一致",
                    ),
                ));
            }
        }
        // the household itself, as if new (a registered household is checked again against what
        // is stored, with the stored values for columns the file lacks)
        let household = household_input(&g.hh, None)
            .map_err(|e| {
                let at = RowAt {
                    line: g.hh_line[e.col],
                    ..first.clone()
                };
                at.issue(Some(e.col), &g.hh, e.error)
            })
            .and_then(|hi| {
                hi.validate(self.codes, self.today).map_err(|e| {
                    let c = e.field.as_deref().and_then(|f| column_of_field(f, false));
                    let line = c.map_or(g.lines[0], |c| g.hh_line[c]);
                    RowAt {
                        line,
                        ..first.clone()
                    }
                    .issue(c, &g.hh, e)
                })
            });
        let data = match household {
            Ok(d) => d,
            Err(issue) => {
                g.issues.push(issue);
                return;
            }
        };
        if let Some(issue) = self.village_issue(&data, g, &first) {
            g.issues.push(issue);
        }
        let history = status_cells(&g.hh)
            .map_err(|e| first.issue(Some(e.col), &g.hh, e.error))
            .and_then(|s| {
                initial_history(&s, data.identification_year, self.today).map_err(|e| {
                    let c = e.field.as_deref().and_then(|f| column_of_field(f, false));
                    first.issue(c, &g.hh, e)
                })
            });
        match history {
            Ok(history) if g.issues.is_empty() => {
                g.new = Some(BulkNewHousehold {
                    data,
                    members: g.members.iter().flatten().cloned().collect(),
                    history,
                });
            }
            Ok(_) => {}
            Err(issue) => g.issues.push(issue),
        }
    }

    /// The village must be a known village within the caller's scope.
    pub fn village_issue(&self, data: &HouseholdData, g: &Group, first: &RowAt) -> Option<Issue> {
        let col = &*C;
        let at = RowAt {
            line: g.hh_line[col.village_code],
            ..first.clone()
        };
        let known =
            village_key(data.village_code.as_str()).is_some_and(|k| self.villages.contains(&k));
        if !self.scope.allows(&data.village_code) {
            return Some(at.issue(
                Some(col.village_code),
                &g.hh,
                DomainError::invalid(
                    "village_code",
                    "out_of_scope",
                    format!("村代码 {} 不在您的管辖范围内", data.village_code),
                ),
            ));
        }
        if !known {
            return Some(at.issue(
                Some(col.village_code),
                &g.hh,
                DomainError::invalid(
                    "village_code",
                    "unknown_village",
                    format!(
                        "村代码 {} 不是系统中的村级区划，请先导入区划",
                        data.village_code
                    ),
                ),
            ));
        }
        None
    }
}

fn same_household(d: &HouseholdData, h: &Household) -> bool {
    d.household_number == h.household_number
        && d.village_code == h.village_code
        && d.group_name == h.group_name
        && d.address == h.address
        && d.phone == h.phone
        && d.bank_name == h.bank_name
        && d.bank_account == h.bank_account
        && d.attribute == h.attribute
        && d.identification_standard == h.identification_standard
        && d.identification_year == h.identification_year
        && d.main_cause == h.main_cause
        && d.other_causes == h.other_causes
        && d.living == h.living
        && d.relocation == h.relocation
}

fn same_member(d: &MemberData, m: &Member) -> bool {
    d.name == m.name
        && d.id_number.expose() == m.id_number
        && d.sex == m.sex
        && d.birth_date == m.birth_date
        && d.relation == m.relation
        && d.ethnicity == m.ethnicity
        && d.education == m.education
        && d.schooling == m.schooling
        && d.out_of_school_reason == m.out_of_school_reason
        && d.health == m.health
        && d.labour_ability == m.labour_ability
        && d.work_status == m.work_status
        && d.work_months == m.work_months
        && d.disability == m.disability
        && d.basic_medical_insurance == m.basic_medical_insurance
        && d.serious_illness_insurance == m.serious_illness_insurance
        && d.pension_insurance == m.pension_insurance
        && d.phone == m.phone
}

/// Default reason of a status change made by an import.
pub(crate) const IMPORT_REASON: &str = "年度动态调整（导入）";

impl GroupChecker<'_> {
    /// What importing `g` changes in the stored household `s`: `Ok(None)` when nothing, the update,
    /// or the issues that reject it. `active` maps ID numbers to the household number they are active in (`None` for a household
    /// outside the caller's scope);
    /// `history` holds (household, status, date) entries of the status histories, where a row's
    /// status and date may be found as a past change rather than a new one.
    pub fn plan_update(
        &self,
        g: &Group,
        s: &StoredHousehold,
        mapping: &Mapping,
        active: &HashMap<String, Option<String>>,
        history: &HashSet<(HouseholdId, HouseholdStatus, Date)>,
    ) -> Result<Option<BulkHouseholdUpdate>, Vec<Issue>> {
        let col = &*C;
        let sheet = self.sheet_names.get(g.sheet as usize).cloned();
        let sheet = sheet.as_deref().filter(|s| !s.is_empty());
        let first = RowAt {
            sheet,
            line: g.lines[0],
            mapping,
        };
        let mut issues = Vec::new();
        if !self.scope.allows(&s.household.village_code) {
            issues.push(
                first.issue(
                    Some(col.household_number),
                    &g.hh,
                    // refused as a number already taken, without saying whose or where
                    DomainError::conflict(
                        "duplicate_household_number",
                        format!("户编码 {} 已存在", cells::shown(&g.number)),
                    )
                    .with_field("household_number"),
                ),
            );
            return Err(issues);
        }
        let data = match household_input(&g.hh, Some(&s.household))
            .map_err(|e| {
                RowAt {
                    line: g.hh_line[e.col],
                    ..first.clone()
                }
                .issue(Some(e.col), &g.hh, e.error)
            })
            .and_then(|hi| {
                hi.validate(self.codes, self.today).map_err(|e| {
                    let c = e.field.as_deref().and_then(|f| column_of_field(f, false));
                    let line = c.map_or(g.lines[0], |c| g.hh_line[c]);
                    RowAt {
                        line,
                        ..first.clone()
                    }
                    .issue(c, &g.hh, e)
                })
            }) {
            Ok(d) => d,
            Err(i) => return Err(vec![i]),
        };
        if data.village_code != s.household.village_code {
            if let Some(i) = self.village_issue(&data, g, &first) {
                issues.push(i);
            }
        }
        let status = match status_cells(&g.hh) {
            Err(e) => {
                issues.push(first.issue(Some(e.col), &g.hh, e.error));
                None
            }
            Ok(sc) => match sc.status {
                Some(to)
                    if to != s.household.status
                        && !sc
                            .date
                            .is_some_and(|d| history.contains(&(s.household.id, to, d))) =>
                {
                    let line = g.hh_line[col.status];
                    let at = RowAt {
                        line,
                        ..first.clone()
                    };
                    match sc.date {
                        None => {
                            issues.push(at.issue(
                                Some(col.status_date),
                                &g.hh,
                                DomainError::invalid(
                                    "status_date",
                                    "required",
                                    format!(
                                        "状态由“{}”变为“{}”时须填写状态日期",
                                        s.household.status.label(),
                                        to.label()
                                    ),
                                ),
                            ));
                            None
                        }
                        Some(date) => match (StatusChangeInput {
                            to,
                            date,
                            reason: sc
                                .reason
                                .clone()
                                .unwrap_or_else(|| IMPORT_REASON.to_string()),
                            exit_year: if to == HouseholdStatus::Exited {
                                sc.exit_year
                            } else {
                                None
                            },
                        })
                        .validate(
                            s.household.status,
                            s.last_status_date,
                            self.today,
                        ) {
                            Ok(c) => Some(c),
                            Err(e) => {
                                let c = e.field.as_deref().and_then(|f| column_of_field(f, false));
                                issues.push(at.issue(c, &g.hh, e));
                                None
                            }
                        },
                    }
                }
                _ => None,
            },
        };
        // members by ID number
        let mut new_members = Vec::new();
        let mut changed = Vec::new();
        let mut heads_in_file = 0usize;
        let mut in_file: Vec<&str> = Vec::new();
        for (r, row) in g.rows.iter().enumerate() {
            let at = RowAt {
                line: g.lines[r],
                ..first.clone()
            };
            let Some(parsed) = &g.members[r] else {
                continue;
            };
            let idn = parsed.id_number.expose();
            in_file.push(idn);
            let stored = s.members.iter().find(|m| m.id_number == idn);
            match stored {
                Some(m) if !m.active => issues.push(at.issue(
                    Some(col.id_number),
                    row,
                    DomainError::invalid(
                        "id_number",
                        "member_inactive",
                        format!(
                            "该成员已于 {} 从本户减少，不能通过导入恢复；如重新加入请登记成员变更",
                            m.left_on.map(|d| d.to_string()).unwrap_or_default()
                        ),
                    ),
                )),
                Some(m) => {
                    let d = member_input(row, Some(m))
                        .map_err(|e| at.issue(Some(e.col), row, e.error))
                        .and_then(|mi| {
                            let mi = MemberInput { joined: None, ..mi };
                            mi.validate(self.codes, self.today).map_err(|e| {
                                let c = e.field.as_deref().and_then(|f| column_of_field(f, true));
                                at.issue(c, row, e)
                            })
                        });
                    match d {
                        Ok(d) => {
                            heads_in_file += usize::from(d.is_head());
                            if !same_member(&d, m) {
                                changed.push((m.clone(), d));
                            }
                        }
                        Err(i) => issues.push(i),
                    }
                }
                None => {
                    if let Some(other) = active
                        .get(idn)
                        .filter(|n| n.as_deref() != Some(g.number.as_str()))
                    {
                        issues.push(
                            at.issue(
                                Some(col.id_number),
                                row,
                                DomainError::conflict(
                                    "duplicate_id_number",
                                    format!(
                                        "身份证号 {} 已是{}的在册成员，一人只能在一户中在册",
                                        parsed.id_number.masked(),
                                        other_household(other)
                                    ),
                                )
                                .with_field("id_number"),
                            ),
                        );
                        continue;
                    }
                    heads_in_file += usize::from(parsed.is_head());
                    new_members.push(parsed.clone());
                }
            }
        }
        let heads_kept = s
            .members
            .iter()
            .filter(|m| m.active && m.is_head() && !in_file.contains(&m.id_number.as_str()))
            .count();
        if issues.is_empty() {
            if let Err(e) = check_one_head(heads_in_file + heads_kept) {
                issues.push(first.issue(Some(col.relation), &g.rows[0], e));
            }
        }
        if !issues.is_empty() {
            return Err(issues);
        }
        let data = (!same_household(&data, &s.household)).then_some(data);
        if data.is_none() && status.is_none() && new_members.is_empty() && changed.is_empty() {
            return Ok(None);
        }
        Ok(Some(BulkHouseholdUpdate {
            before: s.household.clone(),
            data,
            status,
            new_members,
            changed_members: changed,
        }))
    }

    /// ID numbers of a new household that are already active in another registered household.
    pub fn registry_duplicates(
        &self,
        g: &Group,
        mapping: &Mapping,
        active: &HashMap<String, Option<String>>,
    ) -> Vec<Issue> {
        let col = &*C;
        let sheet = self.sheet_names.get(g.sheet as usize).cloned();
        let sheet = sheet.as_deref().filter(|s| !s.is_empty());
        let mut out = Vec::new();
        for (r, m) in g.members.iter().enumerate() {
            let Some(m) = m else { continue };
            if let Some(other) = active.get(m.id_number.expose()) {
                let at = RowAt {
                    sheet,
                    line: g.lines[r],
                    mapping,
                };
                out.push(
                    at.issue(
                        Some(col.id_number),
                        &g.rows[r],
                        DomainError::conflict(
                            "duplicate_id_number",
                            format!(
                                "身份证号 {} 已是{}的在册成员，一人只能在一户中在册",
                                m.id_number.masked(),
                                other_household(other)
                            ),
                        )
                        .with_field("id_number"),
                    ),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_name_columns() {
        let c = &*C;
        assert_eq!(
            column_of_field("living.road_type", false),
            Some(Kind::Households.col("road_type"))
        );
        assert_eq!(
            column_of_field("other_causes[1]", false),
            Some(c.other_causes)
        );
        assert_eq!(
            column_of_field("household.main_cause", false),
            Some(c.main_cause)
        );
        assert_eq!(column_of_field("phone", true), Some(c.member_phone));
        assert_eq!(column_of_field("phone", false), Some(c.phone));
        assert_eq!(column_of_field("joined.date", true), Some(c.join_date));
        assert_eq!(
            column_of_field("initial_status.exit_year", false),
            Some(c.exit_year)
        );
        assert_eq!(
            column_of_field("relocation.mode", false),
            Some(c.relocation_mode)
        );
        assert_eq!(column_of_field("nonsense.deep.path", false), None);
    }

    #[test]
    fn id_keys() {
        assert_eq!(id_key("36012419700101001X"), Some(36_012_419_700_101_001));
        assert_eq!(id_key("3601241970010100"), None);
        assert_eq!(id_key("36012419700101001x"), Some(36_012_419_700_101_001));
    }
}
