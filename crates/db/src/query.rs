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
        self.and_visible_households_from(ctx, region, today, None)
    }

    /// [`Query::and_visible_households`] for a keyset page whose cursor lies in village `from`
    /// (descending when the flag is set): the ranges start at the cursor (`Scope::ranges_from`).
    pub fn and_visible_households_from(
        &mut self,
        ctx: &Ctx,
        region: Option<&RegionCode>,
        today: Date,
        from: Option<(&str, bool)>,
    ) -> &mut Self {
        let ranges = ctx.scope.ranges_from(region, from);
        let Some(user) = ctx.cadre_user else {
            return self.and_in_ranges("h.village_code", &ranges);
        };
        let mut by_region = Query {
            sql: String::from("1 = 1"),
            args: std::mem::take(&mut self.args),
        };
        by_region.and_in_ranges("h.village_code", &ranges);
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

/// The designation `d` lies within the region of cadre `c`'s office (a cadre without one, from
/// before offices were recorded, reaches no village through a designation): the region code's level decides how many leading digits must agree (2 + 2 + 2 + 3 + 3). Without it,
/// an officer who designated another region's unit to their own village would reach that region's
/// cadres; with it, a designation lets a village reach the unit's cadres that a township, county or
/// city office above that village manages, never a cadre of another village.
const DESIGNATION_IN_OFFICE: &str = "(c.region_code IS NOT NULL AND CASE \
     WHEN substr(c.region_code, 10, 3) <> '000' THEN d.village_code = c.region_code \
     WHEN substr(c.region_code, 7, 3) <> '000' THEN substr(d.village_code, 1, 9) = substr(c.region_code, 1, 9) \
     WHEN substr(c.region_code, 5, 2) <> '00' THEN substr(d.village_code, 1, 6) = substr(c.region_code, 1, 6) \
     WHEN substr(c.region_code, 3, 2) <> '00' THEN substr(d.village_code, 1, 4) = substr(c.region_code, 1, 4) \
     ELSE substr(d.village_code, 1, 2) = substr(c.region_code, 1, 2) END)";

/// What a caller does with a cadre, which decides which cadres they reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CadreUse {
    /// Pair them with a household or put them in a work team: only the cadres of the caller's
    /// regions.
    Pair,
    /// Name them on a visit or a wish's claim: also the cadres paired with a household of the
    /// caller's regions (which that household's pairings show anyway), and with `household`.
    Name { household: Option<i64> },
}

impl Query {
    /// Append the reach filter for cadres (alias `c`). A cadre belongs to the region of their
    /// office (`c.region_code`) and to the villages within it that their helping unit is designated
    /// to (any designation, past or present, so that earlier years stay recordable); a caller
    /// reaches the cadres of their regions and the cadre they act as, and for naming, see
    /// [`CadreUse::Name`].
    /// Nothing is added for a caller of full scope.
    pub fn and_reachable_cadres(&mut self, ctx: &Ctx, use_: CadreUse) -> &mut Self {
        let Some(ranges) = ctx.scope.ranges(None) else {
            return self;
        };
        let mut parts = Vec::new();
        if !ranges.is_empty() {
            let (mut office, mut designated, mut paired) = (Vec::new(), Vec::new(), Vec::new());
            for (lo, hi) in &ranges {
                let a = self.arg(lo.as_str());
                let b = self.arg(hi.as_str());
                office.push(format!("c.region_code BETWEEN {a} AND {b}"));
                designated.push(format!("d.village_code BETWEEN {a} AND {b}"));
                paired.push(format!("p.village_code BETWEEN {a} AND {b}"));
            }
            parts.push(office.join(" OR "));
            parts.push(format!(
                "EXISTS (SELECT 1 FROM designations d WHERE d.unit_id = c.unit_id AND ({}) AND {DESIGNATION_IN_OFFICE})",
                designated.join(" OR ")
            ));
            if matches!(use_, CadreUse::Name { .. }) {
                parts.push(format!(
                    "EXISTS (SELECT 1 FROM pairings p WHERE p.cadre_id = c.id AND ({}))",
                    paired.join(" OR ")
                ));
            }
        }
        if let Some(u) = ctx.cadre_user {
            parts.push(format!("c.user_id = {}", self.arg(u)));
        }
        if let CadreUse::Name { household: Some(h) } = use_ {
            parts.push(format!(
                "EXISTS (SELECT 1 FROM pairings p WHERE p.cadre_id = c.id AND p.household_id = {})",
                self.arg(h)
            ));
        }
        if parts.is_empty() {
            self.push(" AND 1 = 0");
        } else {
            self.push(&format!(" AND (({}))", parts.join(") OR (")));
        }
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
