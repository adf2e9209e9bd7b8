//! Household status and its dated history (domain.md §1.6).
//!
//! newly identified → poor → exited (year) → relapsed / monitored → risk eliminated; natural removal
//! from any living state. Every change records its date, reason and actor; the history is never edited.

use crate::error::{check_text, DomainError, DomainResult};
use crate::years::{check_past_date, check_year};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Status of a household in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HouseholdStatus {
    /// 新识别 (identified, not yet confirmed as poor in the year's adjustment)
    NewlyIdentified,
    /// 未脱贫
    Poor,
    /// 已脱贫 (销号), with the exit year
    Exited,
    /// 返贫
    Relapsed,
    /// 监测对象 (防返贫监测)
    Monitored,
    /// 风险消除
    RiskEliminated,
    /// 自然减少 / 销户 (the household no longer exists as such)
    Removed,
}

impl HouseholdStatus {
    pub const ALL: [HouseholdStatus; 7] = [
        HouseholdStatus::NewlyIdentified,
        HouseholdStatus::Poor,
        HouseholdStatus::Exited,
        HouseholdStatus::Relapsed,
        HouseholdStatus::Monitored,
        HouseholdStatus::RiskEliminated,
        HouseholdStatus::Removed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdStatus::NewlyIdentified => "newly_identified",
            HouseholdStatus::Poor => "poor",
            HouseholdStatus::Exited => "exited",
            HouseholdStatus::Relapsed => "relapsed",
            HouseholdStatus::Monitored => "monitored",
            HouseholdStatus::RiskEliminated => "risk_eliminated",
            HouseholdStatus::Removed => "removed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HouseholdStatus::NewlyIdentified => "新识别",
            HouseholdStatus::Poor => "未脱贫",
            HouseholdStatus::Exited => "已脱贫",
            HouseholdStatus::Relapsed => "返贫",
            HouseholdStatus::Monitored => "监测对象",
            HouseholdStatus::RiskEliminated => "风险消除",
            HouseholdStatus::Removed => "自然减少（销户）",
        }
    }

    /// Parse the English code or the Chinese label.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s || st.label() == s)
    }

    /// Index into fixed-size count arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether `self → to` is a permitted transition.
    pub fn can_become(self, to: HouseholdStatus) -> bool {
        use HouseholdStatus::*;
        match (self, to) {
            (Removed, _) => false,
            (_, Removed) => true,
            (NewlyIdentified, Poor) => true,
            (Poor, Exited) => true,
            (Exited, Relapsed | Monitored) => true,
            (Relapsed, Poor | Exited | Monitored) => true,
            (Monitored, RiskEliminated | Relapsed) => true,
            (RiskEliminated, Monitored | Relapsed) => true,
            _ => false,
        }
    }

    /// In the registry of the poor and not yet out of it: newly identified, poor, relapsed. Poverty
    /// incidence, the board's "not yet exited" and the exit procedure count these.
    pub fn is_registered_poor(self) -> bool {
        matches!(
            self,
            HouseholdStatus::NewlyIdentified | HouseholdStatus::Poor | HouseholdStatus::Relapsed
        )
    }

    /// Out of poverty and under the monitoring that follows: exited, monitored, risk eliminated.
    /// These are screened for the early-warning list.
    pub fn is_exited(self) -> bool {
        matches!(
            self,
            HouseholdStatus::Exited | HouseholdStatus::Monitored | HouseholdStatus::RiskEliminated
        )
    }

    /// Should have a pairing cadre: registered poor, or monitored.
    pub fn needs_cadre(self) -> bool {
        self.is_registered_poor() || self == HouseholdStatus::Monitored
    }

    /// Whether a household may be created directly in this status (historic data enters at any
    /// living status; a removed household is never created).
    pub fn can_start(self) -> bool {
        self != HouseholdStatus::Removed
    }
}

/// A requested status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusChangeInput {
    pub to: HouseholdStatus,
    pub date: Date,
    pub reason: String,
    /// Exit year, required when `to` is `exited` (defaults to the year of `date`).
    #[serde(default)]
    pub exit_year: Option<i32>,
}

/// A validated status change, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub from: Option<HouseholdStatus>,
    pub to: HouseholdStatus,
    pub date: Date,
    pub reason: String,
    pub exit_year: Option<i32>,
}

impl StatusChangeInput {
    /// Validate against the current status and the date of the last change.
    pub fn validate(
        &self,
        current: HouseholdStatus,
        last_date: Option<Date>,
        today: Date,
    ) -> DomainResult<StatusChange> {
        if current == self.to {
            return Err(DomainError::invalid(
                "to",
                "status_unchanged",
                format!("该户状态已是“{}”", current.label()),
            ));
        }
        if !current.can_become(self.to) {
            return Err(DomainError::invalid(
                "to",
                "invalid_status_transition",
                format!("不能从“{}”变更为“{}”", current.label(), self.to.label()),
            ));
        }
        check_past_date("date", self.date, today)?;
        if let Some(last) = last_date {
            if self.date < last {
                return Err(DomainError::invalid(
                    "date",
                    "date_before_last_change",
                    format!("变更日期不能早于上一次状态变更（{last}）"),
                ));
            }
        }
        let reason = check_text("reason", &self.reason, 500)?;
        let exit_year = match (self.to, self.exit_year) {
            (HouseholdStatus::Exited, y) => {
                let y = y.unwrap_or(self.date.year());
                check_year("exit_year", y, today.year())?;
                if y > self.date.year() {
                    return Err(DomainError::invalid(
                        "exit_year",
                        "exit_year_after_date",
                        "脱贫年度不能晚于变更日期所在年度",
                    ));
                }
                Some(y)
            }
            (_, Some(_)) => {
                return Err(DomainError::invalid(
                    "exit_year",
                    "exit_year_not_allowed",
                    "只有变更为“已脱贫”时才填写脱贫年度",
                ))
            }
            (_, None) => None,
        };
        Ok(StatusChange {
            from: Some(current),
            to: self.to,
            date: self.date,
            reason,
            exit_year,
        })
    }
}

/// One entry of a household's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusEvent {
    pub id: i64,
    pub from_status: Option<HouseholdStatus>,
    pub to_status: HouseholdStatus,
    pub date: Date,
    pub reason: String,
    pub exit_year: Option<i32>,
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

/// The status in force at the end of `date`, from a history ordered by date (ties by order recorded).
/// Before the first entry, the first entry's status applies (the household existed, its record was late).
pub fn status_on(history: &[(Date, HouseholdStatus)], date: Date) -> Option<HouseholdStatus> {
    let first = history.first()?;
    Some(
        history
            .iter()
            .take_while(|(d, _)| *d <= date)
            .last()
            .map_or(first.1, |(_, s)| *s),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use HouseholdStatus::*;

    #[test]
    fn status_groups() {
        let poor: Vec<_> = HouseholdStatus::ALL
            .into_iter()
            .filter(|s| s.is_registered_poor())
            .collect();
        assert_eq!(poor, [NewlyIdentified, Poor, Relapsed]);
        let exited: Vec<_> = HouseholdStatus::ALL
            .into_iter()
            .filter(|s| s.is_exited())
            .collect();
        assert_eq!(exited, [Exited, Monitored, RiskEliminated]);
        let paired: Vec<_> = HouseholdStatus::ALL
            .into_iter()
            .filter(|s| s.needs_cadre())
            .collect();
        assert_eq!(paired, [NewlyIdentified, Poor, Relapsed, Monitored]);
        // a removed household is in none of them
        assert!(!Removed.is_registered_poor() && !Removed.is_exited() && !Removed.needs_cadre());
    }

    const TODAY: Date = date!(2026 - 11 - 29);

    fn change(to: HouseholdStatus, d: Date) -> StatusChangeInput {
        StatusChangeInput {
            to,
            date: d,
            reason: "年度动态调整".into(),
            exit_year: None,
        }
    }

    #[test]
    fn transitions_table() {
        let allowed = [
            (NewlyIdentified, Poor),
            (Poor, Exited),
            (Exited, Relapsed),
            (Exited, Monitored),
            (Relapsed, Poor),
            (Monitored, RiskEliminated),
            (RiskEliminated, Monitored),
            (Poor, Removed),
        ];
        for (a, b) in allowed {
            assert!(a.can_become(b), "{a:?} -> {b:?}");
        }
        let denied = [
            (Poor, RiskEliminated),
            (NewlyIdentified, Exited),
            (Removed, Poor),
            (Exited, Poor),
            (Monitored, Exited),
        ];
        for (a, b) in denied {
            assert!(!a.can_become(b), "{a:?} -> {b:?}");
            assert_eq!(
                change(b, date!(2019 - 01 - 01))
                    .validate(a, None, TODAY)
                    .unwrap_err()
                    .code,
                "invalid_status_transition"
            );
        }
    }

    #[test]
    fn exit_year_defaults_and_rules() {
        let c = change(Exited, date!(2019 - 12 - 20))
            .validate(Poor, None, TODAY)
            .unwrap();
        assert_eq!(c.exit_year, Some(2019));
        let mut bad = change(Relapsed, date!(2020 - 03 - 01));
        bad.exit_year = Some(2020);
        assert_eq!(
            bad.validate(Exited, None, TODAY).unwrap_err().code,
            "exit_year_not_allowed"
        );
        let mut late = change(Exited, date!(2019 - 12 - 20));
        late.exit_year = Some(2020);
        assert_eq!(
            late.validate(Poor, None, TODAY).unwrap_err().code,
            "exit_year_after_date"
        );
    }

    #[test]
    fn dates_checked() {
        assert_eq!(
            change(Exited, date!(2026 - 11 - 30))
                .validate(Poor, None, TODAY)
                .unwrap_err()
                .code,
            "date_in_future"
        );
        assert_eq!(
            change(Exited, date!(2017 - 01 - 01))
                .validate(Poor, Some(date!(2018 - 01 - 01)), TODAY)
                .unwrap_err()
                .code,
            "date_before_last_change"
        );
        assert_eq!(
            change(Poor, date!(2017 - 01 - 01))
                .validate(Poor, None, TODAY)
                .unwrap_err()
                .code,
            "status_unchanged"
        );
        let mut empty = change(Exited, date!(2019 - 01 - 01));
        empty.reason = " ".into();
        assert_eq!(
            empty.validate(Poor, None, TODAY).unwrap_err().code,
            "required"
        );
    }

    #[test]
    fn status_at_a_date() {
        let h = [
            (date!(2014 - 05 - 01), Poor),
            (date!(2018 - 12 - 01), Exited),
            (date!(2021 - 06 - 01), Monitored),
        ];
        assert_eq!(status_on(&h, date!(2013 - 12 - 31)), Some(Poor));
        assert_eq!(status_on(&h, date!(2018 - 12 - 31)), Some(Exited));
        assert_eq!(status_on(&h, date!(2021 - 06 - 01)), Some(Monitored));
        assert_eq!(status_on(&[], date!(2021 - 06 - 01)), None);
        assert_eq!(HouseholdStatus::parse("已脱贫"), Some(Exited));
        assert_eq!(HouseholdStatus::parse("exited"), Some(Exited));
    }
}
