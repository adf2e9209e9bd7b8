//! The project page's forms for its money and assets: a fund source, an allocation of a source to
//! the project (下达), a receipt (到账), a disbursement (支付), the asset the accepted project
//! became, and a year's income of one of its assets paid out as dividends. Each posts to its own
//! route under the project and comes back to the page; when the store refuses, the page is shown
//! again with what was typed and every message beside its input (inputs are named by the API's
//! fields, amounts typed in yuan), labelled in the page's language (the store's messages stay
//! Chinese). The routes' handlers are in `form_posts`.

use crate::ui::forms::{select, textarea, FormState, Input};
use crate::ui::i18n::enum_label;
use crate::ui::Viewer;
use crate::AppState;
use fupin_core::labels::field_label;
use fupin_core::offices::OfficeAct;
use fupin_core::projects::*;
use fupin_core::regions::Level;
use fupin_core::{Ctx, DomainError, RegionCode, Scope};
use maud::{html, Markup};

/// The form that was refused: which one, what was typed and why.
pub(crate) struct Failed {
    pub which: &'static str,
    pub state: FormState,
}

/// The state of form `which`: the refused one's, or `defaults`.
fn state_of(failed: Option<&Failed>, which: &str, defaults: Vec<(&str, String)>) -> FormState {
    match failed.filter(|f| f.which == which) {
        Some(f) => f.state.clone(),
        None => FormState::with_values(
            defaults
                .into_iter()
                .map(|(n, v)| (n.to_string(), v))
                .collect(),
        ),
    }
}

/// A message naming `field` by the form's own label where core's general label differs (a fund's
/// or an asset's `name` is not a person's 姓名).
pub(crate) fn relabel(mut e: DomainError, field: &str, label: &str) -> DomainError {
    let general = field_label(field);
    if e.field.as_deref() == Some(field) && general != label {
        e.message = e.message.replace(&general, label);
    }
    for p in &mut e.errors {
        if p.field == field && general != label {
            p.message = p.message.replace(&general, label);
        }
    }
    e
}

/// The fund sources a project can draw on that the caller reaches: those held by its county,
/// township or village.
pub(crate) async fn sources_for(
    app: &AppState,
    ctx: &Ctx,
    village: &RegionCode,
) -> Vec<FundSource> {
    for level in [Level::County, Level::Township, Level::Village] {
        let Some(code) = village.at_level(level) else {
            continue;
        };
        if let Ok(all) = app.store.fund_sources(ctx, &code, None).await {
            return all
                .into_iter()
                .filter(|s| s.data.region_code.contains(village))
                .collect();
        }
    }
    Vec::new()
}

fn money(v: &Viewer, st: &FormState, name: &'static str, label: &'static str) -> Markup {
    Input::text(name, label)
        .required()
        .inputmode("decimal")
        .hint(v.t("元，最多两位小数", "yuan, at most two decimals"))
        .render(st)
}

/// A note saying which of `acts` belong to a higher office than the viewer's (none when the viewer
/// may take them all): shown where their forms would be.
pub(crate) fn office_note(v: &Viewer, id: &str, acts: &[OfficeAct]) -> Markup {
    let zh: Vec<String> = acts
        .iter()
        .map(|a| format!("「{}」由{}及以上部门办理。", a.label(), a.office().label()))
        .collect();
    let en: Vec<String> = acts
        .iter()
        .map(|a| {
            format!(
                "{} is done by an office at {} level or above.",
                a.label(),
                a.office().as_str()
            )
        })
        .collect();
    html! {
        @if !acts.is_empty() {
            p.note.office-note id=(id) { (v.t(&zh.join(""), &en.join(" "))) }
        }
    }
}

/// The forms of the funds section, as the project's stage and the viewer's office allow (a
/// source and an allocation the county's, receipts and payments the township's).
#[allow(clippy::too_many_arguments)]
pub(crate) fn funds_forms(
    v: &Viewer,
    writer: &Scope,
    p: &Project,
    sources: &[FundSource],
    allocations: &[Allocation],
    day: time::Date,
    failed: Option<&Failed>,
) -> Markup {
    let id = p.id.0;
    let village = &p.data.village_code;
    let may = |a: OfficeAct| writer.may(village, a);
    let money_acts: &[OfficeAct] = if p.stage.takes_allocations() {
        &[
            OfficeAct::RegisterFundSource,
            OfficeAct::Allocate,
            OfficeAct::Receive,
            OfficeAct::Disburse,
        ]
    } else if p.stage.takes_disbursements() {
        &[OfficeAct::RegisterFundSource, OfficeAct::Disburse]
    } else {
        &[OfficeAct::RegisterFundSource]
    };
    let above: Vec<OfficeAct> = money_acts.iter().copied().filter(|a| !may(*a)).collect();
    let regions: Vec<(String, String)> = [Level::County, Level::Township, Level::Village]
        .iter()
        .filter_map(|l| village.at_level(*l))
        .map(|c| {
            let label = if c.is_village() {
                format!("{}（{}）", c.as_str(), p.village_name)
            } else {
                c.as_str().to_string()
            };
            (c.as_str().to_string(), label)
        })
        .collect();
    let kinds: Vec<(String, String)> = SourceKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                enum_label(v.lang, "source_kind", k.as_str(), k.label()).to_string(),
            )
        })
        .collect();
    let source_st = state_of(
        failed,
        "source",
        vec![
            (
                "region_code",
                village
                    .at_level(Level::County)
                    .map_or_else(|| village.as_str().to_string(), |c| c.as_str().to_string()),
            ),
            ("year", p.data.year.to_string()),
            ("date", day.to_string()),
        ],
    );
    let source_options: Vec<(String, String)> = sources
        .iter()
        .map(|s| {
            (
                s.id.0.to_string(),
                format!(
                    "{} {}（{}，{} {} {}）",
                    s.data.year,
                    s.data.name,
                    enum_label(v.lang, "source_kind", s.data.kind.as_str(), &s.kind_label),
                    v.t("尚可下达", "still to allocate"),
                    crate::ui::fmt::yuan(s.data.amount_fen - s.allocated_fen),
                    v.t("元", "yuan"),
                ),
            )
        })
        .collect();
    let allocation_options: Vec<(String, String)> = allocations
        .iter()
        .map(|a| {
            (
                a.id.0.to_string(),
                format!(
                    "{} {}{}{} {}{}{} {}{}{} {}",
                    a.date,
                    a.source_name,
                    v.t("：", ": "),
                    v.t("下达", "allocated"),
                    crate::ui::fmt::yuan(a.amount_fen),
                    v.t("，", ", "),
                    v.t("到账", "received"),
                    crate::ui::fmt::yuan(a.received_fen),
                    v.t("，", ", "),
                    v.t("已付", "paid"),
                    crate::ui::fmt::yuan(a.disbursed_fen)
                ),
            )
        })
        .collect();
    let day_s = day.to_string();
    let alloc_st = state_of(failed, "allocation", vec![("date", day_s.clone())]);
    let receipt_st = state_of(failed, "receipt", vec![("date", day_s.clone())]);
    let pay_st = state_of(failed, "disbursement", vec![("date", day_s.clone())]);
    let holders: Vec<(String, String)> = p
        .data
        .beneficiaries
        .iter()
        .map(|b| {
            (
                b.household_id.0.to_string(),
                format!("{} {}", v.t("户", "Household"), b.household_id.0),
            )
        })
        .collect();
    html! {
        (office_note(v, "funds-office", &above))
        div.forms #funds-forms {
            @if may(OfficeAct::RegisterFundSource) {
            details #source-box open[failed.is_some_and(|f| f.which == "source")] {
                summary { (v.t("登记资金来源", "Register a fund source")) }
                form.step method="post" action=(format!("/projects/{id}/fund-sources")) #source-form novalidate {
                    (v.csrf_field())
                    (source_st.summary(v.lang, &["region_code", "year", "kind", "name", "document", "amount_fen", "date"]))
                    (select(&source_st, "region_code", v.t("所属区划", "Region"), &regions, None, true))
                    (Input::text("year", v.t("年度", "Year")).required().inputmode("numeric").render(&source_st))
                    (select(&source_st, "kind", v.t("资金性质", "Kind of funds"), &kinds, Some(v.t("请选择", "Choose")), true))
                    (Input::text("name", v.t("资金名称", "Name of the funds")).required().render(&source_st))
                    (Input::text("document", v.t("文号", "Document number")).render(&source_st))
                    (money(v, &source_st, "amount_fen", v.t("金额", "Amount")))
                    (Input::text("date", v.t("日期", "Date")).kind("date").required().render(&source_st))
                    button.primary type="submit" { (v.t("登记来源", "Register")) }
                }
            }
            }
            @if p.stage.takes_allocations() && may(OfficeAct::Allocate) {
                form.step method="post" action=(format!("/projects/{id}/allocations")) #allocation-form novalidate {
                    h3 { (v.t("资金下达", "Allocate")) }
                    (v.csrf_field())
                    (alloc_st.summary(v.lang, &["source_id", "amount_fen", "date", "document"]))
                    (select(&alloc_st, "source_id", v.t("资金来源", "Fund source"), &source_options, Some(v.t("请选择", "Choose")), true))
                    (money(v, &alloc_st, "amount_fen", v.t("下达金额", "Amount allocated")))
                    (Input::text("date", v.t("下达日期", "Date allocated")).kind("date").required().render(&alloc_st))
                    (Input::text("document", v.t("下达文号", "Allocation document number")).render(&alloc_st))
                    button.primary type="submit" { (v.t("下达", "Allocate")) }
                }
            }
            @if p.stage.takes_allocations() && may(OfficeAct::Receive) {
                @if !allocations.is_empty() {
                    form.step method="post" action=(format!("/projects/{id}/receipts")) #receipt-form novalidate {
                        h3 { (v.t("资金到账", "Receipt")) }
                        (v.csrf_field())
                        (receipt_st.summary(v.lang, &["allocation_id", "amount_fen", "date", "note"]))
                        (select(&receipt_st, "allocation_id", v.t("资金下达", "Allocation"), &allocation_options, Some(v.t("请选择", "Choose")), true))
                        (money(v, &receipt_st, "amount_fen", v.t("到账金额", "Amount received")))
                        (Input::text("date", v.t("到账日期", "Date received")).kind("date").required().render(&receipt_st))
                        (Input::text("note", v.t("备注", "Note")).render(&receipt_st))
                        button.primary type="submit" { (v.t("登记到账", "Record")) }
                    }
                }
            }
            @if p.stage.takes_disbursements() && !allocations.is_empty() && may(OfficeAct::Disburse) {
                form.step method="post" action=(format!("/projects/{id}/disbursements")) #disbursement-form novalidate {
                    h3 { (v.t("资金支付", "Disbursement")) }
                    (v.csrf_field())
                    (pay_st.summary(v.lang, &["allocation_id", "payee", "household_id", "amount_fen", "date", "voucher", "attachment"]))
                    (select(&pay_st, "allocation_id", v.t("资金下达", "Allocation"), &allocation_options, Some(v.t("请选择", "Choose")), true))
                    (Input::text("payee", v.t("收款人", "Payee")).required().render(&pay_st))
                    (select(&pay_st, "household_id", v.t("收款户（资金到户时）", "Receiving household (when paid to a household)"), &holders, Some(v.t("（不是农户）", "(not a household)")), false))
                    (money(v, &pay_st, "amount_fen", v.t("支付金额", "Amount paid")))
                    (Input::text("date", v.t("支付日期", "Date paid")).kind("date").required().render(&pay_st))
                    (Input::text("voucher", v.t("凭证号", "Voucher number")).required().render(&pay_st))
                    (Input::text("attachment", v.t("附件（发票、合同号）", "Attachment (invoice, contract number)")).render(&pay_st))
                    button.primary type="submit" { (v.t("登记支付", "Record")) }
                }
            }
        }
    }
}

/// The asset form, once the project is accepted and has no asset yet.
pub(crate) fn asset_form(
    v: &Viewer,
    p: &Project,
    day: time::Date,
    failed: Option<&Failed>,
) -> Markup {
    let kinds: Vec<(String, String)> = AssetKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                enum_label(v.lang, "asset_kind", k.as_str(), k.label()).to_string(),
            )
        })
        .collect();
    let owners: Vec<(String, String)> = OwnerKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                enum_label(v.lang, "owner_kind", k.as_str(), k.label()).to_string(),
            )
        })
        .collect();
    let holders: String = p
        .data
        .beneficiaries
        .iter()
        .map(|b| format!("{}:1", b.household_id.0))
        .collect::<Vec<_>>()
        .join("\n");
    let st = state_of(
        failed,
        "asset",
        vec![
            ("name", p.data.name.clone()),
            ("owner_name", p.village_name.clone()),
            ("custodian", p.village_name.clone()),
            ("registered_on", day.to_string()),
            ("shareholders", holders),
        ],
    );
    html! {
        form.step method="post" action=(format!("/projects/{}/assets", p.id.0)) #asset-form novalidate {
            h3 { (v.t("登记扶贫资产", "Register the asset")) }
            (v.csrf_field())
            (st.summary(v.lang, &["name", "kind", "value_fen", "owner_kind", "owner_name", "custodian", "registered_on", "shareholders"]))
            (Input::text("name", v.t("资产名称", "Asset name")).required().render(&st))
            (select(&st, "kind", v.t("资产类别", "Kind of asset"), &kinds, Some(v.t("请选择", "Choose")), true))
            (money(v, &st, "value_fen", v.t("资产价值", "Value")))
            (select(&st, "owner_kind", v.t("所有者类型", "Kind of owner"), &owners, Some(v.t("请选择", "Choose")), true))
            (Input::text("owner_name", v.t("所有者", "Owner")).required().render(&st))
            (Input::text("custodian", v.t("管护人", "Custodian")).required().render(&st))
            (Input::text("registered_on", v.t("登记日期", "Date registered")).kind("date").required().render(&st))
            (textarea(&st, "shareholders", v.t("受益股东（每行“户编号:股数”，可空）", "Shareholding households (one “household id:shares” per line; may be empty)"), 4))
            button.primary type="submit" { (v.t("登记资产", "Register")) }
        }
    }
}

/// The form paying a year's income of `asset`.
pub(crate) fn income_form(
    v: &Viewer,
    project: ProjectId,
    asset: &Asset,
    failed: Option<&Failed>,
) -> Markup {
    let which = format!("income-{}", asset.id.0);
    let next_year = asset
        .incomes
        .iter()
        .map(|i| i.year + 1)
        .max()
        .unwrap_or(asset.data.registered_on.year() + 1);
    let st = match failed
        .filter(|f| f.which == "income" && f.state.value("asset_id") == asset.id.0.to_string())
    {
        Some(f) => f.state.clone(),
        None => FormState::with_values(vec![
            ("asset_id".into(), asset.id.0.to_string()),
            ("year".into(), next_year.to_string()),
            ("minimum_fen".into(), "0".into()),
        ]),
    };
    html! {
        form.step.income method="post" action=(format!("/projects/{}/asset-incomes", project.0)) id=(which) novalidate {
            h3 { (asset.data.name) " · " (v.t("收益分配", "Pay a year's income")) }
            (v.csrf_field())
            input type="hidden" name="asset_id" value=(asset.id.0);
            (st.summary(v.lang, &["year", "income_fen", "collective_fen", "households_fen", "minimum_fen", "paid_on"]))
            (Input::text("year", v.t("收益年度", "Year of the income")).required().inputmode("numeric").render(&st))
            (money(v, &st, "income_fen", v.t("年度收益", "The year's income")))
            (money(v, &st, "collective_fen", v.t("村集体分成", "The collective's share")))
            (money(v, &st, "households_fen", v.t("农户分红总额", "Households' dividends in all")))
            (Input::text("minimum_fen", v.t("每户保底（元）", "Minimum per household (yuan)")).inputmode("decimal").render(&st))
            (Input::text("paid_on", v.t("发放日期", "Date paid out")).kind("date").required().render(&st))
            button.primary type="submit" { (v.t("分配并发放", "Pay")) }
        }
    }
}
