//! Micro-wishes (微心愿): submitted → claimed (by a cadre or a unit) → fulfilled, or cancelled.
//! Transitions only in that order, each dated.

use super::{CadreId, UnitId, WishId};
use crate::error::{check_text, opt_text, DomainError, DomainResult};
use crate::money::Fen;
use crate::registry::{HouseholdId, PersonId};
use crate::years::check_past_date;
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WishStatus {
    Submitted,
    Claimed,
    Fulfilled,
    Cancelled,
}

impl WishStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WishStatus::Submitted => "submitted",
            WishStatus::Claimed => "claimed",
            WishStatus::Fulfilled => "fulfilled",
            WishStatus::Cancelled => "cancelled",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            WishStatus::Submitted => "已提交",
            WishStatus::Claimed => "已认领",
            WishStatus::Fulfilled => "已实现",
            WishStatus::Cancelled => "已取消",
        }
    }
    pub fn parse(s: &str) -> Option<WishStatus> {
        [
            WishStatus::Submitted,
            WishStatus::Claimed,
            WishStatus::Fulfilled,
            WishStatus::Cancelled,
        ]
        .into_iter()
        .find(|w| w.as_str() == s || w.label() == s)
    }
}

/// A new wish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WishInput {
    pub household_id: HouseholdId,
    #[serde(default)]
    pub person_id: Option<PersonId>,
    /// 心愿内容, e.g. 希望有个轮椅.
    pub text: String,
    pub estimated_value_fen: i64,
    pub submitted_on: Date,
}

impl WishInput {
    pub fn validate(&self, today: Date) -> DomainResult<WishInput> {
        check_past_date("submitted_on", self.submitted_on, today)?;
        Ok(WishInput {
            text: check_text("text", &self.text, 200)?,
            estimated_value_fen: Fen::input("estimated_value_fen", self.estimated_value_fen)?.get(),
            ..self.clone()
        })
    }
}

/// Who claims a wish: a cadre or a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Claimant {
    Cadre(CadreId),
    Unit(UnitId),
}

/// A step in a wish's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum WishAction {
    Claim { by: Claimant, date: Date },
    Fulfil { date: Date, actual_value_fen: i64 },
    Cancel { date: Date, reason: String },
}

/// A wish as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Wish {
    pub id: WishId,
    pub household_id: HouseholdId,
    pub person_id: Option<PersonId>,
    pub text: String,
    pub estimated_value_fen: i64,
    pub status: WishStatus,
    pub submitted_on: Date,
    pub claimed_by: Option<Claimant>,
    pub claimed_on: Option<Date>,
    pub fulfilled_on: Option<Date>,
    pub actual_value_fen: Option<i64>,
    pub cancelled_on: Option<Date>,
    pub cancel_reason: Option<String>,
    /// Whether an evidence photo is attached.
    pub has_evidence: bool,
}

impl Wish {
    /// Apply a step; only in order: submitted → claimed → fulfilled; submitted or claimed → cancelled.
    pub fn apply(&self, action: &WishAction, today: Date) -> DomainResult<Wish> {
        let mut w = self.clone();
        let last = [Some(self.submitted_on), self.claimed_on]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(self.submitted_on);
        let check_date = |d: Date| -> DomainResult<Date> {
            check_past_date("date", d, today)?;
            if d < last {
                return Err(DomainError::invalid(
                    "date",
                    "date_before_previous_step",
                    format!("日期不能早于上一步（{last}）"),
                ));
            }
            Ok(d)
        };
        let wrong = |to: &str| {
            Err(DomainError::invalid(
                "action",
                "invalid_wish_transition",
                format!("心愿当前为“{}”，不能{to}", self.status.label()),
            ))
        };
        match action {
            WishAction::Claim { by, date } => {
                if self.status != WishStatus::Submitted {
                    return wrong("认领");
                }
                w.claimed_on = Some(check_date(*date)?);
                w.claimed_by = Some(*by);
                w.status = WishStatus::Claimed;
            }
            WishAction::Fulfil {
                date,
                actual_value_fen,
            } => {
                if self.status != WishStatus::Claimed {
                    return wrong("标记为已实现（须先认领）");
                }
                w.fulfilled_on = Some(check_date(*date)?);
                w.actual_value_fen = Some(Fen::input("actual_value_fen", *actual_value_fen)?.get());
                w.status = WishStatus::Fulfilled;
            }
            WishAction::Cancel { date, reason } => {
                if !matches!(self.status, WishStatus::Submitted | WishStatus::Claimed) {
                    return wrong("取消");
                }
                w.cancelled_on = Some(check_date(*date)?);
                w.cancel_reason = opt_text("reason", &Some(reason.clone()), 200)?;
                if w.cancel_reason.is_none() {
                    return Err(DomainError::invalid(
                        "reason",
                        "required",
                        "取消心愿须说明原因",
                    ));
                }
                w.status = WishStatus::Cancelled;
            }
        }
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 29);

    fn wish() -> Wish {
        Wish {
            id: WishId(1),
            household_id: HouseholdId(1),
            person_id: None,
            text: "希望有个轮椅".into(),
            estimated_value_fen: 80_000,
            status: WishStatus::Submitted,
            submitted_on: date!(2017 - 03 - 01),
            claimed_by: None,
            claimed_on: None,
            fulfilled_on: None,
            actual_value_fen: None,
            cancelled_on: None,
            cancel_reason: None,
            has_evidence: false,
        }
    }

    #[test]
    fn lifecycle_in_order() {
        let fulfil = WishAction::Fulfil {
            date: date!(2017 - 04 - 01),
            actual_value_fen: 75_000,
        };
        assert_eq!(
            wish().apply(&fulfil, TODAY).unwrap_err().code,
            "invalid_wish_transition"
        );
        let claimed = wish()
            .apply(
                &WishAction::Claim {
                    by: Claimant::Cadre(CadreId(3)),
                    date: date!(2017 - 03 - 05),
                },
                TODAY,
            )
            .unwrap();
        assert_eq!(claimed.status, WishStatus::Claimed);
        let done = claimed.apply(&fulfil, TODAY).unwrap();
        assert_eq!(
            (done.status, done.actual_value_fen),
            (WishStatus::Fulfilled, Some(75_000))
        );
        let cancel = WishAction::Cancel {
            date: date!(2017 - 05 - 01),
            reason: "重复".into(),
        };
        assert_eq!(
            done.apply(&cancel, TODAY).unwrap_err().code,
            "invalid_wish_transition"
        );
        assert_eq!(
            claimed.apply(&cancel, TODAY).unwrap().status,
            WishStatus::Cancelled
        );
        let early = WishAction::Claim {
            by: Claimant::Unit(UnitId(1)),
            date: date!(2017 - 02 - 01),
        };
        assert_eq!(
            wish().apply(&early, TODAY).unwrap_err().code,
            "date_before_previous_step"
        );
        let no_reason = WishAction::Cancel {
            date: date!(2017 - 05 - 01),
            reason: " ".into(),
        };
        assert_eq!(
            wish().apply(&no_reason, TODAY).unwrap_err().code,
            "required"
        );
    }
}
