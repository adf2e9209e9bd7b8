//! What accounts ask of persistence: users, grants, sessions and API tokens.

use crate::accounts::{ApiToken, Grant, NewUser, SessionRecord, User, UserId};
use crate::scope::Ctx;
use crate::store::StoreResult;
use async_trait::async_trait;

/// Accounts, grants, sessions and API tokens.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Create an account (audited). Usernames are unique.
    async fn create_user(&self, ctx: &Ctx, user: NewUser) -> StoreResult<User>;
    /// The account with its grants as they stand (read afresh on every call, never cached).
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// The account and its password hash, for logging in.
    async fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>>;
    /// Users holding a grant inside the caller's scope.
    /// Users the caller manages, in username order, a page after `page.after` (a username).
    async fn list_users(
        &self,
        ctx: &Ctx,
        page: &crate::paging::Keyset,
    ) -> StoreResult<crate::paging::Listing<User>>;
    async fn set_password(&self, ctx: &Ctx, id: UserId, password_hash: String) -> StoreResult<()>;
    /// Disable or enable an account; disabling ends its sessions and revokes its tokens.
    async fn set_disabled(&self, ctx: &Ctx, id: UserId, disabled: bool) -> StoreResult<()>;
    async fn grant(&self, ctx: &Ctx, id: UserId, grant: Grant) -> StoreResult<User>;
    async fn revoke_grant(&self, ctx: &Ctx, id: UserId, grant: Grant) -> StoreResult<User>;

    async fn create_session(
        &self,
        user: UserId,
        id_hash: &str,
        csrf_token: &str,
    ) -> StoreResult<()>;
    /// The session and its account with the account's grants as they stand, read together (one
    /// statement where the backend allows: this runs on every request of a browser).
    async fn session(&self, id_hash: &str) -> StoreResult<Option<(SessionRecord, User)>>;
    async fn touch_session(&self, id_hash: &str) -> StoreResult<()>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;

    async fn create_token(
        &self,
        ctx: &Ctx,
        user: UserId,
        name: &str,
        token_hash: &str,
    ) -> StoreResult<ApiToken>;
    /// The account of a live (not revoked) token with the account's grants as they stand, read
    /// together (this runs on every API request); marks the token used.
    async fn token_user(&self, token_hash: &str) -> StoreResult<Option<User>>;
    async fn list_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>>;
    async fn revoke_token(&self, ctx: &Ctx, user: UserId, token_id: i64) -> StoreResult<()>;
}
