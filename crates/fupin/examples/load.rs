//! Load generator for `bench/load.sh` (a benchmark, not a test): N clients for S seconds against a
//! running server, each looping over a weighted mix of region statistics, household lists, household
//! pages, household reads and visit writes, as one signed-in officer. Prints throughput, latency
//! percentiles and status counts per kind, and the number of acknowledged visits (201), which the
//! script compares with the database afterwards.
//!
//! `load --base URL --token TOKEN --regions FILE --visits FILE --max-household N
//!       [--clients 64] [--seconds 60] [--year 2018] [--mix stats=25,list=15,page=10,read=35,visit=15]`
//! `--regions`: region codes, one per line; `--visits`: `household_id,cadre_id` lines (pairings).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Stats,
    List,
    Page,
    Read,
    Visit,
}

impl Kind {
    const ALL: [Kind; 5] = [Kind::Stats, Kind::List, Kind::Page, Kind::Read, Kind::Visit];

    fn name(self) -> &'static str {
        match self {
            Kind::Stats => "stats",
            Kind::List => "list",
            Kind::Page => "page",
            Kind::Read => "read",
            Kind::Visit => "visit",
        }
    }
}

struct Config {
    base: String,
    token: String,
    clients: usize,
    seconds: u64,
    year: i32,
    regions: Vec<String>,
    /// Region codes of counties and townships, for lists.
    list_regions: Vec<String>,
    visits: Vec<(i64, i64)>,
    max_household: i64,
    mix: Vec<(Kind, u32)>,
}

/// One request's outcome: kind, HTTP status (0: no answer), latency in microseconds.
type Sample = (Kind, u16, u32);

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn need(args: &[String], name: &str) -> String {
    arg(args, name).unwrap_or_else(|| {
        eprintln!("missing {name} (see the module documentation for usage)");
        std::process::exit(2)
    })
}

fn lines(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn config() -> Config {
    let args: Vec<String> = std::env::args().collect();
    let regions = lines(&need(&args, "--regions"));
    let list_regions: Vec<String> = regions
        .iter()
        .filter(|c| c.ends_with("000") && !c.ends_with("000000000"))
        .cloned()
        .collect();
    let visits = lines(&need(&args, "--visits"))
        .iter()
        .filter_map(|l| {
            let (h, c) = l.split_once([',', '|', '\t'])?;
            Some((h.trim().parse().ok()?, c.trim().parse().ok()?))
        })
        .collect();
    let mix = arg(&args, "--mix")
        .unwrap_or_else(|| "stats=25,list=15,page=10,read=35,visit=15".into())
        .split(',')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("mix: kind=weight");
            let kind = Kind::ALL
                .into_iter()
                .find(|x| x.name() == k.trim())
                .unwrap_or_else(|| panic!("unknown kind {k}"));
            (kind, v.trim().parse().expect("weight"))
        })
        .collect();
    Config {
        base: need(&args, "--base"),
        token: need(&args, "--token"),
        clients: arg(&args, "--clients").map_or(64, |v| v.parse().expect("clients")),
        seconds: arg(&args, "--seconds").map_or(60, |v| v.parse().expect("seconds")),
        year: arg(&args, "--year").map_or(2018, |v| v.parse().expect("year")),
        max_household: need(&args, "--max-household")
            .parse()
            .expect("max household"),
        regions,
        list_regions,
        visits,
        mix,
    }
}

fn pick(mix: &[(Kind, u32)], rng: &mut ChaCha8Rng) -> Kind {
    let total: u32 = mix.iter().map(|(_, w)| w).sum();
    let mut r = rng.gen_range(0..total);
    for (k, w) in mix {
        if r < *w {
            return *k;
        }
        r -= w;
    }
    mix[0].0
}

async fn one(
    cfg: &Config,
    http: &reqwest::Client,
    kind: Kind,
    rng: &mut ChaCha8Rng,
    today: &str,
) -> u16 {
    let b = &cfg.base;
    let req = match kind {
        Kind::Stats => {
            let code = &cfg.regions[rng.gen_range(0..cfg.regions.len())];
            http.get(format!("{b}/api/v1/regions/{code}/stats?year={}", cfg.year))
        }
        Kind::List => {
            let pool = if cfg.list_regions.is_empty() {
                &cfg.regions
            } else {
                &cfg.list_regions
            };
            let code = &pool[rng.gen_range(0..pool.len())];
            http.get(format!("{b}/api/v1/households?region={code}&per_page=20"))
        }
        Kind::Page => {
            let id = rng.gen_range(1..=cfg.max_household);
            http.get(format!("{b}/households/{id}"))
        }
        Kind::Read => {
            let id = rng.gen_range(1..=cfg.max_household);
            http.get(format!("{b}/api/v1/households/{id}"))
        }
        Kind::Visit => {
            let (h, c) = cfg.visits[rng.gen_range(0..cfg.visits.len())];
            http.post(format!("{b}/api/v1/visits"))
                .json(&serde_json::json!({
                    "household_id": h,
                    "date": today,
                    "kind": "走访",
                    "cadre_ids": [c],
                    "problems": "负载测试走访",
                }))
        }
    };
    match req.bearer_auth(&cfg.token).send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            // read the whole body: the latency is the client's, answer included
            let _ = res.bytes().await;
            status
        }
        Err(_) => 0,
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

#[tokio::main]
async fn main() {
    let cfg = Arc::new(config());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(cfg.clients)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let until = Instant::now() + Duration::from_secs(cfg.seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..cfg.clients)
        .map(|i| {
            let (cfg, http, today) = (cfg.clone(), http.clone(), today.clone());
            tokio::spawn(async move {
                let mut rng = ChaCha8Rng::seed_from_u64(i as u64 + 1);
                let mut out: Vec<Sample> = Vec::with_capacity(1 << 14);
                while Instant::now() < until {
                    let kind = pick(&cfg.mix, &mut rng);
                    let t = Instant::now();
                    let status = one(&cfg, &http, kind, &mut rng, &today).await;
                    out.push((kind, status, t.elapsed().as_micros() as u32));
                }
                out
            })
        })
        .collect();
    let mut all: Vec<Sample> = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client task"));
    }
    let secs = started.elapsed().as_secs_f64();

    let mut by_kind: HashMap<Kind, Vec<u32>> = HashMap::new();
    let mut statuses: HashMap<(Kind, u16), u64> = HashMap::new();
    for (k, s, us) in &all {
        by_kind.entry(*k).or_default().push(*us);
        *statuses.entry((*k, *s)).or_default() += 1;
    }
    println!(
        "clients {}  seconds {:.1}  requests {}",
        cfg.clients,
        secs,
        all.len()
    );
    println!(
        "{:<6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}  statuses",
        "kind", "count", "per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms"
    );
    let mut reads = 0u64;
    let mut writes = 0u64;
    let mut all_lat: Vec<u32> = Vec::with_capacity(all.len());
    for k in Kind::ALL {
        let Some(v) = by_kind.get_mut(&k) else {
            continue;
        };
        v.sort_unstable();
        all_lat.extend_from_slice(v);
        let mut st: Vec<(u16, u64)> = statuses
            .iter()
            .filter(|((kk, _), _)| *kk == k)
            .map(|((_, s), n)| (*s, *n))
            .collect();
        st.sort_unstable();
        let ok: u64 = st
            .iter()
            .filter(|(s, _)| (200..300).contains(s))
            .map(|(_, n)| n)
            .sum();
        if k == Kind::Visit {
            writes += ok;
        } else {
            reads += ok;
        }
        println!(
            "{:<6} {:>9} {:>9.0} {:>9.1} {:>9.1} {:>9.1} {:>9.1}  {}",
            k.name(),
            v.len(),
            v.len() as f64 / secs,
            percentile(v, 0.50),
            percentile(v, 0.95),
            percentile(v, 0.99),
            percentile(v, 1.0),
            st.iter()
                .map(|(s, n)| format!("{s}:{n}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    all_lat.sort_unstable();
    let server_errors: u64 = statuses
        .iter()
        .filter(|((_, s), _)| *s >= 500 || *s == 0)
        .map(|(_, n)| n)
        .sum();
    println!(
        "reads_ok_per_s {:.0}  writes_ok_per_s {:.0}  p99_ms {:.1}  5xx_or_no_answer {}",
        reads as f64 / secs,
        writes as f64 / secs,
        percentile(&all_lat, 0.99),
        server_errors
    );
    // the script compares this with the visits counted in the database
    println!("visits_acknowledged {writes}");
}
