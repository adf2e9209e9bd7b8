//! Who is acting and what they may see: the `Ctx` every store call carries.
//!
//! The store filters every query by `ctx.scope` (a set of region codes; each covers the code and
//! everything below it), so a handler that forgets a check still cannot read or write outside the
//! caller's regions. Personal data comes back masked unless `ctx.unmask` is set, which only an
//! audited, explicit request does.

use crate::error::DomainError;
use crate::regions::{Level, RegionCode};

/// The regions a caller may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything (the CLI and system jobs).
    All,
    /// These regions and everything below them.
    Within(Vec<RegionCode>),
}

impl Scope {
    /// Whether `code` lies within the scope.
    pub fn allows(&self, code: &RegionCode) -> bool {
        match self {
            Scope::All => true,
            Scope::Within(roots) => roots.iter().any(|r| r.contains(code)),
        }
    }

    /// Whether `code` and the scope share any region: `code` lies within the scope, or one of the
    /// scope's roots lies within `code` (a list filtered by a region above the caller's shows the
    /// caller's part of it).
    pub fn overlaps(&self, code: &RegionCode) -> bool {
        match self {
            Scope::All => true,
            Scope::Within(roots) => roots.iter().any(|r| r.contains(code) || code.contains(r)),
        }
    }

    /// Whether `code` lies within a region of the scope that is at `level` or above: a township
    /// officer holds the township's villages at township level, a village officer holds its village
    /// at village level only. Steps of a procedure that belong to an office (乡镇审核, 县级审定) ask
    /// for this, not only for [`Scope::allows`].
    pub fn holds_at(&self, code: &RegionCode, level: Level) -> bool {
        match self {
            Scope::All => true,
            Scope::Within(roots) => roots.iter().any(|r| r.contains(code) && r.level() <= level),
        }
    }

    /// [`Scope::ranges`] narrowed to what a keyset page can reach from its cursor's village
    /// `from`: the part at or after it (at or before it when `descending`). The cursor's row-value
    /// condition `(village, key) > (from, …)` implies as much, but a database may enter its index at
    /// a range's own start rather than at the cursor (SQLite does, when both bound one column), and
    /// the last page of a province would then read the whole province to find its rows.
    pub fn ranges_from(
        &self,
        region: Option<&RegionCode>,
        from: Option<(&str, bool)>,
    ) -> Option<Vec<(String, String)>> {
        let ranges = self.ranges(region);
        let Some((v, descending)) = from else {
            return ranges;
        };
        ranges.map(|rs| {
            rs.into_iter()
                .filter_map(|(lo, hi)| {
                    if descending {
                        (lo.as_str() <= v).then(|| (lo, hi.min(v.to_string())))
                    } else {
                        (hi.as_str() >= v).then(|| (lo.max(v.to_string()), hi))
                    }
                })
                .collect()
        })
    }

    /// The code ranges to filter a column by, intersected with `region` when given:
    /// `None` means no filter; an empty list means nothing is visible.
    pub fn ranges(&self, region: Option<&RegionCode>) -> Option<Vec<(String, String)>> {
        match (self, region) {
            (Scope::All, None) => None,
            (Scope::All, Some(r)) => Some(vec![r.range()]),
            (Scope::Within(roots), None) => Some(roots.iter().map(RegionCode::range).collect()),
            (Scope::Within(roots), Some(r)) => Some(
                roots
                    .iter()
                    .filter_map(|root| {
                        if root.contains(r) {
                            Some(r.range())
                        } else if r.contains(root) {
                            Some(root.range())
                        } else {
                            None
                        }
                    })
                    .collect(),
            ),
        }
    }
}

/// The acting user and their reach, passed to every store call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ctx {
    /// Who acts, as recorded in histories and the audit log (a username, or `system:…`).
    pub actor: String,
    pub scope: Scope,
    /// Return personal data (ID numbers, phones, bank accounts) in full.
    pub unmask: bool,
    /// When set, the caller is a pairing cadre (this user id) and also reaches the households
    /// paired with them, whatever `scope` says.
    pub cadre_user: Option<i64>,
    /// The client's address, for the audit log.
    pub client: Option<String>,
}

impl Ctx {
    /// A system actor with full scope (CLI, demo loader, tests), masked by default.
    pub fn system(actor: &str) -> Ctx {
        Ctx {
            actor: actor.to_string(),
            scope: Scope::All,
            unmask: false,
            cadre_user: None,
            client: None,
        }
    }

    /// A caller limited to `regions`.
    pub fn within(actor: &str, regions: Vec<RegionCode>) -> Ctx {
        Ctx {
            actor: actor.to_string(),
            scope: Scope::Within(regions),
            unmask: false,
            cadre_user: None,
            client: None,
        }
    }

    /// Fail with "not found" (not "forbidden", which would confirm the thing exists) when `code` is
    /// outside the scope.
    pub fn require(&self, code: &RegionCode, what: &str) -> Result<(), DomainError> {
        if self.scope.allows(code) {
            Ok(())
        } else {
            Err(not_in_scope(what))
        }
    }

    /// For a list filtered by region `code`: fail as [`Ctx::require`] does when `code` shares
    /// nothing with the scope ([`Scope::overlaps`]), rather than answer an empty list that reads as
    /// "no data there". A region above the caller's roots is allowed: the list shows the caller's
    /// part of it.
    pub fn require_overlap(&self, code: &RegionCode, what: &str) -> Result<(), DomainError> {
        if self.scope.overlaps(code) {
            Ok(())
        } else {
            Err(not_in_scope(what))
        }
    }
}

/// "Not found" (not "forbidden", which would confirm the thing exists) for something outside the
/// caller's scope.
fn not_in_scope(what: &str) -> DomainError {
    DomainError::not_found("not_found", format!("{what}不存在或不在您的管辖范围内"))
}

impl Ctx {
    /// Fail unless the caller holds `code` at `level` or above ([`Scope::holds_at`]): the step
    /// `step` (its Chinese label) belongs to an office of that level. The caller can see the thing
    /// (the region check passed before), so the answer says why rather than "not found".
    pub fn require_office(
        &self,
        code: &RegionCode,
        level: Level,
        step: &str,
    ) -> Result<(), DomainError> {
        if self.scope.holds_at(code, level) {
            Ok(())
        } else {
            Err(DomainError::new(
                crate::error::ErrorKind::Forbidden,
                "step_for_higher_office",
                format!(
                    "「{step}」须由{}及以上部门办理，您的账号只管辖下级区划",
                    level.label()
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn scope_checks() {
        let s = Scope::Within(vec![c("360124106205")]);
        assert!(s.allows(&c("360124106205")));
        assert!(!s.allows(&c("360124106204")));
        assert!(
            !s.allows(&c("360124106000")),
            "a village user does not see its township"
        );
        assert!(Scope::All.allows(&c("110000000000")));
    }

    #[test]
    fn offices_hold_regions_at_their_level_and_below() {
        let village = c("360124106204");
        let village_user = Scope::Within(vec![village.clone()]);
        let township_user = Scope::Within(vec![c("360124106000")]);
        let county_user = Scope::Within(vec![c("360124000000")]);
        let other_county = Scope::Within(vec![c("360125000000")]);
        assert!(village_user.holds_at(&village, Level::Village));
        assert!(!village_user.holds_at(&village, Level::Township));
        assert!(!village_user.holds_at(&village, Level::County));
        assert!(township_user.holds_at(&village, Level::Township));
        assert!(!township_user.holds_at(&village, Level::County));
        assert!(county_user.holds_at(&village, Level::County));
        assert!(county_user.holds_at(&village, Level::Village));
        assert!(!other_county.holds_at(&village, Level::Village));
        assert!(Scope::All.holds_at(&village, Level::County));
        // a village user who also holds a township elsewhere does not gain its own village's township steps
        let mixed = Scope::Within(vec![village.clone(), c("360124105000")]);
        assert!(!mixed.holds_at(&village, Level::Township));
        let ctx = Ctx::within("v", vec![village.clone()]);
        let e = ctx
            .require_office(&village, Level::County, "县级审定")
            .unwrap_err();
        assert_eq!(e.code, "step_for_higher_office");
        assert!(e.message.contains("县级审定") && e.message.contains("县级"));
    }

    #[test]
    fn a_list_filter_must_share_a_region_with_the_scope() {
        let ctx = Ctx::within("v", vec![c("360124106205")]);
        // the village itself and the regions above it: the caller's part of them
        for ok in ["360124106205", "360124106000", "360000000000"] {
            assert!(ctx.require_overlap(&c(ok), "区划").is_ok(), "{ok}");
        }
        // a neighbouring village, a sibling township: the same refusal as a region route gives
        for outside in ["360124106204", "360124107000", "110000000000"] {
            let e = ctx.require_overlap(&c(outside), "区划").unwrap_err();
            assert_eq!(e, ctx.require(&c(outside), "区划").unwrap_err());
            assert_eq!((e.kind, e.code), (crate::ErrorKind::NotFound, "not_found"));
        }
        assert!(Scope::All.overlaps(&c("110000000000")));
    }

    #[test]
    fn ranges_intersect() {
        let s = Scope::Within(vec![c("360124106205"), c("360125000000")]);
        assert_eq!(
            s.ranges(Some(&c("360124000000"))).unwrap(),
            vec![c("360124106205").range()]
        );
        assert_eq!(
            s.ranges(Some(&c("360125100000"))).unwrap(),
            vec![c("360125100000").range()]
        );
        assert!(s.ranges(Some(&c("110000000000"))).unwrap().is_empty());
        assert_eq!(Scope::All.ranges(None), None);
        assert_eq!(s.ranges(None).unwrap().len(), 2);
    }

    #[test]
    fn ranges_from_a_cursor_start_at_its_village() {
        let r = |a: &str, b: &str| (a.to_string(), b.to_string());
        let s = Scope::Within(vec![c("360124000000"), c("360125000000")]);
        // ascending: the range holding the cursor starts at it, ranges before it are dropped
        assert_eq!(
            s.ranges_from(None, Some(("360124106204", false))).unwrap(),
            vec![
                r("360124106204", "360124999999"),
                r("360125000000", "360125999999")
            ]
        );
        assert_eq!(
            s.ranges_from(None, Some(("360125100200", false))).unwrap(),
            vec![r("360125100200", "360125999999")]
        );
        // descending: ranges after the cursor dropped, the one holding it ends there
        assert_eq!(
            s.ranges_from(None, Some(("360124106204", true))).unwrap(),
            vec![r("360124000000", "360124106204")]
        );
        // past the scope's end: nothing left to read
        assert!(s
            .ranges_from(None, Some(("360126000001", false)))
            .unwrap()
            .is_empty());
        // no cursor: the plain ranges; no ranges (all): still none
        assert_eq!(s.ranges_from(None, None), s.ranges(None));
        assert_eq!(
            Scope::All.ranges_from(None, Some(("360124106204", false))),
            None
        );
        assert_eq!(
            Scope::All
                .ranges_from(Some(&c("360124000000")), Some(("360124106204", false)))
                .unwrap(),
            vec![r("360124106204", "360124999999")]
        );
    }
}
