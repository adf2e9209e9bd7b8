//! `fupin audit verify | anchor | rotate-key`: walk the chain with the audit keys (and against an
//! anchor); write the signed head to keep elsewhere; add a key. Verify exits 0 when intact, 1
//! naming the first broken row, 2 when it cannot check (no keys, an unreadable anchor).

use crate::audit_keys::Loaded;
use fupin_core::audit::{format_at, AuditAnchor, ChainReport};
use fupin_core::store::Store;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use time::OffsetDateTime;

/// Read an anchor file.
fn read_anchor(path: &Path) -> Result<AuditAnchor, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("无法读取锚点文件 {}：{e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("锚点文件 {} 无效：{e}", path.display()))
}

/// What an intact chain was checked with, one line each.
fn describe(r: &ChainReport, loaded: &Loaded) -> Vec<String> {
    let mut lines = vec![format!("审计日志完整：共 {} 行，哈希链校验通过", r.checked)];
    let keyed = r.checked - r.legacy;
    if r.legacy > 0 {
        let covered = if keyed > 0 {
            "其后第一行的密钥签名连同它们的哈希一并保护"
        } else {
            "其后还没有密钥签名的行，能改写数据库者可以重算它们：请以锚点核对"
        };
        lines.push(format!(
            "  第 1–{} 行写于启用审计密钥之前：旧版记录，本身未签名，校验了哈希链；{covered}",
            r.legacy
        ));
    }
    if keyed > 0 {
        lines.push(format!(
            "  {keyed} 行以密钥 {} 签名并校验通过，链头签名有效（密钥来自{}）",
            r.keys.join("、"),
            loaded.source
        ));
    }
    if let Some(seq) = r.anchored {
        lines.push(format!("  与锚点一致：日志仍完整包含锚点记录的前 {seq} 行"));
    }
    if r.pending > 0 {
        lines.push(format!(
            "  另有 {} 条记录在校验期间写入，尚待封存（下次封存时接入哈希链）",
            r.pending
        ));
    }
    lines
}

pub async fn verify(store: Arc<dyn Store>, keys: &Loaded, anchor: Option<&Path>) -> ExitCode {
    let anchor = match anchor.map(read_anchor).transpose() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("错误 [invalid_anchor] {msg}");
            return ExitCode::from(2);
        }
    };
    match store.check_audit(anchor.as_ref()).await {
        Ok(Ok(r)) => {
            for line in describe(&r, keys) {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Ok(Err(b)) => {
            eprintln!("审计日志被改动：第 {} 行起校验失败（{}）", b.seq, b.reason);
            ExitCode::FAILURE
        }
        Err(e) => {
            super::report(&e);
            ExitCode::from(2)
        }
    }
}

pub async fn anchor(store: Arc<dyn Store>, keys: &Loaded, out: Option<&Path>) -> ExitCode {
    let r = match store.check_audit(None).await {
        Ok(Ok(r)) => r,
        Ok(Err(b)) => {
            eprintln!(
                "审计日志被改动：第 {} 行起校验失败（{}），不为它生成锚点",
                b.seq, b.reason
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            super::report(&e);
            return ExitCode::from(2);
        }
    };
    let a = AuditAnchor::seal(
        &keys.keys,
        r.head_seq,
        &r.head_hash,
        r.head_at.as_deref(),
        &format_at(OffsetDateTime::now_utc()),
    );
    let json = serde_json::to_string(&a).expect("serialisable") + "\n";
    match out {
        None => print!("{json}"),
        Some(path) => {
            if let Err(e) = std::fs::write(path, &json) {
                eprintln!("错误 [anchor_not_written] 无法写入 {}：{e}", path.display());
                return ExitCode::from(2);
            }
            println!(
                "已写入锚点 {}：第 {} 行，哈希 {}，时间 {}",
                path.display(),
                a.seq,
                a.hash,
                a.anchored_at
            );
        }
    }
    ExitCode::SUCCESS
}

pub fn rotate_key(data_dir: &Path, env: Option<&str>) -> ExitCode {
    match crate::audit_keys::rotate(data_dir, env) {
        Ok(id) => {
            println!(
                "已添加审计密钥 {id}：各进程下次启动起用它签名，旧密钥保留用于校验（请重新备份 {}）",
                crate::audit_keys::key_file(data_dir).display()
            );
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("错误 [audit_key_invalid] {msg}");
            ExitCode::from(2)
        }
    }
}
