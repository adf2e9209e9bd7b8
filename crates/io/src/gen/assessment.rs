//! Assessment (脱贫退出与防返贫监测): what verification found, risk events and the exit procedures,
//! in `household-years.csv`, `risk-events.csv` and `cases.csv`.
//!
//! Every household that exited in one of the activity years was verified that year (food and
//! clothing secure), and the exits that pass the exit assessment on the registry's data (income of
//! the year above the line, a safe house and water, school-age members at school) are recorded with
//! their exit procedure: proposal about ten weeks before the county's approval on the exit date, a
//! village notice of ten days, township review. The registry already has these exits, so the
//! import records the procedures without changing any status. About 4% of exited households a year
//! meet a risk (illness above all, then disasters, accidents, unstable work), most of them resolved
//! within a few months.

use super::{date_between, pick, AreaGen, GenError, GenStatus, Out, World};
use crate::columns::Kind;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, Month};

pub(super) struct AssessmentGen;

/// Days before the county's approval that each step of an exit was completed: start, proposal,
/// appraisal, verification, consent, end of the notice (10 days after consent), township review.
const EXIT_STEPS: [i64; 7] = [72, 70, 66, 62, 60, 50, 40];

impl AreaGen for AssessmentGen {
    fn area(&self) -> &'static str {
        "assessment"
    }

    fn generate(&self, world: &World, rng: &mut ChaCha8Rng, out: &mut Out) -> Result<(), GenError> {
        let end = world.end();
        let years = world.activity_years();
        let mut verified = out.csv(
            "household-years.csv",
            Kind::HouseholdYears,
            &["household_number", "year", "food_secure", "clothing_secure"],
        )?;
        let mut risks = out.csv(
            "risk-events.csv",
            Kind::RiskEvents,
            &[
                "household_number",
                "date",
                "risk_type",
                "note",
                "resolved_on",
            ],
        )?;
        let mut cases = out.csv(
            "cases.csv",
            Kind::Cases,
            &[
                "household_number",
                "procedure",
                "year",
                "started_on",
                "step_proposal",
                "step_democratic_appraisal",
                "step_verification",
                "step_household_consent",
                "step_public_notice",
                "step_township_review",
                "step_county_approval",
                "note",
            ],
        )?;
        for h in &world.households {
            if h.status != GenStatus::Exited {
                continue;
            }
            let number = world.number(h);
            let exit = h.status_date;
            let y = exit.year();
            if years.contains(&y) {
                verified.row([number.as_str(), &y.to_string(), "是", "是"])?;
                if h.exit_case {
                    let day = |k: i64| (exit - Duration::days(k)).to_string();
                    let mut row = vec![number.clone(), "脱贫退出".into(), y.to_string()];
                    row.extend(EXIT_STEPS.iter().map(|k| day(*k)));
                    row.push(exit.to_string());
                    row.push("县级审定，公告退出".into());
                    cases.row(&row)?;
                }
            }
            // risks after the exit, in the activity years
            for ry in years.clone().filter(|ry| *ry > y) {
                if !rng.gen_bool(0.04) {
                    continue;
                }
                let from = Date::from_calendar_date(ry, Month::January, 1).expect("valid date");
                let to = Date::from_calendar_date(ry, Month::December, 31)
                    .expect("valid date")
                    .min(end);
                if from > to {
                    continue;
                }
                let d = date_between(rng, from, to);
                let (kind, note) = pick(
                    rng,
                    &[
                        (("因病", "家庭成员患病住院"), 55),
                        (("因自然灾害（洪涝）", "洪涝受灾"), 10),
                        (("因意外事故", "意外受伤"), 10),
                        (("因残", "家庭成员致残"), 5),
                        (("因务工就业不稳", "务工收入中断"), 15),
                        (("因产业失败", "养殖亏损"), 5),
                    ],
                );
                let resolved = d + Duration::days(rng.gen_range(60..=300));
                let resolved = if resolved <= end && rng.gen_bool(0.7) {
                    resolved.to_string()
                } else {
                    String::new()
                };
                risks.row([number.as_str(), &d.to_string(), kind, note, &resolved])?;
                break;
            }
        }
        out.done(verified)?;
        out.done(risks)?;
        out.done(cases)
    }
}
