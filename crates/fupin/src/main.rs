//! The `fupin` binary: configuration, logging, then one subcommand.

use clap::Parser;

/// mimalloc instead of the system allocator: a bulk import allocates row values on a reader thread
/// and frees them on the writer, a pattern glibc's arenas serve slowly (a third of an import's time
/// was spent in malloc and free).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    fupin::cli::run(fupin::cli::Cli::parse()).await
}
