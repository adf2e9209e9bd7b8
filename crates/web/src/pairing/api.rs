//! Pairing and visits over HTTP: helping units, designations, cadres, work teams, pairings with
//! history, visits with photos, micro-wishes, and the pairing report of a region.

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::{Json, RawBody};
use crate::params::{IdPath, Params, Path, RegionPath};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::Policy;
use fupin_core::paging::Listing;
use fupin_core::pairing::*;
use fupin_core::registry::HouseholdId;
use fupin_core::years::parse_date;
use time::Date;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/units", list_units)
        .post("/api/v1/units", create_unit)
        .post("/api/v1/units/{id}/designations", add_designation)
        .get("/api/v1/regions/{code}/designations", designations)
        .get("/api/v1/cadres", list_cadres)
        .post("/api/v1/cadres", create_cadre)
        .put("/api/v1/cadres/{id}", update_cadre)
        .get("/api/v1/cadres/{id}/pairings", cadre_pairings)
        .post("/api/v1/team-members", add_team_member)
        .get("/api/v1/regions/{code}/team", team)
        .post("/api/v1/pairings", create_pairing)
        .post("/api/v1/pairings/{id}/end", end_pairing)
        .get("/api/v1/households/{id}/pairings", household_pairings)
        .post("/api/v1/visits", record_visit)
        .get("/api/v1/visits/{id}", visit)
        .get("/api/v1/households/{id}/visits", household_visits)
        .post("/api/v1/visits/{id}/photos", add_visit_photo)
        .get("/api/v1/photos/{id}", photo)
        .post("/api/v1/wishes", create_wish)
        .post("/api/v1/wishes/{id}/actions", wish_action)
        .post("/api/v1/wishes/{id}/evidence", add_wish_evidence)
        .get("/api/v1/households/{id}/wishes", household_wishes)
        .get("/api/v1/regions/{code}/pairing-report", pairing_report)
        .get(
            "/api/v1/regions/{code}/pairing-report/households-without-cadre",
            households_without_cadre,
        )
        .get(
            "/api/v1/regions/{code}/pairing-report/pairings-below-minimum",
            pairings_below_minimum,
        )
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_units,
    create_unit,
    add_designation,
    designations,
    list_cadres,
    create_cadre,
    update_cadre,
    cadre_pairings,
    add_team_member,
    team,
    create_pairing,
    end_pairing,
    household_pairings,
    record_visit,
    visit,
    household_visits,
    add_visit_photo,
    photo,
    create_wish,
    wish_action,
    add_wish_evidence,
    household_wishes,
    pairing_report,
    households_without_cadre,
    pairings_below_minimum
))]
pub(crate) struct Doc;

/// A date query parameter (`YYYY-MM-DD`), 400 when malformed.
pub(crate) fn date_param(params: &Params, name: &str) -> ApiResult<Option<Date>> {
    params
        .text(name, 10)?
        .map(|t| parse_date(name, &t).map_err(ApiError::from_query))
        .transpose()
}

fn created<T: serde::Serialize>(v: T) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

#[utoipa::path(
    get,
    path = "/api/v1/units",
    tag = "pairing",
    operation_id = "listUnits",
    summary = "帮扶单位 · Helping units",
    params(("after" = Option<String>, Query, description = "上一页的 next：其后的一页。 The previous page's `next`: the page after it."), ("per_page" = Option<u32>, Query, description = "每页条数（1–500，默认 50）。 Items per page (1–500, default 50).")),
    responses((status = 200, description = "`{items, next}`：帮扶单位（按编号），下一页的 after。 `{items, next}`: the units in id order, and the next page's `after`.", body = Listing<HelpingUnit>))
)]
async fn list_units(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<Listing<HelpingUnit>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["after", "per_page"])?;
    let page = params.keyset()?;
    Ok(Json(
        app.store
            .list_units(&ctx, &page)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/units",
    tag = "pairing",
    operation_id = "createUnit",
    summary = "新建帮扶单位 · Create a helping unit",
    request_body(content = HelpingUnitInput, description = "单位信息。 The unit."),
    responses((status = 201, description = "新单位。 The new unit.", body = HelpingUnit))
)]
async fn create_unit(
    caller: Caller,
    State(app): State<AppState>,
    Json(u): Json<HelpingUnitInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(created(app.store.create_unit(&ctx, u).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/units/{id}/designations",
    tag = "pairing",
    operation_id = "addDesignation",
    summary = "指定定点帮扶村 · Designate a village to a unit",
    request_body(content = DesignationInput, description = "`{village_code, start_date, end_date?}`。 The designation."),
    responses((status = 201, description = "新指定。 The new designation.", body = Designation))
)]
async fn add_designation(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(d): Json<DesignationInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(created(
        app.store.add_designation(&ctx, UnitId(p.id), d).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/designations",
    tag = "pairing",
    operation_id = "regionDesignations",
    summary = "定点帮扶 · Designations of a region",
    responses((status = 200, description = "指定列表。 The designations.", body = [Designation]))
)]
async fn designations(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
) -> ApiResult<Json<Vec<Designation>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.designations(&ctx, &code).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/cadres",
    tag = "pairing",
    operation_id = "listCadres",
    summary = "帮扶干部 · Cadres",
    params(("unit" = Option<i64>, Query, description = "只列此单位的干部。 Only this unit's cadres."), ("after" = Option<String>, Query, description = "上一页的 next：其后的一页。 The previous page's `next`: the page after it."), ("per_page" = Option<u32>, Query, description = "每页条数（1–500，默认 50）。 Items per page (1–500, default 50)."), ("q" = Option<String>, Query, description = "只列姓名以此开头的干部（全名或开头几个字，最长 50 字）；不能与 unit 同用。 Only the cadres whose name starts with this (the whole name or its first characters, up to 50); not with unit.")),
    responses((status = 200, description = "`{items, next}`：干部（按编号），下一页的 after。 `{items, next}`: the cadres in id order, and the next page's `after`.", body = Listing<Cadre>))
)]
async fn list_cadres(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<Listing<Cadre>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["unit", "after", "per_page", "q"])?;
    let unit = params.int::<i64>("unit")?.map(UnitId);
    let page = params.keyset()?;
    let found = match params.text("q", 50)?.filter(|s| !s.is_empty()) {
        Some(_) if unit.is_some() => {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "查询参数 q 与 unit 不能同时使用",
            )
            .with_field("q"))
        }
        Some(name) => app.store.find_cadres(&ctx, &name, &page).await,
        None => app.store.list_cadres(&ctx, unit, &page).await,
    };
    Ok(Json(found.map_err(ApiError::from_query)?))
}

#[utoipa::path(
    post,
    path = "/api/v1/cadres",
    tag = "pairing",
    operation_id = "createCadre",
    summary = "新建帮扶干部 · Create a cadre",
    request_body(content = CadreInput, description = "干部信息。 The cadre."),
    responses((status = 201, description = "新干部。 The new cadre.", body = Cadre))
)]
async fn create_cadre(
    caller: Caller,
    State(app): State<AppState>,
    Json(c): Json<CadreInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(created(app.store.create_cadre(&ctx, c).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/cadres/{id}",
    tag = "pairing",
    operation_id = "updateCadre",
    summary = "修改帮扶干部 · Update a cadre",
    request_body(content = CadreInput, description = "干部信息。 The cadre."),
    responses((status = 200, description = "修改后的干部。 The cadre as stored.", body = Cadre))
)]
async fn update_cadre(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(c): Json<CadreInput>,
) -> ApiResult<Json<Cadre>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(app.store.update_cadre(&ctx, CadreId(p.id), c).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/cadres/{id}/pairings",
    tag = "pairing",
    operation_id = "cadrePairings",
    summary = "干部的结对 · A cadre's pairings",
    params(("after" = Option<String>, Query, description = "上一页的 next：其后的一页。 The previous page's `next`: the page after it."), ("per_page" = Option<u32>, Query, description = "每页条数（1–500，默认 50）。 Items per page (1–500, default 50).")),
    responses((status = 200, description = "`{items, next}`：结对，早的在前（开始日期、编号），下一页的 after。 `{items, next}`: the pairings, oldest first (start date, id), and the next page's `after`.", body = Listing<Pairing>))
)]
async fn cadre_pairings(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    params: Params,
) -> ApiResult<Json<Listing<Pairing>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["after", "per_page"])?;
    let page = params.keyset()?;
    Ok(Json(
        app.store
            .cadre_pairings(&ctx, CadreId(p.id), &page)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/team-members",
    tag = "pairing",
    operation_id = "addTeamMember",
    summary = "加入驻村工作队 · Add a village team member",
    request_body(content = TeamMemberInput, description = "`{cadre_id, village_code, role, start_date, end_date?}`。 The membership."),
    responses((status = 201, description = "新队员记录。 The new membership.", body = TeamMember))
)]
async fn add_team_member(
    caller: Caller,
    State(app): State<AppState>,
    Json(m): Json<TeamMemberInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(created(app.store.add_team_member(&ctx, m).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/team",
    tag = "pairing",
    operation_id = "villageTeam",
    summary = "驻村工作队 · A village's team",
    responses((status = 200, description = "队员列表。 The members.", body = [TeamMember]))
)]
async fn team(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
) -> ApiResult<Json<Vec<TeamMember>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.team_members(&ctx, &code).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/pairings",
    tag = "pairing",
    operation_id = "createPairing",
    summary = "建立结对 · Pair a cadre with a household",
    request_body(content = PairingInput, description = "`{household_id, cadre_id, start_date}`。 The pairing."),
    responses((status = 201, description = "新结对。 The new pairing.", body = Pairing))
)]
async fn create_pairing(
    caller: Caller,
    State(app): State<AppState>,
    Json(p): Json<PairingInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(created(app.store.create_pairing(&ctx, p).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Ended {
    ended: Pairing,
    replacement: Option<Pairing>,
}

#[utoipa::path(
    post,
    path = "/api/v1/pairings/{id}/end",
    tag = "pairing",
    operation_id = "endPairing",
    summary = "结束结对 · End a pairing",
    request_body(content = EndPairingInput, description = "`{end_date, reason, replacement_cadre_id?}`。 When and why."),
    responses((status = 200, description = "已结束的结对。 The ended pairing.", body = Ended))
)]
async fn end_pairing(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(e): Json<EndPairingInput>,
) -> ApiResult<Json<Ended>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let (ended, replacement) = app.store.end_pairing(&ctx, PairingId(p.id), e).await?;
    Ok(Json(Ended { ended, replacement }))
}

/// The household's pairings, oldest first; `?on=DATE` keeps those in force that day ("who was
/// responsible for this household on 2017-03-01?").
#[utoipa::path(
    get,
    path = "/api/v1/households/{id}/pairings",
    tag = "pairing",
    operation_id = "householdPairings",
    summary = "户的结对 · A household's pairings",
    params(("on" = Option<String>, Query, description = "只列此日（YYYY-MM-DD）有效的结对。 Only the pairings in force that day (YYYY-MM-DD)."), ("after" = Option<String>, Query, description = "上一页的 next：其后的一页。 The previous page's `next`: the page after it."), ("per_page" = Option<u32>, Query, description = "每页条数（1–500，默认 50）。 Items per page (1–500, default 50).")),
    responses((status = 200, description = "`{items, next}`：结对，早的在前（开始日期、编号），下一页的 after。 `{items, next}`: the pairings, oldest first (start date, id), and the next page's `after`.", body = Listing<Pairing>))
)]
async fn household_pairings(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    params: Params,
) -> ApiResult<Json<Listing<Pairing>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["on", "after", "per_page"])?;
    let on = date_param(&params, "on")?;
    let page = params.keyset()?;
    let listing = app
        .store
        .household_pairings(&ctx, HouseholdId(p.id), &page)
        .await
        .map_err(ApiError::from_query)?;
    // `on` keeps the page's pairings in force that day; the cursor stays that of the page read
    Ok(Json(listing.map_items(|all| match on {
        Some(d) => all.into_iter().filter(|x| x.active_on(d)).collect(),
        None => all,
    })))
}

#[utoipa::path(
    post,
    path = "/api/v1/visits",
    tag = "pairing",
    operation_id = "recordVisit",
    summary = "记录走访 · Record a visit",
    request_body(content = VisitInput, description = "`{household_id, date, kind, cadre_ids, findings, problems, actions, condolence_money_fen, goods, with_photo, …}`。至少须有一项了解到的情况、发现的问题、帮扶措施、慰问金或慰问品；只有照片时带 `with_photo: true` 再上传照片；空的走访被拒绝（empty_visit），不计入走访次数。 The visit: at least a finding, a problem, an action, money or goods; a visit whose only content is a photo says `with_photo: true` and uploads it after; an empty visit is refused (empty_visit) and never counts."),
    responses((status = 201, description = "新走访。 The new visit.", body = Visit))
)]
async fn record_visit(
    caller: Caller,
    State(app): State<AppState>,
    Json(v): Json<VisitInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteVisits)?;
    Ok(created(app.store.record_visit(&ctx, v).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/visits/{id}",
    tag = "pairing",
    operation_id = "getVisit",
    summary = "走访 · A visit",
    responses((status = 200, description = "走访记录。 The visit.", body = Visit))
)]
async fn visit(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Visit>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.visit(&ctx, VisitId(p.id)).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/households/{id}/visits",
    tag = "pairing",
    operation_id = "householdVisits",
    summary = "户的走访 · A household's visits",
    params(("after" = Option<String>, Query, description = "上一页的 next：其后的一页。 The previous page's `next`: the page after it."), ("per_page" = Option<u32>, Query, description = "每页条数（1–500，默认 50）。 Items per page (1–500, default 50).")),
    responses((status = 200, description = "`{items, next}`：走访，新的在前（日期、编号），下一页的 after。 `{items, next}`: the visits, newest first (date, id), and the next page's `after`.", body = Listing<Visit>))
)]
async fn household_visits(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    params: Params,
) -> ApiResult<Json<Listing<Visit>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["after", "per_page"])?;
    let page = params.keyset()?;
    Ok(Json(
        app.store
            .household_visits(&ctx, HouseholdId(p.id), &page)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

/// The photo is the raw request body (JPEG or PNG, checked by content, not by the declared type),
/// stored decoded and encoded again (`fupin_core::pairing::prepare_photo`).
#[utoipa::path(
    post,
    path = "/api/v1/visits/{id}/photos",
    tag = "pairing",
    operation_id = "addVisitPhoto",
    summary = "上传走访照片 · Upload a visit photo",
    request_body(content(("image/jpeg"), ("image/png")), description = "照片原始字节（JPEG 或 PNG，按内容检查，最多 2,000,000 字节）。照片经解码后重新编码保存：不能解码的文件被拒绝（undecodable_photo），每边超过 10000 像素或总计超过 2500 万像素的被拒绝（photo_too_many_pixels），长边超过 2560 像素的缩小到 2560；EXIF（含 GPS 位置）等元数据不保存，JPEG 的方向先应用到像素上。 The photo's bytes (JPEG or PNG, checked by content, at most 2,000,000 bytes). It is stored decoded and encoded again: a file that does not decode is refused (undecodable_photo), so is one over 10,000 pixels a side or 25 million in all (photo_too_many_pixels); a longer side over 2,560 pixels is scaled down to 2,560; EXIF (with a GPS position) and other metadata are not kept, a JPEG's orientation is applied to the pixels first."),
    responses((status = 201, description = "照片记录。 The photo record.", body = PhotoRef))
)]
async fn add_visit_photo(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteVisits)?;
    Ok(created(
        app.store
            .add_visit_photo(&ctx, VisitId(p.id), body.to_vec())
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/photos/{id}",
    tag = "pairing",
    operation_id = "getPhoto",
    summary = "照片 · A photo",
    responses((status = 200, description = "照片字节（JPEG 或 PNG）。 The photo (JPEG or PNG).", content(("image/jpeg"), ("image/png"))))
)]
async fn photo(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    let (content_type, bytes) = app.store.photo(&ctx, p.id).await?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // photos of households are personal: never cached by a shared proxy
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}

#[utoipa::path(
    post,
    path = "/api/v1/wishes",
    tag = "pairing",
    operation_id = "createWish",
    summary = "登记微心愿 · Record a micro-wish",
    request_body(content = WishInput, description = "心愿信息。 The wish."),
    responses((status = 201, description = "新心愿。 The new wish.", body = Wish))
)]
async fn create_wish(
    caller: Caller,
    State(app): State<AppState>,
    Json(w): Json<WishInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteVisits)?;
    Ok(created(app.store.create_wish(&ctx, w).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/wishes/{id}/actions",
    tag = "pairing",
    operation_id = "wishAction",
    summary = "微心愿流程操作 · A micro-wish step",
    request_body(content = WishAction, description = "`{action, …}`（认领、兑现等）。 The step (claim, fulfil …)."),
    responses((status = 200, description = "心愿当前状态。 The wish as stored.", body = Wish))
)]
async fn wish_action(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(a): Json<WishAction>,
) -> ApiResult<Json<Wish>> {
    let ctx = caller.ctx(Policy::WriteVisits)?;
    Ok(Json(app.store.wish_action(&ctx, WishId(p.id), a).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/wishes/{id}/evidence",
    tag = "pairing",
    operation_id = "addWishEvidence",
    summary = "上传心愿兑现凭证 · Upload a wish's evidence",
    request_body(content(("image/jpeg"), ("image/png")), description = "照片原始字节，按上传走访照片的规则检查并重新编码。 The photo's bytes, checked and encoded again as a visit's photo is."),
    responses((status = 201, description = "照片记录。 The photo record.", body = PhotoRef))
)]
async fn add_wish_evidence(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteVisits)?;
    Ok(created(
        app.store
            .add_wish_evidence(&ctx, WishId(p.id), body.to_vec())
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/households/{id}/wishes",
    tag = "pairing",
    operation_id = "householdWishes",
    summary = "户的微心愿 · A household's wishes",
    params(("after" = Option<String>, Query, description = "上一页的 next：其后的一页。 The previous page's `next`: the page after it."), ("per_page" = Option<u32>, Query, description = "每页条数（1–500，默认 50）。 Items per page (1–500, default 50).")),
    responses((status = 200, description = "`{items, next}`：心愿，早的在前（提交日期、编号），下一页的 after。 `{items, next}`: the wishes, oldest first (submitted on, id), and the next page's `after`.", body = Listing<Wish>))
)]
async fn household_wishes(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    params: Params,
) -> ApiResult<Json<Listing<Wish>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["after", "per_page"])?;
    let page = params.keyset()?;
    Ok(Json(
        app.store
            .household_wishes(&ctx, HouseholdId(p.id), &page)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

/// The period of a pairing report: `year=Y`, or `from=DATE&to=DATE`.
fn report_period(params: &Params) -> ApiResult<(Date, Date)> {
    if let Some(y) = params.int::<i32>("year")? {
        if params.get("from").is_some() || params.get("to").is_some() {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "year 与 from、to 不能同时给出".to_string(),
            )
            .with_field("year".to_string()));
        }
        let bad = || {
            ApiError::bad_request("invalid_year", format!("年度（year）须为四位年份：{y}"))
                .with_field("year".to_string())
        };
        let from = Date::from_calendar_date(y, time::Month::January, 1).map_err(|_| bad())?;
        let to = Date::from_calendar_date(y, time::Month::December, 31).map_err(|_| bad())?;
        if !(1000..=9999).contains(&y) {
            return Err(bad());
        }
        return Ok((from, to));
    }
    let need = |name: &str, v: Option<Date>| {
        v.ok_or_else(|| {
            ApiError::bad_request(
                "missing_parameter",
                format!("缺少查询参数 {name}（YYYY-MM-DD）或 year"),
            )
            .with_field(name.to_string())
        })
    };
    let from = need("from", date_param(params, "from")?)?;
    let to = need("to", date_param(params, "to")?)?;
    Ok((from, to))
}

/// Rows per page of the report's lists: `per_page`, 50 unless given, at most 1000.
fn per_page(params: &Params) -> ApiResult<u32> {
    match params.int::<u32>("per_page")? {
        None => Ok(50),
        Some(n) if (1..=1000).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::bad_request(
            "invalid_parameter",
            format!("per_page 须在 1 到 1000 之间：{n}"),
        )
        .with_field("per_page".to_string())),
    }
}

/// A list cursor `VILLAGE-ID` (the last line of the previous page), 400 when malformed.
fn cursor(params: &Params) -> ApiResult<Option<(fupin_core::RegionCode, i64)>> {
    let Some(t) = params.text("after", 40)? else {
        return Ok(None);
    };
    let bad = || {
        ApiError::from_query(fupin_core::DomainError::invalid(
            "after",
            "invalid_cursor",
            format!("after 须为上一页给出的 next 值：{t}"),
        ))
    };
    let (v, id) = t.split_once('-').ok_or_else(bad)?;
    let v = fupin_core::RegionCode::parse(v).map_err(|_| bad())?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    Ok(Some((v, id)))
}

/// A page of a list and the cursor of the next page (`null` on the last page).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = CursorPage)]
pub(crate) struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
}

fn page<T>(items: Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Page<T> {
    let next = (items.len() == limit as usize)
        .then(|| items.last().map(key))
        .flatten();
    Page { items, next }
}

/// `?year=Y`, or `?from=DATE&to=DATE`: a calendar year at any level from the maintained figures,
/// another period for a township or village.
#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/pairing-report",
    tag = "pairing",
    operation_id = "pairingReport",
    summary = "结对帮扶报告 · Pairing report",
    description = "自然年（year=YYYY，或 from=YYYY-01-01&to=YYYY-12-31）的合计与达标数来自随写入维护的汇总，任何层级均可；其他期间仅限乡镇、村。名单分页另取。 \
                   A calendar year (year=YYYY, or from=YYYY-01-01&to=YYYY-12-31) is answered from the maintained figures at any level; \
                   another period for a township or village only. The lists are paginated apart.",
    params(
        ("year" = Option<i32>, Query, description = "自然年。 A calendar year."),
        ("from" = Option<String>, Query, description = "起始日（YYYY-MM-DD）。 First day (YYYY-MM-DD)."),
        ("to" = Option<String>, Query, description = "截止日（YYYY-MM-DD）。 Last day (YYYY-MM-DD).")
    ),
    responses((status = 200, description = "合计（自然年另有帮扶单位数 units_total）、结对户数、走访达标数与无帮扶干部户数。 Totals (with the helping units for a calendar year), paired households, compliance counts, households without a cadre.", body = PairingReport))
)]
async fn pairing_report(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<PairingReport>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["from", "to", "year"])?;
    let (from, to) = report_period(&params)?;
    let mut report = app
        .store
        .pairing_report(&ctx, &code, from, to)
        .await
        .map_err(ApiError::from_query)?;
    if report.source == "maintained" {
        report.units_total = Some(
            app.store
                .pairing_units(&ctx, &code, from.year())
                .await
                .map_err(ApiError::from_query)?,
        );
    }
    Ok(Json(report))
}

/// `?after=CURSOR&per_page=N`
#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/pairing-report/households-without-cadre",
    tag = "pairing",
    operation_id = "householdsWithoutCadre",
    summary = "无帮扶干部的户（分页） · Households without a cadre (paginated)",
    description = "状态需要帮扶干部而当前没有未结束结对的户，按（村, 户）排序；next 为下一页的 after。 \
                   Households whose status needs a cadre and that have no open pairing, in (village, household) order; `next` is the next page's `after`.",
    params(
        ("after" = Option<String>, Query, description = "上一页的 next。 The previous page's `next`."),
        ("per_page" = Option<u32>, Query, description = "每页行数（默认 50，最多 1000）。 Rows per page (50, at most 1000)."),
        ("sort" = Option<String>, Query, description = "排序：village（按村，默认）或 -village（倒序）。 The order: village (the default) or -village (backwards).")
    ),
    responses((status = 200, description = "`{items, next}`", body = Page<HouseholdRef>))
)]
async fn households_without_cadre(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<Page<HouseholdRef>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["after", "per_page", "sort"])?;
    let limit = per_page(&params)?;
    let descending = params.sort("village")?;
    let after = cursor(&params)?.map(|(v, id)| (v, HouseholdId(id)));
    let items = app
        .store
        .households_without_cadre(&ctx, &code, after, descending, limit)
        .await
        .map_err(ApiError::from_query)?;
    Ok(Json(page(items, limit, |h| {
        format!("{}-{}", h.village_code, h.household_id.0)
    })))
}

/// `?year=Y` (or `from`/`to` spanning one calendar year) `&after=CURSOR&per_page=N`
#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/pairing-report/pairings-below-minimum",
    tag = "pairing",
    operation_id = "pairingsBelowMinimum",
    summary = "走访未达标的结对（分页） · Pairings below the visit minimum (paginated)",
    description = "自然年内走访次数少于应走访次数的结对，按（村, 结对）排序；next 为下一页的 after。 \
                   Pairings that made fewer visits than they owed in a calendar year, in (village, pairing) order; `next` is the next page's `after`.",
    params(
        ("year" = Option<i32>, Query, description = "自然年。 A calendar year."),
        ("from" = Option<String>, Query, description = "YYYY-01-01（与 to 同一年）。 1 January of the year."),
        ("to" = Option<String>, Query, description = "YYYY-12-31。 31 December of the year."),
        ("after" = Option<String>, Query, description = "上一页的 next。 The previous page's `next`."),
        ("per_page" = Option<u32>, Query, description = "每页行数（默认 50，最多 1000）。 Rows per page (50, at most 1000)."),
        ("sort" = Option<String>, Query, description = "排序：village（按村，默认）或 -village（倒序）。 The order: village (the default) or -village (backwards).")
    ),
    responses((status = 200, description = "`{items, next}`", body = Page<BelowMinimumLine>))
)]
async fn pairings_below_minimum(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<Page<BelowMinimumLine>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["year", "from", "to", "after", "per_page", "sort"])?;
    let (from, to) = report_period(&params)?;
    if from.month() != time::Month::January
        || from.day() != 1
        || to != Date::from_calendar_date(from.year(), time::Month::December, 31).unwrap_or(to)
        || to.year() != from.year()
    {
        return Err(ApiError::from_query(fupin_core::DomainError::invalid(
            "from",
            "period_not_calendar_year",
            "走访未达标名单按自然年列出：year=YYYY，或 from=YYYY-01-01&to=YYYY-12-31",
        )));
    }
    let limit = per_page(&params)?;
    let descending = params.sort("village")?;
    let after = cursor(&params)?.map(|(v, id)| (v, PairingId(id)));
    let items = app
        .store
        .pairings_below_minimum(&ctx, &code, from.year(), after, descending, limit)
        .await
        .map_err(ApiError::from_query)?;
    Ok(Json(page(items, limit, |l| {
        format!("{}-{}", l.village_code, l.year.pairing_id.0)
    })))
}
