//! Workshops and posts (with their hires) and service events over HTTP: record, change, read one
//! with its history, and list a region's.

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{IdPath, Params, Path, RegionPath};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::Policy;
use fupin_core::measures::*;
use fupin_core::store::{EventFilter, ServiceVersion, WorkplaceFilter};

pub(crate) fn routes(r: Routes) -> Routes {
    r.post("/api/v1/workplaces", create_workplace)
        .get("/api/v1/workplaces/{id}", workplace)
        .put("/api/v1/workplaces/{id}", update_workplace)
        .get("/api/v1/workplaces/{id}/history", workplace_history)
        .post("/api/v1/workplaces/{id}/hires", create_hire)
        .put("/api/v1/workplace-hires/{id}", update_hire)
        .get("/api/v1/regions/{code}/workplaces", region_workplaces)
        .post("/api/v1/events", create_event)
        .get("/api/v1/events/{id}", event)
        .put("/api/v1/events/{id}", update_event)
        .get("/api/v1/events/{id}/history", event_history)
        .get("/api/v1/regions/{code}/events", region_events)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_workplace,
    workplace,
    update_workplace,
    workplace_history,
    create_hire,
    update_hire,
    region_workplaces,
    create_event,
    event,
    update_event,
    event_history,
    region_events
))]
pub(crate) struct Doc;

#[utoipa::path(
    post,
    path = "/api/v1/workplaces",
    tag = "measures",
    operation_id = "createWorkplace",
    summary = "登记扶贫车间或扶贫专岗 · Register a poverty workshop or post",
    request_body(content = WorkplaceInput, description = "`{kind: workshop|post, name, region_code（村）, work_type（护林/护路/保洁…）, capacity, operator?, opened, closed?, note?}`。 The workplace."),
    responses((status = 201, description = "新登记的车间或岗位（是否在贫困村由所在村的认定得出）。 The workplace (whether in a poor village follows the village's designation).", body = Workplace))
)]
async fn create_workplace(
    caller: Caller,
    State(app): State<AppState>,
    Json(w): Json<WorkplaceInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.create_workplace(&ctx, w).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/workplaces/{id}",
    tag = "measures",
    operation_id = "getWorkplace",
    summary = "扶贫车间或岗位及其聘用人员 · A workplace with its hires",
    responses((status = 200, description = "车间或岗位，及您辖区内户的聘用人员（新的在前）。 The workplace and the hires of households in your regions, newest first.", body = WorkplaceDetail))
)]
async fn workplace(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<WorkplaceDetail>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.workplace(&ctx, WorkplaceId(p.id)).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/workplaces/{id}",
    tag = "measures",
    operation_id = "updateWorkplace",
    summary = "修改扶贫车间或岗位 · Update a workplace",
    request_body(content = WorkplaceInput, description = "同登记（类别和所在村不能更改）。 As when registered (kind and village stay)."),
    responses((status = 200, description = "修改后的车间或岗位。 The workplace as stored.", body = Workplace))
)]
async fn update_workplace(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(w): Json<WorkplaceInput>,
) -> ApiResult<Json<Workplace>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store
            .update_workplace(&ctx, WorkplaceId(p.id), w)
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/workplaces/{id}/history",
    tag = "measures",
    operation_id = "workplaceHistory",
    summary = "扶贫车间或岗位的历史 · A workplace's history",
    responses((status = 200, description = "车间或岗位及其聘用记录的各版本，早的在前。 The versions of the workplace and its hires, oldest first.", body = [ServiceVersion]))
)]
async fn workplace_history(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<ServiceVersion>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(
        app.store.workplace_history(&ctx, WorkplaceId(p.id)).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/workplaces/{id}/hires",
    tag = "measures",
    operation_id = "createHire",
    summary = "聘用建档立卡劳动力 · Hire a registered labourer",
    request_body(content = HireInput, description = "`{person_id, hire_date, leave_date?, monthly_wage_fen?}`。 The hire (wage in fen)."),
    responses((status = 201, description = "聘用记录。 The hire.", body = Hire))
)]
async fn create_hire(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(h): Json<HireInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.create_hire(&ctx, WorkplaceId(p.id), h).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    put,
    path = "/api/v1/workplace-hires/{id}",
    tag = "measures",
    operation_id = "updateHire",
    summary = "修改聘用记录（如离岗日期） · Update a hire (e.g. the day the labourer left)",
    request_body(content = HireInput, description = "同聘用（人员不能更改）。 As when hired (the labourer stays)."),
    responses((status = 200, description = "修改后的聘用记录。 The hire as stored.", body = Hire))
)]
async fn update_hire(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(h): Json<HireInput>,
) -> ApiResult<Json<Hire>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(app.store.update_hire(&ctx, HireId(p.id), h).await?))
}

fn page(params: &Params) -> ApiResult<(Option<i64>, u32)> {
    let after = params.int::<i64>("after")?;
    let limit = params.int::<u32>("limit")?.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            "查询参数 limit 须在 1 到 1000 之间",
        )
        .with_field("limit"));
    }
    Ok((after, limit))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/workplaces",
    tag = "measures",
    operation_id = "regionWorkplaces",
    summary = "区划内的扶贫车间和岗位 · A region's workshops and posts",
    params(
        ("kind" = Option<String>, Query, description = "workshop 或 post。 workshop or post."),
        ("after" = Option<i64>, Query, description = "上一页最后一条的编号。 The last id of the previous page."),
        ("limit" = Option<u32>, Query, description = "每页条数（1–1000，默认100）。 Page size (1–1000, default 100).")
    ),
    responses((status = 200, description = "按编号排列的一页。 One page, in id order.", body = [Workplace]))
)]
async fn region_workplaces(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<Vec<Workplace>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["kind", "after", "limit"])?;
    let kind = params.choice("kind", WorkplaceKind::parse, "workshop / post")?;
    let (after, limit) = page(&params)?;
    let filter = WorkplaceFilter {
        kind,
        after: after.map(WorkplaceId),
        limit,
    };
    Ok(Json(
        app.store
            .workplaces(&ctx, &code, &filter)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "measures",
    operation_id = "createEvent",
    summary = "登记服务活动（招聘会、培训班、义诊、宣传发放） · Record a service event",
    request_body(content = EventInput, description = "`{kind, title, region_code, place, date, served_total, organiser?, medicine_fen?, leaflets?, placed_others?, person_ids?, note?}`：服务人次含关联的建档立卡人员。 The event; person-times include the registered persons linked."),
    responses((status = 201, description = "活动及关联人员。 The event with its persons.", body = EventDetail))
)]
async fn create_event(
    caller: Caller,
    State(app): State<AppState>,
    Json(e): Json<EventInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.create_event(&ctx, e).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/events/{id}",
    tag = "measures",
    operation_id = "getEvent",
    summary = "服务活动 · A service event",
    responses((status = 200, description = "活动，及您辖区内户的关联人员。 The event and the linked persons of households in your regions.", body = EventDetail))
)]
async fn event(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<EventDetail>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.event(&ctx, EventId(p.id)).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/events/{id}",
    tag = "measures",
    operation_id = "updateEvent",
    summary = "修改服务活动 · Update a service event",
    request_body(content = EventInput, description = "同登记（举办地区划不能更改）。 As when recorded (its region stays)."),
    responses((status = 200, description = "修改后的活动。 The event as stored.", body = EventDetail))
)]
async fn update_event(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(e): Json<EventInput>,
) -> ApiResult<Json<EventDetail>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(app.store.update_event(&ctx, EventId(p.id), e).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/events/{id}/history",
    tag = "measures",
    operation_id = "eventHistory",
    summary = "服务活动的历史 · A service event's history",
    responses((status = 200, description = "各版本，早的在前。 Its versions, oldest first.", body = [ServiceVersion]))
)]
async fn event_history(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<ServiceVersion>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.event_history(&ctx, EventId(p.id)).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/events",
    tag = "measures",
    operation_id = "regionEvents",
    summary = "区划内举办的服务活动 · The service events held in a region",
    params(
        ("kind" = Option<String>, Query, description = "job_fair / employment_service / training_class / health_outreach / leaflet_drive。 The kind."),
        ("from" = Option<String>, Query, description = "最早日期（YYYY-MM-DD）。 Earliest date."),
        ("to" = Option<String>, Query, description = "最晚日期（YYYY-MM-DD）。 Latest date."),
        ("after" = Option<i64>, Query, description = "上一页最后一条的编号。 The last id of the previous page."),
        ("limit" = Option<u32>, Query, description = "每页条数（1–1000，默认100）。 Page size (1–1000, default 100).")
    ),
    responses((status = 200, description = "按编号排列的一页。 One page, in id order.", body = [Event]))
)]
async fn region_events(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<Vec<Event>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["kind", "from", "to", "after", "limit"])?;
    let kind = params.choice(
        "kind",
        EventKind::parse,
        "job_fair / employment_service / training_class / health_outreach / leaflet_drive",
    )?;
    let date = |name: &str| -> ApiResult<Option<time::Date>> {
        params
            .text(name, 10)?
            .map(|t| fupin_core::years::parse_date(name, &t).map_err(ApiError::from_query))
            .transpose()
    };
    let (from, to) = (date("from")?, date("to")?);
    let (after, limit) = page(&params)?;
    let filter = EventFilter {
        kind,
        from,
        to,
        after: after.map(EventId),
        limit,
    };
    Ok(Json(
        app.store
            .events(&ctx, &code, &filter)
            .await
            .map_err(ApiError::from_query)?,
    ))
}
