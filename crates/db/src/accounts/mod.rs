//! Accounts, grants, sessions and API tokens in SQL. Changes to accounts are audited; secrets are
//! stored only as hashes (Argon2id for passwords, SHA-256 for session ids and tokens).

mod rows;

use crate::query::Query;
use crate::rows::{one_i64, one_text, Record};
use crate::sql::Tx;
use crate::{args, SqlStore};
use fupin_core::accounts::{ApiToken, Grant, NewUser, SessionRecord, User, UserId};
use fupin_core::audit::AuditRecord;
use fupin_core::paging::{Keyset, Listing};
use fupin_core::store::{AccountStore, StoreResult};
use fupin_core::{Ctx, DomainError, Scope};
use std::collections::BTreeMap;
use time::OffsetDateTime;

use rows::{
    fold_user, new_grant, new_session, new_token, new_user, TokenUse, UserGrant, GRANT_COLS,
    INSERT_GRANT, INSERT_SESSION, INSERT_TOKEN, INSERT_USER, SESSION_USER, TOKEN_COLS, TOKEN_USER,
    USER_BY_ID, USER_COLS,
};

fn user_not_found() -> DomainError {
    DomainError::not_found("user_not_found", "该用户不存在或不在您的管辖范围内")
}

/// What the audit log keeps of a user: no password hash, the phone masked.
fn audit_view(u: &User) -> User {
    User {
        phone: u.phone.as_deref().map(fupin_core::id_number::mask_phone),
        ..u.clone()
    }
}

impl SqlStore {
    async fn users_where(
        &self,
        tx: &mut dyn Tx,
        cond: &str,
        a: &[crate::sql::Value],
        limit: Option<i64>,
    ) -> StoreResult<Vec<User>> {
        let limit = limit.map(|l| format!(" LIMIT {l}")).unwrap_or_default();
        let rows = tx
            .fetch_all(
                &format!("SELECT {USER_COLS} FROM users WHERE {cond} ORDER BY username{limit}"),
                a,
            )
            .await?;
        let mut users: BTreeMap<i64, User> = BTreeMap::new();
        let mut order = Vec::new();
        for r in &rows {
            let u = User::from_row(r)?;
            order.push(u.id.0);
            users.insert(u.id.0, u);
        }
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Query::new(&format!(
            "SELECT {GRANT_COLS} FROM grants WHERE user_id IN ("
        ));
        let ph: Vec<String> = users.keys().map(|id| q.arg(*id)).collect();
        q.push(&ph.join(", "))
            .push(") ORDER BY user_id, region_code, role");
        for r in tx.fetch_all(&q.sql, &q.args).await? {
            let UserGrant(uid, grant) = UserGrant::from_row(&r)?;
            if let Some(u) = users.get_mut(&uid.0) {
                u.grants.push(grant);
            }
        }
        Ok(order
            .into_iter()
            .filter_map(|id| users.remove(&id))
            .collect())
    }

    async fn load_user(&self, tx: &mut dyn Tx, id: UserId) -> StoreResult<User> {
        self.users_where(tx, "id = $1", &args![id.0], None)
            .await?
            .into_iter()
            .next()
            .ok_or_else(user_not_found)
    }

    /// A user the caller may manage (`User::managed_within`): every grant inside the caller's scope,
    /// or no grant and the home region inside. Any other account answers "not found", as one that
    /// does not exist.
    pub(crate) async fn managed_user(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: UserId,
    ) -> StoreResult<User> {
        let u = self.load_user(tx, id).await?;
        if !u.managed_within(&ctx.scope) {
            return Err(user_not_found());
        }
        Ok(u)
    }

    /// The audit record of a change to an account, in the region covering the account before and
    /// after (so that only those who oversee all of it read it).
    fn audit_user(action: &str, before: Option<&User>, after: &User) -> AuditRecord {
        let rec = AuditRecord::change(
            action,
            "user",
            after.id.0,
            before.map(audit_view).as_ref(),
            Some(&audit_view(after)),
        );
        let mut both = after.clone();
        if let Some(b) = before {
            both.grants.extend(b.grants.iter().cloned());
        }
        match both.covering_region() {
            Some(r) => rec.in_region(&r),
            None => rec,
        }
    }
}

#[async_trait::async_trait]
impl AccountStore for SqlStore {
    async fn create_user(&self, ctx: &Ctx, user: NewUser) -> StoreResult<User> {
        if ctx.scope == Scope::Within(vec![]) {
            return Err(DomainError::forbidden("您没有管理用户的权限"));
        }
        let mut tx = self.db.begin_write().await?;
        let exists = tx
            .fetch_optional(
                "SELECT id FROM users WHERE username = $1",
                &args![user.username.as_str()],
            )
            .await?;
        if exists.is_some() {
            return Err(DomainError::conflict(
                "duplicate_username",
                format!("用户名 {} 已存在", user.username),
            )
            .with_field("username"));
        }
        let now = OffsetDateTime::now_utc();
        let home = fupin_core::accounts::home_region_for(&ctx.scope, user.home_region.clone())?;
        if let Some(h) = user.home_region.as_ref().and(home.as_ref()) {
            self.region_ref(tx.as_mut(), h)
                .await
                .map_err(|e| e.with_field("region"))?;
        }
        let r = tx
            .fetch_one(&INSERT_USER, &new_user(&user, home.as_ref(), now))
            .await?;
        let u = self.load_user(tx.as_mut(), UserId(one_i64(&r)?)).await?;
        self.audit(tx.as_mut(), ctx, Self::audit_user("user.create", None, &u))
            .await?;
        tx.commit().await?;
        Ok(u)
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        // one statement, so no transaction around it
        let rows = self.db.fetch_all(&USER_BY_ID, &args![id.0]).await?;
        Ok(fold_user(&rows, |_| Ok(()))?.map(|((), u)| u))
    }

    async fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>> {
        let mut tx = self.db.begin_read().await?;
        let name = username.trim().to_ascii_lowercase();
        let Some(u) = self
            .users_where(tx.as_mut(), "username = $1", &args![name.as_str()], None)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let r = tx
            .fetch_one(
                "SELECT password_hash FROM users WHERE id = $1",
                &args![u.id.0],
            )
            .await?;
        Ok(Some((u, one_text(&r)?)))
    }

    async fn list_users(&self, ctx: &Ctx, page: &Keyset) -> StoreResult<Listing<User>> {
        // the users with a grant in scope, and those without grants whose home is in scope; each
        // shown with only the grants inside the scope
        let mut q = match ctx.scope.ranges(None) {
            None => Query::new("(1 = 1)"),
            Some(ranges) => {
                let mut q = Query::new("(id IN (SELECT user_id FROM grants WHERE 1 = 1");
                q.and_in_ranges("region_code", &Some(ranges.clone()));
                q.push(") OR (id NOT IN (SELECT user_id FROM grants) AND 1 = 1");
                q.and_in_ranges("home_region", &Some(ranges));
                q.push("))");
                q
            }
        };
        // keyset: the users after the cursor in username order (unique)
        if let Some(after) = page.after_text()? {
            let a = q.arg(after);
            q.push(&format!(" AND username > {a}"));
        }
        let mut tx = self.db.begin_read().await?;
        let users = self
            .users_where(tx.as_mut(), &q.sql, &q.args, Some(page.fetch()))
            .await?;
        // the cursor is that of the rows read; those not listed within the scope are left out
        let listing = Listing::from_rows(users, page, |u| u.username.clone());
        Ok(listing.map_items(|users| {
            users
                .into_iter()
                .filter(|u| u.listed_within(&ctx.scope))
                .map(|u| {
                    let mut u = u.seen_within(&ctx.scope);
                    if !ctx.unmask {
                        u.phone = u.phone.as_deref().map(fupin_core::id_number::mask_phone);
                    }
                    u
                })
                .collect()
        }))
    }

    async fn set_password(&self, ctx: &Ctx, id: UserId, password_hash: String) -> StoreResult<()> {
        let mut tx = self.db.begin_write().await?;
        let u = self.managed_user(tx.as_mut(), ctx, id).await?;
        tx.execute(
            "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
            &args![password_hash, OffsetDateTime::now_utc(), id.0],
        )
        .await?;
        // a new password ends every session of the account and revokes its tokens
        tx.execute("DELETE FROM sessions WHERE user_id = $1", &args![id.0])
            .await?;
        tx.execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            &args![OffsetDateTime::now_utc(), id.0],
        )
        .await?;
        self.audit(
            tx.as_mut(),
            ctx,
            Self::audit_user("user.password", None, &u),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    async fn set_disabled(&self, ctx: &Ctx, id: UserId, disabled: bool) -> StoreResult<()> {
        let mut tx = self.db.begin_write().await?;
        let before = self.managed_user(tx.as_mut(), ctx, id).await?;
        let now = OffsetDateTime::now_utc();
        tx.execute(
            "UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3",
            &args![disabled, now, id.0],
        )
        .await?;
        if disabled {
            tx.execute("DELETE FROM sessions WHERE user_id = $1", &args![id.0])
                .await?;
            tx.execute(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                &args![now, id.0],
            )
            .await?;
        }
        let after = self.load_user(tx.as_mut(), id).await?;
        self.audit(
            tx.as_mut(),
            ctx,
            Self::audit_user(
                if disabled {
                    "user.disable"
                } else {
                    "user.enable"
                },
                Some(&before),
                &after,
            ),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    async fn grant(&self, ctx: &Ctx, id: UserId, grant: Grant) -> StoreResult<User> {
        ctx.require(&grant.region, "区划")
            .map_err(|e| e.with_field("region"))?;
        let mut tx = self.db.begin_write().await?;
        let before = self.managed_user(tx.as_mut(), ctx, id).await?;
        // the nation is in no division list but is a region to grant
        if !grant.region.is_nation()
            && tx
                .fetch_optional(
                    "SELECT code FROM regions WHERE code = $1",
                    &args![grant.region.as_str()],
                )
                .await?
                .is_none()
        {
            return Err(DomainError::invalid(
                "region",
                "unknown_region",
                format!("区划 {} 不存在", grant.region),
            ));
        }
        tx.execute(
            &INSERT_GRANT,
            &new_grant(id, &grant, &ctx.actor, OffsetDateTime::now_utc()),
        )
        .await?;
        let after = self.load_user(tx.as_mut(), id).await?;
        self.audit(
            tx.as_mut(),
            ctx,
            Self::audit_user("user.grant", Some(&before), &after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn revoke_grant(&self, ctx: &Ctx, id: UserId, grant: Grant) -> StoreResult<User> {
        ctx.require(&grant.region, "区划")
            .map_err(|e| e.with_field("region"))?;
        let mut tx = self.db.begin_write().await?;
        let before = self.managed_user(tx.as_mut(), ctx, id).await?;
        let n = tx
            .execute(
                "DELETE FROM grants WHERE user_id = $1 AND role = $2 AND region_code = $3",
                &args![id.0, grant.role.as_str(), grant.region.as_str()],
            )
            .await?;
        if n == 0 {
            return Err(DomainError::not_found(
                "grant_not_found",
                "该用户没有这项授权",
            ));
        }
        let after = self.load_user(tx.as_mut(), id).await?;
        self.audit(
            tx.as_mut(),
            ctx,
            Self::audit_user("user.revoke", Some(&before), &after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn create_session(
        &self,
        user: UserId,
        id_hash: &str,
        csrf_token: &str,
    ) -> StoreResult<()> {
        let mut tx = self.db.begin_write().await?;
        let now = OffsetDateTime::now_utc();
        tx.execute(
            &INSERT_SESSION,
            &new_session(id_hash, user, csrf_token, now),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<(SessionRecord, User)>> {
        let rows = self.db.fetch_all(&SESSION_USER, &args![id_hash]).await?;
        fold_user(&rows, SessionRecord::decode)
    }

    async fn touch_session(&self, id_hash: &str) -> StoreResult<()> {
        let mut tx = self.db.begin_write().await?;
        tx.execute(
            "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2",
            &args![OffsetDateTime::now_utc(), id_hash],
        )
        .await?;
        Ok(tx.commit().await?)
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        let mut tx = self.db.begin_write().await?;
        tx.execute("DELETE FROM sessions WHERE id_hash = $1", &args![id_hash])
            .await?;
        Ok(tx.commit().await?)
    }

    async fn create_token(
        &self,
        ctx: &Ctx,
        user: UserId,
        name: &str,
        token_hash: &str,
    ) -> StoreResult<ApiToken> {
        let name = fupin_core::error::check_text("name", name, 100)?;
        let mut tx = self.db.begin_write().await?;
        let u = self.load_user(tx.as_mut(), user).await?;
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(&INSERT_TOKEN, &new_token(user, &name, token_hash, now))
            .await?;
        let id = one_i64(&r)?;
        let rec = AuditRecord::event(
            "token.create",
            "api_token",
            Some(id.to_string()),
            serde_json::json!({ "user": u.username, "name": name }),
        );
        self.audit(tx.as_mut(), ctx, rec).await?;
        tx.commit().await?;
        Ok(ApiToken {
            id,
            name,
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        })
    }

    async fn token_user(&self, token_hash: &str) -> StoreResult<Option<User>> {
        let rows = self.db.fetch_all(&TOKEN_USER, &args![token_hash]).await?;
        let Some((TokenUse { id, last_used_at }, user)) = fold_user(&rows, TokenUse::decode)?
        else {
            return Ok(None);
        };
        // "last used" to the minute is enough; a write per API request would serialise readers
        let now = OffsetDateTime::now_utc();
        let fresh = last_used_at.is_some_and(|t| now - t < time::Duration::minutes(1));
        if fresh {
            return Ok(Some(user));
        }
        let mut tx = self.db.begin_write().await?;
        tx.execute(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
            &args![OffsetDateTime::now_utc(), id],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    async fn list_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        let rows = self
            .db
            .fetch_all(
                &format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 ORDER BY id"),
                &args![user.0],
            )
            .await?;
        rows.iter().map(ApiToken::from_row).collect()
    }

    async fn revoke_token(&self, ctx: &Ctx, user: UserId, token_id: i64) -> StoreResult<()> {
        let mut tx = self.db.begin_write().await?;
        let n = tx
            .execute(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
                &args![OffsetDateTime::now_utc(), token_id, user.0],
            )
            .await?;
        if n == 0 {
            return Err(DomainError::not_found(
                "token_not_found",
                "该令牌不存在或已撤销",
            ));
        }
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::event(
                "token.revoke",
                "api_token",
                Some(token_id.to_string()),
                serde_json::json!({}),
            ),
        )
        .await?;
        Ok(tx.commit().await?)
    }
}
