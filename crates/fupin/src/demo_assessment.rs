//! Demo of the exit and monitoring procedures for 塔岗村: every registered household leaves poverty
//! through the full exit procedure (proposal, democratic appraisal, verification, consent, a public
//! notice, township review, county approval), on the dates of `data/demo/exit-procedures.csv`, and
//! in 2021 one exited household struck by a major illness is identified as a monitored household
//! (突发严重困难户), then has its risk eliminated in 2022 once the illness is over and its income is
//! stable again.
//!
//! These run through the store's procedure calls rather than an importer: a procedure is a sequence
//! of dated steps whose county approval carries evidence the store computes itself (the exit
//! assessment from the household's incomes and living conditions), so the demo takes the same steps
//! an office takes on the case pages.

use fupin_core::assessment::{
    CaseActionInput, HouseholdYearInput, MonitoredKind, ProcedureKind, RiskEventInput,
};
use fupin_core::store::Store;
use fupin_core::{Ctx, DomainError};
use time::{Date, Duration, Month};

/// When each household of 塔岗 left poverty: one row per household with the day each step of the
/// exit procedure was completed (headers are the steps' names).
pub const EXIT_PROCEDURES_CSV: &str = include_str!("../data/demo/exit-procedures.csv");

/// The columns of `exit-procedures.csv` after the household number and year: the start, then the
/// completion of each step in order.
const STEP_COLUMNS: [&str; 8] = [
    "启动日期",
    "村提名",
    "民主评议",
    "村委会和驻村工作队核实",
    "户签字认可",
    "村内公示",
    "乡镇审核",
    "县级审定公告",
];

/// One household's exit: number, exit year, and the dates of `STEP_COLUMNS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedExit {
    pub household_number: String,
    pub year: i32,
    pub started: Date,
    /// Completion of each step, the last one the county's approval (the day of the exit).
    pub steps: Vec<Date>,
}

fn bad(message: String) -> DomainError {
    DomainError::invalid("demo", "demo_file_unreadable", message)
}

/// The exits of `exit-procedures.csv`, in file order.
pub fn planned_exits() -> Result<Vec<PlannedExit>, DomainError> {
    let mut r = csv::Reader::from_reader(EXIT_PROCEDURES_CSV.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| bad(format!("exit-procedures.csv：{e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("exit-procedures.csv 缺少列“{name}”")))
    };
    let number = col("户编码")?;
    let year = col("脱贫年度")?;
    let steps: Vec<usize> = STEP_COLUMNS
        .iter()
        .map(|c| col(c))
        .collect::<Result<_, _>>()?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| bad(format!("exit-procedures.csv 第 {line} 行：{e}")))?;
        let date = |c: usize| {
            Date::parse(&rec[c], &format).map_err(|_| {
                bad(format!(
                    "exit-procedures.csv 第 {line} 行：日期“{}”无效",
                    &rec[c]
                ))
            })
        };
        let dates: Vec<Date> = steps.iter().map(|c| date(*c)).collect::<Result<_, _>>()?;
        out.push(PlannedExit {
            household_number: rec[number].to_string(),
            year: rec[year]
                .parse()
                .map_err(|_| bad(format!("exit-procedures.csv 第 {line} 行：年度无效")))?,
            started: dates[0],
            steps: dates[1..].to_vec(),
        });
    }
    Ok(out)
}

fn act(date: Date, action: &str) -> CaseActionInput {
    CaseActionInput {
        date,
        action: action.into(),
        note: None,
        reason: None,
        text: None,
        objection_id: None,
        resolution: None,
        monitored_kind: None,
    }
}

fn on(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).expect("month"), d).expect("valid date")
}

/// Take 塔岗's households out of poverty through the exit procedure, as `exit-procedures.csv` dates
/// it; the county's approval records the exit (status, date and exit year) as a status change would.
pub async fn exit_tagang(store: &dyn Store, ctx: &Ctx) -> Result<(), DomainError> {
    for exit in planned_exits()? {
        let id = store
            .household_by_number(ctx, &exit.household_number)
            .await?
            .household
            .id;
        // verification found food and clothing secure in the exit year
        store
            .put_household_year(
                ctx,
                id,
                exit.year,
                HouseholdYearInput {
                    food_secure: Some(true),
                    clothing_secure: Some(true),
                    ..Default::default()
                },
            )
            .await?;
        let case = store
            .start_case(ctx, ProcedureKind::Exit, id, exit.year, exit.started)
            .await?;
        let last = exit.steps.len() - 1;
        for (i, d) in exit.steps.iter().enumerate() {
            let note = if i == last {
                "县级审定，公告退出"
            } else {
                "按程序办理"
            };
            store
                .case_action(
                    ctx,
                    case.id,
                    CaseActionInput {
                        note: Some(note.into()),
                        ..act(*d, "complete")
                    },
                )
                .await?;
        }
    }
    Ok(())
}

/// The 2021 illness and its monitoring, for the household numbered `number` (an exited one; its
/// incomes of 2020–2022 are in `incomes.csv`).
pub async fn monitoring_story(
    store: &dyn Store,
    ctx: &Ctx,
    number: &str,
) -> Result<(), DomainError> {
    let id = store.household_by_number(ctx, number).await?.household.id;
    store
        .put_household_year(
            ctx,
            id,
            2021,
            HouseholdYearInput {
                food_secure: Some(true),
                clothing_secure: Some(true),
                medical_spending_fen: 4_800_000,
                ..Default::default()
            },
        )
        .await?;
    store
        .record_risk_event(
            ctx,
            id,
            RiskEventInput {
                date: on(2021, 3, 15),
                risk_type: "因病".into(),
                note: Some("户主突发脑梗住院治疗".into()),
            },
        )
        .await?;
    let case = store
        .start_case(
            ctx,
            ProcedureKind::Identification,
            id,
            2021,
            on(2021, 3, 18),
        )
        .await?;
    for d in [
        on(2021, 3, 19),
        on(2021, 3, 22),
        on(2021, 3, 23),
        on(2021, 3, 29),
        on(2021, 3, 30),
    ] {
        store.case_action(ctx, case.id, act(d, "complete")).await?;
    }
    let approve = CaseActionInput {
        monitored_kind: Some(MonitoredKind::SuddenHardship),
        note: Some("纳入突发严重困难户监测".into()),
        ..act(on(2021, 4, 1), "complete")
    };
    store.case_action(ctx, case.id, approve).await?;
    // 2022: treatment over, income back and stable, risk eliminated
    let event = store
        .risk_events(ctx, id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(DomainError::internal)?;
    store
        .resolve_risk_event(ctx, event.id, on(2022, 5, 31))
        .await?;
    store
        .put_household_year(
            ctx,
            id,
            2022,
            HouseholdYearInput {
                food_secure: Some(true),
                clothing_secure: Some(true),
                income_stable_months: Some(9),
                ..Default::default()
            },
        )
        .await?;
    let el = store
        .start_case(ctx, ProcedureKind::Elimination, id, 2022, on(2022, 10, 10))
        .await?;
    let start = on(2022, 10, 11);
    for k in [0, 2, 4, 10, 12, 20] {
        store
            .case_action(ctx, el.id, act(start + Duration::days(k), "complete"))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{TAGANG, TAGANG_HOUSEHOLD_COUNT};

    #[test]
    fn every_tagang_household_exits_once_over_2016_to_2019() {
        let exits = planned_exits().unwrap();
        assert_eq!(exits.len(), TAGANG_HOUSEHOLD_COUNT);
        let mut per_year = std::collections::BTreeMap::new();
        for (k, e) in exits.iter().enumerate() {
            assert_eq!(e.household_number, format!("{TAGANG}{:04}", k + 1));
            *per_year.entry(e.year).or_insert(0) += 1;
            // steps in order, the approval in the exit year
            assert!(e.started <= e.steps[0]);
            assert!(e.steps.windows(2).all(|w| w[0] <= w[1]), "{e:?}");
            assert_eq!(e.steps.last().unwrap().year(), e.year);
            assert_eq!(e.steps.len(), STEP_COLUMNS.len() - 1);
        }
        // 1 in 2016, 2 in 2017, 4 in 2018, 7 in 2019
        assert_eq!(
            per_year.into_iter().collect::<Vec<_>>(),
            [(2016, 1), (2017, 2), (2018, 4), (2019, 7)]
        );
    }
}
