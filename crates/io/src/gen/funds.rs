//! Projects, funds, assets and dividends of the generated registry (项目库, 资金, 资产收益), for
//! `fupin import --kind funds DIR`: per village about two projects for every fifteen households
//! over the income years (one of them the village's photovoltaic plant of the first year, whose
//! income of the last year is paid to every household of the village as a dividend), each with its
//! allocation from the county's fund source of its year and kind, the receipt, six payments once it
//! is funded (some to its village's households: 资金到户), and the asset an accepted project became.
//! A province of 1.5 million households gets about 200,000 projects, 1 million disbursements and
//! 1.5 million dividends. Files (UTF-8, English headers; amounts in fen) in `DIR/funds/`:
//! `sources.csv`, `projects.csv`, `allocations.csv`, `movements.csv`, `assets.csv`,
//! `asset_incomes.csv`, `dividends.csv`; records refer to each other by their key (1, 2, … per file).

use super::{pick, GenError, World};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use time::{Date, Duration, Month};

/// The files of a funds load, in the order the loader reads them.
pub const FUNDS_FILES: [&str; 7] = [
    "sources.csv",
    "projects.csv",
    "allocations.csv",
    "movements.csv",
    "assets.csv",
    "asset_incomes.csv",
    "dividends.csv",
];

/// The columns of each file, in [`FUNDS_FILES`]' order.
pub const FUNDS_COLUMNS: [&[&str]; 7] = [
    &[
        "key",
        "region_code",
        "year",
        "kind",
        "name",
        "document",
        "amount_fen",
        "date",
    ],
    &[
        "key",
        "village_code",
        "name",
        "category",
        "year",
        "planned_start",
        "planned_end",
        "responsible_unit",
        "responsible_person",
        "content",
        "budget_fen",
        "targets",
        "proposed_on",
        "stage",
        "accepted_on",
    ],
    &["key", "source", "project", "amount_fen", "date", "document"],
    &[
        "allocation",
        "kind",
        "amount_fen",
        "date",
        "payee",
        "household_number",
        "voucher",
    ],
    &[
        "key",
        "project",
        "village_code",
        "name",
        "kind",
        "value_fen",
        "owner_kind",
        "owner_name",
        "custodian",
        "registered_on",
    ],
    &[
        "asset",
        "year",
        "income_fen",
        "collective_fen",
        "households_fen",
        "minimum_fen",
        "paid_on",
    ],
    &[
        "asset",
        "year",
        "household_number",
        "shares",
        "amount_fen",
        "paid_on",
    ],
];

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FundsGenSummary {
    pub dir: PathBuf,
    pub sources: u64,
    pub projects: u64,
    pub allocations: u64,
    pub receipts: u64,
    pub disbursements: u64,
    pub assets: u64,
    pub asset_incomes: u64,
    pub dividends: u64,
}

struct Files {
    w: Vec<csv::Writer<BufWriter<std::fs::File>>>,
}

impl Files {
    fn row(&mut self, i: usize, cells: &[String]) -> Result<(), GenError> {
        self.w[i]
            .write_record(cells)
            .map_err(|e| GenError::Io(e.into()))
    }
}

const CATEGORIES: &[(&str, u32)] = &[
    ("infrastructure", 40),
    ("industry", 25),
    ("collective_economy", 10),
    ("employment", 6),
    ("education", 5),
    ("health", 4),
    ("housing", 8),
    ("other", 2),
];
const SOURCE_KINDS: &[(&str, u32)] = &[
    ("central", 30),
    ("provincial", 20),
    ("city", 8),
    ("county", 12),
    ("integrated_agriculture", 20),
    ("helping_unit", 6),
    ("donation", 4),
];
/// The stage a project is at on the registry's reference date.
const STAGES: &[(&str, u32)] = &[
    ("done", 55),
    ("completion_notice", 5),
    ("implementation", 20),
    ("funded", 5),
    ("library", 10),
    ("proposal", 5),
];

fn fen(yuan: i64) -> String {
    (yuan * 100).to_string()
}

/// Write the funds files of `world` in `world_dir/funds/`.
pub fn funds(
    world: &World,
    world_dir: &Path,
    rng: &mut ChaCha8Rng,
) -> Result<FundsGenSummary, GenError> {
    let dir = world_dir.join("funds");
    std::fs::create_dir_all(&dir)?;
    let mut files = Files {
        w: Vec::with_capacity(FUNDS_FILES.len()),
    };
    for (name, cols) in FUNDS_FILES.iter().zip(FUNDS_COLUMNS) {
        let mut w = csv::Writer::from_writer(BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(dir.join(name))?,
        ));
        w.write_record(cols).map_err(|e| GenError::Io(e.into()))?;
        files.w.push(w);
    }
    let mut s = FundsGenSummary {
        dir: dir.clone(),
        ..Default::default()
    };
    let (first, last) = world.opts.income_years;
    // households by village, in the registry's order
    let mut by_village: Vec<Vec<u32>> = vec![Vec::new(); world.villages.len()];
    for (i, h) in world.households.iter().enumerate() {
        by_village[h.village as usize].push(i as u32);
    }
    // sources per (county, year, kind): key and Σ allocated
    let mut sources: BTreeMap<(String, i32, &str), (u64, i64)> = BTreeMap::new();
    let mut next_source = 0u64;
    let day = |y: i32, m: Month, d: u8| Date::from_calendar_date(y, m, d).expect("valid date");
    for (v, members) in by_village.iter().enumerate() {
        if members.is_empty() {
            continue;
        }
        let village = &world.villages[v].code;
        let county = format!("{}000000", &village[..6]);
        let unit = format!(
            "{}人民政府",
            world.name_of(&format!("{}000", &village[..9]))
        );
        let n = (members.len() * 2).div_ceil(15).max(1);
        for j in 0..n {
            // the village's photovoltaic plant comes first: done in the first year, paying all
            let solar = j == 0;
            let year = if solar {
                first
            } else {
                rng.gen_range(first..=last)
            };
            let category = if solar {
                "collective_economy"
            } else {
                pick(rng, CATEGORIES)
            };
            let stage = if solar { "done" } else { pick(rng, STAGES) };
            let proposed = day(year, Month::January, 1) + Duration::days(rng.gen_range(0..90));
            let accepted = matches!(stage, "done" | "completion_notice")
                .then(|| proposed + Duration::days(rng.gen_range(150..300)));
            let budget: i64 = if solar {
                300_000
            } else {
                rng.gen_range(20..=200) * 5_000
            };
            s.projects += 1;
            let key = s.projects;
            let name = if solar {
                format!("{}光伏扶贫电站", world.villages[v].name)
            } else {
                format!("{}{}项目{}", world.villages[v].name, year, j)
            };
            let start = proposed + Duration::days(60);
            files.row(
                1,
                &[
                    key.to_string(),
                    village.clone(),
                    name.clone(),
                    category.to_string(),
                    year.to_string(),
                    start.to_string(),
                    (start + Duration::days(240)).to_string(),
                    unit.clone(),
                    "项目负责人".to_string(),
                    format!("{name}建设"),
                    fen(budget),
                    format!("受益户数:{}户;完工率:100%", members.len()),
                    proposed.to_string(),
                    stage.to_string(),
                    accepted.map(|a| a.to_string()).unwrap_or_default(),
                ],
            )?;
            if matches!(stage, "proposal" | "library") {
                continue;
            }
            // the allocation, from the county's source of the year and a kind
            let kind = if solar {
                "central"
            } else {
                pick(rng, SOURCE_KINDS)
            };
            let src = sources
                .entry((county.clone(), year, kind))
                .or_insert_with(|| {
                    next_source += 1;
                    (next_source, 0)
                });
            src.1 += budget;
            s.allocations += 1;
            let alloc = s.allocations;
            let alloc_on = proposed + Duration::days(60);
            files.row(
                2,
                &[
                    alloc.to_string(),
                    src.0.to_string(),
                    key.to_string(),
                    fen(budget),
                    alloc_on.to_string(),
                    format!("{}〔{year}〕{alloc}号", &county[..6]),
                ],
            )?;
            files.row(
                3,
                &[
                    alloc.to_string(),
                    "receipt".into(),
                    fen(budget),
                    (alloc_on + Duration::days(2)).to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
            )?;
            s.receipts += 1;
            // six payments: all of it once accepted, part of it before
            let paid = if accepted.is_some() {
                budget
            } else {
                budget * rng.gen_range(20..=60) / 100
            };
            let from = alloc_on + Duration::days(30);
            let to = accepted.unwrap_or(day(world.opts.as_of, Month::December, 31));
            let to_households = matches!(category, "industry" | "housing" | "employment");
            let mut left = paid;
            for k in 0..6 {
                let amount = if k == 5 { left } else { paid / 6 };
                left -= amount;
                let span = (to - from).whole_days().max(0);
                let on = from + Duration::days(span * (k + 1) / 6);
                let (payee, number) = if to_households && k % 2 == 0 {
                    let h = &world.households[members[rng.gen_range(0..members.len())] as usize];
                    let number = world.number(h);
                    (format!("农户{number}"), number)
                } else {
                    (
                        format!("{}建设有限公司", world.villages[v].name),
                        String::new(),
                    )
                };
                files.row(
                    3,
                    &[
                        alloc.to_string(),
                        "disbursement".into(),
                        fen(amount),
                        on.to_string(),
                        payee,
                        number,
                        format!("记-{year}-{alloc}-{k}"),
                    ],
                )?;
                s.disbursements += 1;
            }
            if stage != "done" {
                continue;
            }
            // the asset an accepted project became
            let accepted = accepted.unwrap_or(proposed);
            let registered = accepted + Duration::days(20);
            let asset_kind = match category {
                _ if solar => "solar_plant",
                "infrastructure" => {
                    if rng.gen_bool(0.6) {
                        "road"
                    } else {
                        "water_works"
                    }
                }
                "industry" => "greenhouse",
                "collective_economy" => "shares",
                _ => "other",
            };
            s.assets += 1;
            let asset = s.assets;
            files.row(
                4,
                &[
                    asset.to_string(),
                    key.to_string(),
                    village.clone(),
                    format!("{name}形成资产"),
                    asset_kind.to_string(),
                    fen(budget),
                    "collective".into(),
                    format!("{}村集体经济组织", world.villages[v].name),
                    format!("{}村民委员会", world.villages[v].name),
                    registered.to_string(),
                ],
            )?;
            if !solar {
                continue;
            }
            // the plant's income of the last year: 40 % to the collective, the rest to every
            // household of the village by its shares (one a person)
            let paid_on = day(last, Month::December, 20);
            let per_share: i64 = rng.gen_range(80..=150) * 100;
            let mut households_fen = 0i64;
            for &i in members {
                let h = &world.households[i as usize];
                let shares = i64::from(h.persons.max(1));
                let amount = per_share * shares;
                households_fen += amount;
                files.row(
                    6,
                    &[
                        asset.to_string(),
                        last.to_string(),
                        world.number(h),
                        shares.to_string(),
                        amount.to_string(),
                        paid_on.to_string(),
                    ],
                )?;
                s.dividends += 1;
            }
            let collective = households_fen * 2 / 3;
            files.row(
                5,
                &[
                    asset.to_string(),
                    last.to_string(),
                    (households_fen + collective).to_string(),
                    collective.to_string(),
                    households_fen.to_string(),
                    "0".into(),
                    paid_on.to_string(),
                ],
            )?;
            s.asset_incomes += 1;
        }
    }
    let names = [
        ("central", "中央财政衔接推进乡村振兴补助资金"),
        ("provincial", "省级财政专项扶贫资金"),
        ("city", "市级财政专项扶贫资金"),
        ("county", "县级财政专项扶贫资金"),
        ("integrated_agriculture", "统筹整合使用财政涉农资金"),
        ("helping_unit", "定点帮扶单位援助资金"),
        ("donation", "社会帮扶捐赠资金"),
    ];
    let mut rows: Vec<_> = sources.into_iter().collect();
    rows.sort_by_key(|(_, (k, _))| *k);
    for ((county, year, kind), (key, allocated)) in rows {
        let name = names
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(kind, |(_, n)| n);
        files.row(
            0,
            &[
                key.to_string(),
                county.clone(),
                year.to_string(),
                kind.to_string(),
                format!("{}{year}年{name}", world.name_of(&county)),
                format!("{}财〔{year}〕{key}号", &county[..6]),
                fen(allocated + allocated / 10),
                day(year, Month::January, 15).to_string(),
            ],
        )?;
        s.sources += 1;
    }
    for mut w in files.w {
        w.flush()?;
    }
    Ok(s)
}
