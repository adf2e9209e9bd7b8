//! The pairing, measures and funds tables by child region, in the layout of `layout`: each row is
//! what the area's report answers for that region and year (the maintained pairing figures, the
//! maintained services aggregates, the projects' funds), and the 合计 row is the region's own
//! answer, so that every cell equals an API figure.

use super::layout::{Group, Line, Shown, Table};
use fupin_core::measures::Catalogue;
use fupin_core::projects::{ProjectLine, SourceLine};
use fupin_core::store::{Store, StoreResult};
use fupin_core::{Ctx, RegionCode};
use time::{Date, Month};

/// The region and its children, with their names (the region's own row named 合计).
async fn rows_of(
    store: &dyn Store,
    ctx: &Ctx,
    region: &RegionCode,
) -> StoreResult<(String, Vec<(RegionCode, String)>)> {
    let r = store.region(ctx, region).await?;
    let mut out = vec![(region.clone(), "合计".to_string())];
    out.extend(
        store
            .region_children(ctx, Some(region))
            .await?
            .into_iter()
            .map(|c| (c.code, c.name)),
    );
    Ok((r.region.name, out))
}

fn calendar(year: i32) -> StoreResult<(Date, Date)> {
    let bad = || fupin_core::DomainError::invalid("year", "invalid_year", "年度无效");
    Ok((
        Date::from_calendar_date(year, Month::January, 1).map_err(|_| bad())?,
        Date::from_calendar_date(year, Month::December, 31).map_err(|_| bad())?,
    ))
}

fn n(v: i64) -> Option<f64> {
    Some(v as f64)
}

fn cols(labels: &[(&str, Shown)]) -> Vec<(String, Shown)> {
    labels.iter().map(|(l, s)| (l.to_string(), *s)).collect()
}

/// The pairing table (结对帮扶情况统计表) of `region` for a calendar year: per child region the
/// helping units, cadres, paired households, households without a cadre, pairings and those
/// meeting the visit minimum, visits, condolences and micro-wishes, from the maintained figures
/// (`GET /api/v1/regions/{code}/pairing-report?year=Y` answers each row).
pub async fn pairing_table(
    store: &dyn Store,
    ctx: &Ctx,
    region: &RegionCode,
    year: i32,
) -> StoreResult<Vec<u8>> {
    calendar(year)?;
    let (name, regions) = rows_of(store, ctx, region).await?;
    let mut lines = Vec::new();
    for (code, label) in regions {
        let p = store.pairing_year_report(ctx, &code, year).await?;
        let units = store.pairing_units(ctx, &code, year).await?;
        lines.push(Line {
            code: code.as_str().to_string(),
            name: label,
            values: vec![
                n(units),
                n(p.cadres_total),
                n(p.households_paired),
                n(p.households_without_cadre_count),
                n(p.pairings_total),
                n(p.compliant_pairings()),
                n(p.below_minimum_count),
                n(p.visits_total),
                n(p.visits_person_times),
                n(p.visits_required),
                n(p.visits_done),
                n(p.condolence_money_fen),
                n(p.goods_value_fen),
                n(p.wishes_submitted),
                n(p.wishes_fulfilled),
                n(p.wishes_value_fen),
            ],
        });
    }
    let minimum = store
        .pairing_year_report(ctx, region, year)
        .await?
        .visit_minimum;
    Table {
        sheet: "结对帮扶".into(),
        title: format!("{name}{year}年结对帮扶情况统计表"),
        subtitle: format!(
            "区划：{name}（{}）　统计年度：{year}　单位：个、名、户、对、次、人次、元",
            region.as_str()
        ),
        groups: vec![
            Group::single("帮扶单位（个）", Shown::Count),
            Group::single("帮扶干部（名）", Shown::Count),
            Group::single("结对户数（户）", Shown::Count),
            Group::single("无帮扶干部户数（户，当前）", Shown::Count),
            Group::named(
                "结对（对·年）",
                cols(&[
                    ("结对数", Shown::Count),
                    ("走访达标", Shown::Count),
                    ("未达标", Shown::Count),
                ]),
            ),
            Group::named(
                "走访",
                cols(&[
                    ("走访次数", Shown::Count),
                    ("走访人次", Shown::Count),
                    ("应走访次数", Shown::Count),
                    ("已走访次数", Shown::Count),
                ]),
            ),
            Group::named(
                "慰问",
                cols(&[("慰问金（元）", Shown::Money), ("物资折价（元）", Shown::Money)]),
            ),
            Group::named(
                "微心愿",
                cols(&[
                    ("提交（个）", Shown::Count),
                    ("实现（个）", Shown::Count),
                    ("金额（元）", Shown::Money),
                ]),
            ),
        ],
        lines,
        notes: vec![
            format!(
                "注：帮扶单位、帮扶干部按区划不重复计数，一名干部在两个下级区划结对时合计只计一次，合计可能小于各行之和；\
                 走访达标指年内走访次数达到应走访次数（每对每年 {minimum} 次，按结对天数折算）；无帮扶干部户数为制表时的户数。"
            ),
        ],
    }
    .to_xlsx()
}

/// Per category of the catalogue: (measures, Σ amount in fen) of a services report's kinds.
fn by_category(
    cat: &Catalogue,
    r: &fupin_core::measures::ServicesReport,
) -> Vec<(String, i64, i64)> {
    cat.categories
        .iter()
        .map(|c| {
            let (m, a) = r
                .by_kind
                .iter()
                .filter(|k| c.kinds.iter().any(|x| x.code == k.kind))
                .fold((0, 0), |(m, a), k| (m + k.measures, a + k.amount_fen));
            (c.code.clone(), m, a)
        })
        .collect()
}

/// The measures table (帮扶措施落实情况统计表) of `region` for a calendar year: per child region the
/// measures and their amounts in all and by category, and the persons they reached, from the
/// maintained services aggregates (`GET /api/v1/regions/{code}/services-report?from=Y-01-01&to=Y-12-31`
/// answers each row).
pub async fn measures_table(
    store: &dyn Store,
    ctx: &Ctx,
    region: &RegionCode,
    year: i32,
) -> StoreResult<Vec<u8>> {
    let (from, to) = calendar(year)?;
    let (name, regions) = rows_of(store, ctx, region).await?;
    let cat = Catalogue::shipped();
    let mut reports = Vec::new();
    for (code, label) in regions {
        let r = store.services_report(ctx, &code, from, to).await?;
        reports.push((code, label, r));
    }
    // the categories with measures somewhere in the table, in catalogue order
    let shown: Vec<usize> = (0..cat.categories.len())
        .filter(|i| {
            reports
                .iter()
                .any(|(_, _, r)| by_category(cat, r)[*i].1 > 0)
        })
        .collect();
    let mut groups = vec![Group::named(
        "合计",
        cols(&[("措施（项）", Shown::Count), ("金额（元）", Shown::Money)]),
    )];
    for i in &shown {
        groups.push(Group::named(
            cat.categories[*i].label.clone(),
            cols(&[("措施（项）", Shown::Count), ("金额（元）", Shown::Money)]),
        ));
    }
    groups.push(Group::named(
        "惠及人员（人次）",
        cols(&[
            ("就业", Shown::Count),
            ("其中公益岗位", Shown::Count),
            ("其中扶贫车间", Shown::Count),
            ("技能培训", Shown::Count),
            ("教育资助", Shown::Count),
            ("参加养老保险", Shown::Count),
            ("小额信贷", Shown::Count),
            ("创业贷款", Shown::Count),
        ]),
    ));
    let lines = reports
        .iter()
        .map(|(code, label, r)| {
            let cats = by_category(cat, r);
            let mut values = vec![
                n(r.by_kind.iter().map(|k| k.measures).sum()),
                n(r.by_kind.iter().map(|k| k.amount_fen).sum()),
            ];
            for i in &shown {
                values.push(n(cats[*i].1));
                values.push(n(cats[*i].2));
            }
            values.extend([
                n(r.employment.total.registered),
                n(r.employment.on_posts),
                n(r.employment.in_workshops),
                n(r.training.trained.registered),
                n(r.education.students),
                n(r.pension.enrolled),
                n(r.loans.microcredit),
                n(r.loans.startup),
            ]);
            Line {
                code: code.as_str().to_string(),
                name: label.clone(),
                values,
            }
        })
        .collect();
    Table {
        sheet: "帮扶措施".into(),
        title: format!("{name}{year}年帮扶措施落实情况统计表"),
        subtitle: format!(
            "区划：{name}（{}）　统计期间：{from} 至 {to}　单位：项、元、人次",
            region.as_str()
        ),
        groups,
        lines,
        notes: vec![
            "注：措施按开始月份计入当年，已撤销的措施不计；金额为措施登记的金额；惠及人员为建档立卡人员的人次。"
                .into(),
        ],
    }
    .to_xlsx()
}

/// The positions of `rows`' lists (one per table row, aligned) that hold something in some row.
fn shown_in<T>(rows: &[&[T]], any: impl Fn(&T) -> bool) -> Vec<usize> {
    let width = rows.first().map_or(0, |r| r.len());
    (0..width)
        .filter(|i| rows.iter().any(|r| r.get(*i).is_some_and(&any)))
        .collect()
}

/// The funds table (扶贫项目资金情况统计表) of `region` for a calendar year: per child region the
/// funds by source, the year's allocations, receipts and payments, the year's projects with their
/// money and disbursement rate, by category and by stage with the overdue ones, the assets at the
/// year's end with the year's income, and the year's dividends — each row the region's funds
/// report (`GET /api/v1/regions/{code}/funds-report?from=Y&to=Y` answers it), read from the
/// figures kept with every write, never from the projects' rows. Source kinds without a source and
/// categories and stages without a project in any row of the table are left out, as the measures
/// table leaves out categories.
pub async fn funds_table(
    store: &dyn Store,
    ctx: &Ctx,
    region: &RegionCode,
    year: i32,
) -> StoreResult<Vec<u8>> {
    let (from, to) = calendar(year)?;
    let (name, regions) = rows_of(store, ctx, region).await?;
    let mut reports = Vec::new();
    for (code, label) in regions {
        let r = store.funds_report(ctx, &code, from, to).await?;
        reports.push((code, label, r));
    }
    let sources = shown_in(
        &reports
            .iter()
            .map(|(_, _, r)| r.by_source.as_slice())
            .collect::<Vec<_>>(),
        // the columns show the sources' amounts; their flows are in the 资金拨付 group
        |l: &SourceLine| l.sources != 0 || l.amount_fen != 0,
    );
    let categories = shown_in(
        &reports
            .iter()
            .map(|(_, _, r)| r.by_category.as_slice())
            .collect::<Vec<_>>(),
        |l: &ProjectLine| l.projects != 0,
    );
    let stages = shown_in(
        &reports
            .iter()
            .map(|(_, _, r)| r.by_stage.as_slice())
            .collect::<Vec<_>>(),
        |l: &ProjectLine| l.projects != 0,
    );
    let first = &reports[0].2;

    let mut source_cols = vec![("合计".to_string(), Shown::Money)];
    source_cols.extend(
        sources
            .iter()
            .map(|i| (first.by_source[*i].label.clone(), Shown::Money)),
    );
    let mut groups = vec![
        Group::named("资金来源（元）", source_cols),
        Group::named(
            "资金拨付（按办理日期）",
            cols(&[
                ("已下达（元）", Shown::Money),
                ("已到账（元）", Shown::Money),
                ("已支付（元）", Shown::Money),
                ("支付进度（%）", Shown::Percent),
            ]),
        ),
        Group::named(
            "当年项目",
            cols(&[
                ("项目（个）", Shown::Count),
                ("计划投资（元）", Shown::Money),
                ("已下达（元）", Shown::Money),
                ("已支付（元）", Shown::Money),
                ("支付进度（%）", Shown::Percent),
            ]),
        ),
    ];
    for i in &categories {
        groups.push(Group::named(
            first.by_category[*i].label.clone(),
            cols(&[
                ("项目（个）", Shown::Count),
                ("计划投资（元）", Shown::Money),
            ]),
        ));
    }
    let mut stage_cols: Vec<(String, Shown)> = stages
        .iter()
        .map(|i| (first.by_stage[*i].label.clone(), Shown::Count))
        .collect();
    stage_cols.push(("逾期未验收".to_string(), Shown::Count));
    groups.push(Group::named("项目进度（个）", stage_cols));
    groups.push(Group::named(
        "资产（年末）",
        cols(&[("资产（个）", Shown::Count), ("价值（元）", Shown::Money)]),
    ));
    groups.push(Group::named(
        "资产收益（当年，元）",
        cols(&[
            ("收益", Shown::Money),
            ("村集体", Shown::Money),
            ("农户", Shown::Money),
        ]),
    ));
    groups.push(Group::named(
        "分红（当年）",
        cols(&[
            ("分红户数（户）", Shown::Count),
            ("分红金额（元）", Shown::Money),
            ("户均（元）", Shown::Money),
        ]),
    ));

    let lines = reports
        .iter()
        .map(|(code, label, r)| {
            let mut values = vec![n(r.sources_total.amount_fen)];
            values.extend(sources.iter().map(|i| n(r.by_source[*i].amount_fen)));
            let s = &r.sources_total;
            values.extend([
                n(s.allocated_fen),
                n(s.received_fen),
                n(s.disbursed_fen),
                s.disbursement_rate,
            ]);
            let p = &r.projects_total;
            values.extend([
                n(p.projects),
                n(p.budget_fen),
                n(p.allocated_fen),
                n(p.disbursed_fen),
                r.disbursement_rate,
            ]);
            for i in &categories {
                let c = &r.by_category[*i];
                values.extend([n(c.projects), n(c.budget_fen)]);
            }
            values.extend(stages.iter().map(|i| n(r.by_stage[*i].projects)));
            values.push(n(r.overdue_projects));
            let a = &r.assets_total;
            values.extend([
                n(a.assets),
                n(a.value_fen),
                n(a.income_fen),
                n(a.collective_fen),
                n(a.households_fen),
            ]);
            let d = r.dividends.iter().find(|d| d.year == year);
            values.extend([
                n(d.map_or(0, |d| d.households)),
                n(d.map_or(0, |d| d.amount_fen)),
                d.and_then(|d| d.per_household_fen).map(|v| v as f64),
            ]);
            Line {
                code: code.as_str().to_string(),
                name: label.clone(),
                values,
            }
        })
        .collect();
    Table {
        sheet: "项目资金".into(),
        title: format!("{name}{year}年扶贫项目资金情况统计表"),
        subtitle: format!(
            "区划：{name}（{}）　统计年度：{year}　制表日：{}　单位：个、元、%、户",
            region.as_str(),
            first.as_of
        ),
        groups,
        lines,
        notes: vec![
            "注：资金来源按资金年度计入持有资金的区划及其上级（县级统筹整合的资金计入县，不计入乡镇和村），故合计可能大于各行之和；\
             资金拨付按下达、到账、支付的办理日期计入项目所在村；当年项目为年度属本年的项目，其资金为至制表日的累计；\
             支付进度为已支付占已下达的百分比，户均为分红金额除以分红户数，二者不按行相加。"
                .into(),
            format!(
                "逾期未验收为计划完工日早于制表日而未验收的当年项目；资产为 {year} 年末已登记的资产，收益和分红按所属年度计入。"
            ),
        ],
    }
    .to_xlsx()
}
