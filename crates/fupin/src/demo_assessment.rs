//! Demo of the exit and monitoring procedures for 塔岗村: every registered household leaves poverty
//! through the full exit procedure (proposal, democratic appraisal, verification, consent, a public
//! notice, township review, county approval), and in 2021 one exited household struck by a major
//! illness is identified as a monitored household (突发严重困难户), then has its risk eliminated in
//! 2022 once the illness is over and its income is stable again.

use fupin_core::assessment::{
    CaseActionInput, HouseholdYearInput, MonitoredKind, ProcedureKind, RiskEventInput,
};
use fupin_core::registry::{HouseholdId, IncomeInput, StatusChangeInput};
use fupin_core::store::Store;
use fupin_core::{Ctx, DomainError};
use time::{Date, Duration, Month};

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

/// Take a household out of poverty through the exit procedure, approved on `change.date` for
/// `change.exit_year`: the same status change a direct `change_status` would record, with its steps.
pub async fn exit_by_procedure(
    store: &dyn Store,
    ctx: &Ctx,
    id: HouseholdId,
    change: &StatusChangeInput,
) -> Result<(), DomainError> {
    let year = change.exit_year.unwrap_or(change.date.year());
    // an exit in a year past the registry demo's incomes (they end in 2019) needs that year's income:
    // the year before, grown by 8% (the county's rural income growth, rounded)
    let detail = store.household(ctx, id).await?;
    if !detail.incomes.iter().any(|i| i.year == year) {
        if let Some(last) = detail
            .incomes
            .iter()
            .filter(|i| i.year < year)
            .max_by_key(|i| i.year)
        {
            let grow = |f: fupin_core::Fen| f.get() * 108 / 100;
            let c = &last.components;
            let input = IncomeInput {
                wage_fen: grow(c.wage_fen),
                business_fen: grow(c.business_fen),
                property_fen: grow(c.property_fen),
                dividend_fen: c.dividend_fen.map(grow),
                transfer_fen: grow(c.transfer_fen),
                business_cost_fen: grow(c.business_cost_fen),
                note: Some("按上年增长 8% 估算".into()),
            };
            store.put_income(ctx, id, year, input).await?;
        }
    }
    // verification found food and clothing secure in the exit year
    store
        .put_household_year(
            ctx,
            id,
            year,
            HouseholdYearInput {
                food_secure: Some(true),
                clothing_secure: Some(true),
                ..Default::default()
            },
        )
        .await?;
    let case = store
        .start_case(ctx, ProcedureKind::Exit, id, year, on(year, 10, 8))
        .await?;
    let steps = [
        on(year, 10, 10),
        on(year, 10, 12),
        on(year, 10, 15),
        on(year, 10, 16),
        on(year, 10, 26),
        on(year, 11, 5),
    ];
    for d in steps {
        store
            .case_action(
                ctx,
                case.id,
                CaseActionInput {
                    note: Some("按程序办理".into()),
                    ..act(d, "complete")
                },
            )
            .await?;
    }
    store
        .case_action(
            ctx,
            case.id,
            CaseActionInput {
                note: Some("县级审定，公告退出".into()),
                ..act(change.date, "complete")
            },
        )
        .await?;
    Ok(())
}

/// The 2021 illness and its monitoring, for the household numbered `number` (an exited one).
pub async fn monitoring_story(
    store: &dyn Store,
    ctx: &Ctx,
    number: &str,
) -> Result<(), DomainError> {
    let id = store.household_by_number(ctx, number).await?.household.id;
    // incomes after exit: steady, then the illness cuts wages in 2021, recovery in 2022
    for (year, wage) in [(2020, 3_600_000), (2021, 2_400_000), (2022, 3_900_000)] {
        store
            .put_income(
                ctx,
                id,
                year,
                IncomeInput {
                    wage_fen: wage,
                    business_fen: 600_000,
                    transfer_fen: 300_000,
                    business_cost_fen: 200_000,
                    ..Default::default()
                },
            )
            .await?;
    }
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
