//! Funds (资金监管): sources by level and kind, allocations of a source to projects (下达), receipts
//! of an allocation (到账) and disbursements from it (支付: payee, date, amount, voucher, attachment),
//! so that every yuan paid is traced to its project and its source. The store keeps, in the same
//! transaction as each write, Σ disbursed ≤ Σ received ≤ Σ allocated ≤ the source's amount, per
//! allocation and per source; this module checks the input and names the errors.

use crate::error::{check_text, opt_text, DomainError, DomainResult};
use crate::money::Fen;
use crate::projects::{ProjectId, Stage};
use crate::regions::RegionCode;
use crate::registry::HouseholdId;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Database id of a fund source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct SourceId(pub i64);

/// Database id of an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct AllocationId(pub i64);

/// Where money comes from (资金来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// 中央财政资金
    Central,
    /// 省级财政资金
    Provincial,
    /// 市级财政资金
    City,
    /// 县级财政资金
    County,
    /// 统筹整合涉农资金
    IntegratedAgriculture,
    /// 帮扶单位资金
    HelpingUnit,
    /// 社会捐赠
    Donation,
    /// 贷款
    Loan,
    /// 企业投资
    Enterprise,
}

impl SourceKind {
    pub const ALL: [SourceKind; 9] = [
        SourceKind::Central,
        SourceKind::Provincial,
        SourceKind::City,
        SourceKind::County,
        SourceKind::IntegratedAgriculture,
        SourceKind::HelpingUnit,
        SourceKind::Donation,
        SourceKind::Loan,
        SourceKind::Enterprise,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Central => "central",
            SourceKind::Provincial => "provincial",
            SourceKind::City => "city",
            SourceKind::County => "county",
            SourceKind::IntegratedAgriculture => "integrated_agriculture",
            SourceKind::HelpingUnit => "helping_unit",
            SourceKind::Donation => "donation",
            SourceKind::Loan => "loan",
            SourceKind::Enterprise => "enterprise",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Central => "中央财政资金",
            SourceKind::Provincial => "省级财政资金",
            SourceKind::City => "市级财政资金",
            SourceKind::County => "县级财政资金",
            SourceKind::IntegratedAgriculture => "统筹整合涉农资金",
            SourceKind::HelpingUnit => "帮扶单位资金",
            SourceKind::Donation => "社会捐赠",
            SourceKind::Loan => "贷款",
            SourceKind::Enterprise => "企业投资",
        }
    }
    pub fn parse(s: &str) -> Option<SourceKind> {
        let s = s.trim();
        SourceKind::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
    }
}

/// A positive amount of at most [`crate::money::MAX_INPUT_FEN`].
fn positive(field: &str, fen: i64) -> DomainResult<i64> {
    let v = Fen::input(field, fen)?.get();
    if v == 0 {
        return Err(DomainError::invalid(
            field,
            "zero_amount",
            format!("{} 须大于 0", crate::labels::Label(field)),
        ));
    }
    Ok(v)
}

/// A fund source as sent by a client: a sum made available to a region in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FundSourceInput {
    /// The region that holds and allocates it (a county, township or village; 12 digits).
    pub region_code: String,
    pub year: i32,
    /// `central` … or the Chinese label (中央财政资金 …).
    pub kind: String,
    pub name: String,
    /// The document that made it available (文号).
    #[serde(default)]
    pub document: Option<String>,
    pub amount_fen: i64,
    pub date: Date,
}

/// A checked fund source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundSourceData {
    pub region_code: RegionCode,
    pub year: i32,
    pub kind: SourceKind,
    pub name: String,
    pub document: Option<String>,
    pub amount_fen: i64,
    pub date: Date,
}

impl FundSourceInput {
    pub fn validate(&self) -> DomainResult<FundSourceData> {
        let region_code = RegionCode::parse_field("region_code", &self.region_code)?;
        if !(2000..=2100).contains(&self.year) {
            return Err(DomainError::invalid(
                "year",
                "invalid_year",
                format!("year 不是有效年度：{}", self.year),
            ));
        }
        let kind = SourceKind::parse(&self.kind).ok_or_else(|| {
            DomainError::invalid(
                "kind",
                "unknown_source_kind",
                format!("kind 的取值“{}”不是资金来源类型", self.kind),
            )
        })?;
        Ok(FundSourceData {
            region_code,
            year: self.year,
            kind,
            name: check_text("name", &self.name, 200)?,
            document: opt_text("document", &self.document, 200)?,
            amount_fen: positive("amount_fen", self.amount_fen)?,
            date: self.date,
        })
    }
}

/// A fund source as stored, with what has been allocated from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundSource {
    pub id: SourceId,
    #[serde(flatten)]
    pub data: FundSourceData,
    pub kind_label: String,
    pub allocated_fen: i64,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An allocation of a source to a project (资金下达).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AllocationInput {
    pub source_id: SourceId,
    pub project_id: ProjectId,
    pub amount_fen: i64,
    pub date: Date,
    #[serde(default)]
    pub document: Option<String>,
}

/// A receipt of allocated money at the project's account (资金到账).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceiptInput {
    pub amount_fen: i64,
    pub date: Date,
    #[serde(default)]
    pub note: Option<String>,
}

/// A payment out of an allocation (资金支付 / 使用登记).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DisbursementInput {
    pub payee: String,
    /// When the payee is a household (资金到户), its id.
    #[serde(default)]
    pub household_id: Option<HouseholdId>,
    pub amount_fen: i64,
    pub date: Date,
    /// The voucher number (凭证号).
    pub voucher: String,
    /// What is attached (the invoice or contract's name or number).
    #[serde(default)]
    pub attachment: Option<String>,
}

/// A checked allocation, receipt or disbursement: the amount and the texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckedPayment {
    pub amount_fen: i64,
    pub date: Date,
    pub payee: Option<String>,
    pub household_id: Option<HouseholdId>,
    pub voucher: Option<String>,
    pub text: Option<String>,
}

/// The stage a project must be at for money to move, or the error naming it.
pub fn check_stage_for(what: MoneyStep, stage: Stage) -> DomainResult<()> {
    let ok = match what {
        MoneyStep::Allocation | MoneyStep::Receipt => stage.takes_allocations(),
        MoneyStep::Disbursement => stage.takes_disbursements(),
    };
    if ok {
        return Ok(());
    }
    let (code, when) = match what {
        MoneyStep::Allocation => (
            "allocation_not_allowed",
            "纳入年度计划后、验收完成前才能下达资金",
        ),
        MoneyStep::Receipt => (
            "allocation_not_allowed",
            "纳入年度计划后、验收完成前才能登记到账",
        ),
        MoneyStep::Disbursement => ("disbursement_not_allowed", "资金下达后、验收完成前才能支付"),
    };
    Err(DomainError::conflict(
        code,
        format!(
            "{when}（项目当前：{}）",
            crate::assessment::Step::label(stage)
        ),
    ))
}

/// Which movement of money is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyStep {
    Allocation,
    Receipt,
    Disbursement,
}

impl AllocationInput {
    pub fn validate(&self) -> DomainResult<CheckedPayment> {
        Ok(CheckedPayment {
            amount_fen: positive("amount_fen", self.amount_fen)?,
            date: self.date,
            payee: None,
            household_id: None,
            voucher: None,
            text: opt_text("document", &self.document, 200)?,
        })
    }
}

impl ReceiptInput {
    pub fn validate(&self) -> DomainResult<CheckedPayment> {
        Ok(CheckedPayment {
            amount_fen: positive("amount_fen", self.amount_fen)?,
            date: self.date,
            payee: None,
            household_id: None,
            voucher: None,
            text: opt_text("note", &self.note, 500)?,
        })
    }
}

impl DisbursementInput {
    pub fn validate(&self) -> DomainResult<CheckedPayment> {
        Ok(CheckedPayment {
            amount_fen: positive("amount_fen", self.amount_fen)?,
            date: self.date,
            payee: Some(check_text("payee", &self.payee, 200)?),
            household_id: self.household_id,
            voucher: Some(check_text("voucher", &self.voucher, 100)?),
            text: opt_text("attachment", &self.attachment, 500)?,
        })
    }
}

/// The error when a movement would take more than there is.
pub fn exceeds(what: MoneyStep, available_fen: i64, wanted_fen: i64) -> DomainError {
    let (code, msg) = match what {
        MoneyStep::Allocation => ("exceeds_source", "下达金额超出资金来源的余额"),
        MoneyStep::Receipt => ("exceeds_allocation", "到账金额超出下达金额"),
        MoneyStep::Disbursement => ("exceeds_received", "支付金额超出已到账金额"),
    };
    DomainError::conflict(
        code,
        format!(
            "{msg}：尚可 {}，本次 {}",
            Fen::new(available_fen),
            Fen::new(wanted_fen)
        ),
    )
    .with_field("amount_fen")
}

/// An allocation as stored, with its receipts and disbursements summed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allocation {
    pub id: AllocationId,
    pub source_id: SourceId,
    pub source_name: String,
    pub source_kind: SourceKind,
    pub project_id: ProjectId,
    pub project_name: String,
    pub village_code: RegionCode,
    pub amount_fen: i64,
    pub received_fen: i64,
    pub disbursed_fen: i64,
    pub date: Date,
    pub document: Option<String>,
}

/// A receipt or a disbursement of an allocation, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Movement {
    pub id: i64,
    pub allocation_id: AllocationId,
    /// `receipt` or `disbursement`.
    pub kind: String,
    pub amount_fen: i64,
    pub date: Date,
    pub payee: Option<String>,
    pub household_id: Option<HouseholdId>,
    pub voucher: Option<String>,
    /// The receipt's note or the disbursement's attachment.
    pub text: Option<String>,
    pub actor: String,
}

/// A project's money: its allocations with their receipts and disbursements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectFunds {
    pub project_id: ProjectId,
    pub allocations: Vec<Allocation>,
    pub movements: Vec<Movement>,
    pub allocated_fen: i64,
    pub received_fen: i64,
    pub disbursed_fen: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn source_rules() {
        let ok = FundSourceInput {
            region_code: "360124000000".into(),
            year: 2016,
            kind: "统筹整合涉农资金".into(),
            name: "2016年统筹整合资金".into(),
            document: None,
            amount_fen: 100,
            date: date!(2016 - 03 - 01),
        };
        assert_eq!(
            ok.validate().unwrap().kind,
            SourceKind::IntegratedAgriculture
        );
        let cases = [
            (
                FundSourceInput {
                    kind: "彩票".into(),
                    ..ok.clone()
                },
                "unknown_source_kind",
            ),
            (
                FundSourceInput {
                    amount_fen: 0,
                    ..ok.clone()
                },
                "zero_amount",
            ),
            (
                FundSourceInput {
                    amount_fen: -5,
                    ..ok.clone()
                },
                "negative_amount",
            ),
            (
                FundSourceInput {
                    region_code: "36".into(),
                    name: " ".into(),
                    ..ok.clone()
                },
                "required",
            ),
        ];
        for (input, code) in cases {
            assert_eq!(input.validate().unwrap_err().code, code);
        }
    }

    #[test]
    fn disbursement_needs_payee_and_voucher() {
        let d = DisbursementInput {
            payee: "进贤县某建筑公司".into(),
            household_id: None,
            amount_fen: 100,
            date: date!(2016 - 05 - 01),
            voucher: " ".into(),
            attachment: None,
        };
        assert_eq!(d.validate().unwrap_err().field.as_deref(), Some("voucher"));
    }

    #[test]
    fn stages_for_money() {
        assert!(check_stage_for(MoneyStep::Allocation, Stage::Library).is_err());
        assert!(check_stage_for(MoneyStep::Allocation, Stage::AnnualPlan).is_ok());
        let e = check_stage_for(MoneyStep::Disbursement, Stage::AnnualPlan).unwrap_err();
        assert_eq!(e.code, "disbursement_not_allowed");
        let e = check_stage_for(MoneyStep::Disbursement, Stage::CompletionNotice).unwrap_err();
        assert_eq!(e.code, "disbursement_not_allowed");
        assert!(check_stage_for(MoneyStep::Disbursement, Stage::Acceptance).is_ok());
    }

    #[test]
    fn exceeding_names_the_amounts() {
        let e = exceeds(MoneyStep::Disbursement, 1_000, 1_500);
        assert_eq!(e.code, "exceeds_received");
        assert!(e.message.contains("10.00"), "{}", e.message);
    }
}
