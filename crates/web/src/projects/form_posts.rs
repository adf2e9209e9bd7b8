//! The handlers of the project page's forms (`forms`): each reads its form, collecting every
//! fault at once, calls the store, and goes back to the project's page — on a refusal the page
//! again with the form as typed and the messages beside their inputs.

use super::forms::{relabel, Failed};
use super::pages::item_page;
use crate::form::Form;
use crate::routes::Routes;
use crate::ui::forms::{yuan_field, FormState};
use crate::ui::layout::{parse_id, see_other};
use crate::ui::{PageResult, Viewer};
use crate::AppState;
use axum::extract::{Path, State};
use fupin_core::accounts::Policy;
use fupin_core::labels::field_label;
use fupin_core::projects::*;
use fupin_core::registry::HouseholdId;
use fupin_core::years::parse_date;
use fupin_core::{Ctx, DomainError};

/// The forms' routes.
pub(crate) fn page_routes(r: Routes) -> Routes {
    r.post("/projects/{id}/fund-sources", add_source)
        .post("/projects/{id}/allocations", add_allocation)
        .post("/projects/{id}/receipts", add_receipt)
        .post("/projects/{id}/disbursements", add_disbursement)
        .post("/projects/{id}/assets", add_asset)
        .post("/projects/{id}/asset-incomes", add_income)
}

/// Every problem of a form at once: the fields typed wrong, as one error listing each.
fn collect(problems: Vec<DomainError>) -> Result<(), DomainError> {
    let mut all = fupin_core::error::Problems::new();
    for e in problems {
        all.push(e);
    }
    all.finish()
}

fn text(form: &Form, n: &str) -> String {
    form.get(n).unwrap_or("").trim().to_string()
}

fn opt(form: &Form, n: &str) -> Option<String> {
    Some(text(form, n)).filter(|s| !s.is_empty())
}

/// Read the pieces of a form, collecting every fault.
struct Reader<'a> {
    form: &'a Form,
    problems: Vec<DomainError>,
}

impl Reader<'_> {
    fn yuan(&mut self, n: &str, required: bool) -> i64 {
        let t = text(self.form, n);
        if required && t.is_empty() {
            self.problems.push(DomainError::invalid(
                n,
                "required",
                format!("{} 不能为空", field_label(n)),
            ));
            return 0;
        }
        yuan_field(n, &t).unwrap_or_else(|e| {
            self.problems.push(e);
            0
        })
    }
    fn date(&mut self, n: &str) -> time::Date {
        parse_date(n, &text(self.form, n)).unwrap_or_else(|e| {
            self.problems.push(e);
            time::Date::MIN
        })
    }
    fn int(&mut self, n: &str) -> i64 {
        let t = text(self.form, n);
        t.parse::<i64>().unwrap_or_else(|_| {
            let msg = if t.is_empty() {
                format!("{} 不能为空", field_label(n))
            } else {
                format!(
                    "{} 须为整数：{}",
                    field_label(n),
                    fupin_core::labels::clip(&t, 20)
                )
            };
            self.problems.push(DomainError::invalid(
                n,
                if t.is_empty() {
                    "required"
                } else {
                    "not_a_number"
                },
                msg,
            ));
            0
        })
    }
    /// A choice or text the form requires, named by the form's label.
    fn need(&mut self, n: &str, label: &str) {
        if text(self.form, n).is_empty() {
            self.problems.push(DomainError::invalid(
                n,
                "required",
                format!("{label} 不能为空"),
            ));
        }
    }
    fn done(self) -> Result<(), DomainError> {
        collect(self.problems)
    }
}

/// Come back to the page: on success to its funds section, on refusal with the form as typed.
async fn answer<T>(
    v: &Viewer,
    app: &AppState,
    id: ProjectId,
    which: &'static str,
    form: Form,
    result: Result<T, DomainError>,
    labels: &[(&str, &str)],
) -> PageResult {
    match result {
        Ok(_) => Ok(see_other(&format!("/projects/{}#funds", id.0))),
        Err(e) if e.kind != fupin_core::ErrorKind::NotFound || e.field.is_some() => {
            let e = labels.iter().fold(e, |e, (f, l)| relabel(e, f, l));
            let state = FormState {
                values: form
                    .0
                    .into_iter()
                    .filter(|(n, _)| n != "csrf_token")
                    .collect(),
                error: Some(e),
            };
            item_page(v, app, id, None, Some(&Failed { which, state })).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn add_source(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let id = ProjectId(parse_id(&id)?);
    let result = async {
        let mut r = Reader {
            form: &form,
            problems: Vec::new(),
        };
        let amount_fen = r.yuan("amount_fen", true);
        let date = r.date("date");
        let year = r.int("year");
        r.need("kind", "资金性质");
        r.need("name", "资金名称");
        r.done()?;
        let input = FundSourceInput {
            region_code: text(&form, "region_code"),
            year: year as i32,
            kind: text(&form, "kind"),
            name: text(&form, "name"),
            document: opt(&form, "document"),
            amount_fen,
            date,
        };
        app.store.create_fund_source(&ctx, input).await
    }
    .await;
    answer(
        &v,
        &app,
        id,
        "source",
        form,
        result,
        &[("name", "资金名称"), ("kind", "资金性质")],
    )
    .await
}

pub(crate) async fn add_allocation(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let id = ProjectId(parse_id(&id)?);
    let result = async {
        let mut r = Reader {
            form: &form,
            problems: Vec::new(),
        };
        let source = r.int("source_id");
        let amount_fen = r.yuan("amount_fen", true);
        let date = r.date("date");
        r.done()?;
        let input = AllocationInput {
            source_id: SourceId(source),
            project_id: id,
            amount_fen,
            date,
            document: opt(&form, "document"),
        };
        app.store.allocate(&ctx, input).await
    }
    .await;
    answer(&v, &app, id, "allocation", form, result, &[]).await
}

pub(crate) async fn add_receipt(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let id = ProjectId(parse_id(&id)?);
    let result = async {
        let mut r = Reader {
            form: &form,
            problems: Vec::new(),
        };
        let allocation = r.int("allocation_id");
        let amount_fen = r.yuan("amount_fen", true);
        let date = r.date("date");
        r.done()?;
        mine(&app, &ctx, id, AllocationId(allocation)).await?;
        let input = ReceiptInput {
            amount_fen,
            date,
            note: opt(&form, "note"),
        };
        app.store
            .receive(&ctx, AllocationId(allocation), input)
            .await
    }
    .await;
    answer(&v, &app, id, "receipt", form, result, &[]).await
}

pub(crate) async fn add_disbursement(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let id = ProjectId(parse_id(&id)?);
    let result = async {
        let mut r = Reader {
            form: &form,
            problems: Vec::new(),
        };
        let allocation = r.int("allocation_id");
        let amount_fen = r.yuan("amount_fen", true);
        let date = r.date("date");
        let household = opt(&form, "household_id").map(|_| HouseholdId(r.int("household_id")));
        r.done()?;
        mine(&app, &ctx, id, AllocationId(allocation)).await?;
        let input = DisbursementInput {
            payee: text(&form, "payee"),
            household_id: household,
            amount_fen,
            date,
            voucher: text(&form, "voucher"),
            attachment: opt(&form, "attachment"),
        };
        let mut problems = Vec::new();
        if let Err(e) = input.validate() {
            problems.push(e);
        }
        // every missing text at once, not only the first the rules meet
        for (n, label) in [("payee", "收款人"), ("voucher", "凭证号")] {
            if text(&form, n).is_empty() && !problems.iter().any(|e| e.field.as_deref() == Some(n))
            {
                problems.push(DomainError::invalid(
                    n,
                    "required",
                    format!("{label} 不能为空"),
                ));
            }
        }
        collect(problems)?;
        app.store
            .disburse(&ctx, AllocationId(allocation), input)
            .await
    }
    .await;
    answer(&v, &app, id, "disbursement", form, result, &[]).await
}

/// The allocation belongs to this page's project (a form names an allocation by id).
async fn mine(
    app: &AppState,
    ctx: &Ctx,
    id: ProjectId,
    a: AllocationId,
) -> Result<(), DomainError> {
    let funds = app.store.project_funds(ctx, id).await?;
    if funds.allocations.iter().any(|x| x.id == a) {
        Ok(())
    } else {
        Err(
            DomainError::not_found("allocation_not_found", "资金下达 不是本项目的下达记录")
                .with_field("allocation_id"),
        )
    }
}

pub(crate) async fn add_asset(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let id = ProjectId(parse_id(&id)?);
    let result = async {
        let mut r = Reader {
            form: &form,
            problems: Vec::new(),
        };
        let value_fen = r.yuan("value_fen", true);
        let registered_on = r.date("registered_on");
        r.need("name", "资产名称");
        r.need("kind", "资产类别");
        r.need("owner_kind", "所有者类型");
        let mut shareholders = Vec::new();
        for (i, line) in text(&form, "shareholders")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let parsed = line.split_once([':', '：']).and_then(|(h, s)| {
                Some((h.trim().parse::<i64>().ok()?, s.trim().parse::<i64>().ok()?))
            });
            match parsed {
                Some((h, s)) => shareholders.push(Shareholding {
                    household_id: HouseholdId(h),
                    shares: s,
                }),
                None => r.problems.push(DomainError::invalid(
                    "shareholders",
                    "invalid_value",
                    format!(
                        "受益股东第 {} 行应为“户编号:股数”：{}",
                        i + 1,
                        fupin_core::labels::clip(line, 30)
                    ),
                )),
            }
        }
        r.done()?;
        let d = app.store.project(&ctx, id).await?;
        let input = AssetInput {
            project_id: Some(id),
            village_code: d.project.data.village_code.as_str().to_string(),
            name: text(&form, "name"),
            kind: text(&form, "kind"),
            value_fen,
            owner_kind: text(&form, "owner_kind"),
            owner_name: text(&form, "owner_name"),
            custodian: text(&form, "custodian"),
            registered_on,
            shareholders,
            note: None,
        };
        app.store.create_asset(&ctx, input).await
    }
    .await;
    let result = result.map_err(|e| match e.field.as_deref() {
        Some(f) if f.starts_with("shareholders[") => e.with_field("shareholders"),
        _ => e,
    });
    answer(
        &v,
        &app,
        id,
        "asset",
        form,
        result,
        &[("name", "资产名称"), ("kind", "资产类别")],
    )
    .await
}

pub(crate) async fn add_income(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let id = ProjectId(parse_id(&id)?);
    let result = async {
        let mut r = Reader {
            form: &form,
            problems: Vec::new(),
        };
        let asset = r.int("asset_id");
        let year = r.int("year");
        let income_fen = r.yuan("income_fen", true);
        let collective_fen = r.yuan("collective_fen", true);
        let households_fen = r.yuan("households_fen", true);
        let minimum_fen = r.yuan("minimum_fen", false);
        let paid_on = r.date("paid_on");
        r.done()?;
        // the asset is one of this project's
        let assets = app.store.project_assets(&ctx, id).await?;
        if !assets.iter().any(|a| a.id.0 == asset) {
            return Err(DomainError::not_found(
                "asset_not_found",
                "该资产不存在或不在您的管辖范围内",
            ));
        }
        let input = AssetIncomeInput {
            year: year as i32,
            income_fen,
            collective_fen,
            households_fen,
            minimum_fen,
            paid_on,
        };
        app.store
            .pay_asset_income(&ctx, AssetId(asset), input)
            .await
    }
    .await;
    answer(&v, &app, id, "income", form, result, &[]).await
}
