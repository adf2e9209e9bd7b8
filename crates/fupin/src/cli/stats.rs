//! `fupin stats rebuild|check`: rebuild the aggregates, or check them against a recomputation.

use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};
use std::process::ExitCode;
use std::sync::Arc;

pub async fn rebuild(store: Arc<dyn Store>) -> ExitCode {
    match store.rebuild_aggregates(&Ctx::system("system:cli")).await {
        Ok(()) => {
            println!("统计汇总已重建");
            ExitCode::SUCCESS
        }
        Err(e) => {
            super::report(&e);
            ExitCode::FAILURE
        }
    }
}

pub async fn check(store: Arc<dyn Store>, region: &str, year: i32) -> ExitCode {
    let ctx = Ctx::system("system:cli");
    let code = match RegionCode::parse(region) {
        Ok(c) => c,
        Err(e) => {
            super::report(&e);
            return ExitCode::from(2);
        }
    };
    let (kept, fresh) = match (
        store.region_stats(&ctx, &code, year).await,
        store.recompute_region_stats(&ctx, &code, year).await,
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            super::report(&e);
            return ExitCode::FAILURE;
        }
    };
    if kept == fresh {
        println!(
            "一致：{} {year} 年 {} 户 {} 人",
            kept.region.name, kept.households, kept.persons
        );
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "不一致：汇总 {} 户 {} 人，重算 {} 户 {} 人；请运行 fupin stats rebuild",
            kept.households, kept.persons, fresh.households, fresh.persons
        );
        ExitCode::FAILURE
    }
}
