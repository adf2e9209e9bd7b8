//! Demonstration accounts, all with the password `fupin-demo`. For demonstration only: a real
//! deployment creates its own accounts with `fupin user add` and never loads these.

use fupin_core::accounts::{hash_password, Grant, NewUserInput, Role};
use fupin_core::store::Store;
use fupin_core::{Ctx, DomainError, RegionCode};

/// The shared demo password.
pub const DEMO_PASSWORD: &str = "fupin-demo";

/// A demo account: username, display name, unit, and its grants (role, region code).
pub type DemoAccount = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(Role, &'static str)],
);

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    (
        "demo-admin",
        "演示管理员",
        "江西省乡村振兴局",
        &[
            (Role::Admin, "360000000000"),
            (Role::ViewPii, "360000000000"),
        ],
    ),
    (
        "demo-officer",
        "演示县级经办",
        "进贤县乡村振兴局",
        &[(Role::Officer, "360124000000")],
    ),
    (
        "demo-township",
        "演示乡镇经办",
        "罗溪镇人民政府",
        &[(Role::Officer, "360124106000")],
    ),
    (
        "demo-cadre",
        "演示帮扶干部",
        "南昌市人力资源和社会保障局",
        &[(Role::Cadre, "360124106204")],
    ),
    (
        "demo-auditor",
        "演示审计员",
        "进贤县审计局",
        &[(Role::Auditor, "360124000000")],
    ),
    (
        "demo-other",
        "演示三房村经办",
        "罗溪镇三房村委会",
        &[(Role::Officer, "360124106205")],
    ),
];

/// Create the demo accounts that do not exist yet; returns how many were created.
pub async fn create_demo_accounts(store: &dyn Store, ctx: &Ctx) -> Result<usize, DomainError> {
    let mut created = 0;
    for (username, display, unit, grants) in DEMO_ACCOUNTS {
        if store.user_credentials(username).await?.is_some() {
            continue;
        }
        let input = NewUserInput {
            username: username.to_string(),
            display_name: display.to_string(),
            unit: Some(unit.to_string()),
            phone: None,
            password: DEMO_PASSWORD.to_string(),
            region: None,
        };
        let user = store
            .create_user(ctx, input.validate(|p| hash_password(p, &rand::random()))?)
            .await?;
        for (role, region) in grants.iter() {
            store
                .grant(
                    ctx,
                    user.id,
                    Grant {
                        role: *role,
                        region: RegionCode::parse(region)?,
                    },
                )
                .await?;
        }
        created += 1;
    }
    Ok(created)
}
