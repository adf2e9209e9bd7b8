//! The measure facts of one village and year in a compact binary form: for each household in scope,
//! exactly what the poverty measures read (net income, year needs, living conditions) and, for each
//! member present on 31 December, what the counting indicators read. Every field is kept whatever
//! the counting configuration, so one encoding serves any configuration; ages are not stored but
//! computed when read, from the date the measures are taken on.
//!
//! The store keeps one such value per (village, year) so that a province's measures read a few
//! sequential blobs instead of every household's rows; this module only encodes and decodes (no
//! I/O). A text form (JSON) was rejected: parsing it costs more than the whole pass may spend on a
//! household at province scale.
//!
//! Layout (all integers LEB128 varints, signed ones zig-zag encoded, strings a length then UTF-8):
//! a format byte, the household count, then per household two flag bytes, the net income and the
//! renovation year when present, the housing grade and the fuel type when present, the member
//! count, then per member the birth date (Julian day), a flag byte and the schooling, education
//! and health codes when present.

use super::counting::{HouseholdIndicators, MemberIndicators};
use crate::{Fen, PerCapita};
use time::Date;

/// The format byte: a stored value of another format is treated as missing and recomputed.
pub const FORMAT: u8 = 1;

/// One household's facts of a year: its indicators, the per-capita income holding the year's net
/// income over one person (the reader divides by the members present), and its members present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdFact {
    pub indicators: HouseholdIndicators,
    pub members: Vec<MemberIndicators>,
}

/// Why a stored value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("measure facts do not decode: {0}")]
pub struct DecodeError(&'static str);

fn tri(v: Option<bool>) -> u8 {
    match v {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}

fn untri(v: u8) -> Result<Option<bool>, DecodeError> {
    match v & 3 {
        0 => Ok(None),
        1 => Ok(Some(false)),
        2 => Ok(Some(true)),
        _ => Err(DecodeError("tri-state flag")),
    }
}

fn put_u(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_i(out: &mut Vec<u8>, v: i64) {
    put_u(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// A non-empty code: the pass treats an empty code as not recorded.
fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// The encoded facts of a village and year.
pub fn encode(households: &[HouseholdFact]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + households.len() * 48);
    out.push(FORMAT);
    put_u(&mut out, households.len() as u64);
    for h in households {
        let i = &h.indicators;
        let grade = present(&i.housing_grade);
        let fuel = present(&i.fuel_type);
        out.push(
            tri(i.food_secure)
                | tri(i.clothing_secure) << 2
                | tri(i.safe_drinking_water) << 4
                | tri(i.electricity) << 6,
        );
        out.push(
            tri(i.sanitary_toilet)
                | (i.per_capita.is_some() as u8) << 2
                | (i.housing_renovated_year.is_some() as u8) << 3
                | (grade.is_some() as u8) << 4
                | (fuel.is_some() as u8) << 5,
        );
        if let Some(p) = i.per_capita {
            put_i(&mut out, p.total().get());
        }
        if let Some(y) = i.housing_renovated_year {
            put_i(&mut out, y as i64);
        }
        if let Some(g) = grade {
            put_str(&mut out, g);
        }
        if let Some(f) = fuel {
            put_str(&mut out, f);
        }
        put_u(&mut out, h.members.len() as u64);
        for m in &h.members {
            put_i(&mut out, m.birth_date.to_julian_day() as i64);
            let schooling = present(&m.schooling);
            let education = present(&m.education);
            let health = present(&m.health);
            out.push(
                m.has_out_of_school_reason as u8
                    | tri(m.medical_insurance) << 1
                    | (schooling.is_some() as u8) << 3
                    | (education.is_some() as u8) << 4
                    | (health.is_some() as u8) << 5,
            );
            for s in [schooling, education, health].into_iter().flatten() {
                put_str(&mut out, s);
            }
        }
    }
    out
}

/// A reader over encoded facts, household by household, without collecting them all.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    left: u64,
}

impl<'a> Reader<'a> {
    /// Starts reading `buf`; fails on another format.
    pub fn new(buf: &'a [u8]) -> Result<Reader<'a>, DecodeError> {
        if buf.first() != Some(&FORMAT) {
            return Err(DecodeError("format"));
        }
        let mut r = Reader {
            buf,
            pos: 1,
            left: 0,
        };
        r.left = r.u()?;
        Ok(r)
    }

    /// How many households are left to read.
    pub fn remaining(&self) -> u64 {
        self.left
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self.buf.get(self.pos).ok_or(DecodeError("truncated"))?;
        self.pos += 1;
        Ok(b)
    }

    fn u(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift > 63 {
                return Err(DecodeError("varint too long"));
            }
            v |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    fn i(&mut self) -> Result<i64, DecodeError> {
        let u = self.u()?;
        Ok((u >> 1) as i64 ^ -((u & 1) as i64))
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        let n = usize::try_from(self.u()?).map_err(|_| DecodeError("length"))?;
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or(DecodeError("truncated"))?;
        let s = std::str::from_utf8(&self.buf[self.pos..end]).map_err(|_| DecodeError("utf-8"))?;
        self.pos = end;
        Ok(s.to_string())
    }

    fn opt_string(&mut self, present: bool) -> Result<Option<String>, DecodeError> {
        if present {
            self.string().map(Some)
        } else {
            Ok(None)
        }
    }

    /// The next household, `None` after the last; fails on bytes left over after it.
    pub fn next_household(&mut self) -> Result<Option<HouseholdFact>, DecodeError> {
        if self.left == 0 {
            if self.pos != self.buf.len() {
                return Err(DecodeError("trailing bytes"));
            }
            return Ok(None);
        }
        self.left -= 1;
        let a = self.byte()?;
        let b = self.byte()?;
        let net = if b & 4 != 0 { Some(self.i()?) } else { None };
        let renovated = if b & 8 != 0 {
            Some(i32::try_from(self.i()?).map_err(|_| DecodeError("year"))?)
        } else {
            None
        };
        let grade = self.opt_string(b & 16 != 0)?;
        let fuel = self.opt_string(b & 32 != 0)?;
        let indicators = HouseholdIndicators {
            per_capita: net.and_then(|n| PerCapita::new(Fen::new(n), 1)),
            food_secure: untri(a)?,
            clothing_secure: untri(a >> 2)?,
            safe_drinking_water: untri(a >> 4)?,
            electricity: untri(a >> 6)?,
            sanitary_toilet: untri(b)?,
            housing_grade: grade,
            housing_renovated_year: renovated,
            fuel_type: fuel,
        };
        let n = usize::try_from(self.u()?).map_err(|_| DecodeError("members"))?;
        let mut members = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            let day = i32::try_from(self.i()?).map_err(|_| DecodeError("date"))?;
            let birth_date = Date::from_julian_day(day).map_err(|_| DecodeError("date"))?;
            let f = self.byte()?;
            members.push(MemberIndicators {
                birth_date,
                has_out_of_school_reason: f & 1 != 0,
                medical_insurance: untri(f >> 1)?,
                schooling: self.opt_string(f & 8 != 0)?,
                education: self.opt_string(f & 16 != 0)?,
                health: self.opt_string(f & 32 != 0)?,
            });
        }
        Ok(Some(HouseholdFact {
            indicators,
            members,
        }))
    }
}

/// Every household of encoded facts.
pub fn decode(buf: &[u8]) -> Result<Vec<HouseholdFact>, DecodeError> {
    let mut r = Reader::new(buf)?;
    let mut out = Vec::with_capacity(r.remaining().min(1 << 16) as usize);
    while let Some(h) = r.next_household()? {
        out.push(h);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn member(birth: Date) -> MemberIndicators {
        MemberIndicators {
            birth_date: birth,
            schooling: None,
            has_out_of_school_reason: false,
            education: None,
            health: None,
            medical_insurance: None,
        }
    }

    fn samples() -> Vec<HouseholdFact> {
        vec![
            HouseholdFact {
                indicators: HouseholdIndicators::default(),
                members: vec![],
            },
            HouseholdFact {
                indicators: HouseholdIndicators {
                    per_capita: PerCapita::new(Fen::new(-1_234_567), 1),
                    food_secure: Some(true),
                    clothing_secure: Some(false),
                    housing_grade: Some("C".into()),
                    housing_renovated_year: Some(2017),
                    safe_drinking_water: Some(false),
                    electricity: Some(true),
                    sanitary_toilet: Some(true),
                    fuel_type: Some("柴草".into()),
                },
                members: vec![
                    MemberIndicators {
                        birth_date: date!(2008 - 02 - 29),
                        schooling: Some("out_of_school".into()),
                        has_out_of_school_reason: true,
                        education: Some("primary".into()),
                        health: Some("chronic".into()),
                        medical_insurance: Some(false),
                    },
                    member(date!(1950 - 01 - 01)),
                    MemberIndicators {
                        medical_insurance: Some(true),
                        ..member(Date::MIN)
                    },
                ],
            },
            HouseholdFact {
                indicators: HouseholdIndicators {
                    per_capita: PerCapita::new(Fen::new(i64::MAX), 1),
                    housing_renovated_year: Some(-1),
                    ..HouseholdIndicators::default()
                },
                members: vec![member(Date::MAX)],
            },
        ]
    }

    fn same(a: &[HouseholdFact], b: &[HouseholdFact]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            // PerCapita compares by value, not by its parts: compare the parts
            let parts = |p: Option<PerCapita>| p.map(|p| (p.total().get(), p.persons()));
            assert_eq!(
                parts(x.indicators.per_capita),
                parts(y.indicators.per_capita)
            );
            let strip = |h: &HouseholdIndicators| HouseholdIndicators {
                per_capita: None,
                ..h.clone()
            };
            assert_eq!(strip(&x.indicators), strip(&y.indicators));
            assert_eq!(x.members, y.members);
        }
    }

    #[test]
    fn round_trip() {
        let facts = samples();
        let bytes = encode(&facts);
        same(&decode(&bytes).unwrap(), &facts);
        assert_eq!(decode(&encode(&[])).unwrap(), vec![]);
    }

    #[test]
    fn empty_codes_read_as_not_recorded() {
        let mut facts = samples();
        facts[1].indicators.fuel_type = Some(String::new());
        facts[1].members[0].health = Some(String::new());
        let back = decode(&encode(&facts)).unwrap();
        assert_eq!(back[1].indicators.fuel_type, None);
        assert_eq!(back[1].members[0].health, None);
    }

    #[test]
    fn damaged_values_are_refused() {
        let bytes = encode(&samples());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
        let mut other = bytes;
        other[0] = FORMAT + 1;
        assert!(decode(&other).is_err());
    }
}
