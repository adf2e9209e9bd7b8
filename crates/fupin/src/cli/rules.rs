//! `fupin rules list|run`: the data-quality rules, and a run of them (with the escalation of
//! overdue problems) over the whole registry or one region, for a scheduler (cron, a systemd timer).

use fupin_core::store::Store;
use fupin_core::years::{parse_date, today};
use fupin_core::{Ctx, RegionCode};
use std::process::ExitCode;
use std::sync::Arc;

pub async fn list(store: Arc<dyn Store>) -> ExitCode {
    match store.quality_rules(&Ctx::system("system:cli")).await {
        Ok(rules) => {
            for r in rules {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    r.code,
                    if r.enabled { "启用" } else { "停用" },
                    r.severity.label(),
                    r.description,
                    serde_json::Value::Object(r.params)
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            super::report(&e);
            ExitCode::FAILURE
        }
    }
}

pub async fn run(store: Arc<dyn Store>, region: Option<&str>, as_of: Option<&str>) -> ExitCode {
    let region = match region.map(RegionCode::parse).transpose() {
        Ok(r) => r,
        Err(e) => {
            super::report(&e);
            return ExitCode::from(2);
        }
    };
    let as_of = match as_of.map(|d| parse_date("as_of", d)).transpose() {
        Ok(d) => d.unwrap_or_else(today),
        Err(e) => {
            super::report(&e);
            return ExitCode::from(2);
        }
    };
    match store
        .run_checks(&Ctx::system("system:rules"), region.as_ref(), as_of)
        .await
    {
        Ok(run) => {
            for r in &run.rules {
                println!(
                    "{}：发现 {}，新增 {}，重开 {}，自动销号 {}",
                    r.code, r.findings, r.created, r.reopened, r.closed
                );
            }
            println!("逾期上报督办：{}", run.escalated);
            ExitCode::SUCCESS
        }
        Err(e) => {
            super::report(&e);
            ExitCode::FAILURE
        }
    }
}
