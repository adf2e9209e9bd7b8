//! The audit keys of an installation, kept outside the database: from the `FUPIN_AUDIT_KEY`
//! environment variable, else the file `audit.key` in the data directory, created there at first
//! start (folder 0700, file 0600). `fupin audit rotate-key` adds a key to the file.
//!
//! A new key file records how many unkeyed entries the log held at that moment (`legacy-until`):
//! those stay valid as they are, later ones must be sealed. Starting with keys that do not fit the
//! log (it was sealed with a key the ring lacks, or holds more unkeyed entries than the ring allows)
//! is refused rather than sealing on with a second key, except for `fupin audit verify` and
//! `anchor`, which say what is wrong.

use fupin_core::audit::{AuditKeys, KEY_BYTES};
use fupin_core::store::Store;
use rand::RngCore;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable that may hold the keys (the key file's text; `;` may separate lines).
pub const KEY_ENV: &str = "FUPIN_AUDIT_KEY";
/// The key file's name in the data directory.
pub const KEY_FILE: &str = "audit.key";

/// Where the keys came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Env,
    File(PathBuf),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Env => write!(f, "环境变量 {KEY_ENV}"),
            KeySource::File(p) => write!(f, "密钥文件 {}", p.display()),
        }
    }
}

/// Keys as loaded.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub keys: Arc<AuditKeys>,
    pub source: KeySource,
    /// Whether the key file was created just now.
    pub created: bool,
}

fn fresh_secret() -> [u8; KEY_BYTES] {
    let mut s = [0u8; KEY_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut s);
    s
}

/// The key file of a data directory.
pub fn key_file(data_dir: &Path) -> PathBuf {
    data_dir.join(KEY_FILE)
}

/// Read the key file, refusing one that other users may read.
fn read_file(path: &Path) -> Result<Option<AuditKeys>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("无法读取密钥文件 {}：{e}", path.display())),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("无法读取密钥文件 {}：{e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "密钥文件 {} 的权限为 {:04o}，其他用户可读：请执行 chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
    }
    AuditKeys::parse(&text)
        .map(Some)
        .map_err(|e| format!("密钥文件 {} 无效：{e}", path.display()))
}

/// Write `keys` to a new file at `path` (0600, its folder 0700 when created); false when the file
/// exists already (another process created it first).
fn create_file(path: &Path, keys: &AuditKeys) -> Result<bool, String> {
    let fail = |e: std::io::Error| format!("无法写入密钥文件 {}：{e}", path.display());
    if let Some(dir) = path.parent() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir).map_err(fail)?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = match o.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(fail(e)),
    };
    f.write_all(keys.to_text().as_bytes()).map_err(fail)?;
    f.sync_all().map_err(fail)?;
    Ok(true)
}

/// Load the keys (`env`: the value of `FUPIN_AUDIT_KEY`, if set), creating the key file in
/// `data_dir` at first start, and give them to the store. `strict`: refuse keys that do not fit
/// the log (see the module's comment).
pub async fn install(
    store: &dyn Store,
    data_dir: &Path,
    env: Option<&str>,
    strict: bool,
) -> Result<Loaded, String> {
    let last = store
        .last_audit_entry()
        .await
        .map_err(|e| format!("无法读取审计日志：{}", e.message))?;
    let (keys, source, created) = match env.filter(|v| !v.trim().is_empty()) {
        Some(text) => {
            let keys =
                AuditKeys::parse(text).map_err(|e| format!("环境变量 {KEY_ENV} 无效：{e}"))?;
            (keys, KeySource::Env, false)
        }
        None => {
            let path = key_file(data_dir);
            match read_file(&path)? {
                Some(keys) => (keys, KeySource::File(path), false),
                None => {
                    if let Some(id) = &last.key_id {
                        return Err(format!(
                            "审计日志已用密钥 {id} 签名，但找不到密钥文件 {}：请恢复该文件（或设置 \
                             {KEY_ENV}），不会另建新密钥",
                            path.display()
                        ));
                    }
                    let keys = AuditKeys::new(fresh_secret(), last.seq);
                    let created = create_file(&path, &keys)?;
                    // another process may have created it first: use theirs
                    let keys = if created {
                        tracing::info!(
                            file = %path.display(),
                            unkeyed_entries = last.seq,
                            "audit key created"
                        );
                        keys
                    } else {
                        read_file(&path)?
                            .ok_or_else(|| format!("密钥文件 {} 无法读取", path.display()))?
                    };
                    (keys, KeySource::File(path), created)
                }
            }
        }
    };
    if strict {
        fits(&keys, &source, &last)?;
    }
    let keys = Arc::new(keys);
    store.use_audit_keys(Arc::clone(&keys));
    Ok(Loaded {
        keys,
        source,
        created,
    })
}

/// Whether `keys` can seal on after the log's last entry.
fn fits(
    keys: &AuditKeys,
    source: &KeySource,
    last: &fupin_core::store::LastEntry,
) -> Result<(), String> {
    match &last.key_id {
        Some(id) if keys.get(id).is_none() => Err(format!(
            "审计日志最后一行以密钥 {id} 签名，但{source} 中没有该密钥：请使用原来的密钥"
        )),
        None if last.seq > keys.legacy_until() => Err(format!(
            "审计日志末尾第 {} 行没有密钥签名，但{source} 只允许前 {} 行未签名：该密钥不属于这个\
             数据库，或日志被改写（fupin audit verify 会指出第一处问题）",
            last.seq,
            keys.legacy_until()
        )),
        _ => Ok(()),
    }
}

/// Add a new key to the key file of `data_dir`; it seals entries from the next start of each
/// process on, the old ones stay to check what they sealed. The new key's id.
pub fn rotate(data_dir: &Path, env: Option<&str>) -> Result<String, String> {
    if env.is_some_and(|v| !v.trim().is_empty()) {
        return Err(format!(
            "密钥来自环境变量 {KEY_ENV}：请在其末尾追加一项 `; key <64 位十六进制数>`（例如 \
             openssl rand -hex 32 生成），保留原有各项"
        ));
    }
    let path = key_file(data_dir);
    let mut keys = read_file(&path)?
        .ok_or_else(|| format!("找不到密钥文件 {}（首次启动时创建）", path.display()))?;
    let id = keys.rotate(fresh_secret()).id().to_string();
    // written beside and renamed over, so that the file is never half-written
    let tmp = path.with_extension("key.new");
    let _ = std::fs::remove_file(&tmp);
    if !create_file(&tmp, &keys)? {
        return Err(format!("无法写入 {}", tmp.display()));
    }
    std::fs::rename(&tmp, &path)
        .map_err(|e| format!("无法替换密钥文件 {}：{e}", path.display()))?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_are_private_and_rotate() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let keys = AuditKeys::new(fresh_secret(), 7);
        let path = key_file(&data);
        assert!(create_file(&path, &keys).unwrap());
        assert!(!create_file(&path, &keys).unwrap(), "never overwritten");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&data), 0o700);
        }
        let first = keys.current().id().to_string();
        let new = rotate(&data, None).unwrap();
        assert_ne!(new, first);
        let again = read_file(&path).unwrap().unwrap();
        assert_eq!(again.ids(), [first.as_str(), new.as_str()]);
        assert_eq!(again.legacy_until(), 7);
        assert!(
            rotate(&data, Some("key 00")).is_err(),
            "not the file's keys"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = read_file(&path).unwrap_err();
            assert!(err.contains("chmod 600"), "{err}");
        }
    }
}
