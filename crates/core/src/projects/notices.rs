//! Public notices (公告公示) of projects and assets: a project's entry into the library (入库公示),
//! its completion (竣工公告) and an asset's dividend distribution of a year (收益分配公示), with the
//! posting period and the places where the printed notice was put up, as the village records them.

use crate::error::{check_text, DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// What a notice announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// 项目入库公示
    Library,
    /// 项目竣工公告
    Completion,
    /// 资产收益分配公示
    Dividend,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 3] = [
        NoticeKind::Library,
        NoticeKind::Completion,
        NoticeKind::Dividend,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Library => "library",
            NoticeKind::Completion => "completion",
            NoticeKind::Dividend => "dividend",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::Library => "项目入库公示",
            NoticeKind::Completion => "项目竣工公告",
            NoticeKind::Dividend => "资产收益分配公示",
        }
    }
    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim() || k.label() == s.trim())
    }
    /// Whether the notice is about an asset (and a year) rather than a project.
    pub fn of_asset(self) -> bool {
        self == NoticeKind::Dividend
    }
}

/// A posting as sent by a client: the subject (a project, or an asset and a year), when and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    /// `library`, `completion` (of a project) or `dividend` (of an asset and year).
    pub kind: String,
    /// The project's id, or the asset's for a dividend notice.
    pub subject_id: i64,
    /// The year of a dividend distribution.
    #[serde(default)]
    pub year: Option<i32>,
    pub posted_from: Date,
    pub posted_to: Date,
    /// Where it was put up (村务公开栏、村民小组公示点 …).
    pub places: String,
}

/// A checked posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeData {
    pub kind: NoticeKind,
    pub subject_id: i64,
    pub year: Option<i32>,
    pub posted_from: Date,
    pub posted_to: Date,
    pub places: String,
}

impl NoticeInput {
    /// Check the input; the posting lasts at least `min_days` days (the notice parameter).
    pub fn validate(&self, min_days: i64) -> DomainResult<NoticeData> {
        let kind = NoticeKind::parse(&self.kind).ok_or_else(|| {
            DomainError::invalid(
                "kind",
                "unknown_notice_kind",
                format!("kind 的取值“{}”不是公示类型", self.kind),
            )
        })?;
        if kind.of_asset() && self.year.is_none() {
            return Err(DomainError::invalid("year", "required", "year 不能为空"));
        }
        if self.posted_to < self.posted_from {
            return Err(DomainError::invalid(
                "posted_to",
                "end_before_start",
                "结束日期不能早于开始日期",
            ));
        }
        let days = (self.posted_to - self.posted_from).whole_days();
        if days < min_days {
            return Err(DomainError::invalid(
                "posted_to",
                "posting_too_short",
                format!("公示期为 {days} 天，不少于 {min_days} 天"),
            ));
        }
        Ok(NoticeData {
            kind,
            subject_id: self.subject_id,
            year: if kind.of_asset() { self.year } else { None },
            posted_from: self.posted_from,
            posted_to: self.posted_to,
            places: check_text("places", &self.places, 500)?,
        })
    }
}

/// A posting as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    pub id: i64,
    #[serde(flatten)]
    pub data: NoticeData,
    pub kind_label: String,
    pub recorded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_posting_lasts_the_notice_period() {
        let mut n = NoticeInput {
            kind: "completion".into(),
            subject_id: 1,
            year: None,
            posted_from: date!(2017 - 12 - 01),
            posted_to: date!(2017 - 12 - 11),
            places: "村务公开栏".into(),
        };
        assert_eq!(n.validate(10).unwrap().kind, NoticeKind::Completion);
        n.posted_to = date!(2017 - 12 - 10);
        let e = n.validate(10).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("posting_too_short", Some("posted_to"))
        );
        n.kind = "dividend".into();
        assert_eq!(n.validate(1).unwrap_err().code, "required");
        n.kind = "海报".into();
        assert_eq!(n.validate(1).unwrap_err().code, "unknown_notice_kind");
    }
}
