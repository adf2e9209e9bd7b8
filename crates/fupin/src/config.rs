//! Configuration: defaults, then an optional TOML file, then `FUPIN_*` environment variables and
//! command-line flags (clap reads both). Secrets in URLs are redacted whenever a URL is shown.

use serde::Deserialize;
use std::path::Path;

/// Default database: an SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://fupin.db";
/// Default address to serve on (local only; put a reverse proxy in front to publish).
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Default data directory (job files, the audit key), beside the default database.
pub const DEFAULT_DATA_DIR: &str = "fupin-data";

/// Settings a TOML file may hold (`fupin.toml`, or the file given by `--config` / `FUPIN_CONFIG`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub bind: Option<String>,
    /// `text` or `json`.
    pub log_format: Option<String>,
    /// Addresses or CIDR blocks, comma-separated, that may read `/metrics` without signing in.
    pub metrics_allow: Option<String>,
    /// Seconds to let requests in flight finish on shutdown.
    pub shutdown_timeout: Option<u64>,
    /// Folder for files the server keeps beside the database (import and export job files).
    pub data_dir: Option<std::path::PathBuf>,
    /// MiB of job files one user may hold at once.
    pub jobs_max_mib_per_user: Option<u64>,
    /// MiB of job files the server holds at once.
    pub jobs_max_mib: Option<u64>,
}

impl FileConfig {
    /// Read the file if it exists. A missing default file is not an error; a given file must exist.
    pub fn load(path: Option<&Path>) -> Result<FileConfig, String> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (Path::new("fupin.toml").to_path_buf(), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).map_err(|e| format!("配置文件 {} 无效：{e}", path.display()))
            }
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                Ok(FileConfig::default())
            }
            Err(e) => Err(format!("无法读取配置文件 {}：{e}", path.display())),
        }
    }
}

/// A database URL with any password replaced by `***`, safe to print and log.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://fupin:s3cret@db:5432/fupin"),
            "postgres://fupin:***@db:5432/fupin"
        );
        assert_eq!(redact_url("sqlite://fupin.db"), "sqlite://fupin.db");
    }

    #[test]
    fn file_config_parses_and_rejects_unknown_keys() {
        let c: FileConfig =
            toml::from_str("database_url = \"sqlite://x.db\"\nbind = \"0.0.0.0:80\"").unwrap();
        assert_eq!(c.bind.as_deref(), Some("0.0.0.0:80"));
        let c: FileConfig =
            toml::from_str("data_dir = \"/var/lib/fupin\"\njobs_max_mib_per_user = 512").unwrap();
        assert_eq!(c.data_dir.unwrap(), Path::new("/var/lib/fupin"));
        assert_eq!((c.jobs_max_mib_per_user, c.jobs_max_mib), (Some(512), None));
        assert!(toml::from_str::<FileConfig>("databse_url = \"x\"").is_err());
        assert!(FileConfig::load(Some(Path::new("/nonexistent/fupin.toml"))).is_err());
    }
}
