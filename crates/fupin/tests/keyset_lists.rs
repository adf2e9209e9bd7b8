//! Keyset pagination of every list, on SQLite and (with TEST_DATABASE_URL) PostgreSQL: walking a
//! list page by page with each page's `next` as the following page's `after` finds every row of the
//! list exactly once, in the list's order, and the last page names no next.

use fupin::testing::test_store;
use fupin_core::paging::{Keyset, Listing};
use fupin_core::pairing::{HelpingUnitInput, PairingInput};
use fupin_core::projects::{ProjectFilter, ProjectInput};
use fupin_core::rectification::ProblemFilter;
use fupin_core::registry::{HouseholdFilter, HouseholdId};
use fupin_core::store::AuditFilter;
use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};
use serde::Serialize;
use serde_json::json;
use std::future::Future;

const TOWNSHIP: &str = "360124106000";

fn code(c: &str) -> RegionCode {
    RegionCode::parse(c).unwrap()
}

/// Walk a list by cursor, `per` rows a page, and compare it with the whole list read at once:
/// the same rows in the same order, each once, and at least two pages when the list is longer
/// than a page. Returns the number of rows.
async fn walk<T, F, Fut>(what: &str, per: u32, read: F) -> usize
where
    T: Serialize,
    F: Fn(Keyset) -> Fut,
    Fut: Future<Output = Listing<T>>,
{
    let whole = read(Keyset::all()).await;
    assert_eq!(whole.next, None, "{what}: the whole list is one page");
    let whole: Vec<String> = whole
        .items
        .iter()
        .map(|i| serde_json::to_string(i).unwrap())
        .collect();
    let mut seen = Vec::new();
    let mut page = Keyset::first(per);
    let mut pages = 0;
    loop {
        let got = read(page.clone()).await;
        pages += 1;
        assert!(got.items.len() <= per as usize, "{what}: page too long");
        seen.extend(got.items.iter().map(|i| serde_json::to_string(i).unwrap()));
        match got.next {
            Some(n) => {
                assert!(!got.items.is_empty(), "{what}: a page with a next has rows");
                page = Keyset::after(n, per);
            }
            None => break,
        }
        assert!(pages <= whole.len() + 1, "{what}: the walk does not end");
    }
    assert_eq!(seen, whole, "{what}: every row once, in list order");
    if whole.len() > per as usize {
        assert!(pages >= 2, "{what}: more than one page");
    }
    whole.len()
}

/// [`walk`] forwards, then backwards (`sort=-…`): the same rows, last first, each once, the
/// backwards pages joining up by their cursors as the forward ones do.
async fn walk_both<T, F, Fut>(what: &str, per: u32, read: F) -> usize
where
    T: Serialize,
    F: Fn(Keyset) -> Fut,
    Fut: Future<Output = Listing<T>>,
{
    let n = walk(what, per, &read).await;
    let mut whole: Vec<String> = read(Keyset::all())
        .await
        .items
        .iter()
        .map(|i| serde_json::to_string(i).unwrap())
        .collect();
    whole.reverse();
    let back = read(Keyset::all().backwards(true)).await;
    let back: Vec<String> = back
        .items
        .iter()
        .map(|i| serde_json::to_string(i).unwrap())
        .collect();
    assert_eq!(back, whole, "{what}: backwards is the list reversed");
    let mut seen = Vec::new();
    let mut page = Keyset::first(per).backwards(true);
    loop {
        let got = read(page.clone()).await;
        seen.extend(got.items.iter().map(|i| serde_json::to_string(i).unwrap()));
        match got.next {
            Some(c) => page = Keyset::after(c, per).backwards(true),
            None => break,
        }
        assert!(
            seen.len() <= whole.len(),
            "{what}: the backwards walk does not end"
        );
    }
    assert_eq!(seen, whole, "{what}: every row once, backwards");
    n
}

#[tokio::test]
async fn every_list_walks_by_cursor_finding_each_row_once() {
    let db = test_store().await;
    let s: &dyn Store = db.store.as_ref();
    fupin::load_demo_all(s).await.unwrap();
    let sys = &Ctx::system("lists");
    let town = code(TOWNSHIP);

    // units and cadres
    for name in ["进贤县农业农村局", "进贤县教育体育局", "南昌某公司"] {
        s.create_unit(
            sys,
            HelpingUnitInput {
                name: name.into(),
                level: "县".into(),
                contact_name: None,
                contact_phone: Some("13900139000".into()),
            },
        )
        .await
        .unwrap();
    }
    let n = walk("units", 2, |k| async move {
        s.list_units(sys, &k).await.unwrap()
    })
    .await;
    assert!(n >= 4, "{n} units");
    let n = walk("cadres", 3, |k| async move {
        s.list_cadres(sys, None, &k).await.unwrap()
    })
    .await;
    assert!(n > 3, "{n} cadres");

    // a household with several pairings, visits and wishes; a cadre with several pairings
    let households = s
        .list_households(
            sys,
            HouseholdFilter {
                region: Some(TOWNSHIP.into()),
                per_page: Some(500),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items;
    let mut most = (0, HouseholdId(0));
    for h in &households {
        let v = s
            .household_visits(sys, h.id, &Keyset::all())
            .await
            .unwrap()
            .items
            .len();
        most = most.max((v, h.id));
    }
    let h = most.1;
    let n = walk("visits of a household", 2, |k| async move {
        s.household_visits(sys, h, &k).await.unwrap()
    })
    .await;
    assert!(n > 2, "{n} visits");
    walk("pairings of a household", 1, |k| async move {
        s.household_pairings(sys, h, &k).await.unwrap()
    })
    .await;
    let mut most_wishes = (0, HouseholdId(0));
    for h in &households {
        let w = s
            .household_wishes(sys, h.id, &Keyset::all())
            .await
            .unwrap()
            .items
            .len();
        most_wishes = most_wishes.max((w, h.id));
    }
    let wh = most_wishes.1;
    walk("wishes of a household", 1, |k| async move {
        s.household_wishes(sys, wh, &k).await.unwrap()
    })
    .await;
    let cadres = s
        .list_cadres(sys, None, &Keyset::all())
        .await
        .unwrap()
        .items;
    let mut busiest = (0, cadres[0].id);
    for c in &cadres {
        let p = s
            .cadre_pairings(sys, c.id, &Keyset::all())
            .await
            .unwrap()
            .items
            .len();
        busiest = busiest.max((p, c.id));
    }
    let c = busiest.1;
    // pair the cadre with more households, as the limits allow
    for h in &households {
        if busiest.0 >= 4 {
            break;
        }
        let p = PairingInput {
            household_id: h.id,
            cadre_id: c,
            start_date: time::macros::date!(2019 - 01 - 01),
        };
        if s.create_pairing(sys, p).await.is_ok() {
            busiest.0 += 1;
        }
    }
    let n = walk("pairings of a cadre", 2, |k| async move {
        s.cadre_pairings(sys, c, &k).await.unwrap()
    })
    .await;
    assert!(n > 2, "{n} pairings of the busiest cadre");

    // users
    let n = walk("users", 2, |k| async move {
        s.list_users(sys, &k).await.unwrap()
    })
    .await;
    assert!(n > 2, "{n} users");

    // warnings of the year screened
    s.screen_region(sys, &town, 2021).await.unwrap();
    let tw = &town;
    walk_both("warnings", 1, |k| async move {
        s.early_warnings(sys, tw, 2021, &k).await.unwrap()
    })
    .await;

    // projects: a few in both villages
    for (i, v) in [
        "360124106205",
        "360124106204",
        "360124106204",
        "360124106205",
        "360124106204",
    ]
    .iter()
    .enumerate()
    {
        let input: ProjectInput = serde_json::from_value(json!({
            "village_code": v, "name": format!("道路{i}"), "category": "基础设施",
            "year": 2016, "planned_start": "2016-03-01", "planned_end": "2016-10-31",
            "responsible_unit": "罗溪镇人民政府", "responsible_person": "王主任",
            "content": "硬化村组道路", "budget_fen": 1_000_000,
            "targets": [{"indicator": "硬化道路", "value": "1 公里"}],
            "beneficiaries": [], "proposed_on": "2016-03-01",
        }))
        .unwrap();
        s.create_project(sys, input).await.unwrap();
    }
    let n = walk_both("projects", 2, |k| async move {
        s.projects(sys, tw, ProjectFilter::default(), &k)
            .await
            .unwrap()
    })
    .await;
    assert!(n >= 5, "{n} projects");

    // problems (their own page type: the cursor is the last id)
    let problems = |after, limit| ProblemFilter {
        region: Some(town.clone()),
        after,
        limit,
        ..Default::default()
    };
    let whole = s.problems(sys, &problems(None, 500)).await.unwrap().items;
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let p = s.problems(sys, &problems(after, 2)).await.unwrap();
        seen.extend(p.items.iter().map(|p| p.id));
        match p.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, whole.iter().map(|p| p.id).collect::<Vec<_>>());
    // newest first (sort=-id): the same problems backwards, page after page
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let f = ProblemFilter {
            descending: true,
            ..problems(after, 2)
        };
        let p = s.problems(sys, &f).await.unwrap();
        seen.extend(p.items.iter().map(|p| p.id));
        match p.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(
        seen,
        whole.iter().rev().map(|p| p.id).collect::<Vec<_>>(),
        "problems newest first"
    );

    // the audit log, newest first: a count on the first page, none after a cursor
    let first = s
        .audit_log(
            sys,
            AuditFilter {
                per_page: Some(7),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let total = first.total.expect("counted on the first page");
    assert!(total > 14, "{total} audit entries");
    let mut seqs: Vec<i64> = first.items.iter().map(|e| e.seq).collect();
    let mut next = first.next;
    while let Some(n) = next {
        let p = s
            .audit_log(
                sys,
                AuditFilter {
                    per_page: Some(7),
                    after: Some(n.parse().unwrap()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(p.total, None, "no count after a cursor");
        seqs.extend(p.items.iter().map(|e| e.seq));
        next = p.next;
    }
    let mut sorted = seqs.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(seqs, sorted, "newest first, each once");
    assert_eq!(seqs.len() as u64, total);
}

#[tokio::test]
async fn a_bad_cursor_or_page_size_is_refused() {
    let db = test_store().await;
    let s: &dyn Store = db.store.as_ref();
    let sys = Ctx::system("lists");
    for after in ["x", "-3", "2018-02-30_1"] {
        let e = s
            .household_visits(&sys, HouseholdId(1), &Keyset::after(after, 5))
            .await
            .unwrap_err();
        assert!(
            ["invalid_cursor", "household_not_found"].contains(&e.code),
            "{after}: {}",
            e.code
        );
        let e = s
            .list_cadres(&sys, None, &Keyset::after(after, 5))
            .await
            .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("invalid_cursor", Some("after"))
        );
    }
    let e = s
        .early_warnings(
            &sys,
            &code(TOWNSHIP),
            2021,
            &Keyset::after("360124106204", 5),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "invalid_cursor");
    assert_eq!(
        Keyset::request(None, Some(501)).unwrap_err().code,
        "out_of_range"
    );
}
