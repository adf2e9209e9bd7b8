//! Running totals of a bulk load's aggregate differences, in a compact form: village codes as
//! numbers, causes as small indexes, each (village, year) row holding its causes' figures, keyed by
//! a cheap hash. A province's load — 20,000 villages by a dozen years by a dozen causes — fits in
//! about 150 MB, so the aggregate tables are written once per load instead of once per batch:
//! writing them often is what costs (every upsert of a row leaves a dead row version behind on
//! PostgreSQL). The totals are rolled up to every ancestor region (`Aggregates::rolled_up`'s
//! arithmetic) only when they are written, once per (village, year) instead of once per batch.

use fupin_core::regions::RegionCode;
use fupin_core::reports::{Aggregates, CauseFigures, HouseholdFacts, YearFigures};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiplicative hash for the integer keys of the totals (SipHash's resistance to chosen keys is
/// not needed for region codes and years, and costs a fifth of a load's time).
#[derive(Default)]
pub(crate) struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_i32(&mut self, n: i32) {
        self.write_u64(n as u32 as u64);
    }
}

type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// One (region, year): its figures and its causes' figures.
#[derive(Default, Clone)]
pub(crate) struct Row {
    pub figures: YearFigures,
    pub causes: Vec<(u16, CauseFigures)>,
}

impl Row {
    fn add_cause(&mut self, id: u16, c: CauseFigures) -> bool {
        match self.causes.iter_mut().find(|(i, _)| *i == id) {
            Some((_, e)) => {
                e.households += c.households;
                e.persons += c.persons;
                false
            }
            None => {
                self.causes.push((id, c));
                true
            }
        }
    }

    fn add(&mut self, o: &Row) {
        self.figures += o.figures;
        for (id, c) in &o.causes {
            self.add_cause(*id, *c);
        }
    }
}

#[derive(Default)]
pub(crate) struct Totals {
    rows: IntMap<(u64, i32), Row>,
    cause_names: Vec<String>,
    /// Cause entries held (a measure of memory).
    cause_entries: usize,
}

fn number(code: &RegionCode) -> u64 {
    code.as_str().parse().unwrap_or(0)
}

/// A 12-digit code from its number.
pub(crate) fn code_text(n: u64) -> String {
    format!("{n:012}")
}

impl Totals {
    /// Entries held: (village, year) rows and their causes.
    pub fn len(&self) -> usize {
        self.rows.len() + self.cause_entries
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The index of a cause (a dozen or so: a scan beats a hash).
    fn cause_id(&mut self, cause: &str) -> u16 {
        if let Some(i) = self.cause_names.iter().position(|c| c == cause) {
            return i as u16;
        }
        self.cause_names.push(cause.to_string());
        (self.cause_names.len() - 1) as u16
    }

    /// Add a batch's differences.
    pub fn add(&mut self, d: &Aggregates) {
        for ((code, year), f) in &d.years {
            self.rows.entry((number(code), *year)).or_default().figures += *f;
        }
        for ((code, year, cause), c) in &d.causes {
            let id = self.cause_id(cause);
            let row = self.rows.entry((number(code), *year)).or_default();
            if row.add_cause(id, *c) {
                self.cause_entries += 1;
            }
        }
    }

    /// Add a new household's contributions (what `Aggregates::add_household` adds), without the
    /// maps and copies of codes that a batch's `Aggregates` takes.
    pub fn add_household(&mut self, f: &HouseholdFacts, horizon: i32) {
        let code = number(&f.village);
        let cause = self.cause_id(&f.main_cause);
        let rows = &mut self.rows;
        let entries = &mut self.cause_entries;
        f.contributions(horizon, |c| {
            if c.figures.is_zero() && c.cause_persons.is_none() {
                return;
            }
            let row = rows.entry((code, c.year)).or_default();
            row.figures += c.figures;
            if let Some(persons) = c.cause_persons {
                let figures = CauseFigures {
                    households: 1,
                    persons,
                };
                if row.add_cause(cause, figures) {
                    *entries += 1;
                }
            }
        });
    }

    /// The cause's code of an index.
    pub fn cause_name(&self, id: u16) -> &str {
        &self.cause_names[id as usize]
    }

    /// Take every row out, rolled up to the ancestors of its village, leaving the totals empty (the
    /// cause names stay known). Keyed and sorted by year and region, the order of the aggregate
    /// tables' keys (12-digit codes sort as their numbers do).
    pub fn drain(&mut self) -> Vec<((i32, u64), Row)> {
        self.cause_entries = 0;
        let rows = std::mem::take(&mut self.rows);
        let mut ancestors: HashMap<u64, Vec<u64>> = HashMap::new();
        let mut above: IntMap<(u64, i32), Row> = IntMap::default();
        for ((code, year), row) in &rows {
            let up = ancestors.entry(*code).or_insert_with(|| {
                match RegionCode::parse(&code_text(*code)) {
                    Ok(c) if c.level() == fupin_core::regions::Level::Village => {
                        let mut a: Vec<u64> = c.ancestors().iter().map(number).collect();
                        a.dedup();
                        a
                    }
                    _ => Vec::new(),
                }
            });
            for a in up.iter() {
                above.entry((*a, *year)).or_default().add(row);
            }
        }
        let mut v: Vec<_> = rows
            .into_iter()
            .chain(above)
            .map(|((code, year), row)| ((year, code), row))
            .collect();
        v.sort_unstable_by_key(|(k, _)| *k);
        v
    }

    /// Rows as plain aggregates (for small loads, written row by row).
    pub fn to_aggregates(rows: &[((i32, u64), Row)], names: &Totals) -> Aggregates {
        let mut a = Aggregates::default();
        for ((year, code), row) in rows {
            let Ok(c) = RegionCode::parse(&code_text(*code)) else {
                continue;
            };
            if !row.figures.is_zero() {
                a.years.insert((c.clone(), *year), row.figures);
            }
            for (id, f) in &row.causes {
                if *f != CauseFigures::default() {
                    a.causes
                        .insert((c.clone(), *year, names.cause_name(*id).to_string()), *f);
                }
            }
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn household(village: &str, cause: &str) -> HouseholdFacts {
        HouseholdFacts {
            village: RegionCode::parse(village).unwrap(),
            identification_year: 2016,
            main_cause: cause.into(),
            statuses: vec![(
                date!(2016 - 01 - 01),
                fupin_core::registry::HouseholdStatus::Poor,
            )],
            members: vec![(None, None), (None, None)],
            incomes: vec![],
        }
    }

    /// Batch after batch, the totals hold what `Aggregates::rolled_up` of everything at once holds.
    #[test]
    fn totals_of_batches_equal_the_rolled_up_whole() {
        let hs = [
            household("360124106204", "01"),
            household("360124106205", "02"),
            household("360124106204", "02"),
            household("360121100201", "01"),
        ];
        let mut whole = Aggregates::default();
        let mut t = Totals::default();
        for (i, h) in hs.iter().enumerate() {
            whole.add_household(h, 2018, 1);
            if i % 2 == 1 {
                // a new household, added directly
                t.add_household(h, 2018);
                continue;
            }
            let mut batch = Aggregates::default();
            batch.add_household(h, 2018, 1);
            if i == 2 {
                // a change: removed and added back in the same batch
                batch.add_household(h, 2018, -1);
                batch.add_household(h, 2018, 1);
            }
            t.add(&batch);
        }
        let rows = t.drain();
        let got = Totals::to_aggregates(&rows, &t);
        assert_eq!(got, whole.rolled_up());
        assert!(t.is_empty());
        assert_eq!(t.len(), 0);
    }
}
