//! The demo's projects, funds and assets (项目库, 资金监管, 资产收益) of 塔岗, 2015–2019, from
//! `data/demo/projects.json` (the API's own input shapes, households named by their number): eight
//! projects of 2.6 million yuan (1.76 million infrastructure, 400,000 collective economy through
//! the photovoltaic plant and the cooperative's 50-mu greenhouse base, and 440,000 for housing and
//! household production subsidies), their fund sources, allocations, receipts and payments (some
//! to households: 资金到户), the assets they became; the fruit and vegetable cooperative and the
//! peony park enterprise (30 million yuan, 400 mu); and the assets' yearly incomes. The village's
//! collective income (4,800 yuan in 2015, 70,000 in 2018) is what the assets paid the collective,
//! and the 14 households' dividends (300, 600 and 1,000 yuan in 2017–2019) reach their property
//! income through the same path as any payment, so the registry's figures include them.
//!
//! Every project goes through its lifecycle as an office would take it (proposal, reviews, the
//! notice of at least its days, the library, the plan, funds, implementation with its progress,
//! acceptance, completion notice, asset registration). Loaded once: nothing is done when 塔岗 has
//! a project already. It runs after the registry's files and before the exit procedures, whose
//! assessments read the incomes the dividends complete.

use fupin_core::assessment::{Action, Step};
use fupin_core::projects::*;
use fupin_core::registry::{HouseholdFilter, HouseholdId};
use fupin_core::store::Store;
use fupin_core::{Ctx, DomainError, RegionCode};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use time::{Date, Duration};

/// The demo's projects file.
pub const PROJECTS_JSON: &str = include_str!("../data/demo/projects.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoProjects {
    pub village_code: String,
    pub sources: Vec<DemoSource>,
    pub cooperatives: Vec<serde_json::Value>,
    pub projects: Vec<DemoProject>,
    pub assets: Vec<DemoAsset>,
}

#[derive(Debug, Deserialize)]
pub struct DemoSource {
    pub key: String,
    #[serde(flatten)]
    pub input: FundSourceInput,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoProject {
    /// The project as proposed, without beneficiaries.
    pub project: serde_json::Value,
    pub beneficiaries: Vec<DemoBeneficiaries>,
    /// Allocations (received the same day).
    pub funds: Vec<DemoFunds>,
    pub payments: Vec<DemoPayment>,
    pub assets: Vec<DemoAsset>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoBeneficiaries {
    /// `"all"` (every registered household of the village) or a list of household numbers.
    pub households: serde_json::Value,
    pub mode: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoFunds {
    pub source: String,
    pub amount_fen: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoPayment {
    pub payee: String,
    #[serde(default)]
    pub household: Option<String>,
    pub amount_fen: i64,
    pub date: Date,
    pub voucher: String,
}

#[derive(Debug, Deserialize)]
pub struct DemoAsset {
    /// `"all"` (one share each) or `[{household, shares}]`; none when left out.
    #[serde(default)]
    pub shareholders: Option<serde_json::Value>,
    /// For an asset of no project; a project's is registered when its lifecycle gets there.
    #[serde(default)]
    pub registered_on: Option<Date>,
    pub incomes: Vec<AssetIncomeInput>,
    /// The asset's other fields as `AssetInput` takes them.
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

/// The demo's projects as the file holds them.
pub fn data() -> DemoProjects {
    serde_json::from_str(PROJECTS_JSON).expect("projects.json parses")
}

/// What the demo's projects loaded.
#[derive(Debug, Default)]
pub struct ProjectsDemo {
    pub skipped: bool,
    pub projects: usize,
    pub budget_fen: i64,
    pub assets: usize,
    pub cooperatives: usize,
    pub incomes: usize,
}

impl fmt::Display for ProjectsDemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.skipped {
            return write!(f, "项目演示数据已存在，未重复加载");
        }
        write!(
            f,
            "项目与资产：{} 个项目共 {} 元，{} 项资产，{} 个合作社和企业，{} 个年度资产收益分配",
            self.projects,
            fupin_core::Fen::new(self.budget_fen).yuan_string(),
            self.assets,
            self.cooperatives,
            self.incomes
        )
    }
}

fn bad(what: impl fmt::Display) -> DomainError {
    tracing::error!(%what, "demo projects file");
    DomainError::internal()
}

/// Load the demo's projects (see the module's description).
pub async fn load_projects_demo(store: &dyn Store, ctx: &Ctx) -> Result<ProjectsDemo, DomainError> {
    let d = data();
    let village = RegionCode::parse(&d.village_code)?;
    if !store
        .projects(
            ctx,
            &village,
            ProjectFilter::default(),
            &fupin_core::paging::Keyset::first(1),
        )
        .await?
        .items
        .is_empty()
    {
        return Ok(ProjectsDemo {
            skipped: true,
            ..Default::default()
        });
    }
    let page = store
        .list_households(
            ctx,
            HouseholdFilter {
                region: Some(d.village_code.clone()),
                per_page: Some(200),
                ..Default::default()
            },
        )
        .await?;
    let households: BTreeMap<String, HouseholdId> = page
        .items
        .iter()
        .map(|h| (h.household_number.clone(), h.id))
        .collect();
    let id_of = |n: &str| {
        households
            .get(n)
            .copied()
            .ok_or_else(|| bad(format!("no household {n}")))
    };
    let list = |v: &serde_json::Value| -> Result<Vec<(HouseholdId, i64)>, DomainError> {
        if v.as_str() == Some("all") {
            return Ok(households.values().map(|h| (*h, 1)).collect());
        }
        let items = v.as_array().ok_or_else(|| bad("households"))?;
        items
            .iter()
            .map(|x| match x {
                serde_json::Value::String(n) => Ok((id_of(n)?, 1)),
                o => Ok((
                    id_of(o["household"].as_str().ok_or_else(|| bad("household"))?)?,
                    o["shares"].as_i64().unwrap_or(1),
                )),
            })
            .collect()
    };
    let mut out = ProjectsDemo::default();

    let mut sources = BTreeMap::new();
    for s in d.sources {
        let created = store.create_fund_source(ctx, s.input).await?;
        sources.insert(s.key, created.id);
    }
    for mut c in d.cooperatives {
        for key in ["members", "leases"] {
            if let Some(items) = c[key].as_array_mut() {
                for m in items {
                    let n = m["household"].as_str().ok_or_else(|| bad("household"))?;
                    let id = id_of(n)?;
                    let o = m.as_object_mut().ok_or_else(|| bad("member"))?;
                    o.remove("household");
                    o.insert("household_id".into(), id.0.into());
                }
            }
        }
        let input: CooperativeInput = serde_json::from_value(c).map_err(bad)?;
        store.create_cooperative(ctx, input).await?;
        out.cooperatives += 1;
    }

    let mut incomes: Vec<(AssetId, AssetIncomeInput)> = Vec::new();
    let register = |a: DemoAsset, project: Option<ProjectId>, on: Date| {
        let mut m = a.rest.clone();
        m.insert("village_code".into(), d.village_code.clone().into());
        m.insert(
            "registered_on".into(),
            a.registered_on.unwrap_or(on).to_string().into(),
        );
        if let Some(p) = project {
            m.insert("project_id".into(), p.0.into());
        }
        let holders = match &a.shareholders {
            None => Vec::new(),
            Some(v) => list(v)?,
        };
        m.insert(
            "shareholders".into(),
            holders
                .iter()
                .map(|(h, s)| serde_json::json!({"household_id": h.0, "shares": s}))
                .collect::<Vec<_>>()
                .into(),
        );
        let input: AssetInput = serde_json::from_value(m.into()).map_err(bad)?;
        Ok::<_, DomainError>((input, a.incomes))
    };

    for p in d.projects {
        let mut input = p.project.clone();
        let mut benef = Vec::new();
        for b in &p.beneficiaries {
            for (h, _) in list(&b.households)? {
                benef.push(serde_json::json!({"household_id": h.0, "mode": b.mode}));
            }
        }
        input["beneficiaries"] = benef.into();
        let input: ProjectInput = serde_json::from_value(input).map_err(bad)?;
        let mut day = input.proposed_on.ok_or_else(|| bad("proposed_on"))?;
        out.budget_fen += input.budget_fen;
        let id = store.create_project(ctx, input).await?.project.id;
        day = advance(store, ctx, id, Stage::AnnualPlan, day).await?;
        for f in &p.funds {
            let source = *sources.get(&f.source).ok_or_else(|| bad(&f.source))?;
            let a = store
                .allocate(
                    ctx,
                    AllocationInput {
                        source_id: source,
                        project_id: id,
                        amount_fen: f.amount_fen,
                        date: day,
                        document: None,
                    },
                )
                .await?;
            store
                .receive(
                    ctx,
                    a.id,
                    ReceiptInput {
                        amount_fen: f.amount_fen,
                        date: day,
                        note: None,
                    },
                )
                .await?;
        }
        day = advance(store, ctx, id, Stage::Implementation, day).await?;
        // payments from the allocations in turn, each paying what it received
        let funds = store.project_funds(ctx, id).await?;
        let mut left: Vec<(AllocationId, i64)> = funds
            .allocations
            .iter()
            .map(|a| (a.id, a.received_fen - a.disbursed_fen))
            .collect();
        let mut last = day;
        for pay in &p.payments {
            let mut amount = pay.amount_fen;
            for (a, rest) in left.iter_mut() {
                if amount == 0 {
                    break;
                }
                let part = amount.min(*rest);
                if part == 0 {
                    continue;
                }
                store
                    .disburse(
                        ctx,
                        *a,
                        DisbursementInput {
                            payee: pay.payee.clone(),
                            household_id: pay.household.as_deref().map(id_of).transpose()?,
                            amount_fen: part,
                            date: pay.date,
                            voucher: pay.voucher.clone(),
                            attachment: None,
                        },
                    )
                    .await?;
                *rest -= part;
                amount -= part;
            }
            if amount > 0 {
                return Err(bad(format!("payment {} beyond the funds", pay.voucher)));
            }
            last = last.max(pay.date);
        }
        let month = last.replace_day(1).map_err(bad)?;
        store
            .project_progress(
                ctx,
                id,
                ProgressInput {
                    month,
                    percent: 100,
                    spent_fen: p.payments.iter().map(|x| x.amount_fen).sum(),
                    note: Some("完工".into()),
                },
            )
            .await?;
        day = advance(
            store,
            ctx,
            id,
            Stage::AssetRegistration,
            last + Duration::days(7),
        )
        .await?;
        for a in p.assets {
            let (input, yearly) = register(a, Some(id), day)?;
            let asset = store.create_asset(ctx, input).await?;
            out.assets += 1;
            incomes.extend(yearly.into_iter().map(|i| (asset.id, i)));
        }
        advance(store, ctx, id, Stage::Done, day).await?;
        out.projects += 1;
    }
    for a in d.assets {
        let (input, yearly) = register(a, None, Date::MIN)?;
        let asset = store.create_asset(ctx, input).await?;
        out.assets += 1;
        incomes.extend(yearly.into_iter().map(|i| (asset.id, i)));
    }
    incomes.sort_by_key(|(a, i)| (i.year, *a));
    for (a, i) in incomes {
        store.pay_asset_income(ctx, a, i).await?;
        out.incomes += 1;
    }
    Ok(out)
}

/// Complete steps until the project reaches `until`, a week apart from `day` on (the notice lasts
/// its days); returns the day of the last step.
async fn advance(
    store: &dyn Store,
    ctx: &Ctx,
    id: ProjectId,
    until: Stage,
    mut day: Date,
) -> Result<Date, DomainError> {
    loop {
        let d = store.project(ctx, id).await?;
        let stage = d.project.stage;
        if stage == until {
            return Ok(day);
        }
        if stage == Stage::Notice {
            if let Some(end) = d.workflow.notice_earliest_end() {
                day = day.max(end);
            }
        }
        store
            .project_action(
                ctx,
                id,
                Action::Complete {
                    note: Some(format!("{}完成", stage.label())),
                    evidence: None,
                },
                day,
            )
            .await?;
        day += Duration::days(7);
    }
}

/// Every yearly income of the demo's assets (with and without a project).
pub fn yearly_incomes() -> Vec<AssetIncomeInput> {
    let d = data();
    d.projects
        .into_iter()
        .flat_map(|p| p.assets)
        .chain(d.assets)
        .flat_map(|a| a.incomes)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_projects_of_the_seed_with_their_money() {
        let d = data();
        assert_eq!(d.projects.len(), 8);
        let budget = |cat: Option<&str>| -> i64 {
            d.projects
                .iter()
                .filter(|p| cat.is_none_or(|c| p.project["category"] == c))
                .map(|p| p.project["budget_fen"].as_i64().unwrap())
                .sum()
        };
        assert_eq!(budget(None), 260_000_000);
        assert_eq!(budget(Some("基础设施")), 176_000_000);
        assert_eq!(budget(Some("集体经济")), 40_000_000);
        for p in &d.projects {
            let b = p.project["budget_fen"].as_i64().unwrap();
            assert_eq!(p.funds.iter().map(|f| f.amount_fen).sum::<i64>(), b);
            assert_eq!(p.payments.iter().map(|f| f.amount_fen).sum::<i64>(), b);
        }
        assert_eq!(
            d.sources.iter().map(|s| s.input.amount_fen).sum::<i64>(),
            260_000_000
        );
    }

    #[test]
    fn collective_income_and_dividends_come_from_the_assets() {
        let incomes = yearly_incomes();
        let collective = |y: i32| -> i64 {
            incomes
                .iter()
                .filter(|i| i.year == y)
                .map(|i| i.collective_fen)
                .sum()
        };
        assert_eq!(
            (2015..=2019).map(collective).collect::<Vec<_>>(),
            [480_000, 1_500_000, 3_800_000, 7_000_000, 7_000_000]
        );
        let households = |y: i32| -> i64 {
            incomes
                .iter()
                .filter(|i| i.year == y)
                .map(|i| i.households_fen)
                .sum()
        };
        // 300, 600 and 1,000 yuan to each of the 14 households
        assert_eq!(
            (2016..=2019).map(households).collect::<Vec<_>>(),
            [0, 14 * 30_000, 14 * 60_000, 14 * 100_000]
        );
    }
}
