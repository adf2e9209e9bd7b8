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
    let cli = fupin::cli::Cli::parse();
    if !matches!(cli.command, fupin::cli::Command::Serve { .. }) {
        end_quietly_on_closed_pipe();
    }
    let format = match fupin::cli::log_format(&cli) {
        Ok(f) => f,
        Err(msg) => {
            eprintln!("错误 [invalid_config] {msg}");
            return ExitCode::from(2);
        }
    };
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,sqlx=warn".into())
    };
    match format {
        fupin::cli::LogFormat::Text => tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init(),
        // one JSON object per line, the span's fields (route, request id, user) with each event
        fupin::cli::LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init(),
    }
    fupin::cli::run(cli).await
}

/// A printing command (a report, `audit verify`, `openapi`) piped into a reader that stops early
/// (`| head -1`) ends as command-line tools do when the reader goes away, by SIGPIPE, instead of
/// panicking on the broken pipe with a backtrace. Rust ignores the signal by default; the server
/// keeps it ignored, so that a client that goes away never stops it.
#[cfg(unix)]
fn end_quietly_on_closed_pipe() {
    // SAFETY: restoring a signal's default disposition touches no memory of this program; the
    // call is made once, at start, before any handler of this program is installed.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn end_quietly_on_closed_pipe() {}
