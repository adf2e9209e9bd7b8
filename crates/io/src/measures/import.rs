//! The writer side of departments' lists: each row's person is found by ID number among the active
//! members of the registry; a number that names nobody registered, a person whose household lies
//! outside the importer's regions, or a name that is not the registered one is reported on its row
//! (never dropped). The measure the row records is checked by core's rules as an entered one is,
//! and found among the person's stored measures by its natural key (person + kind + start date):
//! the same fields are unchanged, others a new version, none a new measure (origin `imported`).

use super::rows::{DeptCells, DeptRow};
use crate::import::{ImportError, Writer};
use crate::records::issue_at;
use crate::rows::RowAt;
use fupin_core::measures::{Catalogue, Measure, MeasureFacts, MeasureInput};
use fupin_core::registry::PersonId;
use fupin_core::store::{BulkMeasure, ListedPerson};
use fupin_core::DomainError;
use std::collections::HashMap;

/// The column a core error names: `details.employer` is the list's `employer`; the household and
/// member are the person the ID number found.
fn column_of(field: Option<&str>) -> Option<String> {
    let f = field?;
    let f = f.strip_prefix("details.").unwrap_or(f);
    Some(match f {
        "person_id" | "household_id" => "id_number".to_string(),
        other => other.to_string(),
    })
}

impl Writer<'_> {
    pub(crate) async fn dept_lists(&mut self, rows: Vec<DeptRow>) -> Result<(), ImportError> {
        let ids: Vec<String> = rows
            .iter()
            .filter_map(|r| r.parsed.as_ref().ok())
            .map(|c| c.id_number.expose().to_string())
            .collect();
        let persons: HashMap<String, ListedPerson> = if ids.is_empty() {
            HashMap::new()
        } else {
            self.session
                .persons_by_id_number(&ids)
                .await?
                .into_iter()
                .map(|p| (p.id_number.clone(), p))
                .collect()
        };
        let reachable: Vec<PersonId> = persons
            .values()
            .filter(|p| self.ctx.scope.allows(&p.village_code))
            .map(|p| p.person_id)
            .collect();
        let mut kinds: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.parsed.as_ref().ok())
            .map(|c| c.kind)
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        let stored = if reachable.is_empty() {
            Vec::new()
        } else {
            self.session.measures_of_persons(&reachable, &kinds).await?
        };
        let mut by_key: HashMap<(PersonId, &str, time::Date), &Measure> = HashMap::new();
        for m in &stored {
            if let Some(p) = m.person_id {
                by_key
                    .entry((p, m.kind.as_str(), m.start_date))
                    .or_insert(m);
            }
        }
        let params = self.parameters().await?;
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
            let c: DeptCells = match r.parsed {
                Ok(c) => c,
                Err(i) => {
                    self.reject(r.sheet, &[r.line], vec![i])?;
                    continue;
                }
            };
            let outcome = (|| {
                let masked = c.id_number.masked();
                let p = persons.get(c.id_number.expose()).ok_or_else(|| {
                    DomainError::invalid(
                        "id_number",
                        "unregistered_person",
                        format!("身份证号 {masked} 不是在册的建档立卡人员"),
                    )
                })?;
                if !self.ctx.scope.allows(&p.village_code) {
                    return Err(DomainError::invalid(
                        "id_number",
                        "out_of_scope",
                        format!("身份证号 {masked} 的人员所在户不在您的管辖范围内"),
                    ));
                }
                if let Some(name) = &c.name {
                    if *name != p.name {
                        return Err(DomainError::invalid(
                            "name",
                            "person_name_mismatch",
                            format!("姓名“{}”与在册姓名不一致", crate::cells::shown(name)),
                        ));
                    }
                }
                let input = MeasureInput {
                    household_id: p.household_id,
                    person_id: Some(p.person_id),
                    kind: c.kind.to_string(),
                    start_date: c.start_date,
                    end_date: c.end_date,
                    amount_fen: 0,
                    provider: c.provider.clone(),
                    status: c.status,
                    note: c.note.clone(),
                    details: c.details.clone(),
                };
                let facts = MeasureFacts {
                    village: p.village_code.clone(),
                    birth_date: Some(p.birth_date),
                    params: &params,
                    today: self.today,
                };
                let data = input.validate(Catalogue::shipped(), &facts)?;
                let before = by_key
                    .get(&(p.person_id, data.kind.as_str(), data.start_date))
                    .map(|m| (*m).clone());
                Ok((p.village_code.clone(), before, data))
            })();
            match outcome {
                Err(e) => {
                    let e = match column_of(e.field.as_deref()) {
                        Some(f) => e.with_field(f),
                        None => e,
                    };
                    let issue = issue_at(&at, r.kind, &r.cells, e);
                    self.reject(r.sheet, &[r.line], vec![issue])?;
                }
                Ok((_, Some(before), after)) if before.data() == after => {
                    self.report.unchanged += 1
                }
                Ok((village, before, after)) => {
                    if before.is_some() {
                        self.report.updated += 1;
                    } else {
                        self.report.created += 1;
                    }
                    if self.writing {
                        items.push(BulkMeasure {
                            village,
                            before,
                            after,
                        });
                    }
                }
            }
        }
        if self.writing {
            self.session.put_measures(items).await?;
        }
        Ok(())
    }
}
