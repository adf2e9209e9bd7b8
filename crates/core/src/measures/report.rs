//! The services report (帮扶成效): what was done for people in a region over whole months, summed
//! from aggregates kept per (region, month, kind, destination) — a measure's village and every
//! region above it — in the same transaction as every measure's write. A measure counts in the month its start date falls in; cancelled measures
//! count nowhere.

use crate::error::{DomainError, DomainResult};
use crate::measures::{
    Catalogue, Destination, Details, EmploymentForm, EventFigures, MeasureData, MeasureStatus,
    WorkplaceFigures,
};
use crate::regions::RegionCode;
use serde::{Deserialize, Serialize};
use time::Date;

/// The figures one measure adds to its aggregate row. What the counters mean depends on the form:
///
/// | form | `amount_fen` | `a_fen` | `b_fen` | `c1` | `c2` | `c3` |
/// |---|---|---|---|---|---|---|
/// | employment | amount | wage × months | – | in a workshop | on a public-welfare post | – |
/// | training | amount | subsidy | living allowance | with certificate | – | – |
/// | loan | principal | interest subsidy | – | – | – | – |
/// | education | amount | tuition waived | grants + 雨露计划 | tuition waived (persons) | dropouts | – |
/// | health | amount | medical assistance | out of pocket | signed doctor | serious illness | – |
/// | assistance | amount | monthly amount | – | – | – | – |
/// | pension | amount | premium paid by government | – | enrolled | receiving | paid by government |
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    pub measures: i64,
    pub amount_fen: i64,
    pub a_fen: i64,
    pub b_fen: i64,
    pub c1: i64,
    pub c2: i64,
    pub c3: i64,
}

impl Tally {
    /// Add `o` (or subtract it, with `sign` −1).
    pub fn add(&mut self, o: &Tally, sign: i64) {
        self.measures += sign * o.measures;
        self.amount_fen += sign * o.amount_fen;
        self.a_fen += sign * o.a_fen;
        self.b_fen += sign * o.b_fen;
        self.c1 += sign * o.c1;
        self.c2 += sign * o.c2;
        self.c3 += sign * o.c3;
    }
    pub fn is_zero(&self) -> bool {
        *self == Tally::default()
    }
}

/// Where a measure's figures are kept: its village, the month of its start (`yyyymm`), its kind and,
/// for employment, its destination (`""` otherwise).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TallyKey {
    pub village: RegionCode,
    pub month: i32,
    pub kind: String,
    pub destination: String,
}

/// `yyyymm` of a date.
pub fn month_of(d: Date) -> i32 {
    d.year() * 100 + i32::from(u8::from(d.month()))
}

fn b(x: bool) -> i64 {
    i64::from(x)
}

impl MeasureData {
    /// The aggregate row this measure counts in, and what it adds; `None` when cancelled.
    pub fn tally(&self, village: &RegionCode) -> Option<(TallyKey, Tally)> {
        if self.status == MeasureStatus::Cancelled {
            return None;
        }
        let mut t = Tally {
            measures: 1,
            amount_fen: self.amount_fen,
            ..Tally::default()
        };
        match &self.details {
            Details::General => {}
            Details::Employment(e) => {
                t.a_fen = e.monthly_wage_fen * i64::from(e.months);
                t.c1 = b(e.employment_form == EmploymentForm::Workshop);
                t.c2 = b(e.employment_form == EmploymentForm::PublicWelfarePost);
            }
            Details::Training(x) => {
                t.a_fen = x.subsidy_fen;
                t.b_fen = x.living_allowance_fen;
                t.c1 = b(x.certificate);
            }
            Details::Loan(l) => t.a_fen = l.interest_subsidy_fen,
            Details::Education(e) => {
                t.a_fen = e.tuition_waived_fen;
                t.b_fen = e.grant_fen + e.yulu_fen;
                t.c1 = b(e.tuition_waived_fen > 0);
                t.c2 = b(e.dropout);
            }
            Details::Health(h) => {
                t.a_fen = h.medical_assistance_fen;
                t.b_fen = h.out_of_pocket_fen;
                t.c1 = b(h.signed_doctor);
                t.c2 = b(h.serious_illness);
            }
            Details::Assistance(a) => t.a_fen = a.monthly_fen,
            Details::Pension(p) => {
                t.a_fen = p.premium_paid_by_government_fen;
                t.c1 = b(p.enrolled);
                t.c2 = b(p.receiving);
                t.c3 = b(p.premium_paid_by_government_fen > 0);
            }
        }
        let key = TallyKey {
            village: village.clone(),
            month: month_of(self.start_date),
            kind: self.kind.clone(),
            destination: self
                .details
                .destination()
                .map_or(String::new(), |d| d.as_str().to_string()),
        };
        Some((key, t))
    }
}

/// A report period: whole months, from the first day of one to the last day of another.
pub fn check_report_period(from: Date, to: Date) -> DomainResult<(i32, i32)> {
    if from.day() != 1 {
        return Err(DomainError::invalid(
            "from",
            "period_not_whole_months",
            "报告期须为整月：from 须为某月1日",
        ));
    }
    if to.next_day().is_some_and(|n| n.day() != 1) {
        return Err(DomainError::invalid(
            "to",
            "period_not_whole_months",
            "报告期须为整月：to 须为某月最后一天",
        ));
    }
    if to < from {
        return Err(DomainError::invalid(
            "to",
            "end_before_start",
            "结束日期不能早于开始日期",
        ));
    }
    Ok((month_of(from), month_of(to)))
}

/// A figure with its part among registered people: `total` includes people outside the registry
/// served at events and through department lists, `registered` those of the registry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub total: i64,
    pub registered: i64,
}

/// Employment by destination (measures of the employment form, public-welfare posts included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmploymentFigures {
    pub in_county: Count,
    pub in_province: Count,
    pub cross_province: Count,
    pub total: Count,
    /// Of the registered, employed in a poverty workshop.
    pub in_workshops: i64,
    /// Of the registered, on a public-welfare post.
    pub on_posts: i64,
    /// Wages × months of the registered.
    pub wages_fen: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingFigures {
    pub trained: Count,
    pub certificates: i64,
    pub subsidy_fen: i64,
    pub living_allowance_fen: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EducationFigures {
    /// Students supported (measures of the education form).
    pub students: i64,
    pub tuition_waived_students: i64,
    pub tuition_waived_fen: i64,
    /// Grants and 雨露计划 subsidies.
    pub grants_fen: i64,
    pub dropouts: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PensionFigures {
    pub enrolled: i64,
    pub receiving: i64,
    pub paid_by_government: i64,
    pub paid_by_government_fen: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoanFigures {
    pub microcredit: i64,
    pub microcredit_fen: i64,
    pub startup: i64,
    pub startup_fen: i64,
    pub interest_subsidy_fen: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthFigures {
    pub signed_doctor: i64,
    pub serious_illness: i64,
    pub medical_assistance_fen: i64,
    pub out_of_pocket_fen: i64,
    /// Outreach clinics (义诊) held in the region.
    pub outreach_events: i64,
    /// Their person-times, and the registered persons linked.
    pub outreach_served: Count,
    /// Medicine given out at them (fen).
    pub medicine_fen: i64,
}

/// Measures and amounts of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindFigures {
    pub kind: String,
    pub label: String,
    pub measures: i64,
    pub amount_fen: i64,
}

/// The services report of a region over whole months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServicesReport {
    pub region_code: RegionCode,
    pub from: Date,
    pub to: Date,
    /// Public employment services (公共就业服务).
    pub served: Count,
    pub employment: EmploymentFigures,
    pub training: TrainingFigures,
    pub education: EducationFigures,
    pub pension: PensionFigures,
    pub loans: LoanFigures,
    pub health: HealthFigures,
    /// Poverty workshops open during the period and their registered labourers.
    pub workshops: WorkplaceFigures,
    /// Poverty posts open during the period and the registered persons employed on them.
    pub posts: WorkplaceFigures,
    /// Leaflets given out at leaflet drives.
    pub leaflets: i64,
    /// Events held in the region, by kind (kinds without events left out).
    pub events: Vec<EventFigures>,
    /// Every kind with measures in the period, in catalogue order.
    pub by_kind: Vec<KindFigures>,
}

/// The kind codes of the report's lines.
mod kinds {
    pub const EMPLOYMENT_SERVICE: &str = "0203";
    pub const MICROCREDIT: &str = "0901";
    pub const STARTUP_LOAN: &str = "0902";
}

impl ServicesReport {
    /// Assemble the report from the aggregate rows of the region and period, summed by
    /// (kind, destination).
    pub fn from_tallies(
        region: RegionCode,
        from: Date,
        to: Date,
        rows: &[(String, String, Tally)],
    ) -> ServicesReport {
        let cat = Catalogue::shipped();
        let mut r = ServicesReport {
            region_code: region,
            from,
            to,
            served: Count::default(),
            employment: EmploymentFigures::default(),
            training: TrainingFigures::default(),
            education: EducationFigures::default(),
            pension: PensionFigures::default(),
            loans: LoanFigures::default(),
            health: HealthFigures::default(),
            workshops: WorkplaceFigures::default(),
            posts: WorkplaceFigures::default(),
            leaflets: 0,
            events: vec![],
            by_kind: vec![],
        };
        let mut by_kind: std::collections::BTreeMap<&str, Tally> = Default::default();
        for (kind, destination, t) in rows {
            by_kind.entry(kind.as_str()).or_default().add(t, 1);
            let Ok((_, k)) = cat.kind("kind", kind) else {
                continue;
            };
            match k.form {
                crate::measures::Form::Employment => {
                    let e = &mut r.employment;
                    let slot = match Destination::parse(destination) {
                        Some(Destination::InCounty) => &mut e.in_county,
                        Some(Destination::InProvince) => &mut e.in_province,
                        Some(Destination::CrossProvince) => &mut e.cross_province,
                        None => &mut e.total,
                    };
                    slot.registered += t.measures;
                    e.in_workshops += t.c1;
                    e.on_posts += t.c2;
                    e.wages_fen += t.a_fen;
                }
                crate::measures::Form::Training => {
                    r.training.trained.registered += t.measures;
                    r.training.certificates += t.c1;
                    r.training.subsidy_fen += t.a_fen;
                    r.training.living_allowance_fen += t.b_fen;
                }
                crate::measures::Form::Education => {
                    r.education.students += t.measures;
                    r.education.tuition_waived_students += t.c1;
                    r.education.tuition_waived_fen += t.a_fen;
                    r.education.grants_fen += t.b_fen;
                    r.education.dropouts += t.c2;
                }
                crate::measures::Form::Pension => {
                    r.pension.enrolled += t.c1;
                    r.pension.receiving += t.c2;
                    r.pension.paid_by_government += t.c3;
                    r.pension.paid_by_government_fen += t.a_fen;
                }
                crate::measures::Form::Loan => {
                    if kind == kinds::MICROCREDIT {
                        r.loans.microcredit += t.measures;
                        r.loans.microcredit_fen += t.amount_fen;
                    } else if kind == kinds::STARTUP_LOAN {
                        r.loans.startup += t.measures;
                        r.loans.startup_fen += t.amount_fen;
                    }
                    r.loans.interest_subsidy_fen += t.a_fen;
                }
                crate::measures::Form::Health => {
                    r.health.signed_doctor += t.c1;
                    r.health.serious_illness += t.c2;
                    r.health.medical_assistance_fen += t.a_fen;
                    r.health.out_of_pocket_fen += t.b_fen;
                }
                _ => {}
            }
            if kind == kinds::EMPLOYMENT_SERVICE {
                r.served.registered += t.measures;
            }
        }
        let e = &mut r.employment;
        e.total.registered +=
            e.in_county.registered + e.in_province.registered + e.cross_province.registered;
        // the totals start from the registered people; events add the others (`with_services`)
        for c in [
            &mut r.served,
            &mut e.in_county,
            &mut e.in_province,
            &mut e.cross_province,
            &mut e.total,
            &mut r.training.trained,
        ] {
            c.total = c.registered;
        }
        for c in &cat.categories {
            for k in &c.kinds {
                // (an aggregate row whose measures were all moved away stays, at zero)
                if let Some(t) = by_kind.get(k.code.as_str()).filter(|t| !t.is_zero()) {
                    r.by_kind.push(KindFigures {
                        kind: k.code.clone(),
                        label: k.label.clone(),
                        measures: t.measures,
                        amount_fen: t.amount_fen,
                    });
                }
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn whole_months_only() {
        assert_eq!(
            check_report_period(date!(2019 - 01 - 01), date!(2019 - 12 - 31)).unwrap(),
            (201901, 201912)
        );
        assert_eq!(
            check_report_period(date!(2020 - 02 - 01), date!(2020 - 02 - 29)).unwrap(),
            (202002, 202002)
        );
        for (f, t, field) in [
            (date!(2019 - 01 - 02), date!(2019 - 12 - 31), "from"),
            (date!(2019 - 01 - 01), date!(2019 - 12 - 30), "to"),
            (date!(2019 - 03 - 01), date!(2019 - 01 - 31), "to"),
        ] {
            assert_eq!(
                check_report_period(f, t).unwrap_err().field.as_deref(),
                Some(field)
            );
        }
    }

    #[test]
    fn tallies_add_up_by_form() {
        let row = |kind: &str, dest: &str, t: Tally| (kind.to_string(), dest.to_string(), t);
        let one = |measures, amount_fen, a_fen, c1, c2, c3| Tally {
            measures,
            amount_fen,
            a_fen,
            b_fen: 0,
            c1,
            c2,
            c3,
        };
        let r = ServicesReport::from_tallies(
            RegionCode::parse("360100000000").unwrap(),
            date!(2019 - 01 - 01),
            date!(2019 - 12 - 31),
            &[
                row("0201", "in_county", one(3, 0, 900, 2, 0, 0)),
                row("0301", "in_county", one(5, 0, 500, 0, 5, 0)),
                row("0201", "cross_province", one(2, 0, 100, 0, 0, 0)),
                row("0901", "", one(1, 5_000_000, 0, 0, 0, 0)),
                row("0902", "", one(2, 20_000_000, 7, 0, 0, 0)),
                row("0804", "", one(4, 0, 2_000, 4, 1, 3)),
                row("0203", "", one(6, 0, 0, 0, 0, 0)),
            ],
        );
        let e = r.employment;
        assert_eq!(
            (
                e.in_county.registered,
                e.cross_province.registered,
                e.total.registered
            ),
            (8, 2, 10)
        );
        assert_eq!((e.in_workshops, e.on_posts, e.wages_fen), (2, 5, 1_500));
        assert_eq!(
            (
                r.loans.microcredit,
                r.loans.startup,
                r.loans.startup_fen,
                r.loans.interest_subsidy_fen
            ),
            (1, 2, 20_000_000, 7)
        );
        assert_eq!(
            (
                r.pension.enrolled,
                r.pension.receiving,
                r.pension.paid_by_government,
                r.pension.paid_by_government_fen
            ),
            (4, 1, 3, 2_000)
        );
        assert_eq!(
            r.served,
            Count {
                total: 6,
                registered: 6
            }
        );
        let kinds: Vec<_> = r
            .by_kind
            .iter()
            .map(|k| (k.kind.as_str(), k.measures))
            .collect();
        assert_eq!(
            kinds,
            [
                ("0201", 5),
                ("0203", 6),
                ("0301", 5),
                ("0804", 4),
                ("0901", 1),
                ("0902", 2)
            ]
        );
    }
}
