//! `fupin serve`: serve the API until Ctrl-C / SIGTERM, optionally loading the demo first. On the
//! signal it shuts down gracefully (see `fupin_web::serve_with_grace`) and exits 0.

use fupin_core::store::Store;
use std::process::ExitCode;
use std::sync::Arc;

pub async fn run(
    store: Arc<dyn Store>,
    bind: &str,
    demo: bool,
    secure_cookies: bool,
    settings: super::ServeSettings,
) -> ExitCode {
    if demo {
        match crate::load_demo_all(store.as_ref()).await {
            Ok(lines) => lines.iter().for_each(|l| eprintln!("{l}")),
            Err(e) => {
                super::report(&e);
                return ExitCode::FAILURE;
            }
        }
    }
    let jobs = settings.jobs.clone();
    let dir = jobs.dir.clone().unwrap_or_default();
    let state = match fupin_web::AppState::with_auth(
        store.clone(),
        fupin_web::AuthConfig {
            secure_cookies,
            ..Default::default()
        },
    )
    .with_metrics_allow(settings.metrics_allow.clone())
    .with_jobs(jobs)
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "错误 [data_dir_unusable] 无法使用导入导出任务文件夹 {}：{e}",
                dir.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("错误 [bind_failed] 无法监听 {bind}：{e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "fupin 已启动：http://{}（{}）",
        listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default(),
        store.backend()
    );
    // chain what writes appended (each write asks the store's sealing task as it commits; this
    // picks up what is left, e.g. the bulk of an import, or records of a process that stopped
    // before)
    let sealer = tokio::spawn({
        let store = store.clone();
        async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(2));
            loop {
                every.tick().await;
                if let Err(e) = store.seal_audit().await {
                    tracing::warn!(code = e.code, "audit records not sealed; trying again");
                }
            }
        }
    });
    let served = fupin_web::serve_with_grace(
        listener,
        state,
        shutdown_signal(),
        settings.shutdown_timeout,
    )
    .await;
    sealer.abort();
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 [serve_failed] {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
