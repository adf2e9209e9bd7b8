//! Writes that belong to an office: which level of office takes each write that is not a step of
//! a procedure (those name their office through [`crate::assessment::Step::office`]). The region
//! check says whether the caller reaches the thing; this says whether their office is high enough
//! to act on it. A county officer holds its county's townships and villages at county level, a
//! township officer its villages at township level, a village officer only its village at village
//! level ([`crate::Scope::holds_at`]); an office below the act's is refused with
//! `step_for_higher_office` (403) before anything is read or written.
//!
//! The table, from the domain reference (`reference/domain.md` §3, §4.3, §7) and county practice:
//!
//! | write | office | why |
//! |---|---|---|
//! | register a fund source | county | poverty funds are integrated and issued at county level (涉农资金统筹整合, the county's 资金下达); a province or city registers its own |
//! | allocate a source to a project (资金下达) | county | the allocation follows the county's approval and annual plan (the lifecycle's 资金下达 stage is the county's) |
//! | record a receipt (到账) or a disbursement (拨付) | township | village projects are paid through the township's finance office on vouchers (村级报账制, 村账乡代管); a village reports progress, it does not pay |
//! | register an asset (资产登记) | township | the lifecycle's 资产登记 stage is the township's |
//! | pay or take back a year's asset income and dividends (收益分配) | township | the distribution plan is reviewed by the township before it is posted; it moves households' incomes |
//! | load a funds ledger (`import --kind funds`) | county | the ledger carries sources, allocations and lifecycles through county approval |
//! | verify and sign off a problem (核验销号), send a request back, reopen a signed-off one | county | the county office verifies close-outs item by item, as it approves exits and cases (§3.1, §4.3, §4.5); the requester may still withdraw their own request |
//! | create a rectification campaign (整改行动) | township | campaigns are organised by the township for its villages, or by the county and above; a village carries items out |
//!
//! Left at the region check (any office of the region, village included): proposing and editing
//! projects and their monthly progress, cooperatives and their members, recording that a notice
//! was posted on a board, problems and their progress and close-out requests, running the data
//! rules over one's own regions, and comparing a department's list with one's own regions (the
//! comparison only ever flags persons within the caller's regions).

use crate::error::DomainError;
use crate::regions::{Level, RegionCode};
use crate::scope::{Ctx, Scope};

/// A write that belongs to an office of a given level or above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeAct {
    RegisterFundSource,
    Allocate,
    Receive,
    Disburse,
    RegisterAsset,
    DistributeIncome,
    LoadFunds,
    SignOffProblem,
    CreateCampaign,
}

impl OfficeAct {
    pub const ALL: &'static [OfficeAct] = &[
        OfficeAct::RegisterFundSource,
        OfficeAct::Allocate,
        OfficeAct::Receive,
        OfficeAct::Disburse,
        OfficeAct::RegisterAsset,
        OfficeAct::DistributeIncome,
        OfficeAct::LoadFunds,
        OfficeAct::SignOffProblem,
        OfficeAct::CreateCampaign,
    ];

    /// The lowest level of office that takes this write.
    pub fn office(self) -> Level {
        match self {
            OfficeAct::RegisterFundSource
            | OfficeAct::Allocate
            | OfficeAct::LoadFunds
            | OfficeAct::SignOffProblem => Level::County,
            OfficeAct::Receive
            | OfficeAct::Disburse
            | OfficeAct::RegisterAsset
            | OfficeAct::DistributeIncome
            | OfficeAct::CreateCampaign => Level::Township,
        }
    }

    /// The write's Chinese name, as the refusal names it.
    pub fn label(self) -> &'static str {
        match self {
            OfficeAct::RegisterFundSource => "登记资金来源",
            OfficeAct::Allocate => "资金下达",
            OfficeAct::Receive => "资金到账",
            OfficeAct::Disburse => "资金拨付",
            OfficeAct::RegisterAsset => "资产登记",
            OfficeAct::DistributeIncome => "资产收益分配",
            OfficeAct::LoadFunds => "导入项目资金台账",
            OfficeAct::SignOffProblem => "核验销号",
            OfficeAct::CreateCampaign => "发起整改行动",
        }
    }
}

impl Scope {
    /// Whether the scope's office may take `act` on `code` (see [`Scope::holds_at`]).
    pub fn may(&self, code: &RegionCode, act: OfficeAct) -> bool {
        self.holds_at(code, act.office())
    }
}

impl Ctx {
    /// Fail with `step_for_higher_office` unless the caller's office may take `act` on `code`.
    pub fn require_act(&self, code: &RegionCode, act: OfficeAct) -> Result<(), DomainError> {
        self.require_office(code, act.office(), act.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn each_write_belongs_to_its_office() {
        let village = c("360124106204");
        let at = |root: &str| Ctx::within("u", vec![c(root)]);
        let (v, t, k) = (at("360124106204"), at("360124106000"), at("360124000000"));
        for act in OfficeAct::ALL {
            let level = act.office();
            assert!(k.require_act(&village, *act).is_ok(), "{act:?}");
            assert_eq!(
                t.require_act(&village, *act).is_ok(),
                level >= Level::Township,
                "{act:?}"
            );
            let e = v.require_act(&village, *act).unwrap_err();
            assert_eq!(e.code, "step_for_higher_office");
            assert!(e.message.contains(act.label()), "{}", e.message);
            assert!(Ctx::system("s").require_act(&village, *act).is_ok());
        }
        assert_eq!(OfficeAct::Allocate.office(), Level::County);
        assert_eq!(OfficeAct::Disburse.office(), Level::Township);
        assert_eq!(OfficeAct::SignOffProblem.office(), Level::County);
        assert_eq!(OfficeAct::CreateCampaign.office(), Level::Township);
        // a township officer holds its own township at township level, not the county
        assert!(t.scope.may(&c("360124106000"), OfficeAct::CreateCampaign));
        assert!(!t
            .scope
            .may(&c("360124106000"), OfficeAct::RegisterFundSource));
    }
}
