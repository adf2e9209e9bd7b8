//! Accounts: one's own account and API tokens (`/api/v1/me`, `/api/v1/tokens`), and the
//! administration of the users of one's regions (`/api/v1/users…`, policy `ManageUsers`).
//!
//! The store lets an administrator manage only users whose every grant lies inside their scope (an
//! account without grants: whose home region does), and lists users with their grants inside the
//! scope only (`User::managed_within`, `User::seen_within`); granting
//! is checked here as well with `Principal::may_grant`, because what may be granted depends on the
//! granter's own rights (an admin may hand out `view_pii` only where they hold it), not only on the
//! region. Phones are masked in every answer, as everywhere else.

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{IdPath, Params, Path};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use fupin_core::accounts::{
    check_password, hash_password, ApiToken, Grant, NewUserInput, Policy, User, UserId,
};
use fupin_core::id_number::mask_phone;
use serde::{Deserialize, Serialize};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/me", me)
        .get("/api/v1/tokens", tokens)
        .delete("/api/v1/tokens/{id}", revoke_token)
        .get("/api/v1/users", list_users)
        .post("/api/v1/users", create_user)
        .post("/api/v1/users/{id}/grants", grant)
        .delete("/api/v1/users/{id}/grants", revoke_grant)
        .post("/api/v1/users/{id}/disable", disable)
        .post("/api/v1/users/{id}/enable", enable)
        .put("/api/v1/users/{id}/password", set_password)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    me,
    tokens,
    revoke_token,
    list_users,
    create_user,
    grant,
    revoke_grant,
    disable,
    enable,
    set_password
))]
pub(crate) struct Doc;

/// A user as shown to themselves and in sign-in answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub unit: Option<String>,
    pub grants: Vec<Grant>,
}

impl UserView {
    pub fn of(u: &User) -> Self {
        UserView {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            unit: u.unit.clone(),
            grants: u.grants.clone(),
        }
    }
}

/// A user with the phone masked (the store returns it in full from writes).
fn masked(mut u: User) -> User {
    u.phone = u.phone.as_deref().map(mask_phone);
    u
}

/// A fresh salt from the operating system's random source.
fn salt() -> [u8; 16] {
    rand::random()
}

/// Hash a password off the async workers (Argon2 takes tens of milliseconds of CPU by design).
async fn hash(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password, &salt()))
        .await
        .map_err(|e| ApiError::internal(&e))
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    operation_id = "me",
    summary = "当前用户 · The signed-in user",
    responses((status = 200, description = "当前用户及其授权。 The user and their grants.", body = UserView))
)]
async fn me(caller: Caller) -> ApiResult<Json<UserView>> {
    caller.policy_signed_in()?;
    Ok(Json(UserView::of(&caller.user)))
}

/// One's own API tokens (never the secrets, which are not kept).
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "accounts",
    operation_id = "listTokens",
    summary = "我的 API 令牌 · My API tokens",
    responses((status = 200, description = "令牌列表（不含令牌本身）。 The tokens (never the secrets).", body = [ApiToken]))
)]
async fn tokens(caller: Caller, State(app): State<AppState>) -> ApiResult<Json<Vec<ApiToken>>> {
    caller.policy_signed_in()?;
    Ok(Json(app.store.list_tokens(caller.user.id).await?))
}

/// Revoke one of one's own tokens; another user's token is "not found".
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "accounts",
    operation_id = "revokeToken",
    summary = "吊销我的令牌 · Revoke one of my tokens",
    responses((status = 204, description = "已吊销。 Revoked."))
)]
async fn revoke_token(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<StatusCode> {
    caller.policy_signed_in()?;
    app.store
        .revoke_token(&caller.own_ctx(), caller.user.id, p.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "accounts",
    operation_id = "listUsers",
    summary = "用户列表 · Users",
    params(("after" = Option<String>, Query, description = "上一页的 next：其后的一页（按用户名）。 The previous page's `next`: the page after it (by username)."), ("per_page" = Option<u32>, Query, description = "每页条数（1–500，默认 50）。 Items per page (1–500, default 50).")),
    responses((status = 200, description = "`{items, next}`：管理范围内的用户（按用户名），下一页的 after。 `{items, next}`: the users the caller manages, by username, and the next page's `after`.", body = fupin_core::paging::Listing<User>))
)]
async fn list_users(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<fupin_core::paging::Listing<User>>> {
    let ctx = caller.ctx(Policy::ManageUsers)?;
    params.only(&["after", "per_page"])?;
    let page = params.keyset()?;
    Ok(Json(
        app.store
            .list_users(&ctx, &page)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

/// 201 with the new account (no grants yet: grant them next).
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "accounts",
    operation_id = "createUser",
    summary = "新建用户 · Create a user",
    request_body(content = NewUserInput, description = "`{username, display_name, password, unit?, phone?, region?}`。 The new account."),
    responses((status = 201, description = "新账号（尚无授权）。 The new account (no grants yet).", body = User))
)]
async fn create_user(
    caller: Caller,
    State(app): State<AppState>,
    Json(input): Json<NewUserInput>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let ctx = caller.ctx(Policy::ManageUsers)?;
    // Validate first with a placeholder, so a bad request costs no hashing; then hash for real.
    input.validate(|_| String::new())?;
    let password_hash = hash(input.password.clone()).await?;
    let new = input.validate(|_| password_hash)?;
    let user = app.store.create_user(&ctx, new).await?;
    Ok((StatusCode::CREATED, Json(masked(user))))
}

fn may_not_grant() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        "您不能在该区划授予或撤销此项权限",
    )
}

/// `{role, region}`.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/grants",
    tag = "accounts",
    operation_id = "grantRole",
    summary = "授予角色 · Grant a role",
    request_body(content = Grant, description = "`{role, region}`。 The role and the region."),
    responses((status = 200, description = "用户及其授权。 The user with their grants.", body = User))
)]
async fn grant(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(g): Json<Grant>,
) -> ApiResult<Json<User>> {
    let ctx = caller.ctx(Policy::ManageUsers)?;
    if !caller.principal.may_grant(&g) {
        return Err(may_not_grant());
    }
    Ok(Json(masked(app.store.grant(&ctx, UserId(p.id), g).await?)))
}

/// `{role, region}`: only what the caller could grant may be revoked.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}/grants",
    tag = "accounts",
    operation_id = "revokeRole",
    summary = "撤销角色 · Revoke a role",
    request_body(content = Grant, description = "`{role, region}`。 The role and the region."),
    responses((status = 200, description = "用户及其授权。 The user with their grants.", body = User))
)]
async fn revoke_grant(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(g): Json<Grant>,
) -> ApiResult<Json<User>> {
    let ctx = caller.ctx(Policy::ManageUsers)?;
    if !caller.principal.may_grant(&g) {
        return Err(may_not_grant());
    }
    Ok(Json(masked(
        app.store.revoke_grant(&ctx, UserId(p.id), g).await?,
    )))
}

/// Disabling ends the user's sessions and revokes their tokens (the store does both).
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/disable",
    tag = "accounts",
    operation_id = "disableUser",
    summary = "停用用户 · Disable a user",
    responses((status = 204, description = "已停用，会话与令牌失效。 Disabled; sessions and tokens end."))
)]
async fn disable(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let ctx = caller.ctx(Policy::ManageUsers)?;
    if p.id == caller.user.id.0 {
        // Locking oneself out leaves a region with no one to undo it.
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "cannot_disable_self",
            "不能停用自己的账号",
        ));
    }
    app.store.set_disabled(&ctx, UserId(p.id), true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/enable",
    tag = "accounts",
    operation_id = "enableUser",
    summary = "启用用户 · Enable a user",
    responses((status = 204, description = "已启用。 Enabled."))
)]
async fn enable(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let ctx = caller.ctx(Policy::ManageUsers)?;
    app.store.set_disabled(&ctx, UserId(p.id), false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT …/password` body. No `Debug`: it holds a password.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewPassword {
    password: String,
}

/// Set a user's password (ends their browser sessions).
#[utoipa::path(
    put,
    path = "/api/v1/users/{id}/password",
    tag = "accounts",
    operation_id = "setPassword",
    summary = "设置密码 · Set a password",
    request_body(content = NewPassword, description = "`{password}`。 The new password."),
    responses((status = 204, description = "已设置，该用户的浏览器会话结束。 Set; the user's browser sessions end."))
)]
async fn set_password(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(body): Json<NewPassword>,
) -> ApiResult<StatusCode> {
    let ctx = caller.ctx(Policy::ManageUsers)?;
    check_password(&body.password)?;
    let h = hash(body.password).await?;
    app.store.set_password(&ctx, UserId(p.id), h).await?;
    Ok(StatusCode::NO_CONTENT)
}
