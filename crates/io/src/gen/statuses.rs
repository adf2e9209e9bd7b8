//! Status changes after registration (`status-changes.csv`): a few exited households fall back
//! into poverty (返贫) the year after their exit and most of them leave it again later; a few
//! households are removed (自然减少, e.g. a lone elderly member died); from 2020, when monitoring
//! began, a few exited households a year become monitored (监测对象) and most have their risk
//! eliminated within about a year. Every change follows the transition rules and its household's
//! last change, and none lies past the end of the generated years.

use super::{date_between, AreaGen, GenError, GenStatus, Out, World};
use crate::columns::Kind;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, Month};

pub(super) struct StatusGen;

/// The year monitoring began (防返贫监测, 2020).
const MONITORING_FROM: i32 = 2020;

fn jan1(y: i32) -> Date {
    Date::from_calendar_date(y, Month::January, 1).expect("valid date")
}

fn dec31(y: i32) -> Date {
    Date::from_calendar_date(y, Month::December, 31).expect("valid date")
}

impl AreaGen for StatusGen {
    fn area(&self) -> &'static str {
        "statuses"
    }

    fn generate(&self, world: &World, rng: &mut ChaCha8Rng, out: &mut Out) -> Result<(), GenError> {
        let mut f = out.csv(
            "status-changes.csv",
            Kind::StatusChanges,
            &[
                "household_number",
                "status",
                "status_date",
                "exit_year",
                "reason",
            ],
        )?;
        let end = world.end();
        for h in &world.households {
            let number = world.number(h);
            let last = h.status_date;
            let mut row = |status: &str, date: Date, exit_year: Option<i32>, reason: &str| {
                f.row([
                    number.as_str(),
                    status,
                    &date.to_string(),
                    &exit_year.map(|y| y.to_string()).unwrap_or_default(),
                    reason,
                ])
            };
            if h.status == GenStatus::Exited {
                let next = h.status_date.year() + 1;
                if next <= end.year() && rng.gen_bool(0.015) {
                    // relapse the year after the exit, mostly exited again later
                    let d =
                        date_between(rng, jan1(next).max(last + Duration::days(1)), dec31(next));
                    row("返贫", d, None, "因病因灾返贫")?;
                    if d.year() < end.year() && rng.gen_bool(0.6) {
                        let y = rng.gen_range(d.year() + 1..=end.year());
                        let e = Date::from_calendar_date(y, Month::December, rng.gen_range(1..=28))
                            .expect("valid date");
                        row("已脱贫", e, Some(y), "再次脱贫（年度动态调整）")?;
                    }
                    continue;
                }
                // monitoring from 2020: an exited household found at risk, mostly cleared later
                let first = (h.status_date.year() + 1).max(MONITORING_FROM);
                for y in first..=end.year() {
                    if !rng.gen_bool(0.03) {
                        continue;
                    }
                    let d = date_between(rng, jan1(y).max(last + Duration::days(1)), dec31(y));
                    row("监测对象", d, None, "因病支出骤增，纳入防返贫监测")?;
                    let cleared = d + Duration::days(rng.gen_range(180..=420));
                    if cleared <= end && rng.gen_bool(0.7) {
                        row(
                            "风险消除",
                            cleared,
                            None,
                            "帮扶措施到位，收入稳定，风险消除",
                        )?;
                    }
                    break;
                }
                continue;
            }
            // natural decrease: a household dissolves (its last member died or moved away)
            if rng.gen_bool(0.004) {
                let from = jan1(h.identification_year + 1).max(last + Duration::days(1));
                if from <= end {
                    row(
                        "自然减少（销户）",
                        date_between(rng, from, end),
                        None,
                        "家庭成员死亡，自然减少",
                    )?;
                }
            }
        }
        out.done(f)
    }
}
