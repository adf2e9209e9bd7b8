//! Households (户): header, attributes, causes, living conditions and relocation.

use super::IncomeRecord;
use super::{HouseholdId, HouseholdStatus, Member, MemberChangeRecord, MemberInput, StatusEvent};
use crate::codes::{table, CodeBook};
use crate::error::{opt_text, DomainError, DomainResult};
use crate::regions::RegionCode;
use crate::years::{check_past_date, check_year};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Editable fields of a household, as sent by a client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput {
    /// 户编码: unique across the registry.
    pub household_number: String,
    /// 12-digit code of the village (村委会/居委会) the household belongs to.
    pub village_code: String,
    /// 村民小组 (optional).
    #[serde(default)]
    pub group_name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub bank_name: Option<String>,
    #[serde(default)]
    pub bank_account: Option<String>,
    /// 贫困户属性 (code or label).
    pub attribute: String,
    /// 识别标准 (code or label).
    pub identification_standard: String,
    /// 识别年度.
    pub identification_year: i32,
    /// 主要致贫原因 (code or label).
    pub main_cause: String,
    /// 其他致贫原因 (codes or labels).
    #[serde(default)]
    pub other_causes: Vec<String>,
    #[serde(default)]
    pub living: LivingConditions,
    #[serde(default)]
    pub relocation: Option<Relocation>,
    /// Set to change a stored household number: a renumbering without it is refused
    /// (`renumber_unconfirmed`), so that a number is never changed by a slip of the keyboard.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub confirm_renumber: bool,
}

/// How long the serial after the village code is: 户编码 = the village's 12-digit code + a 4-digit
/// serial, 16 digits in all (3601241062040001 is household 1 of 塔岗村 360124106204).
pub const HOUSEHOLD_SERIAL_DIGITS: usize = 4;

/// The rule of a household number: the code of the household's village followed by a 4-digit
/// serial from 0001, 16 digits in all. Numbers stored before the rule was enforced stay valid as
/// long as they are not changed (see [`HouseholdInput::validate_update`]).
pub fn check_household_number(field: &str, number: &str, village: &RegionCode) -> DomainResult<()> {
    let digits =
        number.len() == 12 + HOUSEHOLD_SERIAL_DIGITS && number.bytes().all(|b| b.is_ascii_digit());
    if !digits {
        return Err(DomainError::invalid(
            field,
            "invalid_household_number",
            format!(
                "户编码须为所属村的 12 位区划代码加 4 位序号，共 16 位数字（如 {village}0001），实际为 {} 位：{}",
                number.chars().count(),
                crate::labels::clip(number, 40)
            ),
        ));
    }
    if !number.starts_with(village.as_str()) {
        return Err(DomainError::invalid(
            field,
            "invalid_household_number",
            format!("户编码须以所属村的区划代码 {village} 开头（如 {village}0001）"),
        ));
    }
    if number.ends_with("0000") {
        return Err(DomainError::invalid(
            field,
            "invalid_household_number",
            format!("户编码的 4 位序号须从 0001 起（如 {village}0001）"),
        ));
    }
    Ok(())
}

/// Production and living conditions (domain.md §1.4). Every item is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct LivingConditions {
    /// 危房等级 A–D.
    pub housing_grade: Option<String>,
    pub housing_area_m2: Option<f64>,
    /// 危改年度, when the house was renovated.
    pub housing_renovated_year: Option<i32>,
    pub safe_drinking_water: Option<bool>,
    pub drinking_water_difficulty: Option<bool>,
    pub electricity_living: Option<bool>,
    pub electricity_production: Option<bool>,
    pub radio_tv: Option<bool>,
    /// 入户路类型 (code or label).
    pub road_type: Option<String>,
    pub road_distance_km: Option<f64>,
    pub sanitary_toilet: Option<bool>,
    /// 主要燃料类型 (code or label).
    pub fuel_type: Option<String>,
    pub farmland_mu: Option<f64>,
    pub irrigated_mu: Option<f64>,
    pub forest_mu: Option<f64>,
    pub orchard_mu: Option<f64>,
    pub pasture_mu: Option<f64>,
    pub water_surface_mu: Option<f64>,
    pub in_cooperative: Option<bool>,
}

/// 易地扶贫搬迁 (relocation) fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Relocation {
    pub relocated: bool,
    /// 01 行政村整体 / 02 自然村整体 / 03 个别搬迁
    pub mode: Option<String>,
    /// 集中 / 分散
    pub resettlement: Option<String>,
    /// 县城 / 乡镇 / 县外 / 村外 / 村内
    pub place: Option<String>,
    pub move_in_date: Option<Date>,
    pub difficulties: Option<String>,
}

/// The status a new household starts in, with its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InitialStatus {
    pub status: HouseholdStatus,
    pub date: Date,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub exit_year: Option<i32>,
}

/// A household to create, with its members (exactly one of them the head).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewHousehold {
    pub household: HouseholdInput,
    pub members: Vec<MemberInput>,
    /// Defaults to `poor` dated 1 January of the identification year.
    #[serde(default)]
    pub initial_status: Option<InitialStatus>,
}

/// Validated household fields, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdData {
    pub household_number: String,
    pub village_code: RegionCode,
    pub group_name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub bank_name: Option<String>,
    pub bank_account: Option<String>,
    pub attribute: String,
    pub identification_standard: String,
    pub identification_year: i32,
    pub main_cause: String,
    pub other_causes: Vec<String>,
    pub living: LivingConditions,
    pub relocation: Option<Relocation>,
}

/// A household as read back (personal fields masked unless asked otherwise by the caller).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Household {
    pub id: HouseholdId,
    pub household_number: String,
    pub village_code: RegionCode,
    pub group_name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub bank_name: Option<String>,
    pub bank_account: Option<String>,
    pub attribute: String,
    pub identification_standard: String,
    pub identification_year: i32,
    pub main_cause: String,
    pub other_causes: Vec<String>,
    pub living: LivingConditions,
    pub relocation: Option<Relocation>,
    pub status: HouseholdStatus,
    pub status_date: Date,
    pub exit_year: Option<i32>,
    /// Name of the current head (from the members).
    pub head_name: Option<String>,
    /// Active members now.
    pub member_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Household {
    /// Replace personal fields by their masked forms.
    pub fn mask(&mut self) {
        self.phone = self.phone.as_deref().map(crate::id_number::mask_phone);
        self.bank_account = self
            .bank_account
            .as_deref()
            .map(crate::id_number::mask_account);
    }
}

/// A household with everything recorded about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdDetail {
    #[serde(flatten)]
    pub household: Household,
    pub members: Vec<Member>,
    pub status_history: Vec<StatusEvent>,
    pub member_changes: Vec<MemberChangeRecord>,
    pub incomes: Vec<IncomeRecord>,
}

impl HouseholdDetail {
    pub fn mask(&mut self) {
        self.household.mask();
        self.members.iter_mut().for_each(Member::mask);
    }
}

/// Filters for a household list; the region is a scope (the code and everything below it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct HouseholdFilter {
    pub region: Option<String>,
    pub status: Option<HouseholdStatus>,
    pub main_cause: Option<String>,
    pub attribute: Option<String>,
    /// Household number, head name, or a member's full ID number.
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// The `next` of the previous page (`VILLAGE-NUMBER`): the page after that household, in
    /// list order (keyset pagination, as fast at the end of a province as at its start).
    pub after: Option<String>,
    /// The order: `number` (by village and household number, the default) or `-number` (the same
    /// backwards). Only orders read along an index are offered; a column the server could only sort
    /// by reading every row of the region (a name, a member count) is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
}

/// Validated list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdQuery {
    pub region: Option<RegionCode>,
    pub status: Option<HouseholdStatus>,
    pub main_cause: Option<String>,
    pub attribute: Option<String>,
    pub q: Option<String>,
    /// When `q` is a valid ID number, the normalised number (searched exactly, never by pattern).
    pub q_id_number: Option<String>,
    pub limit: u32,
    pub offset: u64,
    /// The household (village, number) the page starts after.
    pub after: Option<(RegionCode, String)>,
    /// Backwards: the last household number first (`sort=-number`).
    pub descending: bool,
}

/// The orders of the household list (`sort=`): ascending and descending household number.
pub const HOUSEHOLD_SORTS: [&str; 2] = ["number", "-number"];

/// Largest page a list returns.
pub const MAX_PER_PAGE: u32 = 500;

/// Rows a list may skip by page number; further pages are reached with `after`.
pub const MAX_OFFSET: u64 = 10_000;

/// The cursor of a list in (village, household number) order: `VILLAGE-NUMBER`.
pub fn household_cursor(village: &RegionCode, number: &str) -> String {
    format!("{}-{number}", village.as_str())
}

/// Read a cursor written by `household_cursor`.
pub fn parse_household_cursor(text: &str) -> DomainResult<(RegionCode, String)> {
    let bad = || DomainError::invalid("after", "invalid_cursor", "after 须为上一页给出的 next 值");
    let (v, n) = text.split_once('-').ok_or_else(bad)?;
    let v = RegionCode::parse(v).map_err(|_| bad())?;
    if n.is_empty() || n.chars().count() > 50 {
        return Err(bad());
    }
    Ok((v, n.to_string()))
}

impl HouseholdFilter {
    pub fn validate(&self, codes: &CodeBook) -> DomainResult<HouseholdQuery> {
        let region = self
            .region
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|r| RegionCode::parse_field("region", r))
            .transpose()?;
        let main_cause = codes.resolve_opt(table::POVERTY_CAUSE, "main_cause", &self.main_cause)?;
        let attribute =
            codes.resolve_opt(table::HOUSEHOLD_ATTRIBUTE, "attribute", &self.attribute)?;
        let q = opt_text("q", &self.q, 50)?;
        let q_id_number = q
            .as_deref()
            .and_then(|s| crate::id_number::IdNumber::parse(s).ok())
            .map(|i| i.expose().to_string());
        let per_page = self.per_page.unwrap_or(20);
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(DomainError::invalid(
                "per_page",
                "out_of_range",
                format!("每页条数须在 1 到 {MAX_PER_PAGE} 之间"),
            ));
        }
        let page = self.page.unwrap_or(1);
        if page == 0 {
            return Err(DomainError::invalid(
                "page",
                "out_of_range",
                "页码从 1 开始",
            ));
        }
        let after = self
            .after
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_household_cursor(s.trim()))
            .transpose()?;
        let offset = u64::from(page - 1) * u64::from(per_page);
        if after.is_some() && page > 1 {
            return Err(DomainError::invalid(
                "page",
                "out_of_range",
                "给出 after 时不能再给页码",
            ));
        }
        if offset > MAX_OFFSET {
            return Err(DomainError::invalid(
                "page",
                "page_too_deep",
                format!(
                    "按页码最多翻过 {MAX_OFFSET} 户；更后面的页请用上一页给出的 next 作为 after"
                ),
            ));
        }
        let descending = match self.sort.as_deref().map(str::trim) {
            None | Some("") | Some("number") => false,
            Some("-number") => true,
            Some(_) => {
                return Err(DomainError::invalid(
                    "sort",
                    "invalid_sort",
                    format!("排序 sort 须为以下之一：{}", HOUSEHOLD_SORTS.join("、")),
                ))
            }
        };
        Ok(HouseholdQuery {
            region,
            status: self.status,
            main_cause,
            attribute,
            q,
            q_id_number,
            limit: per_page,
            offset,
            after,
            descending,
        })
    }
}

/// A page of results, with the total count on the pages reached by number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many rows the list holds: counted for the pages reached by number, omitted on a page
    /// after a cursor (whose reader had the count with the first page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// The `after` of the next page, when the list has one that way (`None` on its last page).
    #[serde(default)]
    pub next: Option<String>,
}

fn check_number_text(
    field: &str,
    v: &str,
    min: usize,
    max: usize,
    allowed: impl Fn(char) -> bool,
    what: &str,
) -> DomainResult<()> {
    let label = crate::labels::Label(field);
    let n = v.chars().count();
    if n < min || n > max || !v.chars().all(allowed) {
        return Err(DomainError::invalid(
            field,
            "invalid_format",
            format!("{label} 格式不正确：应为 {min}–{max} 位{what}"),
        ));
    }
    Ok(())
}

/// Validate a phone number (digits with optional `+`, `-` and spaces, 7–20 characters).
pub fn check_phone(field: &str, v: &Option<String>) -> DomainResult<Option<String>> {
    let v = opt_text(field, v, 20)?;
    if let Some(p) = &v {
        check_number_text(
            field,
            p,
            7,
            20,
            |c| c.is_ascii_digit() || "+- ".contains(c),
            "数字",
        )?;
    }
    Ok(v)
}

fn check_area(field: &str, v: Option<f64>, max: f64) -> DomainResult<()> {
    let label = crate::labels::Label(field);
    if let Some(x) = v {
        if !x.is_finite() || x < 0.0 || x > max {
            return Err(DomainError::invalid(
                field,
                "out_of_range",
                format!("{label} 须在 0 到 {max} 之间"),
            ));
        }
    }
    Ok(())
}

impl LivingConditions {
    pub fn validate(&self, codes: &CodeBook, this_year: i32) -> DomainResult<LivingConditions> {
        // the fields' paths as literals: every household of an import passes here, and a path
        // formatted per field (`format!("living.{n}")`) was eleven strings per household
        let mut out = self.clone();
        out.housing_grade = codes.resolve_opt(
            table::HOUSING_SAFETY_GRADE,
            "living.housing_grade",
            &self.housing_grade,
        )?;
        out.road_type = codes.resolve_opt(table::ROAD_TYPE, "living.road_type", &self.road_type)?;
        out.fuel_type = codes.resolve_opt(table::FUEL_TYPE, "living.fuel_type", &self.fuel_type)?;
        check_area("living.housing_area_m2", self.housing_area_m2, 10_000.0)?;
        check_area("living.road_distance_km", self.road_distance_km, 1_000.0)?;
        for (n, v) in [
            ("living.farmland_mu", self.farmland_mu),
            ("living.irrigated_mu", self.irrigated_mu),
            ("living.forest_mu", self.forest_mu),
            ("living.orchard_mu", self.orchard_mu),
            ("living.pasture_mu", self.pasture_mu),
            ("living.water_surface_mu", self.water_surface_mu),
        ] {
            check_area(n, v, 100_000.0)?;
        }
        if let Some(y) = self.housing_renovated_year {
            check_year("living.housing_renovated_year", y, this_year)?;
        }
        Ok(out)
    }
}

impl Relocation {
    pub fn validate(&self, today: Date) -> DomainResult<Relocation> {
        let f = |n: &str| format!("relocation.{n}");
        let mode = opt_text(&f("mode"), &self.mode, 20)?;
        if let Some(m) = &mode {
            if !["01", "02", "03"].contains(&m.as_str()) {
                return Err(DomainError::invalid(
                    f("mode"),
                    "unknown_code",
                    "搬迁方式须为 01 行政村整体、02 自然村整体或 03 个别搬迁",
                ));
            }
        }
        let resettlement = opt_text(&f("resettlement"), &self.resettlement, 10)?;
        if let Some(r) = &resettlement {
            if !["集中", "分散"].contains(&r.as_str()) {
                return Err(DomainError::invalid(
                    f("resettlement"),
                    "unknown_code",
                    "安置方式须为“集中”或“分散”",
                ));
            }
        }
        let place = opt_text(&f("place"), &self.place, 10)?;
        if let Some(p) = &place {
            if !["县城", "乡镇", "县外", "村外", "村内"].contains(&p.as_str()) {
                return Err(DomainError::invalid(
                    f("place"),
                    "unknown_code",
                    "安置地须为 县城、乡镇、县外、村外 或 村内",
                ));
            }
        }
        if let Some(d) = self.move_in_date {
            check_past_date(&f("move_in_date"), d, today)?;
        }
        Ok(Relocation {
            relocated: self.relocated,
            mode,
            resettlement,
            place,
            move_in_date: self.move_in_date,
            difficulties: opt_text(&f("difficulties"), &self.difficulties, 500)?,
        })
    }
}

impl HouseholdInput {
    /// Validate and normalise (codes resolved from labels, texts trimmed). Whether the village exists
    /// is checked by the store, which knows the regions.
    ///
    /// The number is checked for its characters only: this is the check of imported files, whose
    /// numbers were issued by the system they come from and are their households' keys. A number
    /// entered by hand goes through [`HouseholdInput::validate_new`] or
    /// [`HouseholdInput::validate_update`], which apply the rule of [`check_household_number`].
    pub fn validate(&self, codes: &CodeBook, today: Date) -> DomainResult<HouseholdData> {
        self.validate_with(codes, today, |_, _| Ok(()))
    }

    /// Validate a new household entered by hand (API, pages): the number must follow the rule.
    pub fn validate_new(&self, codes: &CodeBook, today: Date) -> DomainResult<HouseholdData> {
        self.validate_with(codes, today, |number, village| {
            village.map_or(Ok(()), |v| {
                check_household_number("household_number", number, v)
            })
        })
    }

    /// Validate a change of a stored household: the rule of the number applies when the number
    /// changes (and the change must be confirmed); an unchanged number is kept as it is, even one
    /// stored before the rule.
    pub fn validate_update(
        &self,
        codes: &CodeBook,
        today: Date,
        stored_number: &str,
    ) -> DomainResult<HouseholdData> {
        self.validate_with(codes, today, |number, village| {
            if number == stored_number {
                return Ok(());
            }
            if let Some(v) = village {
                check_household_number("household_number", number, v)?;
            }
            if !self.confirm_renumber {
                return Err(DomainError::invalid(
                    "household_number",
                    "renumber_unconfirmed",
                    format!("户编码将由 {stored_number} 改为 {number}：改号须确认（confirm_renumber），改号会记入审计日志"),
                ));
            }
            Ok(())
        })
    }

    /// Every field checked, all its problems reported at once.
    fn validate_with(
        &self,
        codes: &CodeBook,
        today: Date,
        number_rule: impl FnOnce(&str, Option<&RegionCode>) -> DomainResult<()>,
    ) -> DomainResult<HouseholdData> {
        let mut p = crate::error::Problems::new();
        let number = self.household_number.trim();
        let number_ok = p
            .check(check_number_text(
                "household_number",
                number,
                1,
                40,
                |c| c.is_ascii_alphanumeric() || c == '-' || c == '_',
                "字母、数字或 - _",
            ))
            .is_some();
        let village_code = p
            .check(RegionCode::parse_field("village_code", &self.village_code))
            .and_then(|village_code| {
                if village_code.is_village() {
                    Some(village_code)
                } else {
                    p.push(DomainError::invalid(
                        "village_code",
                        "not_a_village",
                        format!("户所在地须为村级区划：{village_code}"),
                    ));
                    None
                }
            });
        if number_ok {
            p.check(number_rule(number, village_code.as_ref()));
        }
        let group_name = p.check(opt_text("group_name", &self.group_name, 50));
        let address = p.check(opt_text("address", &self.address, 200));
        let phone = p.check(check_phone("phone", &self.phone));
        let bank_name = p.check(opt_text("bank_name", &self.bank_name, 100));
        let bank_account = p.check(opt_text("bank_account", &self.bank_account, 32).and_then(
            |a| {
                if let Some(a) = &a {
                    check_number_text(
                        "bank_account",
                        a,
                        6,
                        32,
                        |c| c.is_ascii_digit() || c == ' ',
                        "数字",
                    )?;
                }
                Ok(a)
            },
        ));
        let attribute =
            p.check(codes.resolve(table::HOUSEHOLD_ATTRIBUTE, "attribute", &self.attribute));
        let identification_standard = p.check(codes.resolve(
            table::IDENTIFICATION_STANDARD,
            "identification_standard",
            &self.identification_standard,
        ));
        let identification_year = p.check(check_year(
            "identification_year",
            self.identification_year,
            today.year(),
        ));
        let main_cause =
            p.check(codes.resolve(table::POVERTY_CAUSE, "main_cause", &self.main_cause));
        let mut other_causes = Vec::new();
        for (i, c) in self.other_causes.iter().enumerate() {
            let Some(code) =
                p.check(codes.resolve(table::POVERTY_CAUSE, &format!("other_causes[{i}]"), c))
            else {
                continue;
            };
            if main_cause.as_deref() == Some(code.as_str()) {
                p.push(DomainError::invalid(
                    format!("other_causes[{i}]"),
                    "duplicates_main_cause",
                    "其他致贫原因与主要致贫原因重复",
                ));
                continue;
            }
            if !other_causes.contains(&code) {
                other_causes.push(code);
            }
        }
        let living = p.check(self.living.validate(codes, today.year()));
        let relocation = p.check(
            self.relocation
                .as_ref()
                .map(|r| r.validate(today))
                .transpose(),
        );
        p.finish()?;
        let missing = DomainError::internal;
        Ok(HouseholdData {
            household_number: number.to_string(),
            village_code: village_code.ok_or_else(missing)?,
            group_name: group_name.ok_or_else(missing)?,
            address: address.ok_or_else(missing)?,
            phone: phone.ok_or_else(missing)?,
            bank_name: bank_name.ok_or_else(missing)?,
            bank_account: bank_account.ok_or_else(missing)?,
            attribute: attribute.ok_or_else(missing)?,
            identification_standard: identification_standard.ok_or_else(missing)?,
            identification_year: identification_year.ok_or_else(missing)?,
            main_cause: main_cause.ok_or_else(missing)?,
            other_causes,
            living: living.ok_or_else(missing)?,
            relocation: relocation.ok_or_else(missing)?,
        })
    }
}

/// A validated initial status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInitialStatus {
    pub status: HouseholdStatus,
    pub date: Date,
    pub reason: String,
    pub exit_year: Option<i32>,
}

impl InitialStatus {
    pub fn validate(&self, today: Date) -> DomainResult<ValidInitialStatus> {
        if !self.status.can_start() {
            return Err(DomainError::invalid(
                "initial_status.status",
                "invalid_initial_status",
                "新建户不能直接为“自然减少”状态",
            ));
        }
        check_past_date("initial_status.date", self.date, today)?;
        let exit_year = match (self.status, self.exit_year) {
            (HouseholdStatus::Exited, y) => Some(check_year(
                "initial_status.exit_year",
                y.unwrap_or(self.date.year()),
                today.year(),
            )?),
            (_, Some(_)) => {
                return Err(DomainError::invalid(
                    "initial_status.exit_year",
                    "exit_year_not_allowed",
                    "只有“已脱贫”状态才填写脱贫年度",
                ))
            }
            _ => None,
        };
        Ok(ValidInitialStatus {
            status: self.status,
            date: self.date,
            reason: opt_text("initial_status.reason", &self.reason, 500)?
                .unwrap_or_else(|| "建档立卡".to_string()),
            exit_year,
        })
    }
}

/// Default initial status: poor, from 1 January of the identification year.
pub fn default_initial_status(identification_year: i32) -> ValidInitialStatus {
    ValidInitialStatus {
        status: HouseholdStatus::Poor,
        date: Date::from_calendar_date(identification_year, time::Month::January, 1)
            .expect("valid"),
        reason: "建档立卡".to_string(),
        exit_year: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    pub(crate) fn input() -> HouseholdInput {
        HouseholdInput {
            household_number: "3601241062040001".into(),
            village_code: "360124106204".into(),
            attribute: "一般贫困户".into(),
            identification_standard: "01".into(),
            identification_year: 2014,
            main_cause: "因病".into(),
            other_causes: vec!["缺资金".into()],
            phone: Some("13800138000".into()),
            ..Default::default()
        }
    }

    #[test]
    fn household_number_is_the_village_code_and_a_serial() {
        let codes = CodeBook::defaults();
        let today = date!(2026 - 11 - 29);
        for bad in [
            "36012410620",
            "360124106204000",
            "3601241062050001",
            "3601241062040000",
            "H1",
        ] {
            let e = HouseholdInput {
                household_number: bad.into(),
                ..input()
            }
            .validate_new(&codes, today)
            .unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                ("invalid_household_number", Some("household_number")),
                "{bad}"
            );
            assert!(e.message.starts_with("户编码"), "{}", e.message);
        }
        // a stored number before the rule stays editable while it is not changed
        let legacy = HouseholdInput {
            household_number: "H1".into(),
            ..input()
        };
        assert!(legacy.validate_update(&codes, today, "H1").is_ok());
        // renumbering: the rule, then the confirmation
        let e = input().validate_update(&codes, today, "H1").unwrap_err();
        assert_eq!(e.code, "renumber_unconfirmed");
        let confirmed = HouseholdInput {
            confirm_renumber: true,
            ..input()
        };
        assert!(confirmed.validate_update(&codes, today, "H1").is_ok());
        // an imported file's number is its household's key, taken as issued
        assert!(legacy.validate(&codes, today).is_ok());
        let e = HouseholdInput {
            household_number: "36012410620".into(),
            confirm_renumber: true,
            ..input()
        }
        .validate_update(&codes, today, "H1")
        .unwrap_err();
        assert_eq!(e.code, "invalid_household_number");
    }

    #[test]
    fn every_problem_of_a_household_at_once() {
        let e = HouseholdInput {
            household_number: "36012410620".into(),
            identification_year: 2099,
            main_cause: "不存在的原因".into(),
            ..input()
        }
        .validate_new(&CodeBook::defaults(), date!(2026 - 11 - 29))
        .unwrap_err();
        let problems = e.problems();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            ["household_number", "identification_year", "main_cause"]
        );
        assert!(problems[1].1.starts_with("识别年度"), "{}", problems[1].1);
        assert!(
            problems[2].1.starts_with("主要致贫原因"),
            "{}",
            problems[2].1
        );
        assert!(problems
            .iter()
            .all(|(_, m)| !m.contains("identification_year")));
    }

    #[test]
    fn valid_household_normalises_codes() {
        let d = input()
            .validate(&CodeBook::defaults(), date!(2026 - 11 - 29))
            .unwrap();
        assert_eq!((d.attribute.as_str(), d.main_cause.as_str()), ("01", "01"));
        assert_eq!(d.other_causes, ["09"]);
    }

    #[test]
    fn household_rules() {
        let codes = CodeBook::defaults();
        let today = date!(2026 - 11 - 29);
        type Case = (Box<dyn Fn(&mut HouseholdInput)>, &'static str, &'static str);
        let cases: Vec<Case> = vec![
            (
                Box::new(|h| h.village_code = "360124106000".into()),
                "village_code",
                "not_a_village",
            ),
            (
                Box::new(|h| h.village_code = "36012410".into()),
                "village_code",
                "invalid_region_code",
            ),
            (
                Box::new(|h| h.main_cause = "懒".into()),
                "main_cause",
                "unknown_code",
            ),
            (
                Box::new(|h| h.other_causes = vec!["01".into()]),
                "other_causes[0]",
                "duplicates_main_cause",
            ),
            (
                Box::new(|h| h.household_number = "户 1".into()),
                "household_number",
                "invalid_format",
            ),
            (
                Box::new(|h| h.household_number = "1".repeat(41)),
                "household_number",
                "invalid_format",
            ),
            (
                Box::new(|h| h.phone = Some("call me".into())),
                "phone",
                "invalid_format",
            ),
            (
                Box::new(|h| h.address = Some("路".repeat(201))),
                "address",
                "too_long",
            ),
            (
                Box::new(|h| h.identification_year = 2030),
                "identification_year",
                "year_in_future",
            ),
            (
                Box::new(|h| h.living.housing_grade = Some("E".into())),
                "living.housing_grade",
                "unknown_code",
            ),
            (
                Box::new(|h| h.living.farmland_mu = Some(-1.0)),
                "living.farmland_mu",
                "out_of_range",
            ),
            (
                Box::new(|h| h.living.farmland_mu = Some(f64::NAN)),
                "living.farmland_mu",
                "out_of_range",
            ),
        ];
        for (mutate, field, code) in cases {
            let mut h = input();
            mutate(&mut h);
            let e = h.validate(&codes, today).unwrap_err();
            assert_eq!((e.field.as_deref(), e.code), (Some(field), code));
        }
    }

    #[test]
    fn filter_rules() {
        let codes = CodeBook::defaults();
        let q = HouseholdFilter {
            page: Some(3),
            per_page: Some(10),
            q: Some("11010519491231002x".into()),
            ..Default::default()
        }
        .validate(&codes)
        .unwrap();
        assert_eq!((q.limit, q.offset), (10, 20));
        assert_eq!(q.q_id_number.as_deref(), Some("11010519491231002X"));
        assert_eq!(
            HouseholdFilter {
                per_page: Some(501),
                ..Default::default()
            }
            .validate(&codes)
            .unwrap_err()
            .code,
            "out_of_range"
        );
        assert_eq!(
            HouseholdFilter {
                page: Some(0),
                ..Default::default()
            }
            .validate(&codes)
            .unwrap_err()
            .code,
            "out_of_range"
        );
    }

    #[test]
    fn masking() {
        let mut h = Household {
            id: HouseholdId(1),
            household_number: "1".into(),
            village_code: RegionCode::parse("360124106204").unwrap(),
            group_name: None,
            address: None,
            phone: Some("13800138011".into()),
            bank_name: None,
            bank_account: Some("6217001234567890".into()),
            attribute: "01".into(),
            identification_standard: "01".into(),
            identification_year: 2014,
            main_cause: "01".into(),
            other_causes: vec![],
            living: LivingConditions::default(),
            relocation: None,
            status: HouseholdStatus::Poor,
            status_date: date!(2014 - 01 - 01),
            exit_year: None,
            head_name: None,
            member_count: 0,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        };
        h.mask();
        assert_eq!(h.phone.as_deref(), Some("138****8011"));
        assert_eq!(h.bank_account.as_deref(), Some("************7890"));
    }
}
