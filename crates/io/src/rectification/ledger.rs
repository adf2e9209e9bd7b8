//! The rectification ledger (整改台账): one row per problem of a region (and campaign) in the
//! layout county offices keep — source, content, measures, responsible unit and person, deadline,
//! status, sign-off — read from the store a page at a time and written as it comes.

use crate::export::{ExportError, TableWriter, Value};
use crate::source::FileFormat;
use fupin_core::rectification::{CampaignId, Problem, ProblemFilter, ProblemStatus};
use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};
use std::path::Path;

/// The ledger's columns: header and width.
pub const LEDGER_COLUMNS: &[(&str, f64)] = &[
    ("序号", 6.0),
    ("问题编号", 9.0),
    ("整改行动", 16.0),
    ("问题来源", 12.0),
    ("来源说明", 18.0),
    ("发现日期", 12.0),
    ("所在区划", 14.0),
    ("户编码", 18.0),
    ("问题类别", 12.0),
    ("严重程度", 9.0),
    ("问题内容", 40.0),
    ("整改措施", 36.0),
    ("责任单位", 20.0),
    ("责任人", 10.0),
    ("整改时限", 12.0),
    ("整改状态", 10.0),
    ("是否逾期", 9.0),
    ("上报督办", 14.0),
    ("销号日期", 12.0),
    ("核验人", 12.0),
];

fn text(s: impl Into<String>) -> Value {
    let s = s.into();
    if s.is_empty() {
        Value::Empty
    } else {
        Value::Text(s)
    }
}

fn opt(s: &Option<String>) -> Value {
    s.as_deref().map_or(Value::Empty, text)
}

/// One problem's row (`n` its number in the ledger).
pub fn ledger_row(n: u64, p: &Problem) -> Vec<Value> {
    let china = time::UtcOffset::from_hms(8, 0, 0).expect("valid offset");
    let closed_on = p
        .closed_at
        .filter(|_| p.status == ProblemStatus::Closed)
        .map(|t| t.to_offset(china).date().to_string());
    vec![
        Value::Int(n as i64),
        Value::Int(p.id.0),
        opt(&p.campaign_name),
        text(p.source_label),
        opt(&p.source_ref),
        text(p.found_on.to_string()),
        text(p.region_name.clone()),
        opt(&p.household_number),
        text(p.category_label),
        text(p.severity_label),
        text(p.description.clone()),
        opt(&p.measures),
        text(p.responsible_unit.clone()),
        opt(&p.responsible_person),
        text(p.deadline.to_string()),
        text(p.status_label),
        text(if p.overdue { "是" } else { "否" }),
        p.escalated_to
            .as_ref()
            .map_or(Value::Empty, |r| text(r.as_str())),
        closed_on.map_or(Value::Empty, text),
        if p.status == ProblemStatus::Closed {
            opt(&p.closed_by)
        } else {
            Value::Empty
        },
    ]
}

/// Write the ledger of `region` (and `campaign`) to `path`; returns the rows written.
pub async fn write_ledger(
    store: &dyn Store,
    ctx: &Ctx,
    region: &RegionCode,
    campaign: Option<CampaignId>,
    path: &Path,
    format: FileFormat,
) -> Result<u64, ExportError> {
    let mut w = TableWriter::create(path, format, "整改台账", LEDGER_COLUMNS)?;
    let mut filter = ProblemFilter {
        region: Some(region.clone()),
        campaign,
        limit: 500,
        ..Default::default()
    };
    let mut n = 0;
    loop {
        let page = store.problems(ctx, &filter).await?;
        for p in &page.items {
            n += 1;
            w.row(&ledger_row(n, p))?;
        }
        match page.next {
            Some(next) => filter.after = Some(next),
            None => break,
        }
    }
    w.finish()
}
