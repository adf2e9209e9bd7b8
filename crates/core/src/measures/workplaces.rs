//! Poverty workshops (扶贫车间) and poverty posts (扶贫专岗 / 公益性岗位) as registered workplaces of a
//! village, with the registered labourers they employ (hire and leave dates), and what they add to
//! the services report. A workplace and a hire count in every month of their period (from the
//! month they open or the labourer is hired to the month they close or the labourer leaves), so a
//! report over a period counts those that were there during it.

use crate::error::{check_text, opt_text, DomainError, DomainResult};
use crate::measures::month_of;
use crate::money::Fen;
use crate::regions::RegionCode;
use crate::registry::{HouseholdId, PersonId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Database id of a workplace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct WorkplaceId(pub i64);

/// Database id of a hire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct HireId(pub i64);

/// A workshop or a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WorkplaceKind {
    /// 扶贫车间
    Workshop,
    /// 扶贫专岗 / 公益性岗位
    Post,
}

impl WorkplaceKind {
    pub const ALL: [WorkplaceKind; 2] = [WorkplaceKind::Workshop, WorkplaceKind::Post];
    pub fn as_str(self) -> &'static str {
        match self {
            WorkplaceKind::Workshop => "workshop",
            WorkplaceKind::Post => "post",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            WorkplaceKind::Workshop => "扶贫车间",
            WorkplaceKind::Post => "扶贫专岗",
        }
    }
    /// By identifier or Chinese label (公益性岗位 too).
    pub fn parse(s: &str) -> Option<WorkplaceKind> {
        let s = s.trim();
        if s == "公益性岗位" {
            return Some(WorkplaceKind::Post);
        }
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }
}

/// The duties a post may have (domain.md §6: 护林/护路/护水/护边/护草/护理/护洁/治安协管), with 保洁
/// as offices write 护洁 and 其他 for the rest.
pub const POST_TYPES: [&str; 10] = [
    "护林",
    "护路",
    "护水",
    "护边",
    "护草",
    "护理",
    "保洁",
    "护洁",
    "治安协管",
    "其他",
];

/// The month number of a period still open (`yyyymm`, after any real month).
pub const OPEN_MONTH: i32 = 999_912;

/// A workplace as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkplaceInput {
    /// `workshop` / `post`, or 扶贫车间 / 扶贫专岗 / 公益性岗位.
    pub kind: String,
    pub name: String,
    /// The village it is in (12 digits).
    pub region_code: String,
    /// A post's duty (护林, 护路, 保洁 …, see [`POST_TYPES`]); a workshop's trade (来料加工, 种植 …).
    pub work_type: String,
    /// Jobs it offers (a post: usually 1).
    pub capacity: i32,
    /// 经营主体 / 用工单位.
    #[serde(default)]
    pub operator: Option<String>,
    pub opened: Date,
    #[serde(default)]
    pub closed: Option<Date>,
    #[serde(default)]
    pub note: Option<String>,
}

/// What the store looks up before a workplace is checked.
#[derive(Debug, Clone)]
pub struct WorkplaceFacts {
    /// The region is a village (and exists).
    pub is_village: bool,
    /// The village is a designated poor village.
    pub poor_village: bool,
    pub today: Date,
}

/// A workplace, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkplaceData {
    pub kind: WorkplaceKind,
    pub name: String,
    pub village_code: RegionCode,
    /// Whether its village was a designated poor village when it was recorded.
    pub in_poor_village: bool,
    pub work_type: String,
    pub capacity: i32,
    pub operator: Option<String>,
    pub opened: Date,
    pub closed: Option<Date>,
    pub note: Option<String>,
}

fn check_dates(
    start_field: &str,
    start: Date,
    end_field: &str,
    end: Option<Date>,
    today: Date,
) -> DomainResult<()> {
    if start.year() < 2000 || start > today + time::Duration::days(366) {
        return Err(DomainError::invalid(
            start_field,
            "date_out_of_range",
            format!("{start_field} 须在2000年之后，且不超过今后一年"),
        ));
    }
    if let Some(e) = end {
        if e < start {
            return Err(DomainError::invalid(
                end_field,
                "end_before_start",
                "结束日期不能早于开始日期",
            ));
        }
    }
    Ok(())
}

impl WorkplaceInput {
    /// Check a workplace against what the store looked up about its village.
    pub fn validate(&self, f: &WorkplaceFacts) -> DomainResult<WorkplaceData> {
        let kind = WorkplaceKind::parse(&self.kind).ok_or_else(|| {
            DomainError::invalid(
                "kind",
                "unknown_code",
                "kind 须为 扶贫车间（workshop）或 扶贫专岗（post）",
            )
        })?;
        let village_code = RegionCode::parse_field("region_code", &self.region_code)?;
        if !f.is_village {
            return Err(DomainError::invalid(
                "region_code",
                "not_a_village",
                format!("{} 不是村级区划", village_code.as_str()),
            ));
        }
        let work_type = check_text("work_type", &self.work_type, 20)?;
        if kind == WorkplaceKind::Post && !POST_TYPES.contains(&work_type.as_str()) {
            return Err(DomainError::invalid(
                "work_type",
                "unknown_code",
                format!("岗位类型须为 {} 之一", POST_TYPES.join(" / ")),
            ));
        }
        if self.capacity < 1 || self.capacity > 10_000 {
            return Err(DomainError::invalid(
                "capacity",
                "out_of_range",
                "capacity（岗位数）须在 1 到 10000 之间",
            ));
        }
        check_dates("opened", self.opened, "closed", self.closed, f.today)?;
        Ok(WorkplaceData {
            kind,
            name: check_text("name", &self.name, 100)?,
            village_code,
            in_poor_village: f.poor_village,
            work_type,
            capacity: self.capacity,
            operator: opt_text("operator", &self.operator, 100)?,
            opened: self.opened,
            closed: self.closed,
            note: opt_text("note", &self.note, 1000)?,
        })
    }
}

/// A workplace as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workplace {
    pub id: WorkplaceId,
    pub kind: WorkplaceKind,
    pub kind_label: String,
    pub name: String,
    pub village_code: RegionCode,
    pub village_name: String,
    pub in_poor_village: bool,
    pub work_type: String,
    pub capacity: i32,
    pub operator: Option<String>,
    pub opened: Date,
    pub closed: Option<Date>,
    pub note: Option<String>,
    /// Registered labourers employed today (hired, not left).
    pub employed_now: i64,
    pub version: i32,
    pub updated_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Workplace {
    pub fn data(&self) -> WorkplaceData {
        WorkplaceData {
            kind: self.kind,
            name: self.name.clone(),
            village_code: self.village_code.clone(),
            in_poor_village: self.in_poor_village,
            work_type: self.work_type.clone(),
            capacity: self.capacity,
            operator: self.operator.clone(),
            opened: self.opened,
            closed: self.closed,
            note: self.note.clone(),
        }
    }
}

/// A registered labourer's hire, as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HireInput {
    pub person_id: PersonId,
    pub hire_date: Date,
    #[serde(default)]
    pub leave_date: Option<Date>,
    #[serde(default)]
    pub monthly_wage_fen: i64,
}

/// What the store looks up before a hire is checked.
#[derive(Debug, Clone)]
pub struct HireFacts<'a> {
    pub workplace: &'a WorkplaceData,
    /// The person is an active member of a registered household.
    pub active_member: bool,
    /// Hires of the workplace that overlap the new one's period (the hire itself left out when it
    /// is being changed): (person, hire, leave).
    pub overlapping: &'a [(PersonId, Date, Option<Date>)],
    pub today: Date,
}

/// A hire, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HireData {
    pub person_id: PersonId,
    pub hire_date: Date,
    pub leave_date: Option<Date>,
    pub monthly_wage_fen: i64,
}

impl HireInput {
    /// Check a hire against its workplace and the hires that overlap it.
    pub fn validate(&self, f: &HireFacts) -> DomainResult<HireData> {
        if !f.active_member {
            return Err(DomainError::invalid(
                "person_id",
                "member_inactive",
                "该成员不是在册的建档立卡人员",
            ));
        }
        check_dates(
            "hire_date",
            self.hire_date,
            "leave_date",
            self.leave_date,
            f.today,
        )?;
        let w = f.workplace;
        if self.hire_date < w.opened || w.closed.is_some_and(|c| self.hire_date > c) {
            return Err(DomainError::invalid(
                "hire_date",
                "out_of_range",
                "聘用日期须在该车间或岗位的开设期内",
            ));
        }
        if let Some(c) = w.closed {
            if self.leave_date.is_none_or(|l| l > c) {
                return Err(DomainError::invalid(
                    "leave_date",
                    "out_of_range",
                    format!(
                        "该{}已于 {c} 关闭，须填写不晚于此日的离岗日期",
                        w.kind.label()
                    ),
                ));
            }
        }
        if f.overlapping.iter().any(|(p, _, _)| *p == self.person_id) {
            return Err(DomainError::conflict(
                "duplicate_hire",
                "该人员在此期间已受聘于该车间或岗位",
            )
            .with_field("person_id"));
        }
        // the most hires on any day of the new period: hires only start on their hire dates, so
        // the days to look at are the new one's first day and the others' first days within it
        let busiest = std::iter::once(self.hire_date)
            .chain(f.overlapping.iter().map(|(_, h, _)| *h))
            .filter(|d| *d >= self.hire_date && self.leave_date.is_none_or(|l| *d <= l))
            .map(|d| {
                f.overlapping
                    .iter()
                    .filter(|(_, h, l)| *h <= d && l.is_none_or(|l| l >= d))
                    .count()
            })
            .max()
            .unwrap_or(0);
        if busiest >= usize::try_from(w.capacity).unwrap_or(0) {
            return Err(DomainError::invalid(
                "person_id",
                "over_capacity",
                format!(
                    "该{}只有 {} 个岗位，此期间已满员",
                    w.kind.label(),
                    w.capacity
                ),
            ));
        }
        Ok(HireData {
            person_id: self.person_id,
            hire_date: self.hire_date,
            leave_date: self.leave_date,
            monthly_wage_fen: Fen::input("monthly_wage_fen", self.monthly_wage_fen)?.get(),
        })
    }
}

/// A hire as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hire {
    pub id: HireId,
    pub workplace_id: WorkplaceId,
    pub person_id: PersonId,
    pub person_name: String,
    pub household_id: HouseholdId,
    pub household_number: String,
    pub hire_date: Date,
    pub leave_date: Option<Date>,
    pub monthly_wage_fen: i64,
    pub version: i32,
    pub updated_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A workplace with its hires, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkplaceDetail {
    #[serde(flatten)]
    pub workplace: Workplace,
    pub hires: Vec<Hire>,
}

/// Where a workplace's or a hire's figures are kept: the workplace's village and kind, whether it
/// is the workplace itself (`site`) or a hire (`hire`), and its first and last months.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceKey {
    pub village: RegionCode,
    pub kind: WorkplaceKind,
    /// `site` or `hire`.
    pub item: &'static str,
    pub first_month: i32,
    pub last_month: i32,
}

/// What a workplace or a hire adds to its row: how many, how many in poor villages, positions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceTally {
    pub n: i64,
    pub in_poor: i64,
    pub positions: i64,
}

fn last_month(end: Option<Date>) -> i32 {
    end.map_or(OPEN_MONTH, month_of)
}

impl WorkplaceData {
    /// The row the workplace counts in, and what it adds.
    pub fn tally(&self) -> (PlaceKey, PlaceTally) {
        (
            PlaceKey {
                village: self.village_code.clone(),
                kind: self.kind,
                item: "site",
                first_month: month_of(self.opened),
                last_month: last_month(self.closed),
            },
            PlaceTally {
                n: 1,
                in_poor: i64::from(self.in_poor_village),
                positions: i64::from(self.capacity),
            },
        )
    }
}

impl HireData {
    /// The row a hire at `w` counts in, and what it adds.
    pub fn tally(&self, w: &WorkplaceData) -> (PlaceKey, PlaceTally) {
        (
            PlaceKey {
                village: w.village_code.clone(),
                kind: w.kind,
                item: "hire",
                first_month: month_of(self.hire_date),
                last_month: last_month(self.leave_date),
            },
            PlaceTally {
                n: 1,
                in_poor: i64::from(w.in_poor_village),
                positions: 0,
            },
        )
    }
}

/// Workshops or posts in a report: those open during the period, and the registered labourers
/// they employed during it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkplaceFigures {
    pub total: i64,
    pub in_poor_villages: i64,
    /// Jobs offered (Σ capacity).
    pub positions: i64,
    /// Registered labourers employed (hires during the period).
    pub employed: i64,
    /// Of them, in workplaces of poor villages.
    pub employed_in_poor_villages: i64,
}

impl WorkplaceFigures {
    /// Add the rows (kind, item, tally) of a region's period to the workshops' and posts' figures.
    pub fn sum(
        rows: &[(WorkplaceKind, String, PlaceTally)],
    ) -> (WorkplaceFigures, WorkplaceFigures) {
        let (mut shops, mut posts) = (WorkplaceFigures::default(), WorkplaceFigures::default());
        for (kind, item, t) in rows {
            let f = match kind {
                WorkplaceKind::Workshop => &mut shops,
                WorkplaceKind::Post => &mut posts,
            };
            if item == "site" {
                f.total += t.n;
                f.in_poor_villages += t.in_poor;
                f.positions += t.positions;
            } else {
                f.employed += t.n;
                f.employed_in_poor_villages += t.in_poor;
            }
        }
        (shops, posts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> WorkplaceInput {
        WorkplaceInput {
            kind: "公益性岗位".into(),
            name: "塔岗村保洁岗".into(),
            region_code: "360124106204".into(),
            work_type: "保洁".into(),
            capacity: 2,
            operator: Some("罗溪镇人民政府".into()),
            opened: date!(2017 - 03 - 01),
            closed: None,
            note: None,
        }
    }

    fn facts(poor: bool) -> WorkplaceFacts {
        WorkplaceFacts {
            is_village: true,
            poor_village: poor,
            today: date!(2026 - 11 - 29),
        }
    }

    #[test]
    fn workplace_rules() {
        let w = input().validate(&facts(true)).unwrap();
        assert_eq!((w.kind, w.in_poor_village), (WorkplaceKind::Post, true));
        let bad = |i: WorkplaceInput, f: WorkplaceFacts| {
            let e = i.validate(&f).unwrap_err();
            (e.code, e.field.unwrap_or_default())
        };
        let not_village = WorkplaceFacts {
            is_village: false,
            ..facts(false)
        };
        assert_eq!(
            bad(input(), not_village),
            ("not_a_village", "region_code".into())
        );
        let typ = WorkplaceInput {
            work_type: "喝茶".into(),
            ..input()
        };
        assert_eq!(bad(typ, facts(false)), ("unknown_code", "work_type".into()));
        // a workshop's trade is free text
        let shop = WorkplaceInput {
            kind: "扶贫车间".into(),
            work_type: "来料加工".into(),
            capacity: 40,
            ..input()
        };
        assert_eq!(
            shop.validate(&facts(false)).unwrap().kind,
            WorkplaceKind::Workshop
        );
        let zero = WorkplaceInput {
            capacity: 0,
            ..input()
        };
        assert_eq!(bad(zero, facts(false)), ("out_of_range", "capacity".into()));
        let back = WorkplaceInput {
            closed: Some(date!(2017 - 02 - 28)),
            ..input()
        };
        assert_eq!(
            bad(back, facts(false)),
            ("end_before_start", "closed".into())
        );
    }

    #[test]
    fn hires_respect_period_capacity_and_repeats() {
        let w = input().validate(&facts(true)).unwrap();
        let hire = |p: i64, from: Date, to: Option<Date>| HireInput {
            person_id: PersonId(p),
            hire_date: from,
            leave_date: to,
            monthly_wage_fen: 80_000,
        };
        let check = |h: &HireInput, others: &[(PersonId, Date, Option<Date>)]| {
            h.validate(&HireFacts {
                workplace: &w,
                active_member: true,
                overlapping: others,
                today: date!(2026 - 11 - 29),
            })
        };
        assert!(check(&hire(1, date!(2018 - 01 - 01), None), &[]).is_ok());
        // before the post opened
        let e = check(&hire(1, date!(2016 - 01 - 01), None), &[]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("hire_date"));
        // the same person twice at once
        let one = [(PersonId(1), date!(2018 - 01 - 01), None)];
        let e = check(&hire(1, date!(2019 - 01 - 01), None), &one).unwrap_err();
        assert_eq!(e.code, "duplicate_hire");
        // two positions: a third labourer only once one has left
        let two = [
            (
                PersonId(1),
                date!(2018 - 01 - 01),
                Some(date!(2019 - 06 - 30)),
            ),
            (PersonId(2), date!(2018 - 02 - 01), None),
        ];
        let e = check(&hire(3, date!(2019 - 01 - 01), None), &two).unwrap_err();
        assert_eq!(e.code, "over_capacity");
        // starting before both and leaving before the second arrives fits
        assert!(check(
            &hire(3, date!(2017 - 06 - 01), Some(date!(2018 - 01 - 15))),
            &two
        )
        .is_ok());
        let e = check(&hire(3, date!(2017 - 06 - 01), None), &two).unwrap_err();
        assert_eq!(e.code, "over_capacity");
        // at a closed post, the labourer leaves by the closing day
        let closed = WorkplaceData {
            closed: Some(date!(2020 - 12 - 31)),
            ..w.clone()
        };
        let at_closed = |h: &HireInput| {
            h.validate(&HireFacts {
                workplace: &closed,
                active_member: true,
                overlapping: &[],
                today: date!(2026 - 11 - 29),
            })
        };
        let e = at_closed(&hire(5, date!(2019 - 01 - 01), None)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("leave_date"));
        assert!(at_closed(&hire(5, date!(2019 - 01 - 01), Some(date!(2020 - 12 - 31)))).is_ok());
        let neg = HireInput {
            monthly_wage_fen: -1,
            ..hire(4, date!(2018 - 01 - 01), None)
        };
        assert_eq!(check(&neg, &[]).unwrap_err().code, "negative_amount");
    }

    #[test]
    fn figures_count_sites_and_hires() {
        let w = input().validate(&facts(true)).unwrap();
        let (k, t) = w.tally();
        assert_eq!((k.first_month, k.last_month), (201703, OPEN_MONTH));
        let h = HireData {
            person_id: PersonId(1),
            hire_date: date!(2018 - 05 - 03),
            leave_date: Some(date!(2019 - 02 - 01)),
            monthly_wage_fen: 0,
        };
        let (hk, ht) = h.tally(&w);
        assert_eq!(
            (hk.item, hk.first_month, hk.last_month),
            ("hire", 201805, 201902)
        );
        let (shops, posts) = WorkplaceFigures::sum(&[
            (WorkplaceKind::Post, "site".into(), t),
            (WorkplaceKind::Post, "hire".into(), ht),
            (
                WorkplaceKind::Workshop,
                "site".into(),
                PlaceTally {
                    n: 3,
                    in_poor: 1,
                    positions: 90,
                },
            ),
        ]);
        assert_eq!(
            (posts.total, posts.in_poor_villages, posts.positions),
            (1, 1, 2)
        );
        assert_eq!((posts.employed, posts.employed_in_poor_villages), (1, 1));
        assert_eq!(
            (shops.total, shops.in_poor_villages, shops.employed),
            (3, 1, 0)
        );
    }
}
