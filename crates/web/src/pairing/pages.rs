//! The cadres' phone pages (`/m/…`): my paired households, recording a visit (with a photo taken
//! on the spot), and my visits this year against the minimum; and the micro-wish steps (claim,
//! fulfil) posted from the household page.
//!
//! The visit form posts as `multipart/form-data` so that a photo travels with it; without
//! JavaScript a small photo goes as taken, with it the page first scales the photo down in the
//! browser (`app.js`). A cadre's visits always include the cadre: the store refuses a visit
//! without them, and the form puts them in.

use crate::form::Form;
use crate::routes::Routes;
use crate::ui::forms::{code_options, select, textarea, yuan_field, FormState, Input};
use crate::ui::layout::StoreAnswer;
use crate::ui::layout::{parse_id, query_map, render, see_other, Shell};
use crate::ui::{PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use fupin_core::accounts::Policy;
use fupin_core::paging::Keyset;
use fupin_core::pairing::{
    prepare_photo, Cadre, CadreId, Claimant, Goods, VisitFindings, VisitInput, Wish, WishAction,
    WishId, WishInput, WishStatus,
};
use fupin_core::registry::{Household, HouseholdFilter, HouseholdId};
use fupin_core::years::{parse_date, today};
use fupin_core::{Ctx, DomainError};
use maud::html;
use std::collections::BTreeMap;
use time::{Date, Month};

pub(crate) fn routes(r: Routes) -> Routes {
    let r = r
        .get("/m", my_households)
        .get("/m/visits", my_visits)
        .get("/m/households/{id}/visit", visit_form)
        .post("/m/households/{id}/visit", record_visit)
        .get("/m/households/{id}/wish", wish_form)
        .post("/m/households/{id}/wish", submit_wish)
        .post("/wishes/{id}/claim", claim_wish)
        .post("/wishes/{id}/fulfil", fulfil_wish);
    super::manage_pages::routes(r)
}

/// The cadre record of the signed-in user, if they are one (none for a user who may not record
/// visits).
pub(crate) async fn own_cadre(app: &AppState, v: &Viewer) -> Result<Option<Cadre>, PageError> {
    let Ok(ctx) = v.caller.ctx(Policy::WriteVisits) else {
        return Ok(None);
    };
    let uid = v.caller.user.id.0;
    Ok(app
        .store
        .cadre_of_user(&ctx, uid)
        .await
        .or_none()?
        .flatten())
}

/// Visits owed and made this year on one household by one cadre.
struct Owed {
    household: Household,
    required: i64,
    done: i64,
}

/// This year's visits owed and made by `cadre` on each of `households`, with core's rule (pro rata
/// for pairings that began this year, only visits with the cadre present), in one store call.
async fn owed(
    app: &AppState,
    ctx: &Ctx,
    cadre: &Cadre,
    households: Vec<Household>,
) -> Result<Vec<Owed>, PageError> {
    let to = today();
    let from = Date::from_calendar_date(to.year(), Month::January, 1).expect("1 January");
    let by_household: BTreeMap<HouseholdId, (i64, i64)> = app
        .store
        .cadre_compliance(ctx, cadre.id, from, to)
        .await?
        .into_iter()
        .map(|c| (c.household_id, (c.required, c.done)))
        .collect();
    Ok(households
        .into_iter()
        .map(|h| {
            let (required, done) = by_household.get(&h.id).copied().unwrap_or((0, 0));
            Owed {
                required,
                done,
                household: h,
            }
        })
        .collect())
}

/// The households the user reaches as a cadre (their paired households).
async fn paired_households(app: &AppState, ctx: &Ctx) -> Result<Vec<Household>, PageError> {
    let page = app
        .store
        .list_households(
            ctx,
            HouseholdFilter {
                per_page: Some(100),
                ..Default::default()
            },
        )
        .await?;
    Ok(page.items)
}

async fn my_households(
    v: Viewer,
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    if !v.is_cadre() {
        return Ok(see_other("/households"));
    }
    let ctx = v.caller.ctx(Policy::ReadStats)?;
    let cadre = own_cadre(&app, &v).await?;
    let households = paired_households(&app, &ctx).await?;
    let flash = query_map(raw.as_deref());
    // the open wishes of the paired households (a cadre has a handful of households)
    let mut wishes: Vec<(Wish, String)> = Vec::new();
    for h in &households {
        let head = h
            .head_name
            .clone()
            .unwrap_or_else(|| h.household_number.clone());
        for w in app
            .store
            .household_wishes(&ctx, h.id, &Keyset::all())
            .await
            .map(|l| l.items)
            .or_empty()?
        {
            if matches!(w.status, WishStatus::Submitted | WishStatus::Claimed) {
                wishes.push((w, head.clone()));
            }
        }
    }
    wishes.sort_by_key(|(w, _)| (w.submitted_on, w.id.0));
    // a wish whose amount was refused: its id, the amount as typed and the message
    let wish_fix = flash
        .get("wish_fix")
        .and_then(|w| w.parse::<i64>().ok())
        .zip(flash.get("actual_value"))
        .and_then(|(w, typed)| {
            wish_amount(typed)
                .err()
                .map(|e| (w, typed.clone(), e.message))
        });
    let owed = match &cadre {
        Some(c) => owed(&app, &ctx, c, households).await?,
        None => households
            .into_iter()
            .map(|h| Owed {
                household: h,
                required: 0,
                done: 0,
            })
            .collect(),
    };
    let (done, required): (i64, i64) = owed
        .iter()
        .fold((0, 0), |a, o| (a.0 + o.done, a.1 + o.required));
    let body = html! {
        @if flash.contains_key("wish") { p.alert.ok role="status" #wish-saved { (v.t("心愿已更新。", "Wish updated.")) } }
        h1 { (v.t("我的帮扶户", "My households")) }
        @if let Some(c) = &cadre { p.muted { (c.name) " · " (c.unit_name) } }
        p.summary #my-compliance data-done=(done) data-required=(required) {
            (v.t("本年已走访", "Visits this year:")) " " strong.done { (done) } " / "
            (v.t("应走访", "required")) " " strong.required { (required) } " " (v.t("次", ""))
            " · " a href="/m/visits" { (v.t("明细", "details")) }
        }
        @if owed.is_empty() { p { (v.t("目前没有与您结对的农户。", "No household is paired with you at present.")) } }
        ul.cards {
            @for o in &owed {
                @let h = &o.household;
                li.card data-household=(h.id.0) {
                    div.card-head {
                        strong { (h.head_name.as_deref().unwrap_or("—")) }
                        " " small.muted { (h.household_number) }
                    }
                    p.card-meta {
                        (v.t("本年走访", "Visits this year")) " " span.count { (o.done) " / " (o.required) }
                        @if o.required > 0 {
                            " " meter min="0" max=(o.required) low=(o.required.max(1) - 1) optimum=(o.required) value=(o.done.min(o.required)) { (o.done) }
                        }
                    }
                    div.card-actions {
                        a.button.primary href=(format!("/m/households/{}/visit", h.id.0)) { (v.t("记录走访", "Record a visit")) }
                        a.button href=(format!("/m/households/{}/wish", h.id.0)) { (v.t("登记心愿", "Add a wish")) }
                        a.button href=(format!("/households/{}", h.id.0)) { (v.t("详情", "Details")) }
                    }
                }
            }
        }
        section #open-wishes {
            h2 { (v.t("待办微心愿", "Open wishes")) " " small.muted { "(" (wishes.len()) ")" } }
            @if wishes.is_empty() { p.muted { (v.t("没有待认领或待实现的心愿。", "No wish waits to be claimed or fulfilled.")) } }
            ul.cards {
                @for (w, head) in &wishes {
                    li.card.wish-card id=(format!("wish-{}", w.id.0)) data-wish=(w.id.0) data-status=(w.status.as_str()) {
                        div.card-head { strong { (w.text) } }
                        p.card-meta {
                            (head) " · " (v.t("估值", "value")) " " (crate::ui::fmt::yuan(w.estimated_value_fen)) " " (v.t("元", "yuan"))
                            " · " (w.submitted_on) " · "
                            span class=(format!("wish wish-{}", w.status.as_str())) {
                                @if w.status == WishStatus::Submitted { (v.t("待认领", "Submitted")) } @else { (v.t("已认领", "Claimed")) }
                            }
                        }
                        div.card-actions {
                            @if w.status == WishStatus::Submitted && cadre.is_some() {
                                form.inline method="post" action=(format!("/wishes/{}/claim", w.id.0)) {
                                    (v.csrf_field())
                                    input type="hidden" name="from" value="m";
                                    button.primary type="submit" { (v.t("认领", "Claim")) }
                                }
                            }
                            @if w.status == WishStatus::Claimed {
                                @let fix = wish_fix.as_ref().filter(|(id, _, _)| *id == w.id.0);
                                form.inline.fulfil method="post" action=(format!("/wishes/{}/fulfil", w.id.0)) {
                                    (v.csrf_field())
                                    input type="hidden" name="from" value="m";
                                    label for=(format!("mv-{}", w.id.0)) { (v.t("实际价值（元）", "Actual value (yuan)")) }
                                    input id=(format!("mv-{}", w.id.0)) name="actual_value_fen" inputmode="decimal" size="8"
                                        value=(fix.map(|(_, t, _)| t.clone()).unwrap_or_else(|| crate::ui::fmt::yuan(w.estimated_value_fen).replace(',', "")))
                                        aria-invalid=[fix.map(|_| "true")]
                                        aria-describedby=[fix.map(|_| format!("mv-{}-error", w.id.0))];
                                    button.primary type="submit" { (v.t("已实现", "Fulfilled")) }
                                    @if let Some((_, _, m)) = fix { p.field-error id=(format!("mv-{}-error", w.id.0)) role="alert" { (m) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let mut shell = Shell::new(v.t("我的帮扶户", "My households"), "/m");
    shell.main_class = "phone";
    Ok(render(&v, shell, body))
}

async fn my_visits(v: Viewer, State(app): State<AppState>) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadStats)?;
    let cadre = own_cadre(&app, &v)
        .await?
        .ok_or_else(|| PageError::new(StatusCode::NOT_FOUND, "您的账号没有登记为帮扶干部"))?;
    let households = paired_households(&app, &ctx).await?;
    let owed = owed(&app, &ctx, &cadre, households).await?;
    let (done, required) = owed
        .iter()
        .fold((0, 0), |a, o| (a.0 + o.done, a.1 + o.required));
    let year = today().year();
    let body = html! {
        h1 { (year) " " (v.t("年走访完成情况", "visits against the minimum")) }
        p.summary #my-compliance data-done=(done) data-required=(required) {
            (v.t("已走访", "Done")) " " strong.done { (done) } " / " (v.t("应走访", "required")) " " strong.required { (required) }
        }
        div.table-wrap { table.data {
            thead { tr {
                th scope="col" { (v.t("户主", "Head")) }
                th.num scope="col" { (v.t("应走访", "Required")) }
                th.num scope="col" { (v.t("已走访", "Done")) }
                th.num scope="col" { (v.t("尚缺", "Missing")) }
            } }
            tbody { @for o in &owed { tr {
                td { a href=(format!("/households/{}#visits", o.household.id.0)) { (o.household.head_name.as_deref().unwrap_or("—")) } }
                td.num { (o.required) }
                td.num { (o.done) }
                td.num class=(if o.done >= o.required { "good" } else { "poor" }) { ((o.required - o.done).max(0)) }
            } } }
        } }
        p.hint { (v.t("年内新结对的按天数折算应走访次数；只计本人参加的走访。", "Pairings that began this year owe visits pro rata; only visits you took part in count.")) }
    };
    let mut shell = Shell::new(v.t("走访完成情况", "My visits"), "/m");
    shell.main_class = "phone";
    shell.crumbs = vec![
        (
            v.t("我的帮扶户", "My households").to_string(),
            Some("/m".into()),
        ),
        (v.t("走访完成情况", "My visits").to_string(), None),
    ];
    Ok(render(&v, shell, body))
}

/// The inputs of the visit form, by the API's field names.
const VISIT_INPUTS: &[&str] = &[
    "date",
    "kind",
    "cadre_ids",
    "findings.income",
    "findings.education",
    "findings.medical",
    "findings.housing",
    "findings.water",
    "problems",
    "actions",
    "follow_up",
    "condolence_money_fen",
    "goods[0].description",
    "goods[0].value_fen",
    "photo",
];

async fn show_visit_form(
    v: &Viewer,
    app: &AppState,
    id: HouseholdId,
    st: &FormState,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteVisits)?;
    let d = app.store.household(&ctx, id).await?;
    let codes = app.store.code_book().await?;
    let me = own_cadre(app, v).await?;
    let on = today();
    let others: Vec<(CadreId, String)> = app
        .store
        .household_pairings(&ctx, id, &Keyset::all())
        .await
        .map(|l| l.items)
        .or_empty()?
        .into_iter()
        .filter(|p| p.active_on(on) && Some(p.cadre_id) != me.as_ref().map(|c| c.id))
        .map(|p| (p.cadre_id, p.cadre_name))
        .collect();
    let chosen = st.all("cadre_ids");
    let h = &d.household;
    let today_s = on.to_string();
    let photo_err = st.error_for("photo");
    let cadre_err = st.error_for("cadre_ids");
    let body = html! {
        h1 { (v.t("记录走访", "Record a visit")) }
        p.muted { (h.head_name.as_deref().unwrap_or("—")) " · " (h.household_number) }
        (st.summary(v.lang, VISIT_INPUTS))
        form.stack #visit-form method="post" action=(format!("/m/households/{}/visit", h.id.0)) enctype="multipart/form-data" {
            (v.csrf_field())
            (Input::text("date", v.t("走访日期", "Date")).kind("date").required().max(&today_s).render(st))
            (select(st, "kind", v.t("走访类型", "Kind"), &code_options(v.lang, &codes, "visit_kind"), None, true))
            fieldset.field.invalid[cadre_err.is_some()] #f-cadre_ids {
                legend { (v.t("参加走访的干部", "Cadres present")) }
                @if let Some(c) = &me {
                    input type="hidden" name="cadre_ids" value=(c.id.0);
                    p.self-cadre { (v.t("本人：", "You: ")) strong { (c.name) } }
                }
                @for (cid, name) in &others {
                    @let fid = format!("cadre-{}", cid.0);
                    div.check {
                        input type="checkbox" id=(fid) name="cadre_ids" value=(cid.0) checked[chosen.contains(&cid.0.to_string().as_str())];
                        label for=(fid) { (name) }
                    }
                }
                @if me.is_none() && others.is_empty() { p.hint { (v.t("该户目前没有结对干部。", "No cadre is paired with this household now.")) } }
                @if let Some(e) = cadre_err { p.field-error { (e) } }
            }
            details open[VISIT_INPUTS[3..8].iter().any(|f| st.error_for(f).is_some() || !st.value(f).is_empty())] {
                summary { (v.t("两不愁三保障及饮水情况", "Food, clothing, education, medical, housing and water")) }
                (textarea(st, "findings.income", v.t("收入与吃穿", "Income, food and clothing"), 2))
                (textarea(st, "findings.education", v.t("义务教育", "Education"), 2))
                (textarea(st, "findings.medical", v.t("基本医疗", "Medical care"), 2))
                (textarea(st, "findings.housing", v.t("住房安全", "Housing"), 2))
                (textarea(st, "findings.water", v.t("饮水安全", "Drinking water"), 2))
            }
            p.hint #visit-content-hint { (v.t("至少填写一项：了解到的情况、发现的问题、帮扶措施、慰问金或慰问品，或附一张现场照片。", "Fill in at least one of: what you found, a problem, an action, money or goods given, or a photo.")) }
            (textarea(st, "problems", v.t("发现的问题", "Problems found"), 3))
            (textarea(st, "actions", v.t("帮扶措施", "Actions taken"), 3))
            (Input::text("condolence_money_fen", v.t("慰问金（元）", "Money given (yuan)")).inputmode("decimal").render(st))
            (Input::text("goods[0].description", v.t("慰问品", "Goods given")).render(st))
            (Input::text("goods[0].value_fen", v.t("慰问品价值（元）", "Value of goods (yuan)")).inputmode("decimal").render(st))
            div.field.invalid[photo_err.is_some()] {
                label for="f-photo" { (v.t("现场照片", "Photo")) }
                input #f-photo type="file" name="photo" accept="image/*" capture="environment" data-downscale="1600"
                    aria-describedby="f-photo-hint";
                small.hint #f-photo-hint { (v.t("JPEG 或 PNG，不超过 2 MB；有 JavaScript 时自动压缩。", "JPEG or PNG up to 2 MB; scaled down automatically when JavaScript runs.")) }
                output.photo-status #photo-status {}
                @if let Some(e) = photo_err { p.field-error { (e) } }
            }
            div.form-actions {
                button.primary type="submit" { (v.t("保存走访", "Save visit")) }
                a href="/m" { (v.t("取消", "Cancel")) }
            }
        }
    };
    let mut shell = Shell::new(v.t("记录走访", "Record a visit"), "/m");
    shell.main_class = "phone";
    shell.crumbs = vec![
        (
            v.t("我的帮扶户", "My households").to_string(),
            Some("/m".into()),
        ),
        (
            h.head_name
                .clone()
                .unwrap_or_else(|| h.household_number.clone()),
            Some(format!("/households/{}", h.id.0)),
        ),
        (v.t("记录走访", "Record a visit").to_string(), None),
    ];
    let status = if st.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(v, shell, body)).into_response())
}

async fn visit_form(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id = HouseholdId(parse_id(&id)?);
    let mut st = FormState::default();
    st.set("date", today().to_string());
    st.set("kind", "01");
    show_visit_form(&v, &app, id, &st).await
}

/// The fields of a form post, and its file when it has one: multipart (with a photo) or urlencoded.
pub(super) async fn read_post(
    req: Request,
    file_field: &str,
) -> Result<(Vec<(String, String)>, Option<(String, Vec<u8>)>), DomainError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let f = Form::from_request(req, &())
            .await
            .map_err(|e| DomainError::invalid("form", "invalid_form", e.message().to_string()))?;
        return Ok((f.0, None));
    }
    let too_big = || {
        DomainError::invalid(
            file_field,
            "file_too_large",
            format!("文件过大：最多 {} MB", crate::BODY_LIMIT / 1024 / 1024),
        )
    };
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|_| too_big())?;
    let mut fields = Vec::new();
    let mut file = None;
    while let Some(field) = mp.next_field().await.map_err(|_| too_big())? {
        let name = field.name().unwrap_or("").to_string();
        if name == file_field {
            let fname = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| too_big())?;
            if !bytes.is_empty() {
                file = Some((fname, bytes.to_vec()));
            }
        } else {
            let text = field.text().await.map_err(|_| too_big())?;
            fields.push((name, text));
        }
    }
    Ok((fields, file))
}

fn opt_text(st: &FormState, name: &str) -> Option<String> {
    Some(st.value(name).trim().to_string()).filter(|s| !s.is_empty())
}

/// The visit as the API would receive it, from the form's fields.
fn visit_input(
    id: HouseholdId,
    st: &FormState,
    me: Option<&Cadre>,
    with_photo: bool,
) -> Result<VisitInput, DomainError> {
    let date = parse_date("date", st.value("date").trim())?;
    let mut cadre_ids: Vec<CadreId> = st
        .all("cadre_ids")
        .iter()
        .filter_map(|s| s.trim().parse::<i64>().ok())
        .map(CadreId)
        .collect();
    if let Some(c) = me {
        if !cadre_ids.contains(&c.id) {
            cadre_ids.push(c.id);
        }
    }
    let money = yuan_field("condolence_money_fen", st.value("condolence_money_fen"))?;
    let goods_desc = st.value("goods[0].description").trim().to_string();
    let goods_value = yuan_field("goods[0].value_fen", st.value("goods[0].value_fen"))?;
    let goods = if goods_desc.is_empty() && goods_value == 0 {
        vec![]
    } else {
        vec![Goods {
            description: goods_desc,
            value_fen: goods_value,
        }]
    };
    Ok(VisitInput {
        household_id: id,
        date,
        kind: st.value("kind").trim().to_string(),
        cadre_ids,
        findings: VisitFindings {
            income: opt_text(st, "findings.income"),
            education: opt_text(st, "findings.education"),
            medical: opt_text(st, "findings.medical"),
            housing: opt_text(st, "findings.housing"),
            water: opt_text(st, "findings.water"),
        },
        problems: opt_text(st, "problems"),
        actions: opt_text(st, "actions"),
        follow_up: opt_text(st, "follow_up"),
        condolence_money_fen: money,
        goods,
        location: None,
        with_photo,
    })
}

async fn record_visit(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> PageResult {
    let id = HouseholdId(parse_id(&id)?);
    let ctx = v.caller.ctx(Policy::WriteVisits)?;
    let (fields, photo) = match read_post(req, "photo").await {
        Ok(r) => r,
        Err(e) => {
            let st = FormState {
                values: vec![],
                error: Some(e),
            };
            return show_visit_form(&v, &app, id, &st).await;
        }
    };
    let mut st = FormState::with_values(fields);
    let me = own_cadre(&app, &v).await?;
    // The photo is decoded before the visit is written, so a bad photo leaves no visit behind (the
    // store decodes and encodes it again when it is attached).
    let checked = match photo.as_ref() {
        Some((_, bytes)) => {
            let bytes = bytes.clone();
            tokio::task::spawn_blocking(move || prepare_photo("photo", &bytes).map(|_| ()))
                .await
                .map_err(|_| fupin_core::DomainError::internal())
                .and_then(|r| r)
        }
        None => Ok(()),
    };
    let result = match checked.and_then(|_| visit_input(id, &st, me.as_ref(), photo.is_some())) {
        Ok(input) => app.store.record_visit(&ctx, input).await,
        Err(e) => Err(e),
    };
    let visit = match result {
        Ok(visit) => visit,
        Err(e)
            if matches!(
                e.kind,
                fupin_core::ErrorKind::Invalid
                    | fupin_core::ErrorKind::Conflict
                    | fupin_core::ErrorKind::Forbidden
            ) && e.field.is_some() =>
        {
            st.error = Some(e);
            return show_visit_form(&v, &app, id, &st).await;
        }
        Err(e) => return Err(e.into()),
    };
    let mut to = format!("/households/{}?visit=recorded", id.0);
    if let Some((_, bytes)) = photo {
        if let Err(e) = app.store.add_visit_photo(&ctx, visit.id, bytes).await {
            tracing::warn!(code = e.code, "visit recorded, photo not stored");
            to.push_str("&photo=failed");
        }
    }
    to.push_str(&format!("#visit-{}", visit.id.0));
    Ok(see_other(&to))
}

// ---- wishes ---------------------------------------------------------------------------------------

/// A wish's actual value as typed (yuan), checked as the store checks it.
pub(crate) fn wish_amount(typed: &str) -> Result<i64, DomainError> {
    let fen = yuan_field("actual_value_fen", typed)?;
    fupin_core::Fen::input("actual_value_fen", fen).map(|f| f.get())
}

fn back_to(form: &Form) -> String {
    if form.get("from") == Some("m") {
        return "/m?wish=1#open-wishes".into();
    }
    match form
        .get("household")
        .and_then(|h| h.trim().parse::<i64>().ok())
    {
        Some(h) => format!("/households/{h}?wish=1#wishes"),
        None => "/m".into(),
    }
}

async fn claim_wish(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteVisits)?;
    let id = WishId(parse_id(&id)?);
    let cadre = own_cadre(&app, &v).await?.ok_or_else(|| {
        PageError::new(
            StatusCode::FORBIDDEN,
            "只有登记为帮扶干部的账号可以认领心愿",
        )
    })?;
    app.store
        .wish_action(
            &ctx,
            id,
            WishAction::Claim {
                by: Claimant::Cadre(cadre.id),
                date: today(),
            },
        )
        .await?;
    Ok(see_other(&back_to(&form)))
}

async fn fulfil_wish(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteVisits)?;
    let id = WishId(parse_id(&id)?);
    let typed = form.get("actual_value_fen").unwrap_or("");
    let value = match wish_amount(typed) {
        Ok(value) => value,
        // back to the page it came from, which shows the message beside the amount it keeps
        Err(_) if form.get("from") == Some("m") => {
            let q = serde_urlencoded::to_string([
                ("wish_fix", id.0.to_string()),
                ("actual_value", typed.chars().take(40).collect()),
            ])
            .map_err(|_| DomainError::internal())?;
            return Ok(see_other(&format!("/m?{q}#wish-{}", id.0)));
        }
        Err(e) => match form
            .get("household")
            .and_then(|h| h.trim().parse::<i64>().ok())
        {
            Some(h) => {
                let q = serde_urlencoded::to_string([
                    ("wish_fix", id.0.to_string()),
                    ("actual_value", typed.chars().take(40).collect()),
                ])
                .map_err(|_| DomainError::internal())?;
                return Ok(see_other(&format!("/households/{h}?{q}#wish-{}", id.0)));
            }
            None => return Err(e.into()),
        },
    };
    app.store
        .wish_action(
            &ctx,
            id,
            WishAction::Fulfil {
                date: today(),
                actual_value_fen: value,
            },
        )
        .await?;
    Ok(see_other(&back_to(&form)))
}

// ---- submitting a wish from the phone ---------------------------------------------------------------

const WISH_INPUTS: &[&str] = &["text", "estimated_value_fen", "submitted_on", "person_id"];

async fn show_wish_form(v: &Viewer, app: &AppState, id: HouseholdId, st: &FormState) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteVisits)?;
    let d = app.store.household(&ctx, id).await?;
    let h = &d.household;
    let members: Vec<(String, String)> = d
        .members
        .iter()
        .filter(|m| m.active)
        .map(|m| (m.id.0.to_string(), m.name.clone()))
        .collect();
    let today_s = today().to_string();
    let body = html! {
        h1 { (v.t("登记微心愿", "Add a micro-wish")) }
        p.muted { (h.head_name.as_deref().unwrap_or("—")) " · " (h.household_number) }
        (st.summary(v.lang, WISH_INPUTS))
        form.stack #wish-form method="post" action=(format!("/m/households/{}/wish", h.id.0)) novalidate {
            (v.csrf_field())
            (textarea(st, "text", v.t("心愿内容", "The wish"), 2))
            (Input::text("estimated_value_fen", v.t("估计价值（元）", "Estimated value (yuan)")).required().inputmode("decimal").render(st))
            (Input::text("submitted_on", v.t("提出日期", "Date")).kind("date").required().max(&today_s).render(st))
            (select(st, "person_id", v.t("提出的家庭成员", "Member"), &members, Some(v.t("（全户）", "(the household)")), false))
            div.form-actions {
                button.primary type="submit" { (v.t("提交心愿", "Submit")) }
                a href="/m" { (v.t("取消", "Cancel")) }
            }
        }
    };
    let mut shell = Shell::new(v.t("登记微心愿", "Add a micro-wish"), "/m");
    shell.main_class = "phone";
    shell.crumbs = vec![
        (
            v.t("我的帮扶户", "My households").to_string(),
            Some("/m".into()),
        ),
        (v.t("登记微心愿", "Add a micro-wish").to_string(), None),
    ];
    let status = if st.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(v, shell, body)).into_response())
}

async fn wish_form(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id = HouseholdId(parse_id(&id)?);
    let mut st = FormState::default();
    st.set("submitted_on", today().to_string());
    show_wish_form(&v, &app, id, &st).await
}

async fn submit_wish(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let id = HouseholdId(parse_id(&id)?);
    let ctx = v.caller.ctx(Policy::WriteVisits)?;
    let mut st = FormState::with_values(form.0);
    let mut problems = fupin_core::Problems::new();
    let value = problems.check(yuan_field(
        "estimated_value_fen",
        st.value("estimated_value_fen"),
    ));
    let date = problems.check(parse_date("submitted_on", st.value("submitted_on").trim()));
    let text = st.value("text").trim().to_string();
    if text.is_empty() {
        problems.push(DomainError::invalid("text", "required", "心愿内容不能为空"));
    }
    let person_id = st
        .value("person_id")
        .trim()
        .parse::<i64>()
        .ok()
        .map(fupin_core::registry::PersonId);
    let result = match (value, date) {
        (Some(estimated_value_fen), Some(submitted_on)) if problems.is_empty() => {
            app.store
                .create_wish(
                    &ctx,
                    WishInput {
                        household_id: id,
                        person_id,
                        text,
                        estimated_value_fen,
                        submitted_on,
                    },
                )
                .await
        }
        _ => Err(problems
            .finish()
            .err()
            .unwrap_or_else(DomainError::internal)),
    };
    match result {
        Ok(w) => Ok(see_other(&format!("/m?wish=1#wish-{}", w.id.0))),
        Err(e)
            if matches!(
                e.kind,
                fupin_core::ErrorKind::Invalid | fupin_core::ErrorKind::Conflict
            ) =>
        {
            st.error = Some(e);
            show_wish_form(&v, &app, id, &st).await
        }
        Err(e) => Err(e.into()),
    }
}
