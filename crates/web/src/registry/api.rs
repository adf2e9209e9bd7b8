//! The registry (建档立卡): households with their members, status changes, member changes and
//! yearly incomes.
//!
//! Validation is the domain's (core rules, run by the store inside its transaction); these handlers
//! only turn HTTP into store calls, so a request either changes everything it asks for or nothing.
//! Personal data comes back masked; one household may be read unmasked by a `view_pii` holder who
//! gives a reason, and that read is audited.

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{IdPath, IdYearPath, NumberPath, Params, Path};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::Policy;
use fupin_core::audit::AuditRecord;
use fupin_core::registry::{
    Household, HouseholdDetail, HouseholdFilter, HouseholdId, HouseholdInput, HouseholdStatus,
    IncomeInput, IncomeRecord, Member, MemberChangeInput, MemberInput, NewHousehold, Page,
    PersonId, StatusChangeInput,
};
use fupin_core::Ctx;
use serde_json::json;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/households", list)
        .post("/api/v1/households", create)
        .get("/api/v1/households/by-number/{number}", by_number)
        .get("/api/v1/households/{id}", one)
        .put("/api/v1/households/{id}", update)
        .post("/api/v1/households/{id}/status", change_status)
        .post("/api/v1/households/{id}/members", add_member)
        .put("/api/v1/households/{id}/incomes/{year}", put_income)
        .put("/api/v1/members/{id}", update_member)
        .post("/api/v1/members/{id}/changes", record_member_change)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    create,
    by_number,
    one,
    update,
    change_status,
    add_member,
    put_income,
    update_member,
    record_member_change
))]
pub(crate) struct Doc;

/// Longest search text; the domain caps `q` at 50 as well, this only keeps the 400 early and cheap.
const Q_MAX: usize = 50;

/// `?region=&status=&main_cause=&attribute=&q=&page=&per_page=` → `{items, total}`.
#[utoipa::path(
    get,
    path = "/api/v1/households",
    tag = "registry",
    operation_id = "listHouseholds",
    summary = "贫困户列表 · Households",
    params(("region" = Option<String>, Query, description = "区划代码（12 位或其有效前缀）。 A region code (12 digits or its significant prefix)."), ("status" = Option<String>, Query, description = "户状态。 The household status."), ("main_cause" = Option<String>, Query, description = "主要致贫原因。 The main cause of poverty."), ("attribute" = Option<String>, Query, description = "贫困户属性。 The household attribute."), ("q" = Option<String>, Query, description = "户编码，成员姓名（全名或开头几个字），或完整身份证号。 The household number, a member's name (whole or its first characters), or a full ID number."), ("page" = Option<u32>, Query, description = "页码，从 1 开始（最多翻过 10000 户）。 Page number, from 1 (up to 10,000 rows skipped)."), ("per_page" = Option<u32>, Query, description = "每页条数。 Items per page."), ("after" = Option<String>, Query, description = "上一页的 next：其后的一页（按村、户编码排序）。 The previous page's `next`: the page after it, in (village, number) order."), ("sort" = Option<String>, Query, description = "排序：number（按村、户编码，默认）或 -number（倒序）；其他列不能在服务器上按索引排序，不提供。 The order: number (by village and household number, the default) or -number (backwards); other columns cannot be sorted along an index and are not offered.")),
    responses((status = 200, description = "`{items, total, next}`，个人信息已脱敏。 `{items, total, next}`, personal data masked.", body = Page<Household>))
)]
async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<Page<Household>>> {
    // The list is masked and summary-level: viewers may read it ("statistics and lists in scope").
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&[
        "region",
        "status",
        "main_cause",
        "attribute",
        "q",
        "page",
        "per_page",
        "after",
        "sort",
    ])?;
    let status = params
        .text("status", 20)?
        .map(|s| {
            HouseholdStatus::parse(&s).ok_or_else(|| {
                let known: Vec<_> = HouseholdStatus::ALL.iter().map(|s| s.as_str()).collect();
                ApiError::bad_request(
                    "invalid_parameter",
                    format!("查询参数 status 须为以下之一：{}", known.join("、")),
                )
                .with_field("status")
            })
        })
        .transpose()?;
    let filter = HouseholdFilter {
        // Checked here for the strict 12-digit form; the store checks it again with the rest.
        region: params.region("region")?.map(|c| c.to_string()),
        status,
        main_cause: params.text("main_cause", 20)?,
        attribute: params.text("attribute", 20)?,
        q: params.text("q", Q_MAX)?,
        page: params.int("page")?,
        per_page: params.int("per_page")?,
        after: params.text("after", 80)?,
        sort: params.text("sort", 20)?,
    };
    let page = app
        .store
        .list_households(&ctx, filter)
        .await
        .map_err(ApiError::from_query)?;
    Ok(Json(page))
}

/// 201 with the household as stored and its address in `Location`.
#[utoipa::path(
    post,
    path = "/api/v1/households",
    tag = "registry",
    operation_id = "createHousehold",
    summary = "建档立卡 · Register a household",
    request_body(content = NewHousehold, description = "`{household, members}`：户信息与家庭成员（身份证号按 GB 11643 校验；户编码为所属村的 12 位区划代码加 4 位序号，共 16 位）。有多处错误时一并列在 `errors` 中。 `{household, members}`: the household and its members (ID numbers checked per GB 11643; the household number is the village's 12-digit code and a 4-digit serial, 16 digits). When several fields are wrong, `errors` lists them all."),
    responses((status = 201, description = "登记后的户，地址见 Location。 The household as stored; its address in Location.", body = HouseholdDetail))
)]
async fn create(
    caller: Caller,
    State(app): State<AppState>,
    Json(new): Json<NewHousehold>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let detail = app.store.create_household(&ctx, new).await?;
    let location = format!("/api/v1/households/{}", detail.household.id);
    let mut res = (StatusCode::CREATED, Json(detail)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Longest reason for unmasking; a sentence, not an essay (it is stored in the audit log).
pub(crate) const REASON_MAX: usize = 200;

/// The reason given for seeing personal data in full: 1 to [`REASON_MAX`] characters, trimmed.
pub(crate) fn unmask_reason(reason: Option<&str>) -> ApiResult<&str> {
    let reason = reason.map(str::trim).unwrap_or("");
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason_required",
            format!("查看完整个人信息须填写理由（1 到 {REASON_MAX} 个字）"),
        )
        .with_field("reason"));
    }
    Ok(reason)
}

/// The household in full; personal data masked unless `?unmask=true&reason=…` (see [`unmasked`]).
#[utoipa::path(
    get,
    path = "/api/v1/households/{id}",
    tag = "registry",
    operation_id = "getHousehold",
    summary = "户详情 · A household",
    params(("unmask" = Option<bool>, Query, description = "为 true 时显示完整个人信息（须有 view_pii 权限并说明理由，记入审计）。 true shows personal data in full (needs the view_pii right and a reason; audited)."), ("reason" = Option<String>, Query, description = "查看完整信息的理由（1–200 字）。 Why the data is needed in full.")),
    responses((status = 200, description = "户、成员、收入与状态历史。 The household, members, incomes and status history.", body = HouseholdDetail))
)]
async fn one(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    params: Params,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["unmask", "reason"])?;
    let id = HouseholdId(p.id);
    if !params.flag("unmask")? {
        return Ok(Json(app.store.household(&ctx, id).await?).into_response());
    }
    let detail = unmasked(&caller, &app, ctx, id, params.get("reason")).await?;
    // Full ID numbers and bank accounts must not linger in browser or proxy caches.
    let mut res = Json(detail).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Read a household unmasked: the caller must be able to read it (`ReadRegistry`, else 404) and
/// hold the `view_pii` right over its village (`Unmask`, else 403), and give a reason, which is
/// audited before anything is shown. If the audit record cannot be written, nothing is shown.
pub(crate) async fn unmasked(
    caller: &Caller,
    app: &AppState,
    ctx: Ctx,
    id: HouseholdId,
    reason: Option<&str>,
) -> ApiResult<HouseholdDetail> {
    let pii_regions = caller
        .principal
        .regions_for(Policy::Unmask)
        .ok_or_else(no_unmask_right)?;
    let reason = unmask_reason(reason)?;
    let village = app.store.household(&ctx, id).await?.household.village_code;
    if !pii_regions.iter().any(|r| r.contains(&village)) {
        return Err(no_unmask_right());
    }
    let rec = AuditRecord::event(
        "unmask",
        "household",
        Some(id.0.to_string()),
        json!({ "reason": reason }),
    )
    .in_region(&village);
    app.store.record_event(&ctx, rec).await?;
    let detail = app
        .store
        .household(
            &Ctx {
                unmask: true,
                ..ctx
            },
            id,
        )
        .await?;
    if detail.household.village_code != village {
        // Moved to another village between the check and the read: check again rather than show it.
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "concurrent_change",
            "该户的所属村刚被修改，请重试",
        ));
    }
    Ok(detail)
}

/// The refusal of an unmasked read, with the code the exports give for the same missing right.
fn no_unmask_right() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "no_unmask_right",
        "您没有查看该户完整个人信息的权限",
    )
}

/// By 户编码. The number is opaque text to the URL; the store looks it up exactly.
#[utoipa::path(
    get,
    path = "/api/v1/households/by-number/{number}",
    tag = "registry",
    operation_id = "householdByNumber",
    summary = "按户编码查户 · A household by number",
    responses((status = 200, description = "户详情（脱敏）。 The household (masked).", body = HouseholdDetail))
)]
async fn by_number(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<NumberPath>,
) -> ApiResult<Json<HouseholdDetail>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(
        app.store.household_by_number(&ctx, p.number.trim()).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/api/v1/households/{id}",
    tag = "registry",
    operation_id = "updateHousehold",
    summary = "修改户信息 · Update a household",
    request_body(content = HouseholdInput, description = "户信息。改户编码须带 `confirm_renumber: true`（否则 renumber_unconfirmed），新户编码须为所属村的 12 位区划代码加 4 位序号（invalid_household_number），改号另记一条审计 household.renumber；未改的旧编号照旧保留。 The household fields. Changing the number needs `confirm_renumber: true` (else renumber_unconfirmed); a new number must be the village's 12-digit code and a 4-digit serial (invalid_household_number); a renumbering is audited as household.renumber of its own. An unchanged number stored before the rule is kept."),
    responses((status = 200, description = "修改后的户。 The household as stored.", body = HouseholdDetail))
)]
async fn update(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(input): Json<HouseholdInput>,
) -> ApiResult<Json<HouseholdDetail>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store
            .update_household(&ctx, HouseholdId(p.id), input)
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/households/{id}/status",
    tag = "registry",
    operation_id = "changeHouseholdStatus",
    summary = "变更户状态 · Change a household's status",
    request_body(content = StatusChangeInput, description = "`{to, date, reason, exit_year?}`。 The new status and its date."),
    responses((status = 200, description = "变更后的户。 The household as stored.", body = HouseholdDetail))
)]
async fn change_status(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(change): Json<StatusChangeInput>,
) -> ApiResult<Json<HouseholdDetail>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store
            .change_status(&ctx, HouseholdId(p.id), change)
            .await?,
    ))
}

/// 201 with the new member.
#[utoipa::path(
    post,
    path = "/api/v1/households/{id}/members",
    tag = "registry",
    operation_id = "addMember",
    summary = "新增家庭成员 · Add a member",
    request_body(content = MemberInput, description = "成员信息。 The member."),
    responses((status = 201, description = "新成员。 The new member.", body = Member))
)]
async fn add_member(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(member): Json<MemberInput>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let m = app
        .store
        .add_member(&ctx, HouseholdId(p.id), member)
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}

#[utoipa::path(
    put,
    path = "/api/v1/members/{id}",
    tag = "registry",
    operation_id = "updateMember",
    summary = "修改家庭成员 · Update a member",
    request_body(content = MemberInput, description = "成员信息。 The member."),
    responses((status = 200, description = "修改后的成员。 The member as stored.", body = Member))
)]
async fn update_member(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(member): Json<MemberInput>,
) -> ApiResult<Json<Member>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store
            .update_member(&ctx, PersonId(p.id), member)
            .await?,
    ))
}

/// A member leaving (death, marriage out …); the member stays on record, inactive.
#[utoipa::path(
    post,
    path = "/api/v1/members/{id}/changes",
    tag = "registry",
    operation_id = "recordMemberChange",
    summary = "成员变动（死亡、迁出等） · A member leaves",
    request_body(content = MemberChangeInput, description = "`{kind, date, reason?, new_head_person_id?}`。 The change."),
    responses((status = 200, description = "成员（已不在户）。 The member, now inactive.", body = Member))
)]
async fn record_member_change(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(change): Json<MemberChangeInput>,
) -> ApiResult<Json<Member>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store
            .record_member_change(&ctx, PersonId(p.id), change)
            .await?,
    ))
}

/// Replace a household's income for a year.
#[utoipa::path(
    put,
    path = "/api/v1/households/{id}/incomes/{year}",
    tag = "registry",
    operation_id = "putIncome",
    summary = "写入年度收入 · Write a year's income",
    request_body(content = IncomeInput, description = "各项收入与支出（分）。 Income and expense items, in fen."),
    responses((status = 200, description = "收入记录及人均纯收入。 The record with per-capita net income.", body = IncomeRecord))
)]
async fn put_income(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdYearPath>,
    Json(income): Json<IncomeInput>,
) -> ApiResult<Json<IncomeRecord>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store
            .put_income(&ctx, HouseholdId(p.id), p.year, income)
            .await?,
    ))
}

#[cfg(test)]
mod tests {
    use crate::test_support::{body_json, get, send, test_db, TestDb};
    use axum::body::Body;
    use axum::http::{header, Request};

    async fn call(db: &TestDb, uri: &str) -> (u16, serde_json::Value) {
        let res = get(db.router(), uri).await;
        (res.status().as_u16(), body_json(res).await)
    }

    #[tokio::test]
    async fn list_filters_are_checked_as_bad_requests() {
        let cases = [
            ("?per_page=501", "out_of_range", "per_page"),
            ("?page=0", "out_of_range", "page"),
            ("?page=-1", "invalid_parameter", "page"),
            ("?status=gone", "invalid_parameter", "status"),
            ("?main_cause=%E6%87%92", "unknown_code", "main_cause"),
            ("?region=36012410620", "invalid_region_code", "region"),
            ("?sort=name", "invalid_sort", "sort"),
            ("?order=name", "unknown_parameter", "order"),
        ];
        let db = test_db().await;
        for (q, code, field) in cases {
            let (s, v) = call(&db, &format!("/api/v1/households{q}")).await;
            assert_eq!(
                (s, v["code"].as_str(), v["field"].as_str()),
                (400, Some(code), Some(field)),
                "{q}: {v}"
            );
        }
        let (s, v) = call(&db, "/api/v1/households?status=%E5%B7%B2%E8%84%B1%E8%B4%AB&region=360124000000&page=2&per_page=10").await;
        assert_eq!(
            (s, &v["total"]),
            (200, &serde_json::json!(0)),
            "a valid filter reaches the store: {v}"
        );
    }

    #[tokio::test]
    async fn ids_must_be_integers() {
        let db = test_db().await;
        let (s, v) = call(&db, "/api/v1/households/abc").await;
        assert_eq!(
            (s, v["code"].as_str(), v["field"].as_str()),
            (400, Some("invalid_path"), Some("id"))
        );
        let req = Request::put("/api/v1/households/1/incomes/last")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let res = send(db.router(), req).await;
        let v = body_json(res).await;
        assert_eq!(
            (v["code"].as_str(), v["field"].as_str()),
            (Some("invalid_path"), Some("year"))
        );
    }

    #[tokio::test]
    async fn income_body_types_are_checked_before_the_store() {
        let req = |body: &str| {
            Request::put("/api/v1/households/1/incomes/2018")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let ok = r#"{"wage_fen":1,"business_fen":0,"property_fen":0,"transfer_fen":0,"business_cost_fen":0}"#;
        let db = test_db().await;
        let res = send(db.router(), req(ok)).await;
        assert_eq!(
            (res.status().as_u16(), body_json(res).await["code"].clone()),
            (404, serde_json::json!("household_not_found")),
            "reaches the store, which has no household 1"
        );
        let bad = ok.replace(r#""wage_fen":1"#, r#""wage_fen":1e20"#);
        let res = send(db.router(), req(&bad)).await;
        let v = body_json(res).await;
        assert_eq!(
            (v["code"].as_str(), v["field"].as_str()),
            (Some("invalid_body"), Some("wage_fen"))
        );
    }
}
