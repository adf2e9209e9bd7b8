//! What a household's measures tell the assessment about a year: loans past their due date and not
//! repaid (a monitoring warning), the medical costs its members paid themselves (the screening of
//! high medical spending), and students a department recorded as dropped out (the exit
//! assessment's compulsory-education criterion). Cancelled measures tell nothing.

use crate::measures::{Catalogue, Details, Form, MeasureData, MeasureStatus};
use crate::registry::PersonId;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A loan past its due date and not repaid in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueLoan {
    /// The borrower's name when known (never the ID number).
    pub borrower: Option<String>,
    /// The loan's kind (扶贫小额信贷, 创业担保贷款).
    pub kind_label: String,
    pub amount_fen: i64,
    pub repaid_fen: i64,
    pub due: Date,
}

/// The signals of a household's measures for one year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureSignals {
    /// Σ out-of-pocket medical costs of health measures that start in the year (fen).
    pub out_of_pocket_fen: i64,
    /// Members an education measure running in the year marks as dropped out.
    pub dropouts: Vec<PersonId>,
    /// Loans due before the day the year is judged on and not repaid in full.
    pub overdue_loans: Vec<OverdueLoan>,
}

/// Whether a measure can tell the screening anything ([`measure_signals`] reads health measures'
/// costs, education measures marked as a dropout and loans; nothing else). Writing any other
/// measure (a job, a training course, a pension) leaves every household's screening as it was,
/// so it is not screened again for it: a department's pension list of a province then costs
/// its rows, not a second pass over every household it names. A change must be judged on the
/// measure before and after it (a dropout mark taken away tells as much as one put on).
pub fn tells_screening(m: &MeasureData) -> bool {
    match &m.details {
        Details::Health(_) | Details::Loan(_) => true,
        Details::Education(e) => e.dropout,
        _ => false,
    }
}

/// The kinds of the shipped catalogue whose measures [`measure_signals`] reads: those of the health,
/// education and loan forms (a measure's details always take its kind's form). A screening pass
/// over many households reads only their measures of these kinds: jobs, courses and pensions
/// (three measures in four of the generated province) tell it nothing, and were read and decoded
/// for nothing.
pub fn screening_kinds() -> Vec<&'static str> {
    Catalogue::shipped()
        .categories
        .iter()
        .flat_map(|c| &c.kinds)
        .filter(|k| matches!(k.form, Form::Health | Form::Education | Form::Loan))
        .map(|k| k.code.as_str())
        .collect()
}

/// The years whose screening writing `m` can change, `this_year` being the current year: none
/// unless it [`tells_screening`]; a health measure's costs count in the year it starts only; a
/// loan and a dropout mark in the year they start and in the current year (a loan falls due and a
/// dropout runs on until today). A change is judged on the union of the years of the measure
/// before and after it.
pub fn screening_years(m: &MeasureData, this_year: i32) -> std::collections::BTreeSet<i32> {
    let start = m.start_date.year();
    match &m.details {
        _ if !tells_screening(m) => Default::default(),
        Details::Health(_) => [start].into(),
        _ => [start, this_year].into(),
    }
}

/// `d` plus `months` calendar months, the day kept or clamped to the month's last day (a loan of
/// 12 months from 31 January 2019 is due on 31 January 2020; of one month, on 28 February 2019).
pub fn add_months(d: Date, months: i32) -> Date {
    let total = d.year() * 12 + i32::from(u8::from(d.month())) - 1 + months;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(u8::try_from(month0 + 1).unwrap_or(1)).unwrap_or(Month::January);
    let last = month.length(year);
    Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(d)
}

/// A loan's due date: its start plus its term.
pub fn due_date(m: &MeasureData) -> Option<Date> {
    match &m.details {
        Details::Loan(l) => Some(add_months(m.start_date, l.term_months)),
        _ => None,
    }
}

/// The signals of `measures` (with the member's name where known) for `year`, judged on `as_of`
/// (the end of the year, or today for the current year). A loan is overdue when it is still active
/// (not marked 已完成), its due date is before `as_of`, and less than its amount is repaid.
pub fn measure_signals(
    measures: &[(MeasureData, Option<String>)],
    year: i32,
    as_of: Date,
) -> MeasureSignals {
    let mut s = MeasureSignals::default();
    for (m, name) in measures {
        if m.status == MeasureStatus::Cancelled {
            continue;
        }
        match &m.details {
            Details::Health(h) if m.start_date.year() == year => {
                s.out_of_pocket_fen = s.out_of_pocket_fen.saturating_add(h.out_of_pocket_fen);
            }
            Details::Education(e) if e.dropout => {
                let running = m.start_date.year() <= year
                    && m.start_date <= as_of
                    && m.end_date.is_none_or(|end| end.year() >= year);
                if let (true, Some(p)) = (running, m.person_id) {
                    if !s.dropouts.contains(&p) {
                        s.dropouts.push(p);
                    }
                }
            }
            Details::Loan(l) if m.status == MeasureStatus::Active => {
                let due = add_months(m.start_date, l.term_months);
                if due < as_of && l.repaid_fen < m.amount_fen {
                    s.overdue_loans.push(OverdueLoan {
                        borrower: name.clone(),
                        kind_label: Catalogue::shipped().label(&m.kind).to_string(),
                        amount_fen: m.amount_fen,
                        repaid_fen: l.repaid_fen,
                        due,
                    });
                }
            }
            _ => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measures::{Education, Health, Loan, SchoolStage};
    use crate::registry::HouseholdId;
    use time::macros::date;

    fn measure(kind: &str, start: Date, amount_fen: i64, details: Details) -> MeasureData {
        MeasureData {
            household_id: HouseholdId(1),
            person_id: Some(PersonId(7)),
            category: kind[..2].to_string(),
            kind: kind.to_string(),
            start_date: start,
            end_date: None,
            amount_fen,
            provider: None,
            status: MeasureStatus::Active,
            note: None,
            details,
        }
    }

    fn loan(start: Date, term: i32, amount: i64, repaid: i64) -> MeasureData {
        measure(
            "0901",
            start,
            amount,
            Details::Loan(Loan {
                term_months: term,
                annual_rate_bp: 435,
                interest_subsidy_fen: 0,
                purpose: "养殖".into(),
                repaid_fen: repaid,
            }),
        )
    }

    #[test]
    fn screening_reads_the_kinds_of_the_health_education_and_loan_forms() {
        let kinds = screening_kinds();
        // medical assistance, school, microcredit: read; a job, a post, training, a pension: not
        for k in ["0503", "0401", "0901"] {
            assert!(kinds.contains(&k), "{k}");
        }
        for k in ["0201", "0301", "0202", "0804"] {
            assert!(!kinds.contains(&k), "{k}");
        }
        for cat in &Catalogue::shipped().categories {
            for k in &cat.kinds {
                let read = matches!(k.form, Form::Health | Form::Education | Form::Loan);
                assert_eq!(kinds.contains(&k.code.as_str()), read, "{}", k.code);
            }
        }
    }

    #[test]
    fn months_are_added_by_the_calendar() {
        assert_eq!(add_months(date!(2019 - 01 - 31), 12), date!(2020 - 01 - 31));
        assert_eq!(add_months(date!(2019 - 01 - 31), 1), date!(2019 - 02 - 28));
        assert_eq!(add_months(date!(2019 - 11 - 15), 3), date!(2020 - 02 - 15));
        assert_eq!(add_months(date!(2020 - 02 - 29), 36), date!(2023 - 02 - 28));
    }

    #[test]
    fn overdue_loans() {
        let on = date!(2020 - 12 - 31);
        let named = |m: MeasureData| (m, Some("万建华".to_string()));
        let due_2020 = loan(date!(2019 - 06 - 01), 12, 5_000_000, 1_000_000);
        let s = measure_signals(&[named(due_2020.clone())], 2020, on);
        assert_eq!(s.overdue_loans.len(), 1);
        assert_eq!(s.overdue_loans[0].due, date!(2020 - 06 - 01));
        assert_eq!(s.overdue_loans[0].kind_label, "扶贫小额信贷");
        // due on the day judged on is not yet overdue; repaid in full, ended or cancelled is not
        assert!(
            measure_signals(&[named(due_2020.clone())], 2020, date!(2020 - 06 - 01))
                .overdue_loans
                .is_empty()
        );
        assert!(measure_signals(
            &[named(loan(date!(2019 - 06 - 01), 12, 100, 100))],
            2020,
            on
        )
        .overdue_loans
        .is_empty());
        for status in [MeasureStatus::Ended, MeasureStatus::Cancelled] {
            let mut m = due_2020.clone();
            m.status = status;
            m.end_date = Some(date!(2020 - 05 - 30));
            assert!(measure_signals(&[named(m)], 2020, on)
                .overdue_loans
                .is_empty());
        }
        // not due before the end of the term
        assert!(
            measure_signals(&[named(loan(date!(2019 - 06 - 01), 36, 100, 0))], 2020, on)
                .overdue_loans
                .is_empty()
        );
    }

    #[test]
    fn medical_costs_and_dropouts() {
        let health = |start: Date, fen: i64| {
            measure(
                "0503",
                start,
                0,
                Details::Health(Health {
                    out_of_pocket_fen: fen,
                    ..Health::default()
                }),
            )
        };
        let school = |start: Date, end: Option<Date>, dropout: bool| MeasureData {
            end_date: end,
            ..measure(
                "0401",
                start,
                0,
                Details::Education(Education {
                    school: "罗溪中学".into(),
                    stage: SchoolStage::JuniorSecondary,
                    tuition_waived_fen: 0,
                    grant_fen: 0,
                    yulu_fen: 0,
                    dropout,
                }),
            )
        };
        let mut cancelled = health(date!(2020 - 03 - 01), 900_000);
        cancelled.status = MeasureStatus::Cancelled;
        let all: Vec<(MeasureData, Option<String>)> = [
            health(date!(2020 - 03 - 01), 1_200_000),
            health(date!(2020 - 11 - 01), 300_000),
            health(date!(2019 - 11 - 01), 700_000),
            cancelled,
            school(date!(2019 - 09 - 01), None, true),
        ]
        .into_iter()
        .map(|m| (m, None))
        .collect();
        let s = measure_signals(&all, 2020, date!(2020 - 12 - 31));
        assert_eq!(s.out_of_pocket_fen, 1_500_000);
        assert_eq!(s.dropouts, [PersonId(7)]);
        // a dropout flag of a school year that ended before the year tells nothing of it
        let old = [(
            school(date!(2017 - 09 - 01), Some(date!(2018 - 07 - 01)), true),
            None,
        )];
        assert!(measure_signals(&old, 2020, date!(2020 - 12 - 31))
            .dropouts
            .is_empty());
        let enrolled = [(school(date!(2019 - 09 - 01), None, false), None)];
        assert!(measure_signals(&enrolled, 2020, date!(2020 - 12 - 31))
            .dropouts
            .is_empty());
        // which measures can change a screening: health costs, dropouts, loans
        assert!(tells_screening(&health(date!(2020 - 03 - 01), 0)));
        assert!(tells_screening(&school(date!(2019 - 09 - 01), None, true)));
        assert!(!tells_screening(&school(
            date!(2019 - 09 - 01),
            None,
            false
        )));
        assert!(tells_screening(&loan(date!(2019 - 06 - 01), 12, 100, 100)));
        assert!(!tells_screening(&measure(
            "0701",
            date!(2020 - 01 - 01),
            0,
            Details::General
        )));
        // and for which years: a health measure's own year; a loan or a dropout also this year
        let years = |m: &MeasureData| screening_years(m, 2026).into_iter().collect::<Vec<_>>();
        assert_eq!(years(&health(date!(2020 - 03 - 01), 100)), [2020]);
        assert_eq!(
            years(&school(date!(2019 - 09 - 01), None, true)),
            [2019, 2026]
        );
        assert_eq!(years(&loan(date!(2026 - 06 - 01), 12, 100, 0)), [2026]);
        assert!(years(&school(date!(2019 - 09 - 01), None, false)).is_empty());
    }
}
