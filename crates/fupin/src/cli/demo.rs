//! `fupin demo`: load the demo data (塔岗村 and its neighbours in 罗溪镇).

use fupin_core::store::Store;
use fupin_core::Ctx;
use std::process::ExitCode;
use std::sync::Arc;

pub async fn run(store: Arc<dyn Store>) -> ExitCode {
    let ctx = Ctx::system("system:demo");
    let loaded = match crate::demo::load_demo(store.as_ref(), &ctx).await {
        Ok(summary) => summary,
        Err(e) => {
            super::report(&e);
            return ExitCode::FAILURE;
        }
    };
    println!("{loaded}");
    match crate::demo_accounts::create_demo_accounts(store.as_ref(), &ctx).await {
        Ok(n) => {
            if n > 0 {
                println!(
                    "已创建 {n} 个演示账号（密码 {}，仅供演示）",
                    crate::demo_accounts::DEMO_PASSWORD
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
