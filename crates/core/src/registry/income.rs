//! Yearly household income (年度收入) in fen, and the derived gross, net and per-capita net income.
//!
//! 家庭年收入 = 工资性 + 生产经营性 + 财产性 + 转移性; 家庭纯收入 = 年收入 − 生产经营性支出;
//! 人均纯收入 = 纯收入 ÷ 家庭人口, where the household's persons for a year are the members present at
//! 31 December of that year (年底家庭人口数).

use super::HouseholdId;
use crate::error::{opt_text, DomainError, DomainResult};
use crate::money::Fen;
use crate::years::check_year;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Income components for one household and year, as sent by a client (all integer fen).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IncomeInput {
    /// 工资性收入 (wages, including public-welfare post pay).
    pub wage_fen: i64,
    /// 生产经营性收入 (gross, before business costs).
    pub business_fen: i64,
    /// 财产性收入 (dividends included).
    pub property_fen: i64,
    /// Of the property income, asset-income dividends (资产收益扶贫分红).
    #[serde(default)]
    pub dividend_fen: Option<i64>,
    /// 转移性收入.
    pub transfer_fen: i64,
    /// 生产经营性支出.
    pub business_cost_fen: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// Validated income components.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomeComponents {
    pub wage_fen: Fen,
    pub business_fen: Fen,
    pub property_fen: Fen,
    pub dividend_fen: Option<Fen>,
    pub transfer_fen: Fen,
    pub business_cost_fen: Fen,
}

impl IncomeComponents {
    /// 家庭年收入. Cannot overflow: each component is bounded on input.
    pub fn gross(&self) -> Fen {
        Fen::new(
            self.wage_fen.get()
                + self.business_fen.get()
                + self.property_fen.get()
                + self.transfer_fen.get(),
        )
    }
    /// 家庭纯收入 (may be negative when business costs exceed income).
    pub fn net(&self) -> Fen {
        Fen::new(self.gross().get() - self.business_cost_fen.get())
    }
}

impl IncomeInput {
    pub fn validate(
        &self,
        year: i32,
        this_year: i32,
    ) -> DomainResult<(IncomeComponents, Option<String>)> {
        check_year("year", year, this_year)?;
        let c = IncomeComponents {
            wage_fen: Fen::input("wage_fen", self.wage_fen)?,
            business_fen: Fen::input("business_fen", self.business_fen)?,
            property_fen: Fen::input("property_fen", self.property_fen)?,
            dividend_fen: self
                .dividend_fen
                .map(|d| Fen::input("dividend_fen", d))
                .transpose()?,
            transfer_fen: Fen::input("transfer_fen", self.transfer_fen)?,
            business_cost_fen: Fen::input("business_cost_fen", self.business_cost_fen)?,
        };
        if c.dividend_fen.is_some_and(|d| d > c.property_fen) {
            return Err(DomainError::invalid(
                "dividend_fen",
                "dividend_exceeds_property",
                "分红收入不能大于财产性收入",
            ));
        }
        Ok((c, opt_text("note", &self.note, 500)?))
    }
}

/// A stored income year with its derived figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomeRecord {
    pub household_id: HouseholdId,
    pub year: i32,
    #[serde(flatten)]
    pub components: IncomeComponents,
    pub gross_income_fen: Fen,
    pub net_income_fen: Fen,
    /// Members present at 31 December of the year.
    pub persons: i64,
    /// Net ÷ persons, rounded half away from zero; `None` when the household had nobody that year.
    pub per_capita_net_income_fen: Option<Fen>,
    pub note: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl IncomeRecord {
    pub fn new(
        household_id: HouseholdId,
        year: i32,
        components: IncomeComponents,
        persons: i64,
        note: Option<String>,
        updated_at: OffsetDateTime,
    ) -> Self {
        let net = components.net();
        Self {
            household_id,
            year,
            components,
            gross_income_fen: components.gross(),
            net_income_fen: net,
            persons,
            per_capita_net_income_fen: net.div_round(persons),
            note,
            updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_in_fen() {
        let input = IncomeInput {
            wage_fen: 1_200_000,
            business_fen: 500_050,
            property_fen: 30_000,
            dividend_fen: Some(20_000),
            transfer_fen: 99_999,
            business_cost_fen: 200_001,
            note: None,
        };
        let (c, _) = input.validate(2018, 2026).unwrap();
        assert_eq!(c.gross().get(), 1_830_049);
        assert_eq!(c.net().get(), 1_630_048);
        let r = IncomeRecord::new(HouseholdId(1), 2018, c, 3, None, OffsetDateTime::UNIX_EPOCH);
        // 1,630,048 / 3 = 543,349.33… → 543,349
        assert_eq!(r.per_capita_net_income_fen, Some(Fen::new(543_349)));
        assert_eq!(
            IncomeRecord::new(HouseholdId(1), 2018, c, 0, None, OffsetDateTime::UNIX_EPOCH)
                .per_capita_net_income_fen,
            None
        );
    }

    #[test]
    fn net_can_be_negative() {
        let (c, _) = IncomeInput {
            business_fen: 100,
            business_cost_fen: 300,
            ..Default::default()
        }
        .validate(2018, 2026)
        .unwrap();
        assert_eq!(c.net().get(), -200);
    }

    #[test]
    fn bad_amounts_rejected() {
        let ok = IncomeInput::default();
        let neg = IncomeInput {
            wage_fen: -1,
            ..ok.clone()
        };
        assert_eq!(
            neg.validate(2018, 2026).unwrap_err().field.as_deref(),
            Some("wage_fen")
        );
        let huge = IncomeInput {
            transfer_fen: i64::MAX,
            ..ok.clone()
        };
        assert_eq!(
            huge.validate(2018, 2026).unwrap_err().code,
            "amount_too_large"
        );
        let div = IncomeInput {
            property_fen: 10,
            dividend_fen: Some(11),
            ..ok.clone()
        };
        assert_eq!(
            div.validate(2018, 2026).unwrap_err().code,
            "dividend_exceeds_property"
        );
        assert_eq!(ok.validate(2027, 2026).unwrap_err().code, "year_in_future");
    }
}
