//! A small builder for SQL with positional `$n` parameters, and the region-range filter every
//! scoped query uses.

use crate::sql::Value;
use fupin_core::registry::HouseholdStatus;
use fupin_core::{Ctx, RegionCode};
use time::Date;

/// SQL text and its parameters, numbered as they are added.
#[derive(Debug, Default)]
pub(crate) struct Query {
    pub sql: String,
    pub args: Vec<Value>,
}

impl Query {
    pub fn new(sql: &str) -> Self {
        Query {
            sql: sql.to_string(),
            args: Vec::new(),
        }
    }
    /// Append SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }
    /// Add a parameter and return its placeholder (`$n`).
    pub fn arg(&mut self, v: impl Into<Value>) -> String {
        self.args.push(v.into());
        format!("${}", self.args.len())
    }
    /// Append ` AND (col BETWEEN lo AND hi OR …)` for the given ranges: nothing when `None` (no
    /// filter), a false condition when the list is empty (nothing visible).
    pub fn and_in_ranges(
        &mut self,
        col: &str,
        ranges: &Option<Vec<(String, String)>>,
    ) -> &mut Self {
        match ranges {
            None => {}
            Some(r) if r.is_empty() => {
                self.push(" AND 1 = 0");
            }
            Some(r) => {
                let parts: Vec<String> = r
                    .iter()
                    .map(|(lo, hi)| {
                        let a = self.arg(lo.as_str());
                        let b = self.arg(hi.as_str());
                        format!("{col} BETWEEN {a} AND {b}")
                    })
                    .collect();
                self.push(&format!(" AND ({})", parts.join(" OR ")));
            }
        }
        self
    }
}

/// Households (alias `h`) paired today with the cadre acting as user `$u`.
pub(crate) const PAIRED_WITH_USER: &str =
    "h.id IN (SELECT p.household_id FROM pairings p JOIN cadres c ON c.id = p.cadre_id \
     WHERE c.user_id = {u} AND p.start_date <= {d} AND (p.end_date IS NULL OR p.end_date >= {d}))";

impl Query {
    /// Append the visibility filter for households (alias `h`): inside the caller's regions (and
    /// `region`, when given), or paired today with the caller when the caller is a cadre.
    pub fn and_visible_households(
        &mut self,
        ctx: &Ctx,
        region: Option<&RegionCode>,
        today: Date,
    ) -> &mut Self {
        let Some(user) = ctx.cadre_user else {
            return self.and_in_ranges("h.village_code", &ctx.scope.ranges(region));
        };
        let mut by_region = Query {
            sql: String::from("1 = 1"),
            args: std::mem::take(&mut self.args),
        };
        by_region.and_in_ranges("h.village_code", &ctx.scope.ranges(region));
        let u = by_region.arg(user);
        let d = by_region.arg(today);
        let mut paired = PAIRED_WITH_USER.replace("{u}", &u).replace("{d}", &d);
        if let Some(r) = region {
            let (lo, hi) = r.range();
            let a = by_region.arg(lo);
            let b = by_region.arg(hi);
            paired.push_str(&format!(" AND h.village_code BETWEEN {a} AND {b}"));
        }
        self.args = by_region.args;
        self.push(&format!(" AND (({}) OR ({paired}))", by_region.sql));
        self
    }
}

/// `(col IN ($…))` over text values, with the placeholders added to `q`.
pub(crate) fn in_text(q: &mut Query, col: &str, values: &[String]) -> String {
    let ph: Vec<String> = values.iter().map(|v| q.arg(v.as_str())).collect();
    format!("{col} IN ({})", ph.join(", "))
}

/// The codes of the statuses a core rule selects, quoted for an `IN (…)` list (written inline: they
/// are the enum's own constants).
pub(crate) fn status_list(rule: fn(HouseholdStatus) -> bool) -> String {
    let v: Vec<String> = HouseholdStatus::ALL
        .into_iter()
        .filter(|s| rule(*s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    v.join(", ")
}

/// Escape `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_in_order() {
        let mut q = Query::new("SELECT 1 WHERE x = ");
        let p = q.arg(5i64);
        q.push(&p);
        q.and_in_ranges(
            "c",
            &Some(vec![("1".into(), "2".into()), ("3".into(), "4".into())]),
        );
        assert_eq!(
            q.sql,
            "SELECT 1 WHERE x = $1 AND (c BETWEEN $2 AND $3 OR c BETWEEN $4 AND $5)"
        );
        assert_eq!(q.args.len(), 5);
        let mut none = Query::new("");
        none.and_in_ranges("c", &Some(vec![]));
        assert_eq!(none.sql, " AND 1 = 0");
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }
}
