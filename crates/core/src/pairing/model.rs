//! Helping units, designations, cadres, work teams, pairings and visits: the records and the rules
//! for their input.

use crate::assessment::standards::{count_or_shipped, key, shipped_count, Parameter};
use crate::codes::CodeBook;
use crate::error::{check_text, opt_text, DomainError, DomainResult};
use crate::money::Fen;
use crate::regions::RegionCode;
use crate::registry::{check_phone, HouseholdId};
use crate::years::check_past_date;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

macro_rules! id_type {
    ($($name:ident),*) => {$(
        #[doc = concat!("Database id of a ", stringify!($name), ".")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);
    )*};
}
id_type!(
    UnitId,
    CadreId,
    PairingId,
    VisitId,
    WishId,
    TeamMemberId,
    DesignationId
);

/// The code table of helping-unit levels (中央 / 省 / 市 / 县 / 乡镇 / 部队 / 企业 / 其他).
pub const UNIT_LEVEL_TABLE: &str = "helping_unit_level";
/// The code table of visit kinds (走访 / 慰问 / 政策宣讲 / 帮扶 / 其他).
pub const VISIT_KIND_TABLE: &str = "visit_kind";

fn check_period(
    start_field: &str,
    start: Date,
    end: Option<Date>,
    today: Date,
) -> DomainResult<()> {
    // a term may be entered ahead of its start, but not more than a year ahead
    if start.year() < 2000 || start > today + time::Duration::days(366) {
        return Err(DomainError::invalid(
            start_field,
            "date_out_of_range",
            "开始日期须在2000年之后，且不超过今后一年",
        ));
    }
    if let Some(e) = end {
        if e < start {
            return Err(DomainError::invalid(
                "end_date",
                "end_before_start",
                "结束日期不能早于开始日期",
            ));
        }
    }
    Ok(())
}

/// A helping unit (帮扶单位) as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HelpingUnitInput {
    pub name: String,
    /// Code or label of `helping_unit_level`.
    pub level: String,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
}

/// A helping unit as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HelpingUnit {
    pub id: UnitId,
    pub name: String,
    pub level: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

impl HelpingUnitInput {
    pub fn validate(&self, codes: &CodeBook) -> DomainResult<HelpingUnitInput> {
        Ok(HelpingUnitInput {
            name: check_text("name", &self.name, 100)?,
            level: codes.resolve(UNIT_LEVEL_TABLE, "level", &self.level)?,
            contact_name: opt_text("contact_name", &self.contact_name, 50)?,
            contact_phone: check_phone("contact_phone", &self.contact_phone)?,
        })
    }
}

/// A unit's designated village (定点帮扶) with its period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DesignationInput {
    pub village_code: String,
    pub start_date: Date,
    #[serde(default)]
    pub end_date: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Designation {
    pub id: DesignationId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub village_code: RegionCode,
    pub start_date: Date,
    pub end_date: Option<Date>,
}

impl DesignationInput {
    pub fn validate(&self, today: Date) -> DomainResult<(RegionCode, Date, Option<Date>)> {
        let v = RegionCode::parse_field("village_code", &self.village_code)?;
        if !v.is_village() {
            return Err(DomainError::invalid(
                "village_code",
                "not_a_village",
                "定点帮扶须落到村级区划",
            ));
        }
        check_period("start_date", self.start_date, self.end_date, today)?;
        Ok((v, self.start_date, self.end_date))
    }
}

/// A cadre (帮扶干部) as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CadreInput {
    pub name: String,
    pub unit_id: UnitId,
    /// 职级, e.g. 科级.
    #[serde(default)]
    pub rank: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// The user account with the `cadre` role that acts as this cadre.
    #[serde(default)]
    pub user_id: Option<i64>,
    /// The region of the office that manages the cadre (defaults to the caller's own region when
    /// the caller has exactly one); only offices covering it may change the cadre.
    #[serde(default)]
    pub region_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cadre {
    pub id: CadreId,
    pub name: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub rank: Option<String>,
    /// Masked unless the caller may see it.
    pub phone: Option<String>,
    pub user_id: Option<i64>,
    pub region_code: Option<RegionCode>,
}

impl Cadre {
    pub fn mask(&mut self) {
        self.phone = self.phone.as_deref().map(crate::id_number::mask_phone);
    }
}

impl CadreInput {
    pub fn validate(&self) -> DomainResult<CadreInput> {
        Ok(CadreInput {
            name: check_text("name", &self.name, 50)?,
            unit_id: self.unit_id,
            rank: opt_text("rank", &self.rank, 20)?,
            phone: check_phone("phone", &self.phone)?,
            user_id: self.user_id,
            region_code: match self.region_code.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(c) => Some(RegionCode::parse_field("region_code", c)?.to_string()),
            },
        })
    }
}

/// Role in a village work team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// 驻村第一书记
    FirstSecretary,
    /// 工作队长
    Leader,
    /// 队员
    Member,
}

impl TeamRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::FirstSecretary => "first_secretary",
            TeamRole::Leader => "leader",
            TeamRole::Member => "member",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TeamRole::FirstSecretary => "驻村第一书记",
            TeamRole::Leader => "工作队长",
            TeamRole::Member => "工作队员",
        }
    }
    pub fn parse(s: &str) -> Option<TeamRole> {
        [TeamRole::FirstSecretary, TeamRole::Leader, TeamRole::Member]
            .into_iter()
            .find(|r| r.as_str() == s || r.label() == s)
    }
}

/// A term in a village work team (驻村工作队).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TeamMemberInput {
    pub cadre_id: CadreId,
    pub village_code: String,
    pub role: TeamRole,
    pub start_date: Date,
    #[serde(default)]
    pub end_date: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    pub id: TeamMemberId,
    pub cadre_id: CadreId,
    pub cadre_name: String,
    pub unit_name: String,
    pub village_code: RegionCode,
    pub role: TeamRole,
    pub start_date: Date,
    pub end_date: Option<Date>,
}

impl TeamMemberInput {
    pub fn validate(&self, today: Date) -> DomainResult<RegionCode> {
        let v = RegionCode::parse_field("village_code", &self.village_code)?;
        if !v.is_village() {
            return Err(DomainError::invalid(
                "village_code",
                "not_a_village",
                "驻村工作队须落到村级区划",
            ));
        }
        check_period("start_date", self.start_date, self.end_date, today)?;
        Ok(v)
    }
}

/// A household–cadre pairing to start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PairingInput {
    pub household_id: HouseholdId,
    pub cadre_id: CadreId,
    pub start_date: Date,
}

/// Check a pairing's start date: from 2000 on, and at most a year ahead of `today` (a pairing may be
/// entered before it starts). Used by the store and by imports alike.
pub fn check_pairing_start(start: Date, today: Date) -> DomainResult<()> {
    if start.year() < 2000 || start > today + time::Duration::days(366) {
        return Err(DomainError::invalid(
            "start_date",
            "date_out_of_range",
            "结对开始日期须在2000年之后，且不超过今后一年",
        ));
    }
    Ok(())
}

/// Check the end of a pairing that started on `start`: not before its start, at most a year ahead of
/// `today`, with a reason. Returns the reason as stored. Used by the store and by imports alike.
pub fn check_pairing_end(
    start: Date,
    end: Date,
    reason: &str,
    today: Date,
) -> DomainResult<String> {
    if end < start {
        return Err(DomainError::invalid(
            "end_date",
            "end_before_start",
            "结束日期不能早于结对开始日期",
        ));
    }
    if end > today + time::Duration::days(366) {
        return Err(DomainError::invalid(
            "end_date",
            "date_out_of_range",
            "结束日期不能超过今后一年",
        ));
    }
    check_text("reason", reason, 200)
}

/// Ending a pairing, or replacing its cadre (the old pairing ends the day before the new one starts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EndPairingInput {
    /// Last day of the pairing.
    pub end_date: Date,
    pub reason: String,
    /// When set, a new pairing with this cadre starts the day after `end_date`.
    #[serde(default)]
    pub replacement_cadre_id: Option<CadreId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pairing {
    pub id: PairingId,
    pub household_id: HouseholdId,
    pub household_number: String,
    pub village_code: RegionCode,
    pub cadre_id: CadreId,
    pub cadre_name: String,
    pub unit_name: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub end_reason: Option<String>,
}

impl Pairing {
    /// Whether the pairing is in force on `d`.
    pub fn active_on(&self, d: Date) -> bool {
        self.start_date <= d && self.end_date.is_none_or(|e| e >= d)
    }
}

/// Limits on pairings, parameters by region and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingLimits {
    /// Active cadres per registered household (1–2 by default).
    pub cadres_per_household: i64,
    /// Active households per cadre (5 by default).
    pub households_per_cadre: i64,
}

impl Default for PairingLimits {
    /// The limits of the shipped standards.
    fn default() -> Self {
        PairingLimits {
            cadres_per_household: shipped_count(key::HOUSEHOLD_CADRE_LIMIT),
            households_per_cadre: shipped_count(key::CADRE_HOUSEHOLD_LIMIT),
        }
    }
}

impl PairingLimits {
    /// The limits in force for a region and year (the shipped standards where none is set).
    pub fn in_force(params: &[Parameter], region: &RegionCode, year: i32) -> PairingLimits {
        PairingLimits {
            cadres_per_household: count_or_shipped(
                params,
                key::HOUSEHOLD_CADRE_LIMIT,
                region,
                year,
            ),
            households_per_cadre: count_or_shipped(
                params,
                key::CADRE_HOUSEHOLD_LIMIT,
                region,
                year,
            ),
        }
    }

    /// Check that one more pairing keeps both counts (as of its start) within the limits.
    pub fn check_new(&self, household_active: i64, cadre_active: i64) -> DomainResult<()> {
        if household_active + 1 > self.cadres_per_household {
            return Err(DomainError::conflict(
                "too_many_cadres",
                format!(
                    "该户已有 {household_active} 名帮扶干部，每户最多 {} 名",
                    self.cadres_per_household
                ),
            )
            .with_field("household_id"));
        }
        if cadre_active + 1 > self.households_per_cadre {
            return Err(DomainError::conflict(
                "too_many_households",
                format!(
                    "该干部已结对 {cadre_active} 户，每名干部最多 {} 户",
                    self.households_per_cadre
                ),
            )
            .with_field("cadre_id"));
        }
        Ok(())
    }
}

/// Goods brought on a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Goods {
    pub description: String,
    pub value_fen: i64,
}

/// What the visit found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct VisitFindings {
    pub income: Option<String>,
    /// 三保障: education, medical, housing.
    pub education: Option<String>,
    pub medical: Option<String>,
    pub housing: Option<String>,
    pub water: Option<String>,
}

/// A location (WGS-84 degrees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

/// A visit as sent by a client (photos are attached separately).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    pub household_id: HouseholdId,
    pub date: Date,
    /// Code or label of `visit_kind`.
    pub kind: String,
    /// The cadres present (at least one).
    pub cadre_ids: Vec<CadreId>,
    #[serde(default)]
    pub findings: VisitFindings,
    #[serde(default)]
    pub problems: Option<String>,
    #[serde(default)]
    pub actions: Option<String>,
    #[serde(default)]
    pub follow_up: Option<String>,
    #[serde(default)]
    pub condolence_money_fen: i64,
    #[serde(default)]
    pub goods: Vec<Goods>,
    #[serde(default)]
    pub location: Option<Location>,
    /// A photo follows (`POST /api/v1/visits/{id}/photos`): a visit whose only content is its
    /// photo is then accepted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_photo: bool,
}

/// A validated visit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitData {
    pub household_id: HouseholdId,
    pub date: Date,
    pub kind: String,
    pub cadre_ids: Vec<CadreId>,
    pub findings: VisitFindings,
    pub problems: Option<String>,
    pub actions: Option<String>,
    pub follow_up: Option<String>,
    pub condolence_money_fen: Fen,
    pub goods: Vec<Goods>,
    pub location: Option<Location>,
}

impl VisitData {
    /// What makes a visit a visit rather than a date in a list: something found (a finding or a
    /// problem), something done (an action), or something given (money or goods). A photo counts
    /// too, but travels apart (see [`VisitInput::with_photo`]). An empty visit is refused, so it
    /// never counts toward the minimum number of visits.
    pub fn has_content(&self) -> bool {
        let f = &self.findings;
        [
            &f.income,
            &f.education,
            &f.medical,
            &f.housing,
            &f.water,
            &self.problems,
            &self.actions,
        ]
        .iter()
        .any(|t| t.is_some())
            || self.condolence_money_fen.get() > 0
            || !self.goods.is_empty()
    }
    pub fn goods_value(&self) -> Fen {
        Fen::new(self.goods.iter().map(|g| g.value_fen).sum())
    }
}

impl VisitInput {
    pub fn validate(&self, codes: &CodeBook, today: Date) -> DomainResult<VisitData> {
        if self.date > today {
            return Err(DomainError::invalid(
                "date",
                "date_in_future",
                format!("走访日期不能晚于今天（{today}）"),
            ));
        }
        check_past_date("date", self.date, today)?;
        if self.date.year() < 2000 {
            return Err(DomainError::invalid(
                "date",
                "date_out_of_range",
                "走访日期不能早于2000年",
            ));
        }
        if self.cadre_ids.is_empty() {
            return Err(DomainError::invalid(
                "cadre_ids",
                "no_cadres",
                "请至少选择一名参加走访的干部",
            ));
        }
        if self.cadre_ids.len() > 30 {
            return Err(DomainError::invalid(
                "cadre_ids",
                "too_many_visit_cadres",
                "一次走访最多记录 30 名干部",
            ));
        }
        let mut ids = self.cadre_ids.clone();
        ids.sort();
        ids.dedup();
        let f = &self.findings;
        let findings = VisitFindings {
            income: opt_text("findings.income", &f.income, 500)?,
            education: opt_text("findings.education", &f.education, 500)?,
            medical: opt_text("findings.medical", &f.medical, 500)?,
            housing: opt_text("findings.housing", &f.housing, 500)?,
            water: opt_text("findings.water", &f.water, 500)?,
        };
        if self.goods.len() > 50 {
            return Err(DomainError::invalid(
                "goods",
                "too_many_goods",
                "慰问品最多 50 项",
            ));
        }
        let mut goods = Vec::with_capacity(self.goods.len());
        for (i, g) in self.goods.iter().enumerate() {
            goods.push(Goods {
                description: check_text(&format!("goods[{i}].description"), &g.description, 100)?,
                value_fen: Fen::input(&format!("goods[{i}].value_fen"), g.value_fen)?.get(),
            });
        }
        if let Some(l) = self.location {
            if !(l.lat.is_finite()
                && l.lon.is_finite()
                && (-90.0..=90.0).contains(&l.lat)
                && (-180.0..=180.0).contains(&l.lon))
            {
                return Err(DomainError::invalid(
                    "location",
                    "invalid_location",
                    "位置坐标无效",
                ));
            }
        }
        let data = VisitData {
            household_id: self.household_id,
            date: self.date,
            kind: codes.resolve(VISIT_KIND_TABLE, "kind", &self.kind)?,
            cadre_ids: ids,
            findings,
            problems: opt_text("problems", &self.problems, 1000)?,
            actions: opt_text("actions", &self.actions, 1000)?,
            follow_up: opt_text("follow_up", &self.follow_up, 1000)?,
            condolence_money_fen: Fen::input("condolence_money_fen", self.condolence_money_fen)?,
            goods,
            location: self.location,
        };
        if !data.has_content() && !self.with_photo {
            return Err(DomainError::invalid(
                "problems",
                "empty_visit",
                "走访记录不能为空：请至少填写一项了解到的情况、发现的问题、采取的措施、慰问金或慰问品，或附一张现场照片",
            ));
        }
        Ok(data)
    }
}

/// A visit's photo, as listed (the bytes are fetched separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoRef {
    pub id: i64,
    pub content_type: String,
    pub size: i64,
}

/// A visit as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visit {
    pub id: VisitId,
    pub household_id: HouseholdId,
    pub household_number: String,
    pub village_code: RegionCode,
    pub date: Date,
    pub kind: String,
    pub cadres: Vec<(CadreId, String)>,
    pub findings: VisitFindings,
    pub problems: Option<String>,
    pub actions: Option<String>,
    pub follow_up: Option<String>,
    pub condolence_money_fen: i64,
    pub goods: Vec<Goods>,
    pub goods_value_fen: i64,
    pub location: Option<Location>,
    pub photos: Vec<PhotoRef>,
    pub recorded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 29);

    fn visit() -> VisitInput {
        VisitInput {
            household_id: HouseholdId(1),
            date: date!(2018 - 05 - 01),
            kind: "慰问".into(),
            cadre_ids: vec![CadreId(2), CadreId(1), CadreId(2)],
            findings: VisitFindings::default(),
            problems: None,
            actions: None,
            follow_up: None,
            condolence_money_fen: 50_000,
            goods: vec![Goods {
                description: "大米".into(),
                value_fen: 20_000,
            }],
            location: Some(Location {
                lat: 28.4,
                lon: 116.2,
            }),
            with_photo: false,
        }
    }

    #[test]
    fn an_empty_visit_is_refused() {
        let codes = CodeBook::defaults();
        let empty = VisitInput {
            condolence_money_fen: 0,
            goods: vec![],
            follow_up: Some("下次再来".into()),
            ..visit()
        };
        let e = empty.validate(&codes, TODAY).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("empty_visit", Some("problems"))
        );
        // any one of a finding, a problem, an action, money, goods or a photo is enough
        let found = VisitInput {
            findings: VisitFindings {
                housing: Some("房屋安全".into()),
                ..Default::default()
            },
            ..empty.clone()
        };
        assert!(found.validate(&codes, TODAY).is_ok());
        for v in [
            VisitInput {
                problems: Some("漏雨".into()),
                ..empty.clone()
            },
            VisitInput {
                actions: Some("宣讲政策".into()),
                ..empty.clone()
            },
            VisitInput {
                condolence_money_fen: 1,
                ..empty.clone()
            },
            VisitInput {
                goods: visit().goods,
                ..empty.clone()
            },
            VisitInput {
                with_photo: true,
                ..empty.clone()
            },
        ] {
            assert!(v.validate(&codes, TODAY).is_ok(), "{v:?}");
        }
        // blank texts are no content
        let blank = VisitInput {
            problems: Some("  ".into()),
            ..empty
        };
        assert_eq!(
            blank.validate(&codes, TODAY).unwrap_err().code,
            "empty_visit"
        );
    }

    #[test]
    fn visit_rules() {
        let codes = CodeBook::defaults();
        let v = visit().validate(&codes, TODAY).unwrap();
        assert_eq!(
            (v.kind.as_str(), v.cadre_ids.clone()),
            ("02", vec![CadreId(1), CadreId(2)])
        );
        assert_eq!(v.goods_value().get(), 20_000);
        let future = VisitInput {
            date: date!(2026 - 11 - 30),
            ..visit()
        };
        assert_eq!(
            future.validate(&codes, TODAY).unwrap_err().code,
            "date_in_future"
        );
        let nobody = VisitInput {
            cadre_ids: vec![],
            ..visit()
        };
        assert_eq!(
            nobody.validate(&codes, TODAY).unwrap_err().code,
            "no_cadres"
        );
        let neg = VisitInput {
            condolence_money_fen: -1,
            ..visit()
        };
        assert_eq!(
            neg.validate(&codes, TODAY).unwrap_err().field.as_deref(),
            Some("condolence_money_fen")
        );
        let bad_goods = VisitInput {
            goods: vec![Goods {
                description: " ".into(),
                value_fen: 1,
            }],
            ..visit()
        };
        assert_eq!(
            bad_goods
                .validate(&codes, TODAY)
                .unwrap_err()
                .field
                .as_deref(),
            Some("goods[0].description")
        );
        let kind = VisitInput {
            kind: "喝茶".into(),
            ..visit()
        };
        assert_eq!(
            kind.validate(&codes, TODAY).unwrap_err().code,
            "unknown_code"
        );
        let loc = VisitInput {
            location: Some(Location {
                lat: 91.0,
                lon: 0.0,
            }),
            ..visit()
        };
        assert_eq!(
            loc.validate(&codes, TODAY).unwrap_err().code,
            "invalid_location"
        );
    }

    #[test]
    fn pairing_start_dates() {
        assert!(check_pairing_start(date!(2000 - 01 - 01), TODAY).is_ok());
        assert!(check_pairing_start(date!(2027 - 11 - 30), TODAY).is_ok());
        for d in [date!(1999 - 12 - 31), date!(2027 - 12 - 01)] {
            assert_eq!(
                check_pairing_start(d, TODAY).unwrap_err().code,
                "date_out_of_range",
                "{d}"
            );
        }
    }

    #[test]
    fn limits() {
        let l = PairingLimits::default();
        assert!(l.check_new(1, 4).is_ok());
        assert_eq!(l.check_new(2, 0).unwrap_err().code, "too_many_cadres");
        assert_eq!(l.check_new(0, 5).unwrap_err().code, "too_many_households");
    }
}
