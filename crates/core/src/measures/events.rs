//! Events that serve the public, not only registered people (服务活动): job fairs, employment
//! service days, training classes, outreach clinics (义诊) and leaflet drives, each with the
//! person-times served and the registered persons linked to it, so that reports show "total / of
//! whom registered". A job fair or service day may also report the people outside the registry it
//! placed in work, by destination; registered people's employment is their own measure.

use crate::error::{check_text, opt_text, DomainError, DomainResult};
use crate::measures::month_of;
use crate::money::Fen;
use crate::regions::RegionCode;
use crate::registry::{HouseholdId, PersonId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Database id of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct EventId(pub i64);

/// What kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ServiceEventKind))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// 招聘会
    JobFair,
    /// 就业服务（送岗位、政策宣讲、就业援助）
    EmploymentService,
    /// 培训班
    TrainingClass,
    /// 义诊（送医下乡）
    HealthOutreach,
    /// 宣传发放（春风卡等）
    LeafletDrive,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::JobFair,
        EventKind::EmploymentService,
        EventKind::TrainingClass,
        EventKind::HealthOutreach,
        EventKind::LeafletDrive,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::JobFair => "job_fair",
            EventKind::EmploymentService => "employment_service",
            EventKind::TrainingClass => "training_class",
            EventKind::HealthOutreach => "health_outreach",
            EventKind::LeafletDrive => "leaflet_drive",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            EventKind::JobFair => "招聘会",
            EventKind::EmploymentService => "就业服务",
            EventKind::TrainingClass => "培训班",
            EventKind::HealthOutreach => "义诊",
            EventKind::LeafletDrive => "宣传发放",
        }
    }
    pub fn parse(s: &str) -> Option<EventKind> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }
    /// Whether the people it serves count as given public employment services (公共就业服务).
    pub fn is_employment_service(self) -> bool {
        !matches!(self, EventKind::HealthOutreach)
    }
    /// Whether it may report placements in work.
    fn places(self) -> bool {
        matches!(self, EventKind::JobFair | EventKind::EmploymentService)
    }
}

/// People outside the registry placed in work through an event, by destination.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Placements {
    /// 县内
    pub in_county: i64,
    /// 县外省内
    pub in_province: i64,
    /// 跨省
    pub cross_province: i64,
}

impl Placements {
    fn is_zero(&self) -> bool {
        *self == Placements::default()
    }
}

/// An event as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// `job_fair` … or the Chinese label (招聘会 …).
    pub kind: String,
    pub title: String,
    /// The region where it was held (a village, a township, a county …).
    pub region_code: String,
    /// The place (a village committee, a school, a township hall …).
    pub place: String,
    pub date: Date,
    /// Person-times served, registered persons included.
    pub served_total: i64,
    /// The organiser (a department or helping unit).
    #[serde(default)]
    pub organiser: Option<String>,
    /// An outreach clinic's medicine given out (fen).
    #[serde(default)]
    pub medicine_fen: i64,
    /// A leaflet drive's leaflets.
    #[serde(default)]
    pub leaflets: i64,
    /// A job fair's or service day's placements of people outside the registry.
    #[serde(default)]
    pub placed_others: Placements,
    /// The registered persons served.
    #[serde(default)]
    pub person_ids: Vec<PersonId>,
    #[serde(default)]
    pub note: Option<String>,
}

/// An event, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventData {
    pub kind: EventKind,
    pub title: String,
    pub region_code: RegionCode,
    pub place: String,
    pub date: Date,
    pub served_total: i64,
    pub organiser: Option<String>,
    pub medicine_fen: i64,
    pub leaflets: i64,
    pub placed_others: Placements,
    pub person_ids: Vec<PersonId>,
    pub note: Option<String>,
}

/// Most registered persons one event links.
pub const MAX_EVENT_PERSONS: usize = 10_000;

fn count(field: &str, v: i64, what: &str) -> DomainResult<i64> {
    if !(0..=10_000_000).contains(&v) {
        return Err(DomainError::invalid(
            field,
            "out_of_range",
            format!("{field}（{what}）须在 0 到 10000000 之间"),
        ));
    }
    Ok(v)
}

impl EventInput {
    /// Check an event (the store checks that the region exists and that the persons are active
    /// registered members it may reach).
    pub fn validate(&self, today: Date) -> DomainResult<EventData> {
        let kind = EventKind::parse(&self.kind).ok_or_else(|| {
            DomainError::invalid(
                "kind",
                "unknown_code",
                "kind 须为 招聘会 / 就业服务 / 培训班 / 义诊 / 宣传发放 之一",
            )
        })?;
        let region_code = RegionCode::parse_field("region_code", &self.region_code)?;
        if self.date.year() < 2000 || self.date > today {
            return Err(DomainError::invalid(
                "date",
                "date_out_of_range",
                "活动日期须在2000年之后，且不晚于今天",
            ));
        }
        let served_total = count("served_total", self.served_total, "服务人次")?;
        if self.person_ids.len() > MAX_EVENT_PERSONS {
            return Err(DomainError::invalid(
                "person_ids",
                "out_of_range",
                format!("一次活动最多关联 {MAX_EVENT_PERSONS} 名建档立卡人员"),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, p) in self.person_ids.iter().enumerate() {
            if !seen.insert(*p) {
                return Err(DomainError::invalid(
                    format!("person_ids[{i}]"),
                    "repeated_person",
                    "同一人员在一次活动中重复关联",
                ));
            }
        }
        if (self.person_ids.len() as i64) > served_total {
            return Err(DomainError::invalid(
                "served_total",
                "served_below_registered",
                format!(
                    "服务人次（{served_total}）不能少于关联的建档立卡人员数（{}）",
                    self.person_ids.len()
                ),
            ));
        }
        let medicine_fen = Fen::input("medicine_fen", self.medicine_fen)?.get();
        if medicine_fen > 0 && kind != EventKind::HealthOutreach {
            return Err(DomainError::invalid(
                "medicine_fen",
                "not_allowed",
                "只有义诊可以填写药品价值",
            ));
        }
        let leaflets = count("leaflets", self.leaflets, "发放材料份数")?;
        if leaflets > 0 && kind != EventKind::LeafletDrive {
            return Err(DomainError::invalid(
                "leaflets",
                "not_allowed",
                "只有宣传发放可以填写发放份数",
            ));
        }
        let p = self.placed_others;
        count("placed_others.in_county", p.in_county, "县内就业人数")?;
        count(
            "placed_others.in_province",
            p.in_province,
            "县外省内就业人数",
        )?;
        count(
            "placed_others.cross_province",
            p.cross_province,
            "跨省就业人数",
        )?;
        if !p.is_zero() && !kind.places() {
            return Err(DomainError::invalid(
                "placed_others",
                "not_allowed",
                "只有招聘会和就业服务可以填写实现就业人数",
            ));
        }
        Ok(EventData {
            kind,
            title: check_text("title", &self.title, 100)?,
            region_code,
            place: check_text("place", &self.place, 100)?,
            date: self.date,
            served_total,
            organiser: opt_text("organiser", &self.organiser, 100)?,
            medicine_fen,
            leaflets,
            placed_others: p,
            person_ids: self.person_ids.clone(),
            note: opt_text("note", &self.note, 1000)?,
        })
    }
}

/// A registered person linked to an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventPerson {
    pub person_id: PersonId,
    pub name: String,
    pub household_id: HouseholdId,
    pub household_number: String,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ServiceEvent))]
pub struct Event {
    pub id: EventId,
    pub kind: EventKind,
    pub kind_label: String,
    pub title: String,
    pub region_code: RegionCode,
    pub region_name: String,
    pub place: String,
    pub date: Date,
    pub served_total: i64,
    /// Registered persons linked.
    pub registered: i64,
    pub organiser: Option<String>,
    pub medicine_fen: i64,
    pub leaflets: i64,
    pub placed_others: Placements,
    pub note: Option<String>,
    pub version: i32,
    pub updated_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// An event with its registered persons (only those the caller reaches are named; `registered`
/// counts them all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventDetail {
    #[serde(flatten)]
    pub event: Event,
    pub persons: Vec<EventPerson>,
}

/// What an event adds to its aggregate row (its region, month and kind).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventTally {
    pub events: i64,
    pub served: i64,
    pub registered: i64,
    pub medicine_fen: i64,
    pub leaflets: i64,
    pub placed: Placements,
}

impl EventTally {
    pub fn add(&mut self, o: &EventTally, sign: i64) {
        self.events += sign * o.events;
        self.served += sign * o.served;
        self.registered += sign * o.registered;
        self.medicine_fen += sign * o.medicine_fen;
        self.leaflets += sign * o.leaflets;
        self.placed.in_county += sign * o.placed.in_county;
        self.placed.in_province += sign * o.placed.in_province;
        self.placed.cross_province += sign * o.placed.cross_province;
    }
}

impl EventData {
    /// The aggregate row (region, `yyyymm`, kind) and what the event adds to it.
    pub fn tally(&self) -> ((RegionCode, i32, EventKind), EventTally) {
        (
            (self.region_code.clone(), month_of(self.date), self.kind),
            EventTally {
                events: 1,
                served: self.served_total,
                registered: self.person_ids.len() as i64,
                medicine_fen: self.medicine_fen,
                leaflets: self.leaflets,
                placed: self.placed_others,
            },
        )
    }
}

/// Events of one kind in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventFigures {
    pub kind: EventKind,
    pub label: String,
    pub events: i64,
    /// Person-times served.
    pub served: i64,
    /// Registered persons linked.
    pub registered: i64,
    pub medicine_fen: i64,
    pub leaflets: i64,
}

impl crate::measures::ServicesReport {
    /// Add the workplaces' rows (kind, `site`/`hire`, tally) and the events' rows (kind, tally)
    /// of the region and period: events add their person-times to the services served (their
    /// linked persons to the registered part), people outside the registry they placed in work to
    /// the employment totals, training classes' other participants to the trained total.
    pub fn with_services(
        mut self,
        places: &[(
            crate::measures::WorkplaceKind,
            String,
            crate::measures::PlaceTally,
        )],
        events: &[(EventKind, EventTally)],
    ) -> Self {
        (self.workshops, self.posts) = crate::measures::WorkplaceFigures::sum(places);
        for kind in EventKind::ALL {
            let mut t = EventTally::default();
            for (_, x) in events.iter().filter(|(k, _)| *k == kind) {
                t.add(x, 1);
            }
            if t.events == 0 {
                continue;
            }
            if kind.is_employment_service() {
                self.served.total += t.served;
                self.served.registered += t.registered;
            }
            match kind {
                EventKind::TrainingClass => {
                    self.training.trained.total += t.served - t.registered;
                }
                EventKind::HealthOutreach => {
                    let h = &mut self.health;
                    h.outreach_events += t.events;
                    h.outreach_served.total += t.served;
                    h.outreach_served.registered += t.registered;
                    h.medicine_fen += t.medicine_fen;
                }
                _ => {}
            }
            self.leaflets += t.leaflets;
            let e = &mut self.employment;
            e.in_county.total += t.placed.in_county;
            e.in_province.total += t.placed.in_province;
            e.cross_province.total += t.placed.cross_province;
            e.total.total += t.placed.in_county + t.placed.in_province + t.placed.cross_province;
            self.events.push(EventFigures {
                kind,
                label: kind.label().to_string(),
                events: t.events,
                served: t.served,
                registered: t.registered,
                medicine_fen: t.medicine_fen,
                leaflets: t.leaflets,
            });
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn clinic() -> EventInput {
        EventInput {
            kind: "义诊".into(),
            title: "送医下乡义诊".into(),
            region_code: "360124106204".into(),
            place: "塔岗村委会".into(),
            date: date!(2018 - 06 - 16),
            served_total: 56,
            organiser: Some("南昌市人社局".into()),
            medicine_fen: 1_600_000,
            leaflets: 0,
            placed_others: Placements::default(),
            person_ids: vec![PersonId(1), PersonId(2)],
            note: None,
        }
    }

    fn err(e: EventInput) -> (&'static str, String) {
        let e = e.validate(date!(2026 - 11 - 29)).unwrap_err();
        (e.code, e.field.unwrap_or_default())
    }

    #[test]
    fn event_rules() {
        let d = clinic().validate(date!(2026 - 11 - 29)).unwrap();
        let (key, t) = d.tally();
        assert_eq!((key.1, key.2), (201806, EventKind::HealthOutreach));
        assert_eq!((t.served, t.registered, t.medicine_fen), (56, 2, 1_600_000));
        assert_eq!(
            err(EventInput {
                served_total: 1,
                ..clinic()
            }),
            ("served_below_registered", "served_total".into())
        );
        assert_eq!(
            err(EventInput {
                person_ids: vec![PersonId(1), PersonId(1)],
                ..clinic()
            }),
            ("repeated_person", "person_ids[1]".into())
        );
        assert_eq!(
            err(EventInput {
                medicine_fen: -5,
                ..clinic()
            }),
            ("negative_amount", "medicine_fen".into())
        );
        assert_eq!(
            err(EventInput {
                kind: "招聘会".into(),
                ..clinic()
            }),
            ("not_allowed", "medicine_fen".into())
        );
        assert_eq!(
            err(EventInput {
                placed_others: Placements {
                    in_county: 3,
                    ..Placements::default()
                },
                ..clinic()
            }),
            ("not_allowed", "placed_others".into())
        );
        assert_eq!(
            err(EventInput {
                date: date!(2027 - 01 - 01),
                ..clinic()
            }),
            ("date_out_of_range", "date".into())
        );
        assert_eq!(
            err(EventInput {
                kind: "茶话会".into(),
                ..clinic()
            }),
            ("unknown_code", "kind".into())
        );
        let fair = EventInput {
            kind: "job_fair".into(),
            medicine_fen: 0,
            placed_others: Placements {
                in_county: 40,
                in_province: 3,
                cross_province: 1,
            },
            ..clinic()
        };
        let t = fair.validate(date!(2026 - 11 - 29)).unwrap().tally().1;
        assert_eq!(t.placed.in_county, 40);
        assert!(EventKind::JobFair.is_employment_service());
        assert!(!EventKind::HealthOutreach.is_employment_service());
    }

    #[test]
    fn events_add_totals_beside_the_registered() {
        let base = crate::measures::ServicesReport::from_tallies(
            RegionCode::parse("360100000000").unwrap(),
            date!(2019 - 01 - 01),
            date!(2019 - 06 - 30),
            &[(
                "0201".into(),
                "in_county".into(),
                crate::measures::Tally {
                    measures: 5,
                    ..Default::default()
                },
            )],
        );
        let t = |served, registered, in_county| EventTally {
            events: 1,
            served,
            registered,
            medicine_fen: 0,
            leaflets: 0,
            placed: Placements {
                in_county,
                in_province: 0,
                cross_province: 0,
            },
        };
        let clinic = EventTally {
            medicine_fen: 2_000_000,
            ..t(60, 8, 0)
        };
        let r = base.with_services(
            &[],
            &[
                (EventKind::JobFair, t(300, 10, 40)),
                (EventKind::JobFair, t(100, 0, 2)),
                (EventKind::TrainingClass, t(50, 20, 0)),
                (EventKind::HealthOutreach, clinic),
            ],
        );
        assert_eq!((r.served.total, r.served.registered), (450, 30));
        assert_eq!(
            (
                r.employment.in_county.total,
                r.employment.in_county.registered
            ),
            (47, 5)
        );
        assert_eq!(r.employment.total.total, 47);
        assert_eq!(r.training.trained.total, 30);
        let h = r.health;
        assert_eq!(
            (
                h.outreach_events,
                h.outreach_served.total,
                h.outreach_served.registered,
                h.medicine_fen
            ),
            (1, 60, 8, 2_000_000)
        );
        let kinds: Vec<_> = r.events.iter().map(|e| (e.kind, e.events)).collect();
        assert_eq!(
            kinds,
            [
                (EventKind::JobFair, 2),
                (EventKind::TrainingClass, 1),
                (EventKind::HealthOutreach, 1)
            ]
        );
    }
}
