//! The writer side of wishes files: each row's household, claiming unit and cadre are looked up,
//! the wish is found among the household's stored wishes by its natural key (household + text +
//! submission date), and the file's steps the stored wish has not taken yet are applied through
//! core's `Wish::apply` (in order, each dated), so that an imported wish reads as if it had been
//! submitted, claimed and fulfilled one step at a time. A stored wish whose steps differ from the
//! file's is rejected rather than rewritten.

use super::rows::{match_cadre, CadreMatch, ClaimCells, WishCells, WishEnd, WishRow};
use crate::columns::Kind;
use crate::import::{ImportError, Writer};
use crate::records::issue_at;
use crate::rows::RowAt;
use fupin_core::pairing::{Cadre, Claimant, Wish, WishAction, WishId, WishStatus};
use fupin_core::registry::HouseholdId;
use fupin_core::store::BulkWish;
use fupin_core::DomainError;
use std::collections::HashMap;

/// The steps a file gives for a wish, in order.
fn actions(c: &WishCells, claimant: Option<Claimant>) -> Vec<WishAction> {
    let mut out = Vec::new();
    if let (Some(claim), Some(by)) = (&c.claim, claimant) {
        out.push(WishAction::Claim {
            by,
            date: claim.date,
        });
    }
    match &c.end {
        Some(WishEnd::Fulfilled {
            date,
            actual_value_fen,
        }) => out.push(WishAction::Fulfil {
            date: *date,
            actual_value_fen: *actual_value_fen,
        }),
        Some(WishEnd::Cancelled { date, reason }) => out.push(WishAction::Cancel {
            date: *date,
            reason: reason.clone(),
        }),
        None => {}
    }
    out
}

/// Whether a stored wish has already taken `action` (the same step with the same values).
fn has_taken(w: &Wish, action: &WishAction) -> bool {
    match action {
        WishAction::Claim { by, date } => w.claimed_by == Some(*by) && w.claimed_on == Some(*date),
        WishAction::Fulfil {
            date,
            actual_value_fen,
        } => w.fulfilled_on == Some(*date) && w.actual_value_fen == Some(*actual_value_fen),
        WishAction::Cancel { date, .. } => w.cancelled_on == Some(*date),
    }
}

impl Writer<'_> {
    pub(crate) async fn wishes(&mut self, rows: Vec<WishRow>) -> Result<(), ImportError> {
        if self.links.units.is_none() {
            let units = self.session.units().await?;
            self.links.units = Some(units.into_iter().map(|u| (u.name.clone(), u)).collect());
        }
        let ok: Vec<&WishCells> = rows.iter().filter_map(|r| r.parsed.as_ref().ok()).collect();
        let households = self
            .households_of(ok.iter().map(|w| w.number.clone()).collect())
            .await?;
        let claims: Vec<&ClaimCells> = ok.iter().filter_map(|w| w.claim.as_ref()).collect();
        let cadres = self
            .cadres_by_name(
                claims
                    .iter()
                    .filter_map(|c| c.cadre.as_ref().map(|(n, _)| n.clone()))
                    .collect(),
                claims.iter().map(|c| c.unit_name.clone()).collect(),
                true,
            )
            .await?;
        let mut by_key: HashMap<(&str, &str), Vec<&Cadre>> = HashMap::new();
        for c in &cadres {
            by_key
                .entry((c.unit_name.as_str(), c.name.as_str()))
                .or_default()
                .push(c);
        }
        let mut hids: Vec<HouseholdId> = households.values().map(|h| h.id).collect();
        hids.sort();
        hids.dedup();
        let stored = if hids.is_empty() {
            Vec::new()
        } else {
            self.session.wishes_of(&hids).await?
        };
        let mut stored_by: HashMap<(HouseholdId, &str, time::Date), &Wish> = HashMap::new();
        for w in &stored {
            stored_by.insert((w.household_id, w.text.as_str(), w.submitted_on), w);
        }
        let mut items = Vec::new();
        for r in rows {
            let Some((mapping, sheet)) = self.start_row(r.sheet) else {
                continue;
            };
            let at = RowAt {
                sheet: sheet.as_deref(),
                line: r.line,
                mapping: &mapping,
            };
            let fail = |e: DomainError| {
                let e = match e.field.as_deref() {
                    Some("household_id") => e.with_field("household_number"),
                    _ => e,
                };
                issue_at(&at, Kind::Wishes, &r.cells, e)
            };
            let c = match r.parsed {
                Ok(c) => c,
                Err(i) => {
                    self.reject(r.sheet, &[r.line], vec![i])?;
                    continue;
                }
            };
            let outcome = self
                .household_of(&households, &c.number)
                .map(|h| (h.id, h.village_code.clone()))
                .and_then(|(hid, village)| {
                    let claimant = match &c.claim {
                        Some(claim) => Some(self.claimant(claim, &by_key)?),
                        None => None,
                    };
                    let before = stored_by
                        .get(&(hid, c.text.as_str(), c.submitted_on))
                        .map(|w| (*w).clone());
                    let mut w = before.clone().unwrap_or_else(|| Wish {
                        id: WishId(0),
                        household_id: hid,
                        person_id: None,
                        text: c.text.clone(),
                        estimated_value_fen: c.estimated_value_fen,
                        status: WishStatus::Submitted,
                        submitted_on: c.submitted_on,
                        claimed_by: None,
                        claimed_on: None,
                        fulfilled_on: None,
                        actual_value_fen: None,
                        cancelled_on: None,
                        cancel_reason: None,
                        has_evidence: false,
                    });
                    w.estimated_value_fen = c.estimated_value_fen;
                    for a in actions(&c, claimant) {
                        if has_taken(&w, &a) {
                            continue;
                        }
                        w = w.apply(&a, self.today).map_err(|e| {
                            // a step's date or reason is its own column
                            let e = match (e.field.as_deref(), &a) {
                                (Some("date" | "action"), WishAction::Claim { .. }) => {
                                    e.with_field("claimed_on")
                                }
                                (Some("date" | "action"), WishAction::Fulfil { .. }) => {
                                    e.with_field("fulfilled_on")
                                }
                                (Some("date" | "action"), WishAction::Cancel { .. }) => {
                                    e.with_field("cancelled_on")
                                }
                                (Some("reason"), _) => e.with_field("cancel_reason"),
                                _ => e,
                            };
                            if before.is_some() {
                                DomainError::invalid(
                                    e.field.as_deref().unwrap_or("text"),
                                    "wish_differs",
                                    format!(
                                        "该心愿已登记为“{}”，与本行不一致：{}",
                                        before.as_ref().map_or("", |b| b.status.label()),
                                        e.message
                                    ),
                                )
                            } else {
                                e
                            }
                        })?;
                    }
                    Ok((village, before, w))
                });
            match outcome {
                Err(e) => self.reject(r.sheet, &[r.line], vec![fail(e)])?,
                Ok((_, Some(before), after)) if before == after => self.report.unchanged += 1,
                Ok((village, before, after)) => {
                    if before.is_some() {
                        self.report.updated += 1;
                    } else {
                        self.report.created += 1;
                    }
                    if self.writing {
                        items.push(BulkWish {
                            village,
                            before,
                            after,
                        });
                    }
                }
            }
        }
        if self.writing {
            self.session.put_wishes(items).await?;
        }
        Ok(())
    }

    /// Who a row names as claimant: the unit (registered), or its cadre of that name (and phone).
    fn claimant(
        &self,
        claim: &ClaimCells,
        by_key: &HashMap<(&str, &str), Vec<&Cadre>>,
    ) -> Result<Claimant, DomainError> {
        let unit = crate::cells::shown(&claim.unit_name);
        let units = self.links.units.as_ref().expect("units loaded");
        let Some(u) = units.get(&claim.unit_name) else {
            return Err(DomainError::invalid(
                "claim_unit",
                "unknown_unit",
                format!("帮扶单位“{unit}”尚未登记，请先导入帮扶干部"),
            ));
        };
        let Some((name, phone)) = &claim.cadre else {
            return Ok(Claimant::Unit(u.id));
        };
        let candidates = by_key
            .get(&(claim.unit_name.as_str(), name.as_str()))
            .cloned()
            .unwrap_or_default();
        let shown = crate::cells::shown(name);
        match match_cadre(&candidates, phone.as_ref()) {
            CadreMatch::One(c) => Ok(Claimant::Cadre(c.id)),
            CadreMatch::NoneFound => Err(DomainError::invalid(
                "claim_cadre",
                "unknown_cadre",
                format!("帮扶单位“{unit}”没有干部“{shown}”，请先导入帮扶干部"),
            )),
            CadreMatch::Ambiguous(n) => Err(DomainError::invalid(
                "claim_cadre_phone",
                "ambiguous_cadre",
                format!("帮扶单位“{unit}”有 {n} 名叫“{shown}”的干部，请填写认领干部电话以区分"),
            )),
        }
    }
}
