//! What a procedure case reads and what it changes, shared by the store's case actions and the
//! import of cases: the facts of a household that the exit and risk-elimination assessments take
//! (gathered the same way for both), which statuses may start which procedure, and the status
//! change a finished procedure records.

use super::exit::{ExitInput, ExitMember};
use super::monitoring::{BasicNeeds, EliminationInput, MonitoredKind, RigidSpending, RiskStatus};
use super::records::ProcedureKind;
use super::{Assessment, Criterion};
use crate::money::{Fen, PerCapita};
use crate::registry::{HouseholdStatus, LivingConditions, Member, StatusChangeInput};
use crate::years::year_end;
use time::Date;

/// What verification recorded for a household and year (`HouseholdYearInput` as stored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearFacts {
    pub food: Option<bool>,
    pub clothing: Option<bool>,
    pub spending: RigidSpending,
    pub stable_months: Option<i32>,
    /// What the household's measures tell of the year (overdue loans, out-of-pocket medical
    /// costs, dropouts); the store adds the costs to `spending` as [`YearFacts::with_measures`] says.
    pub measures: crate::measures::MeasureSignals,
}

impl YearFacts {
    /// These facts with the signals of the household's measures: the medical spending is the larger
    /// of the verified figure and the out-of-pocket costs the health measures of the year record (the
    /// verified figure covers the year, a department's list part of it; adding them would count the
    /// same costs twice).
    pub fn with_measures(mut self, signals: crate::measures::MeasureSignals) -> YearFacts {
        let medical = self.spending.medical.get().max(signals.out_of_pocket_fen);
        self.spending.medical = Fen::new(medical);
        self.measures = signals;
        self
    }
}

/// The exit assessment's input for a household and year: its members present at the end of the
/// year (or today, for the current year), its living conditions, its per-capita net income of the
/// year, and what verification found.
pub fn exit_input(
    members: &[Member],
    living: &LivingConditions,
    per_capita: Option<PerCapita>,
    facts: &YearFacts,
    year: i32,
    line: Fen,
    today: Date,
) -> ExitInput {
    let on = year_end(year).min(today);
    ExitInput {
        assessment_date: on,
        per_capita_net_income: per_capita,
        line,
        food_secure: facts.food,
        clothing_secure: facts.clothing,
        members: members
            .iter()
            .filter(|m| m.present_on(on))
            .map(|m| ExitMember {
                name: m.name.clone(),
                birth_date: m.birth_date,
                schooling: m.schooling.clone(),
                out_of_school_reason: m.out_of_school_reason.clone(),
                basic_medical_insurance: m.basic_medical_insurance,
                dropout: facts.measures.dropouts.contains(&m.id),
            })
            .collect(),
        housing_grade: living.housing_grade.clone(),
        housing_renovated_year: living.housing_renovated_year,
        safe_drinking_water: living.safe_drinking_water,
    }
}

/// 三保障 and water as an exit assessment found them.
pub fn basic_needs(assessment: &Assessment) -> BasicNeeds {
    let ok = |c| assessment.get(c).map(|r| r.passed);
    BasicNeeds {
        education: ok(Criterion::CompulsoryEducation),
        medical: ok(Criterion::MedicalInsurance),
        housing: ok(Criterion::Housing),
        water: ok(Criterion::DrinkingWater),
    }
}

/// The risk-elimination assessment's input: the income of the year (or, before it is recorded, of
/// the year before), the monitoring line, the months of stable income verification found, every
/// recorded risk with whether it is resolved, the needs as the exit assessment finds them, and the
/// household's consent (given by taking part in the procedure).
pub fn elimination_input(
    per_capita: Option<PerCapita>,
    per_capita_year_before: Option<PerCapita>,
    monitoring_line: Fen,
    facts: &YearFacts,
    risks: Vec<RiskStatus>,
    exit: &Assessment,
) -> EliminationInput {
    EliminationInput {
        per_capita_net_income: per_capita.or(per_capita_year_before),
        monitoring_line,
        income_stable_months: facts.stable_months.map(|m| m.max(0) as u32),
        risks,
        needs: basic_needs(exit),
        household_consent: Some(true),
    }
}

impl ProcedureKind {
    /// Whether a household of `status` may start this procedure: an exit from poverty (or
    /// relapse), identification of an exited or risk-eliminated household, elimination of a
    /// monitored one.
    pub fn may_start(self, status: HouseholdStatus) -> bool {
        match self {
            ProcedureKind::Exit => status.can_become(HouseholdStatus::Exited),
            ProcedureKind::Identification => matches!(
                status,
                HouseholdStatus::Exited | HouseholdStatus::RiskEliminated
            ),
            ProcedureKind::Elimination => status == HouseholdStatus::Monitored,
        }
    }

    /// The status a finished procedure gives the household.
    pub fn target(self) -> HouseholdStatus {
        match self {
            ProcedureKind::Exit => HouseholdStatus::Exited,
            ProcedureKind::Identification => HouseholdStatus::Monitored,
            ProcedureKind::Elimination => HouseholdStatus::RiskEliminated,
        }
    }

    /// The status change a procedure of `year` finished on `date` records (`monitored`: the kind an
    /// identification approved).
    pub fn finishing_change(
        self,
        date: Date,
        year: i32,
        monitored: Option<MonitoredKind>,
    ) -> StatusChangeInput {
        let (reason, exit_year) = match self {
            ProcedureKind::Exit => (
                "脱贫退出程序办结（县级审定公告，销号）".to_string(),
                Some(year.min(date.year())),
            ),
            ProcedureKind::Identification => (
                format!(
                    "纳入防返贫监测（{}）",
                    monitored.map(MonitoredKind::label).unwrap_or("")
                ),
                None,
            ),
            ProcedureKind::Elimination => ("风险消除程序办结（县级审定公告）".to_string(), None),
        };
        StatusChangeInput {
            to: self.target(),
            date,
            reason,
            exit_year,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn who_may_start_what_and_what_it_ends_in() {
        use HouseholdStatus::*;
        assert!(ProcedureKind::Exit.may_start(Poor));
        assert!(ProcedureKind::Exit.may_start(Relapsed));
        assert!(!ProcedureKind::Exit.may_start(Exited));
        assert!(ProcedureKind::Identification.may_start(Exited));
        assert!(ProcedureKind::Identification.may_start(RiskEliminated));
        assert!(!ProcedureKind::Identification.may_start(Poor));
        assert!(ProcedureKind::Elimination.may_start(Monitored));
        assert!(!ProcedureKind::Elimination.may_start(Exited));
        let c = ProcedureKind::Exit.finishing_change(date!(2020 - 01 - 10), 2019, None);
        assert_eq!((c.to, c.exit_year), (Exited, Some(2019)));
        let c = ProcedureKind::Identification.finishing_change(
            date!(2021 - 04 - 01),
            2021,
            Some(MonitoredKind::SuddenHardship),
        );
        assert_eq!(c.to, Monitored);
        assert!(c.reason.contains("突发严重困难户"), "{}", c.reason);
        assert_eq!(
            ProcedureKind::Elimination
                .finishing_change(date!(2022 - 11 - 01), 2022, None)
                .to,
            RiskEliminated
        );
    }
}
