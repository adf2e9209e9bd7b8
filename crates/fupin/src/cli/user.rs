//! `fupin user add|passwd|disable|enable|grant|revoke|list`: bootstrapping and administering accounts.
//! Passwords are read from `FUPIN_PASSWORD` or the first line of standard input, never from flags
//! (which would land in shell history and process lists).

use fupin_core::accounts::{hash_password, Grant, NewUserInput, Role, User};
use fupin_core::store::Store;
use fupin_core::{Ctx, DomainError, RegionCode};
use std::process::ExitCode;
use std::sync::Arc;

fn cli_ctx() -> Ctx {
    Ctx::system("system:cli")
}

/// A fresh salt from the operating system's random source.
pub(crate) fn salt() -> [u8; 16] {
    rand::random()
}

fn read_password() -> Result<String, DomainError> {
    if let Ok(p) = std::env::var("FUPIN_PASSWORD") {
        return Ok(p);
    }
    eprintln!("请输入密码（一行）：");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|_| {
        DomainError::invalid("password", "password_unreadable", "无法从标准输入读取密码")
    })?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn find(store: &dyn Store, username: &str) -> Result<User, DomainError> {
    match store.user_credentials(username).await? {
        Some((u, _)) => Ok(u),
        None => Err(DomainError::not_found(
            "user_not_found",
            format!("用户 {username} 不存在"),
        )),
    }
}

fn done(r: Result<String, DomainError>) -> ExitCode {
    match r {
        Ok(msg) => {
            println!("{msg}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            super::report(&e);
            ExitCode::FAILURE
        }
    }
}

pub async fn add(
    store: Arc<dyn Store>,
    username: &str,
    display_name: &str,
    unit: Option<String>,
    phone: Option<String>,
    region: Option<String>,
) -> ExitCode {
    done(
        async {
            let password = read_password()?;
            let input = NewUserInput {
                username: username.into(),
                display_name: display_name.into(),
                unit,
                phone,
                password,
                region,
            };
            let new = input.validate(|p| hash_password(p, &salt()))?;
            let u = store.create_user(&cli_ctx(), new).await?;
            Ok(format!("已创建用户 {}（{}）", u.username, u.display_name))
        }
        .await,
    )
}

pub async fn passwd(store: Arc<dyn Store>, username: &str) -> ExitCode {
    done(
        async {
            let u = find(store.as_ref(), username).await?;
            let password = read_password()?;
            fupin_core::accounts::check_password(&password)?;
            store
                .set_password(&cli_ctx(), u.id, hash_password(&password, &salt()))
                .await?;
            Ok(format!(
                "已修改用户 {} 的密码，其所有会话已失效",
                u.username
            ))
        }
        .await,
    )
}

pub async fn set_disabled(store: Arc<dyn Store>, username: &str, disabled: bool) -> ExitCode {
    done(
        async {
            let u = find(store.as_ref(), username).await?;
            store.set_disabled(&cli_ctx(), u.id, disabled).await?;
            Ok(if disabled {
                format!("已停用用户 {}，其会话与令牌均已失效", u.username)
            } else {
                format!("已启用用户 {}", u.username)
            })
        }
        .await,
    )
}

fn parse_grant(role: &str, region: &str) -> Result<Grant, DomainError> {
    let role = Role::parse(role).ok_or_else(|| {
        DomainError::invalid(
            "role",
            "unknown_role",
            "角色须为 admin、officer、cadre、viewer、auditor 或 view_pii",
        )
    })?;
    Ok(Grant {
        role,
        region: RegionCode::parse_field("region", region)?,
    })
}

pub async fn grant(
    store: Arc<dyn Store>,
    username: &str,
    role: &str,
    region: &str,
    revoke: bool,
) -> ExitCode {
    done(
        async {
            let u = find(store.as_ref(), username).await?;
            let g = parse_grant(role, region)?;
            if revoke {
                store.revoke_grant(&cli_ctx(), u.id, g.clone()).await?;
                Ok(format!(
                    "已撤销 {} 在 {} 的 {} 授权",
                    u.username,
                    g.region,
                    g.role.label()
                ))
            } else {
                store.grant(&cli_ctx(), u.id, g.clone()).await?;
                Ok(format!(
                    "已授予 {} 在 {} 的 {} 权限",
                    u.username,
                    g.region,
                    g.role.label()
                ))
            }
        }
        .await,
    )
}

pub async fn list(store: Arc<dyn Store>) -> ExitCode {
    done(
        async {
            let users = store
                .list_users(&cli_ctx(), &fupin_core::paging::Keyset::all())
                .await?
                .items;
            let mut out = String::new();
            for u in users {
                let grants: Vec<String> = u
                    .grants
                    .iter()
                    .map(|g| format!("{}@{}", g.role.as_str(), g.region))
                    .collect();
                let state = if u.disabled { "（已停用）" } else { "" };
                out.push_str(&format!(
                    "{}\t{}{state}\t{}\n",
                    u.username,
                    u.display_name,
                    grants.join(" ")
                ));
            }
            Ok(out.trim_end().to_string())
        }
        .await,
    )
}
