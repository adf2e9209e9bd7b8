//! Files on a problem's trail: attached to a progress note or a close-out request by the note's
//! author while the problem is not signed off (core's `rectification::attachment` says why),
//! read back with the trail and downloaded within the problem's scope. Every file written is an
//! audit record in the transaction that stores it.

use super::rows::{new_attachment, ATTACHMENT_COLS, INSERT_ATTACHMENT};
use super::{problem_not_found, SqlStore};
use crate::args;
use crate::rows::{one_i64, Cols, Record};
use crate::sql::Tx;
use fupin_core::audit::AuditRecord;
use fupin_core::rectification::*;
use fupin_core::store::StoreResult;
use fupin_core::{Ctx, DomainError};
use std::collections::BTreeMap;
use time::OffsetDateTime;

pub(crate) fn attachment_not_found() -> DomainError {
    DomainError::not_found("attachment_not_found", "该附件不存在或不在您的管辖范围内")
}

fn too_many() -> DomainError {
    DomainError::invalid(
        "file",
        "too_many_attachments",
        format!("每条整改进展最多 {MAX_ATTACHMENTS_PER_NOTE} 个附件"),
    )
}

/// Uploaded files checked and made what is stored, on a thread for blocking work and before any
/// transaction opens (decoding a photo takes a while and holds no lock).
pub(crate) async fn prepare_files(
    files: Vec<(String, Vec<u8>)>,
) -> StoreResult<Vec<PreparedAttachment>> {
    if files.len() > MAX_ATTACHMENTS_PER_NOTE {
        return Err(too_many());
    }
    if files.is_empty() {
        return Ok(Vec::new());
    }
    tokio::task::spawn_blocking(move || {
        files
            .iter()
            .map(|(name, bytes)| prepare_attachment("file", name, bytes))
            .collect::<StoreResult<Vec<_>>>()
    })
    .await
    .map_err(|_| DomainError::internal())?
}

impl SqlStore {
    /// Store files on step `seq` of `problem` (visible to the caller, read in this transaction),
    /// after checking that the step is a note the caller wrote and the problem is not signed off.
    pub(crate) async fn attach_files(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        problem: &Problem,
        seq: i32,
        files: Vec<PreparedAttachment>,
    ) -> StoreResult<Vec<AttachmentRef>> {
        if problem.status == ProblemStatus::Closed {
            return Err(DomainError::conflict(
                "problem_closed",
                "该问题已销号，不能再附加文件；如需补充请先重新打开",
            ));
        }
        let step = tx
            .fetch_optional(
                "SELECT action, actor FROM problem_events WHERE problem_id = $1 AND seq = $2",
                &args![problem.id.0, seq],
            )
            .await?
            .ok_or_else(|| {
                DomainError::not_found("step_not_found", "该问题没有这一步办理记录")
                    .with_field("seq")
            })?;
        let (action, actor) = Cols::read(&step, |c| Ok((c.text()?, c.text()?)))?;
        let note = matches!(
            EventAction::parse(&action),
            Some(EventAction::Progress | EventAction::RequestClose)
        );
        if !note {
            return Err(DomainError::invalid(
                "seq",
                "not_a_progress_note",
                "只能给整改进展或销号申请附加文件",
            ));
        }
        if actor != ctx.actor {
            return Err(DomainError::forbidden(
                "只有填写该条整改进展的人员可以为其附加文件",
            ));
        }
        let held = one_i64(
            &tx.fetch_one(
                "SELECT COUNT(*) FROM problem_attachments WHERE problem_id = $1 AND seq = $2",
                &args![problem.id.0, seq],
            )
            .await?,
        )?;
        if held as usize + files.len() > MAX_ATTACHMENTS_PER_NOTE {
            return Err(too_many());
        }
        let now = OffsetDateTime::now_utc();
        let mut out = Vec::with_capacity(files.len());
        for file in files {
            let (file_name, content_type) = (file.file_name.clone(), file.content_type);
            let size = file.bytes.len() as i64;
            let r = tx
                .fetch_one(
                    &INSERT_ATTACHMENT,
                    &new_attachment(problem.id, seq, file, &ctx.actor, now),
                )
                .await?;
            let id = one_i64(&r)?;
            let a = AttachmentRef {
                id,
                seq,
                file_name,
                content_type: content_type.to_string(),
                size,
                uploaded_by: ctx.actor.clone(),
            };
            let details = serde_json::json!({
                "attachment": a.id,
                "seq": seq,
                "file_name": a.file_name,
                "type": a.content_type,
                "size": a.size,
            });
            self.audit(
                tx,
                ctx,
                AuditRecord::event(
                    "problem.attachment",
                    "problem",
                    Some(problem.id.0.to_string()),
                    details,
                )
                .in_region(&problem.region_code),
            )
            .await?;
            out.push(a);
        }
        Ok(out)
    }

    /// The files of a problem's trail, by step.
    pub(crate) async fn attachments_by_step(
        &self,
        tx: &mut dyn Tx,
        id: ProblemId,
    ) -> StoreResult<BTreeMap<i32, Vec<AttachmentRef>>> {
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {ATTACHMENT_COLS} FROM problem_attachments WHERE problem_id = $1 ORDER BY seq, id"
                ),
                &args![id.0],
            )
            .await?;
        let mut out: BTreeMap<i32, Vec<AttachmentRef>> = BTreeMap::new();
        for r in &rows {
            let a = AttachmentRef::from_row(r)?;
            out.entry(a.seq).or_default().push(a);
        }
        Ok(out)
    }

    pub(crate) async fn add_attachment_impl(
        &self,
        ctx: &Ctx,
        id: ProblemId,
        seq: i32,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> StoreResult<AttachmentRef> {
        let files = prepare_files(vec![(file_name.to_string(), bytes)]).await?;
        let mut tx = self.db.begin_write().await?;
        // lock the problem against a concurrent step or upload (PostgreSQL)
        tx.execute(
            "UPDATE problems SET version = version WHERE id = $1",
            &args![id.0],
        )
        .await?;
        let problem = self.load_problem(tx.as_mut(), id).await?;
        if !ctx.scope.allows(&problem.region_code) {
            return Err(problem_not_found());
        }
        let mut out = self
            .attach_files(tx.as_mut(), ctx, &problem, seq, files)
            .await?;
        tx.commit().await?;
        out.pop().ok_or_else(DomainError::internal)
    }

    pub(crate) async fn attachment_impl(
        &self,
        ctx: &Ctx,
        id: i64,
    ) -> StoreResult<(AttachmentRef, Vec<u8>)> {
        let mut tx = self.db.begin_read().await?;
        let r = tx
            .fetch_optional(
                &format!(
                    "SELECT problem_id, data, {ATTACHMENT_COLS} FROM problem_attachments WHERE id = $1"
                ),
                &args![id],
            )
            .await?
            .ok_or_else(attachment_not_found)?;
        let (problem, data, a) = Cols::read(&r, |c| {
            Ok((ProblemId(c.i64()?), c.bytes()?, AttachmentRef::decode(c)?))
        })?;
        let p = self
            .load_problem(tx.as_mut(), problem)
            .await
            .map_err(|_| attachment_not_found())?;
        if !ctx.scope.allows(&p.region_code) {
            return Err(attachment_not_found());
        }
        Ok((a, data))
    }
}
