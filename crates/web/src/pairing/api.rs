//! Pairing and visits over HTTP: helping units, designations, cadres, work teams, pairings with
//! history, visits with photos, micro-wishes, and the pairing report of a region.

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{IdPath, Params, Path, RegionPath};
use crate::routes::Routes;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::Policy;
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
}

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

async fn list_units(
    caller: Caller,
    State(app): State<AppState>,
) -> ApiResult<Json<Vec<HelpingUnit>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.list_units(&ctx).await?))
}

async fn create_unit(
    caller: Caller,
    State(app): State<AppState>,
    Json(u): Json<HelpingUnitInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(created(app.store.create_unit(&ctx, u).await?))
}

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

async fn designations(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
) -> ApiResult<Json<Vec<Designation>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.designations(&ctx, &code).await?))
}

async fn list_cadres(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<Vec<Cadre>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["unit"])?;
    let unit = params.int::<i64>("unit")?.map(UnitId);
    Ok(Json(
        app.store
            .list_cadres(&ctx, unit)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

async fn create_cadre(
    caller: Caller,
    State(app): State<AppState>,
    Json(c): Json<CadreInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(created(app.store.create_cadre(&ctx, c).await?))
}

async fn update_cadre(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(c): Json<CadreInput>,
) -> ApiResult<Json<Cadre>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(app.store.update_cadre(&ctx, CadreId(p.id), c).await?))
}

async fn cadre_pairings(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<Pairing>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.cadre_pairings(&ctx, CadreId(p.id)).await?))
}

async fn add_team_member(
    caller: Caller,
    State(app): State<AppState>,
    Json(m): Json<TeamMemberInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(created(app.store.add_team_member(&ctx, m).await?))
}

async fn team(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
) -> ApiResult<Json<Vec<TeamMember>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.team_members(&ctx, &code).await?))
}

async fn create_pairing(
    caller: Caller,
    State(app): State<AppState>,
    Json(p): Json<PairingInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(created(app.store.create_pairing(&ctx, p).await?))
}

#[derive(serde::Serialize)]
struct Ended {
    ended: Pairing,
    replacement: Option<Pairing>,
}

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
async fn household_pairings(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    params: Params,
) -> ApiResult<Json<Vec<Pairing>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["on"])?;
    let on = date_param(&params, "on")?;
    let all = app
        .store
        .household_pairings(&ctx, HouseholdId(p.id))
        .await?;
    Ok(Json(match on {
        Some(d) => all.into_iter().filter(|x| x.active_on(d)).collect(),
        None => all,
    }))
}

async fn record_visit(
    caller: Caller,
    State(app): State<AppState>,
    Json(v): Json<VisitInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteVisits)?;
    Ok(created(app.store.record_visit(&ctx, v).await?))
}

async fn visit(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Visit>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.visit(&ctx, VisitId(p.id)).await?))
}

async fn household_visits(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<Visit>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(
        app.store.household_visits(&ctx, HouseholdId(p.id)).await?,
    ))
}

/// The photo is the raw request body (JPEG or PNG, checked by content, not by the declared type).
async fn add_visit_photo(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    body: Bytes,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteVisits)?;
    Ok(created(
        app.store
            .add_visit_photo(&ctx, VisitId(p.id), body.to_vec())
            .await?,
    ))
}

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

async fn create_wish(
    caller: Caller,
    State(app): State<AppState>,
    Json(w): Json<WishInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteVisits)?;
    Ok(created(app.store.create_wish(&ctx, w).await?))
}

async fn wish_action(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(a): Json<WishAction>,
) -> ApiResult<Json<Wish>> {
    let ctx = caller.ctx(Policy::WriteVisits)?;
    Ok(Json(app.store.wish_action(&ctx, WishId(p.id), a).await?))
}

async fn add_wish_evidence(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    body: Bytes,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteVisits)?;
    Ok(created(
        app.store
            .add_wish_evidence(&ctx, WishId(p.id), body.to_vec())
            .await?,
    ))
}

async fn household_wishes(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<Wish>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(
        app.store.household_wishes(&ctx, HouseholdId(p.id)).await?,
    ))
}

/// `?from=DATE&to=DATE` (both required).
async fn pairing_report(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<PairingReport>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["from", "to"])?;
    let need = |name: &str, v: Option<Date>| {
        v.ok_or_else(|| {
            ApiError::bad_request(
                "missing_parameter",
                format!("缺少查询参数 {name}（YYYY-MM-DD）"),
            )
            .with_field(name.to_string())
        })
    };
    let from = need("from", date_param(&params, "from")?)?;
    let to = need("to", date_param(&params, "to")?)?;
    Ok(Json(
        app.store
            .pairing_report(&ctx, &code, from, to)
            .await
            .map_err(ApiError::from_query)?,
    ))
}
