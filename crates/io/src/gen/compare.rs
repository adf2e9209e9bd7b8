//! A department's list to compare with the registry (数据比对), for benchmarks: `rows` rows of a
//! death or vehicle list of which a known share names registered persons (chosen evenly over the
//! registry file `households.csv` already in the directory, each at most once) and the rest
//! persons of another province (ID numbers of Beijing's 东城区, which no generated registry holds),
//! interleaved. Written as `compare-deaths.csv` or `compare-vehicles.csv`; not part of a world's
//! files (a province list of millions of rows is no realistic rate), so asked for on its own.

use super::{date_in, name, GenError, GenFile, SURNAMES};
use crate::columns::Kind;
use fupin_core::id_number::check_char;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::BufWriter;
use std::path::Path;
use time::{Date, Duration};

/// What list to write.
#[derive(Debug, Clone)]
pub struct CompareListOptions {
    /// `Kind::CompareDeaths` or `Kind::CompareVehicles`.
    pub kind: Kind,
    pub rows: u64,
    /// Rows naming registered persons, per thousand rows (at most the registry's persons).
    pub matches_per_mille: u32,
    pub seed: u64,
    /// The year the list's dates fall in.
    pub year: i32,
}

/// What was written: the file and how many of its rows name registered persons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareListSummary {
    pub file: GenFile,
    pub matched: u64,
}

/// An ID number nobody in a generated registry has: area 110101, born on a day from 1930 on.
fn stranger_id(i: u64) -> String {
    let born = Date::from_calendar_date(1930, time::Month::January, 1).expect("date")
        + Duration::days((i / 1000) as i64);
    let body = format!(
        "110101{:04}{:02}{:02}{:03}",
        born.year(),
        u8::from(born.month()),
        born.day(),
        i % 1000
    );
    let check = check_char(body.as_bytes()) as char;
    format!("{body}{check}")
}

/// Write the list from `dir/households.csv` into `dir`.
pub fn compare_list(dir: &Path, opts: &CompareListOptions) -> Result<CompareListSummary, GenError> {
    let (file_name, detail_word) = match opts.kind {
        Kind::CompareVehicles => ("compare-vehicles.csv", "vehicle"),
        _ => ("compare-deaths.csv", "death"),
    };
    let kind = if detail_word == "vehicle" {
        Kind::CompareVehicles
    } else {
        Kind::CompareDeaths
    };
    let households = dir.join("households.csv");
    let header = |key: &str| kind.columns()[kind.col(key)].header;
    let id_header = Kind::Households.columns()[Kind::Households.col("id_number")].header;
    let name_header = Kind::Households.columns()[Kind::Households.col("name")].header;
    // first pass: the registry's persons
    let mut persons = 0u64;
    {
        let mut r = csv::Reader::from_path(&households).map_err(std::io::Error::from)?;
        for rec in r.records() {
            rec.map_err(std::io::Error::from)?;
            persons += 1;
        }
    }
    let want = (opts.rows * u64::from(opts.matches_per_mille) / 1000).min(persons);
    let strangers = opts.rows - want;
    let path = dir.join(file_name);
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&path)?,
    ));
    w.write_record([
        header("id_number"),
        header("name"),
        header("date"),
        header("detail"),
    ])
    .map_err(std::io::Error::from)?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    rng.set_stream(0x0063_6f6d_7061_7265); // "compare"
    let mut written_strangers = 0u64;
    // second pass: `want` persons by selection sampling (each remaining person chosen with the
    // chance that leaves exactly `want`), each followed by its share of strangers
    let mut r = csv::Reader::from_path(&households).map_err(std::io::Error::from)?;
    let h = r.headers().map_err(std::io::Error::from)?.clone();
    let (Some(c_id), Some(c_name)) = (
        h.iter().position(|x| x == id_header),
        h.iter().position(|x| x == name_header),
    ) else {
        return Err(GenError::Io(std::io::Error::other(
            "households.csv has no ID number or name column",
        )));
    };
    let (mut seen, mut chosen) = (0u64, 0u64);
    for rec in r.records() {
        let rec = rec.map_err(std::io::Error::from)?;
        let left = persons - seen;
        seen += 1;
        if chosen < want && rng.gen_range(0..left) < want - chosen {
            let detail = detail(&mut rng, detail_word);
            w.write_record([
                &rec[c_id],
                &rec[c_name],
                date_in(&mut rng, opts.year).to_string().as_str(),
                detail.as_str(),
            ])
            .map_err(std::io::Error::from)?;
            chosen += 1;
            let due = (strangers * chosen).checked_div(want).unwrap_or(0);
            let n = due - written_strangers;
            strangers_rows(
                &mut w,
                &mut rng,
                opts.year,
                detail_word,
                &mut written_strangers,
                n,
            )?;
        }
    }
    let rest = strangers - written_strangers;
    strangers_rows(
        &mut w,
        &mut rng,
        opts.year,
        detail_word,
        &mut written_strangers,
        rest,
    )?;
    w.flush()?;
    Ok(CompareListSummary {
        file: GenFile {
            path,
            kind,
            rows: chosen + written_strangers,
        },
        matched: chosen,
    })
}

/// `n` rows of persons of another province, numbered on from `written`.
fn strangers_rows(
    w: &mut csv::Writer<BufWriter<std::fs::File>>,
    rng: &mut ChaCha8Rng,
    year: i32,
    detail_word: &str,
    written: &mut u64,
    n: u64,
) -> Result<(), GenError> {
    for _ in 0..n {
        let surname = SURNAMES[rng.gen_range(0..SURNAMES.len())];
        let male = rng.gen_bool(0.5);
        let d = detail(rng, detail_word);
        w.write_record([
            stranger_id(*written).as_str(),
            name(rng, surname, male).as_str(),
            date_in(rng, year).to_string().as_str(),
            d.as_str(),
        ])
        .map_err(std::io::Error::from)?;
        *written += 1;
    }
    Ok(())
}

/// What the list says besides the person: the cause of a death, a vehicle's plate.
fn detail(rng: &mut ChaCha8Rng, word: &str) -> String {
    if word == "vehicle" {
        format!(
            "赣{}{:05}",
            ['A', 'B', 'C', 'D', 'E'][rng.gen_range(0..5)],
            rng.gen_range(0..100_000)
        )
    } else {
        ["死亡", "病故", "意外死亡"][rng.gen_range(0..3)].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_with_a_known_share_of_registered_persons() {
        let regions: &[u8] = include_bytes!("../../../fupin/data/division_jinxian_360124_2023.csv");
        let dir = tempfile::tempdir().unwrap();
        let opts = super::super::GenOptions {
            households: 300,
            ..Default::default()
        };
        let g = super::super::generate(regions, dir.path(), &opts).unwrap();
        let s = compare_list(
            dir.path(),
            &CompareListOptions {
                kind: Kind::CompareDeaths,
                rows: 5000,
                matches_per_mille: 20,
                seed: 1,
                year: 2019,
            },
        )
        .unwrap();
        assert_eq!((s.file.rows, s.matched), (5000, 100));
        let mut registry = std::collections::HashSet::new();
        let mut r = csv::Reader::from_path(dir.path().join("households.csv")).unwrap();
        let c = r
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "身份证号")
            .unwrap();
        for rec in r.records() {
            registry.insert(rec.unwrap()[c].to_string());
        }
        assert!(registry.len() as u64 >= g.persons.min(1));
        let mut r = csv::Reader::from_path(&s.file.path).unwrap();
        let mut matched = 0;
        let mut ids = std::collections::HashSet::new();
        for rec in r.records() {
            let rec = rec.unwrap();
            fupin_core::id_number::IdNumber::parse(&rec[0]).expect("valid ID number");
            assert!(ids.insert(rec[0].to_string()), "each ID number once");
            matched += u64::from(registry.contains(&rec[0]));
        }
        assert_eq!(matched, 100);
    }
}
