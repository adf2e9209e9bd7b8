//! Accounts' tables as typed rows (see `crate::rows`): users, grants, sessions and API tokens —
//! their column lists, decoders and value builders.

use crate::args;
use crate::rows::{Cols, Columns, Record, Select, Sql};
use crate::sql::Value;
use fupin_core::accounts::{ApiToken, Grant, NewUser, Role, SessionRecord, User, UserId};
use fupin_core::store::StoreResult;
use fupin_core::{DomainError, RegionCode};
use time::OffsetDateTime;

// ---- users ----

/// The columns of a [`User`] from `users` (its grants are read apart).
pub(crate) const USER_COLS: Select<User> = Select::new();

/// A user as stored, without grants (see [`UserGrant`]).
impl Record for User {
    fn columns() -> Columns {
        Columns(&[
            "id",
            "username",
            "display_name",
            "unit",
            "phone",
            "disabled",
            "created_at",
            "home_region",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(User {
            id: UserId(c.i64()?),
            username: c.text()?,
            display_name: c.text()?,
            unit: c.opt_text()?,
            phone: c.opt_text()?,
            disabled: c.bool()?,
            grants: Vec::new(),
            created_at: c.time()?,
            home_region: c.opt_text()?.map(|r| RegionCode::parse(&r)).transpose()?,
        })
    }
}

/// A new user's columns.
const USER_NEW: Columns = Columns(&[
    "username",
    "display_name",
    "unit",
    "phone",
    "password_hash",
    "disabled",
    "created_at",
    "updated_at",
    "home_region",
]);

/// Insert one user (values of [`new_user`]), returning its id.
pub(crate) static INSERT_USER: Sql =
    Sql::new(|| format!("{} RETURNING id", USER_NEW.insert("users")));

/// A new, enabled user's row for [`INSERT_USER`].
pub(crate) fn new_user(u: &NewUser, home: Option<&RegionCode>, now: OffsetDateTime) -> Vec<Value> {
    Vec::from(args![
        u.username.as_str(),
        u.display_name.as_str(),
        u.unit.clone(),
        u.phone.clone(),
        u.password_hash.as_str(),
        false,
        now,
        now,
        home.map(|h| h.as_str())
    ])
}

// ---- grants ----

/// A grant with the user holding it (`grants`).
pub(crate) struct UserGrant(pub UserId, pub Grant);

/// The columns of a [`UserGrant`].
pub(crate) const GRANT_COLS: Select<UserGrant> = Select::new();

impl Record for UserGrant {
    fn columns() -> Columns {
        Columns(&["user_id", "role", "region_code"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let user = UserId(c.i64()?);
        let role = Role::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        let region = RegionCode::parse(&c.text()?)?;
        Ok(UserGrant(user, Grant { role, region }))
    }
}

/// Add a grant unless the user holds it already (values of [`new_grant`]).
pub(crate) static INSERT_GRANT: Sql = Sql::new(|| {
    let cols = Columns(&["user_id", "role", "region_code", "granted_by", "granted_at"]);
    format!(
        "{} ON CONFLICT (user_id, role, region_code) DO NOTHING",
        cols.insert("grants")
    )
});

/// A grant's row for [`INSERT_GRANT`].
pub(crate) fn new_grant(user: UserId, g: &Grant, actor: &str, now: OffsetDateTime) -> Vec<Value> {
    Vec::from(args![
        user.0,
        g.role.as_str(),
        g.region.as_str(),
        actor,
        now
    ])
}

// ---- sessions ----

impl Record for SessionRecord {
    fn columns() -> Columns {
        Columns(&["user_id", "csrf_token", "created_at", "last_seen_at"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(SessionRecord {
            user_id: UserId(c.i64()?),
            csrf_token: c.text()?,
            created_at: c.time()?,
            last_seen_at: c.time()?,
        })
    }
}

/// Insert a session (values of [`new_session`]).
pub(crate) static INSERT_SESSION: Sql = Sql::new(|| {
    Columns(&[
        "id_hash",
        "user_id",
        "csrf_token",
        "created_at",
        "last_seen_at",
    ])
    .insert("sessions")
});

/// A new session's row for [`INSERT_SESSION`], last seen when created.
pub(crate) fn new_session(
    id_hash: &str,
    user: UserId,
    csrf_token: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    Vec::from(args![id_hash, user.0, csrf_token, now, now])
}

// ---- API tokens ----

/// The columns of an [`ApiToken`] from `api_tokens`.
pub(crate) const TOKEN_COLS: Select<ApiToken> = Select::new();

impl Record for ApiToken {
    fn columns() -> Columns {
        Columns(&["id", "name", "created_at", "last_used_at", "revoked_at"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(ApiToken {
            id: c.i64()?,
            name: c.text()?,
            created_at: c.time()?,
            last_used_at: c.opt_time()?,
            revoked_at: c.opt_time()?,
        })
    }
}

/// What a request with a token needs of the token itself (its account comes with it, see
/// [`TOKEN_USER`]): its id and when it was last used.
pub(crate) struct TokenUse {
    pub id: i64,
    pub last_used_at: Option<OffsetDateTime>,
}

impl Record for TokenUse {
    fn columns() -> Columns {
        Columns(&["id", "last_used_at"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(TokenUse {
            id: c.i64()?,
            last_used_at: c.opt_time()?,
        })
    }
}

// ---- an account with its grants, in one statement ----

/// `SELECT <lead>, <the user's columns>, <a grant's> FROM <from> … WHERE <cond>`: the account
/// `u` that `from` leads to, joined to its grants (one row per grant, in the order the users'
/// listing gives them; one row with NULL grant columns when it holds none). What every request
/// needs of its caller (the token or session, the account, its grants) comes back from the
/// database in one round trip instead of three statements and a transaction around two of them.
fn user_join(lead: &str, from: &str, cond: &str) -> String {
    let user = User::columns().list_of("u");
    let lead = if lead.is_empty() {
        String::new()
    } else {
        format!("{lead}, ")
    };
    format!(
        "SELECT {lead}{user}, g.role, g.region_code FROM {from} \
         LEFT JOIN grants g ON g.user_id = u.id WHERE {cond} ORDER BY g.region_code, g.role"
    )
}

/// An account by id, with its grants.
pub(crate) static USER_BY_ID: Sql = Sql::new(|| user_join("", "users u", "u.id = $1"));

/// The live (not revoked) token of a hash ([`TokenUse`]'s columns), its account and the grants.
pub(crate) static TOKEN_USER: Sql = Sql::new(|| {
    user_join(
        &TokenUse::columns().list_of("t"),
        "api_tokens t JOIN users u ON u.id = t.user_id",
        "t.token_hash = $1 AND t.revoked_at IS NULL",
    )
});

/// The session of a hash ([`SessionRecord`]'s columns), its account and the grants.
pub(crate) static SESSION_USER: Sql = Sql::new(|| {
    user_join(
        &SessionRecord::columns().list_of("s"),
        "sessions s JOIN users u ON u.id = s.user_id",
        "s.id_hash = $1",
    )
});

/// The rows of a [`user_join`] statement as its lead record (read by `lead`) and the account with
/// its grants; `None` when there are none.
pub(crate) fn fold_user<T>(
    rows: &[crate::sql::Row],
    lead: impl Fn(&mut Cols<'_>) -> StoreResult<T>,
) -> StoreResult<Option<(T, User)>> {
    let mut out: Option<(T, User)> = None;
    for r in rows {
        let (t, u, grant) = Cols::read(r, |c| {
            let t = lead(c)?;
            let u = User::decode(c)?;
            let role = c.opt_text()?;
            let region = c.opt_text()?;
            let grant = match (role, region) {
                (Some(role), Some(region)) => Some(Grant {
                    role: Role::parse(&role).ok_or_else(DomainError::internal)?,
                    region: RegionCode::parse(&region)?,
                }),
                _ => None,
            };
            Ok((t, u, grant))
        })?;
        let (_, user) = out.get_or_insert((t, u));
        user.grants.extend(grant);
    }
    Ok(out)
}

/// Insert a token (values of [`new_token`]), returning its id.
pub(crate) static INSERT_TOKEN: Sql = Sql::new(|| {
    format!(
        "{} RETURNING id",
        Columns(&["user_id", "name", "token_hash", "created_at"]).insert("api_tokens")
    )
});

/// A new token's row for [`INSERT_TOKEN`].
pub(crate) fn new_token(
    user: UserId,
    name: &str,
    token_hash: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    Vec::from(args![user.0, name, token_hash, now])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_statements_list_their_columns() {
        assert_eq!(
            INSERT_USER.as_str(),
            "INSERT INTO users (username, display_name, unit, phone, password_hash, disabled, created_at, \
             updated_at, home_region) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        );
        assert_eq!(
            INSERT_GRANT.as_str(),
            "INSERT INTO grants (user_id, role, region_code, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id, role, region_code) DO NOTHING"
        );
        assert_eq!(
            USER_COLS.to_string(),
            "id, username, display_name, unit, phone, disabled, created_at, home_region"
        );
        let now = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(new_session("h", UserId(1), "c", now).len(), 5);
        assert_eq!(new_token(UserId(1), "n", "h", now).len(), 4);
    }
}
