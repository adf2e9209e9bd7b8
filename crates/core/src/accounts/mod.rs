//! Accounts, roles and region-scoped grants: who may do what, and where.
//!
//! A user holds grants, each a role plus a region code (the grant covers that region and
//! everything below it). A handler names the policy it needs (`Policy::WriteRegistry` …); the
//! grants that permit that policy give the scope the store then filters by, so a forgotten check in
//! a handler still cannot reach outside the user's regions.

pub mod store;

mod password;

pub use password::{hash_password, verify_password};

use crate::error::{DomainError, DomainResult};
use crate::regions::RegionCode;
use crate::scope::{Ctx, Scope};
use serde::{Deserialize, Serialize};

/// Database id of a user account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct UserId(pub i64);

/// A role, or a right, held in a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything in scope, including the users of the scope.
    Admin,
    /// Reads and writes the registry and all records in scope.
    Officer,
    /// A pairing cadre: reads the households paired with them, records visits and wishes for them.
    Cadre,
    /// Reads statistics and lists in scope.
    Viewer,
    /// Reads everything in scope, including the audit log; never writes.
    Auditor,
    /// May ask for one record unmasked, giving a reason (each such read is audited).
    ViewPii,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Officer,
        Role::Cadre,
        Role::Viewer,
        Role::Auditor,
        Role::ViewPii,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Officer => "officer",
            Role::Cadre => "cadre",
            Role::Viewer => "viewer",
            Role::Auditor => "auditor",
            Role::ViewPii => "view_pii",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Officer => "业务经办",
            Role::Cadre => "帮扶干部",
            Role::Viewer => "统计查看",
            Role::Auditor => "审计",
            Role::ViewPii => "查看个人信息",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.label() == s)
    }
}

/// A role held over a region and everything below it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    pub role: Role,
    pub region: RegionCode,
}

/// What a handler is about to do. Each route names exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Region statistics, dashboards, household lists (masked).
    ReadStats,
    /// Household records in full (detail pages, members, incomes, histories).
    ReadRegistry,
    /// Create or change registry records (households, members, incomes, statuses, regions' data).
    WriteRegistry,
    /// Record visits and micro-wishes (cadres: only on their paired households).
    WriteVisits,
    /// Read the audit log.
    ReadAudit,
    /// Manage the users of a region.
    ManageUsers,
    /// Read one record unmasked (with a reason).
    Unmask,
    /// Change the standards (poverty and monitoring lines, thresholds, limits).
    ManageStandards,
}

impl Policy {
    /// The roles that permit this policy in their region.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Policy::ReadStats => &[Role::Admin, Role::Officer, Role::Viewer, Role::Auditor],
            Policy::ReadRegistry => &[Role::Admin, Role::Officer, Role::Auditor],
            Policy::WriteRegistry => &[Role::Admin, Role::Officer],
            Policy::WriteVisits => &[Role::Admin, Role::Officer],
            Policy::ReadAudit => &[Role::Admin, Role::Auditor],
            Policy::ManageUsers => &[Role::Admin],
            Policy::Unmask => &[Role::ViewPii],
            Policy::ManageStandards => &[Role::Admin],
        }
    }

    /// Whether cadres reach their paired households under this policy (on top of any region scope).
    pub fn reaches_paired_households(self) -> bool {
        matches!(
            self,
            Policy::ReadRegistry | Policy::WriteVisits | Policy::ReadStats
        )
    }
}

/// An authenticated user as the web layer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub id: UserId,
    pub username: String,
    pub grants: Vec<Grant>,
}

impl Principal {
    /// The regions where this user may act under `policy`, reduced so that no region lies below
    /// another; `None` when the policy is not granted anywhere.
    pub fn regions_for(&self, policy: Policy) -> Option<Vec<RegionCode>> {
        let mut regions: Vec<RegionCode> = self
            .grants
            .iter()
            .filter(|g| policy.roles().contains(&g.role))
            .map(|g| g.region.clone())
            .collect();
        regions.sort();
        regions.dedup();
        let reduced: Vec<RegionCode> = regions
            .iter()
            .filter(|r| !regions.iter().any(|o| o != *r && o.contains(r)))
            .cloned()
            .collect();
        (!reduced.is_empty()).then_some(reduced)
    }

    /// Whether the user is a pairing cadre anywhere.
    pub fn is_cadre(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::Cadre)
    }

    /// The store context for `policy`, or 403 when the user holds no grant that permits it (and is
    /// not a cadre reaching their paired households).
    pub fn ctx(&self, policy: Policy, client: Option<String>) -> DomainResult<Ctx> {
        let regions = self.regions_for(policy);
        let cadre = self.is_cadre() && policy.reaches_paired_households();
        if regions.is_none() && !cadre {
            return Err(DomainError::forbidden("您没有执行此操作的权限"));
        }
        // a grant over the nation reaches everything, as the command line does
        let scope = match regions {
            Some(r) if r.iter().any(RegionCode::is_nation) => Scope::All,
            r => Scope::Within(r.unwrap_or_default()),
        };
        Ok(Ctx {
            actor: self.username.clone(),
            scope,
            unmask: false,
            cadre_user: cadre.then_some(self.id.0),
            client,
        })
    }

    /// Whether this user may grant `grant`: an admin over the grant's region may hand out any role
    /// there (admin is everything in scope); the `view_pii` right only if they hold it there too.
    pub fn may_grant(&self, grant: &Grant) -> bool {
        let holds = |role: Role| {
            self.grants
                .iter()
                .any(|g| g.role == role && g.region.contains(&grant.region))
        };
        holds(Role::Admin) && (grant.role != Role::ViewPii || holds(Role::ViewPii))
    }
}

/// Check a username: 3–32 characters of letters, digits, `-`, `_` and `.`.
pub fn check_username(s: &str) -> DomainResult<String> {
    let u = s.trim();
    let ok = (3..=32).contains(&u.chars().count())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !ok {
        return Err(DomainError::invalid(
            "username",
            "invalid_username",
            "用户名须为 3–32 位字母、数字或 - _ .",
        ));
    }
    Ok(u.to_ascii_lowercase())
}

/// Check a new password: at least 8 characters, at most 128, not only digits.
pub fn check_password(p: &str) -> DomainResult<()> {
    let n = p.chars().count();
    if n < 8 {
        return Err(DomainError::invalid(
            "password",
            "password_too_short",
            "密码至少 8 位",
        ));
    }
    if n > 128 {
        return Err(DomainError::invalid(
            "password",
            "password_too_long",
            "密码最多 128 位",
        ));
    }
    if p.chars().all(|c| c.is_ascii_digit()) {
        return Err(DomainError::invalid(
            "password",
            "password_too_weak",
            "密码不能全是数字",
        ));
    }
    Ok(())
}

/// A user account as shown (phone masked unless asked otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub unit: Option<String>,
    pub phone: Option<String>,
    pub disabled: bool,
    pub grants: Vec<Grant>,
    /// The region of the administrator who created the account (`None`: created nationwide or on
    /// the command line). It decides who manages the account while it holds no grant.
    pub home_region: Option<RegionCode>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

impl User {
    /// Whether an administrator reaching `scope` may manage this account (its password, state and
    /// grants). Only when *every* grant lies inside the scope: an account that also acts elsewhere
    /// belongs to nobody below the region that covers all its grants, or one village's admin could
    /// reset the password of a user of the next village and act there as them. An account without
    /// grants belongs to the region of the admin who created it (`home_region`), so that a fresh
    /// account cannot be claimed by whoever grants it first; one created nationwide or on the command
    /// line, only to nationwide administrators.
    pub fn managed_within(&self, scope: &Scope) -> bool {
        if *scope == Scope::All {
            return true;
        }
        if self.grants.is_empty() {
            return self.home_region.as_ref().is_some_and(|r| scope.allows(r));
        }
        self.grants.iter().all(|g| scope.allows(&g.region))
    }

    /// Whether the account shows in the user list of `scope`: one of its grants lies inside, or it
    /// has none and its home region does.
    pub fn listed_within(&self, scope: &Scope) -> bool {
        if *scope == Scope::All {
            return true;
        }
        if self.grants.is_empty() {
            return self.home_region.as_ref().is_some_and(|r| scope.allows(r));
        }
        self.grants.iter().any(|g| scope.allows(&g.region))
    }

    /// The smallest region covering every grant of the account (its home region when it has none):
    /// where records about the account belong, so that only those who oversee all of it read them.
    /// `None` when the grants span provinces, or the account has neither grants nor home.
    pub fn covering_region(&self) -> Option<RegionCode> {
        let mut regions = self.grants.iter().map(|g| &g.region);
        let first = regions.next().or(self.home_region.as_ref())?;
        let mut cover = first.clone();
        for r in regions {
            while !cover.contains(r) {
                cover = cover.parent()?;
            }
        }
        Some(cover)
    }

    /// The account as a caller reaching `scope` may see it: its grants outside the scope left out
    /// (they would tell where else the user acts), and the home region only when inside.
    pub fn seen_within(mut self, scope: &Scope) -> User {
        self.grants.retain(|g| scope.allows(&g.region));
        if !self.home_region.as_ref().is_some_and(|r| scope.allows(r)) {
            self.home_region = None;
        }
        self
    }

    pub fn principal(&self) -> Principal {
        Principal {
            id: self.id,
            username: self.username.clone(),
            grants: self.grants.clone(),
        }
    }
}

/// A new account as requested (the password is hashed before it reaches the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub password: String,
    /// The region the account belongs to until it holds a grant (default: the creating
    /// administrator's only region).
    #[serde(default)]
    pub region: Option<String>,
}

/// Validated account fields for the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub unit: Option<String>,
    pub phone: Option<String>,
    /// PHC string (Argon2id).
    pub password_hash: String,
    /// The region asked for; the store settles it against the creator's scope (`home_region`).
    pub home_region: Option<RegionCode>,
}

impl NewUserInput {
    /// Validate; `hash` turns the checked password into its stored hash.
    pub fn validate(&self, hash: impl FnOnce(&str) -> String) -> DomainResult<NewUser> {
        let username = check_username(&self.username)?;
        let display_name = crate::error::check_text("display_name", &self.display_name, 50)?;
        check_password(&self.password)?;
        Ok(NewUser {
            username,
            display_name,
            unit: crate::error::opt_text("unit", &self.unit, 100)?,
            phone: crate::registry::check_phone("phone", &self.phone)?,
            home_region: self
                .region
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| RegionCode::parse_field("region", r))
                .transpose()?,
            password_hash: hash(&self.password),
        })
    }
}

/// The home region of an account a caller reaching `scope` creates: the region asked for (inside
/// the scope), or the caller's only region; a caller of several regions must say which. Nationwide
/// callers (the command line) may leave it open.
pub fn home_region_for(
    scope: &Scope,
    asked: Option<RegionCode>,
) -> DomainResult<Option<RegionCode>> {
    match (scope, asked) {
        (Scope::All, asked) => Ok(asked),
        (s, Some(r)) if s.allows(&r) => Ok(Some(r)),
        (_, Some(_)) => Err(
            DomainError::not_found("not_found", "区划不存在或不在您的管辖范围内")
                .with_field("region"),
        ),
        (Scope::Within(roots), None) if roots.len() == 1 => Ok(Some(roots[0].clone())),
        (Scope::Within(_), None) => Err(DomainError::invalid(
            "region",
            "required",
            "您管理多个区划，请指定新账号所属的区划",
        )),
    }
}

/// A browser session as stored (the cookie value itself is never stored, only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: time::OffsetDateTime,
    pub last_seen_at: time::OffsetDateTime,
}

/// An API token as listed (the secret is shown once, at creation, and stored only hashed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<time::OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<time::OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(grants: &[(Role, &str)]) -> Principal {
        Principal {
            id: UserId(1),
            username: "u".into(),
            grants: grants
                .iter()
                .map(|(r, c)| Grant {
                    role: *r,
                    region: RegionCode::parse(c).unwrap(),
                })
                .collect(),
        }
    }

    #[test]
    fn policies_give_scopes() {
        let officer = p(&[
            (Role::Officer, "360124000000"),
            (Role::Viewer, "360000000000"),
        ]);
        let c = officer.ctx(Policy::WriteRegistry, None).unwrap();
        assert_eq!(
            c.scope,
            Scope::Within(vec![RegionCode::parse("360124").unwrap()])
        );
        let c = officer.ctx(Policy::ReadStats, None).unwrap();
        assert_eq!(
            c.scope,
            Scope::Within(vec![RegionCode::parse("36").unwrap()]),
            "nested regions reduce to the outer one"
        );
        assert_eq!(
            officer.ctx(Policy::ReadAudit, None).unwrap_err().kind,
            crate::ErrorKind::Forbidden
        );
        let auditor = p(&[(Role::Auditor, "360124000000")]);
        assert!(auditor.ctx(Policy::ReadAudit, None).is_ok());
        assert!(auditor.ctx(Policy::WriteRegistry, None).is_err());
        let viewer = p(&[(Role::Viewer, "360124000000")]);
        assert!(viewer.ctx(Policy::ReadRegistry, None).is_err());
        let cadre = p(&[(Role::Cadre, "360124106204")]);
        let c = cadre.ctx(Policy::ReadRegistry, None).unwrap();
        assert_eq!((c.scope, c.cadre_user), (Scope::Within(vec![]), Some(1)));
        assert!(cadre.ctx(Policy::WriteRegistry, None).is_err());
    }

    #[test]
    fn granting_rules() {
        let admin = p(&[(Role::Admin, "360124000000")]);
        let g = |r: Role, c: &str| Grant {
            role: r,
            region: RegionCode::parse(c).unwrap(),
        };
        assert!(admin.may_grant(&g(Role::Officer, "360124106204")));
        assert!(admin.may_grant(&g(Role::Admin, "360124106000")));
        assert!(
            !admin.may_grant(&g(Role::Officer, "360125000000")),
            "outside the admin's scope"
        );
        assert!(
            !admin.may_grant(&g(Role::ViewPii, "360124106204")),
            "a right the admin does not hold"
        );
        let admin_pii = p(&[
            (Role::Admin, "360124000000"),
            (Role::ViewPii, "360124000000"),
        ]);
        assert!(admin_pii.may_grant(&g(Role::ViewPii, "360124106204")));
    }

    fn user(grants: &[(Role, &str)], home: Option<&str>) -> User {
        User {
            id: UserId(7),
            username: "u".into(),
            display_name: "用户".into(),
            unit: None,
            phone: None,
            disabled: false,
            grants: p(grants).grants,
            home_region: home.map(|c| RegionCode::parse(c).unwrap()),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn who_manages_an_account() {
        let within =
            |c: &[&str]| Scope::Within(c.iter().map(|c| RegionCode::parse(c).unwrap()).collect());
        let sanfang = within(&["360124106205"]);
        let township = within(&["360124106000"]);
        let both = within(&["360124106205", "360124106204"]);
        // (grants, home, scope, manages, lists)
        type Case<'a> = (
            &'a [(Role, &'a str)],
            Option<&'a str>,
            &'a Scope,
            bool,
            bool,
        );
        let cases: &[Case] = &[
            (
                &[(Role::Officer, "360124106205")],
                None,
                &sanfang,
                true,
                true,
            ),
            // a grant next door: the village admin sees the user but may not touch them
            (
                &[
                    (Role::Officer, "360124106205"),
                    (Role::ViewPii, "360124106204"),
                ],
                None,
                &sanfang,
                false,
                true,
            ),
            (
                &[
                    (Role::Officer, "360124106205"),
                    (Role::ViewPii, "360124106204"),
                ],
                None,
                &township,
                true,
                true,
            ),
            (
                &[
                    (Role::Officer, "360124106205"),
                    (Role::ViewPii, "360124106204"),
                ],
                None,
                &both,
                true,
                true,
            ),
            (
                &[(Role::Officer, "360124106204")],
                None,
                &sanfang,
                false,
                false,
            ),
            // no grants yet: the home region decides
            (&[], Some("360124106205"), &sanfang, true, true),
            (&[], Some("360124106204"), &sanfang, false, false),
            (&[], Some("360124106204"), &township, true, true),
            (&[], None, &township, false, false),
            (&[], None, &Scope::All, true, true),
            (
                &[(Role::Admin, "360000000000")],
                None,
                &Scope::All,
                true,
                true,
            ),
        ];
        for (i, (grants, home, scope, manages, lists)) in cases.iter().enumerate() {
            let u = user(grants, *home);
            assert_eq!(u.managed_within(scope), *manages, "case {i}: manages");
            assert_eq!(u.listed_within(scope), *lists, "case {i}: lists");
        }
        let seen = user(
            &[
                (Role::Officer, "360124106205"),
                (Role::ViewPii, "360124106204"),
            ],
            Some("360124106204"),
        )
        .seen_within(&sanfang);
        assert_eq!(seen.grants.len(), 1);
        assert_eq!(seen.grants[0].region.as_str(), "360124106205");
        assert_eq!(seen.home_region, None);
    }

    #[test]
    fn records_of_an_account_belong_to_the_region_covering_it() {
        let cover = |grants: &[(Role, &str)], home: Option<&str>| {
            user(grants, home)
                .covering_region()
                .map(|r| r.as_str().to_string())
        };
        assert_eq!(
            cover(&[(Role::Officer, "360124106205")], Some("360000000000")).as_deref(),
            Some("360124106205")
        );
        assert_eq!(
            cover(
                &[
                    (Role::Officer, "360124106205"),
                    (Role::ViewPii, "360124106204")
                ],
                None
            )
            .as_deref(),
            Some("360124106000")
        );
        assert_eq!(
            cover(
                &[
                    (Role::Officer, "360124106205"),
                    (Role::Viewer, "360125000000")
                ],
                None
            )
            .as_deref(),
            Some("360100000000")
        );
        assert_eq!(
            cover(
                &[
                    (Role::Officer, "360124106205"),
                    (Role::Viewer, "110000000000")
                ],
                None
            ),
            None
        );
        assert_eq!(
            cover(&[], Some("360124106204")).as_deref(),
            Some("360124106204")
        );
        assert_eq!(cover(&[], None), None);
    }

    #[test]
    fn home_region_of_a_new_account() {
        let r = |c: &str| RegionCode::parse(c).unwrap();
        let one = Scope::Within(vec![r("360124106205")]);
        let two = Scope::Within(vec![r("360124106205"), r("360124106204")]);
        assert_eq!(
            home_region_for(&one, None).unwrap(),
            Some(r("360124106205"))
        );
        assert_eq!(
            home_region_for(&one, Some(r("360124106204")))
                .unwrap_err()
                .code,
            "not_found"
        );
        assert_eq!(home_region_for(&two, None).unwrap_err().code, "required");
        assert_eq!(
            home_region_for(&two, Some(r("360124106204"))).unwrap(),
            Some(r("360124106204"))
        );
        assert_eq!(home_region_for(&Scope::All, None).unwrap(), None);
    }

    #[test]
    fn account_input_rules() {
        assert_eq!(check_username("Demo-Admin").unwrap(), "demo-admin");
        assert!(check_username("a b").is_err());
        assert!(check_username("ab").is_err());
        assert_eq!(
            check_password("1234567").unwrap_err().code,
            "password_too_short"
        );
        assert_eq!(
            check_password("12345678").unwrap_err().code,
            "password_too_weak"
        );
        assert!(check_password("fupin-demo").is_ok());
        let input = NewUserInput {
            username: "demo".into(),
            display_name: "演示".into(),
            unit: None,
            phone: None,
            password: "fupin-demo".into(),
            region: None,
        };
        assert_eq!(
            input
                .validate(|p| format!("h:{}", p.len()))
                .unwrap()
                .password_hash,
            "h:10"
        );
    }
}
