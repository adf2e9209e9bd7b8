//! Code tables in the database: seeded with the shipped defaults, newest version of each in force.

use crate::rows::{one_i64, Cols};
use crate::{args, SqlStore};
use fupin_core::codes::{default_tables, CodeBook, CodeEntry, CodeTable};
use fupin_core::error::{check_text, DomainError};
use fupin_core::store::StoreResult;
use fupin_core::Ctx;
use std::sync::Arc;
use time::OffsetDateTime;

impl SqlStore {
    pub(crate) async fn seed_code_tables(&self) -> StoreResult<()> {
        let rows = self
            .db
            .fetch_all("SELECT COUNT(*) FROM code_tables", &[])
            .await?;
        if one_i64(&rows[0])? > 0 {
            return Ok(());
        }
        let mut tx = self.db.begin_write().await?;
        let now = OffsetDateTime::now_utc();
        for t in default_tables() {
            let codes = serde_json::to_string(&t.codes).expect("serialisable");
            tx.execute(
                "INSERT INTO code_tables (name, version, source, codes, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name, version) DO NOTHING",
                &args![t.name, t.version, t.source, codes, now],
            )
            .await?;
        }
        Ok(tx.commit().await?)
    }

    pub(crate) async fn reload_codes(&self) -> StoreResult<()> {
        // the newest version of each table is in force
        let rows = self
            .db
            .fetch_all("SELECT name, version, source, codes FROM code_tables ORDER BY name, created_at, version", &[])
            .await?;
        let mut tables: Vec<CodeTable> = Vec::new();
        for r in rows {
            let (name, version, source, codes) =
                Cols::read(&r, |c| Ok((c.text()?, c.text()?, c.opt_text()?, c.text()?)))?;
            let codes: Vec<CodeEntry> = serde_json::from_str(&codes).map_err(|e| {
                tracing::error!(table = %name, error = %e, "stored code table is not valid JSON");
                DomainError::internal()
            })?;
            let t = CodeTable {
                name,
                version,
                source,
                codes,
            };
            match tables.last_mut() {
                Some(last) if last.name == t.name => *last = t,
                _ => tables.push(t),
            }
        }
        *self.codes.write().expect("codes lock") = Arc::new(CodeBook::new(tables));
        Ok(())
    }

    pub(crate) fn codes(&self) -> Arc<CodeBook> {
        self.codes.read().expect("codes lock").clone()
    }

    pub(crate) async fn put_code_table_impl(&self, ctx: &Ctx, table: CodeTable) -> StoreResult<()> {
        if ctx.scope != fupin_core::Scope::All {
            return Err(DomainError::forbidden("只有全国范围的管理员可以修改代码表"));
        }
        let name = check_text("name", &table.name, 50)?;
        let version = check_text("version", &table.version, 30)?;
        if table.codes.is_empty() {
            return Err(DomainError::invalid(
                "codes",
                "no_codes",
                "代码表至少要有一个代码",
            ));
        }
        for (i, c) in table.codes.iter().enumerate() {
            check_text(&format!("codes[{i}].code"), &c.code, 10)?;
            check_text(&format!("codes[{i}].label"), &c.label, 50)?;
            if table.codes[..i].iter().any(|o| o.code == c.code) {
                return Err(DomainError::invalid(
                    format!("codes[{i}].code"),
                    "duplicate_code",
                    format!("代码 {} 重复", c.code),
                ));
            }
        }
        let codes = serde_json::to_string(&table.codes).expect("serialisable");
        let mut tx = self.db.begin_write().await?;
        tx.execute(
            "INSERT INTO code_tables (name, version, source, codes, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name, version) DO UPDATE SET source = excluded.source, codes = excluded.codes, created_at = excluded.created_at",
            &args![name.as_str(), version.as_str(), table.source.clone(), codes, OffsetDateTime::now_utc()],
        )
        .await?;
        let rec = fupin_core::audit::AuditRecord::event(
            "code_table.put",
            "code_table",
            Some(format!("{name}/{version}")),
            serde_json::json!({ "codes": table.codes }),
        );
        self.audit(tx.as_mut(), ctx, rec).await?;
        tx.commit().await?;
        self.reload_codes().await
    }
}
