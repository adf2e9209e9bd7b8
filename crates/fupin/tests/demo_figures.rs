//! The seed article's figures, reproduced by the demo through the store (both databases).

use fupin::testing::test_store;
use fupin_core::{Ctx, RegionCode};
use time::macros::date;

#[tokio::test]
async fn the_demo_reproduces_the_article() {
    let db = test_store().await;
    let s = db.store.as_ref();
    fupin::load_demo_all(s).await.unwrap();
    let ctx = Ctx::system("check");
    let tagang = RegionCode::parse("360124106204").unwrap();

    let mut st = s.region_stats(&ctx, &tagang, 2018).await.unwrap();
    let st16 = s.region_stats(&ctx, &tagang, 2016).await.unwrap();
    st.compare_with(&st16);
    assert_eq!((st.households, st.persons), (14, 45));
    assert_eq!(st.per_capita_net_income_fen, Some(746_700));
    assert_eq!(st16.per_capita_net_income_fen, Some(555_800));
    assert_eq!(st.per_capita_net_income_growth_pct, Some(34.3));
    let c15 = s
        .region_stats(&ctx, &tagang, 2015)
        .await
        .unwrap()
        .collective_income_fen
        .unwrap();
    assert!(c15 < 500_000, "collective income under 5,000 yuan in 2015");
    assert_eq!(st.collective_income_fen, Some(7_000_000));
    // the township and the county sum their villages
    for code in ["360124106", "360124"] {
        let up = s
            .region_stats(&ctx, &RegionCode::parse(code).unwrap(), 2018)
            .await
            .unwrap();
        assert!(up.households > 14 && up.persons > 45, "{code}");
        assert_eq!(
            up,
            s.recompute_region_stats(&ctx, &RegionCode::parse(code).unwrap(), 2018)
                .await
                .unwrap()
        );
    }
    let r = s.region(&ctx, &tagang).await.unwrap();
    assert_eq!(
        r.region.poor_village.unwrap().designation,
        "十三五省级贫困村"
    );

    let p = s
        .pairing_report(&ctx, &tagang, date!(2015 - 10 - 01), date!(2019 - 08 - 30))
        .await
        .unwrap();
    assert_eq!(p.cadres_total, 48);
    assert!(p.visits_person_times >= 330, "{}", p.visits_person_times);
    assert_eq!(p.wishes_fulfilled, 13);
    assert_eq!(p.money_and_goods_fen, 12_000_000);
    assert_eq!(
        p.below_minimum_count, 0,
        "every pairing at or above its minimum"
    );
    assert_eq!(p.households_without_cadre_count, 0);
    assert_eq!(p.cadres_over_limit, Some(vec![]));
    assert_eq!(p.team_warnings, Some(vec![]));

    // demo-cadre is one of the currently active cadres
    let (user, _) = s.user_credentials("demo-cadre").await.unwrap().unwrap();
    let cadre = user
        .principal()
        .ctx(fupin_core::accounts::Policy::ReadRegistry, None)
        .unwrap();
    let mine = s.list_households(&cadre, Default::default()).await.unwrap();
    assert_eq!(mine.total, Some(1));
    assert_eq!(mine.items[0].village_code, tagang);

    // every exited household of 塔岗 left through a complete exit procedure
    let list = s
        .list_households(
            &ctx,
            fupin_core::registry::HouseholdFilter {
                region: Some("360124106204".into()),
                per_page: Some(50),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut exits = std::collections::BTreeSet::new();
    for h in &list.items {
        let cases = s.household_cases(&ctx, h.id).await.unwrap();
        let exit = cases
            .iter()
            .find(|c| c.kind == fupin_core::assessment::ProcedureKind::Exit)
            .expect("an exit case");
        assert!(
            exit.finished && exit.step == "done",
            "{}",
            h.household_number
        );
        exits.insert(exit.year);
    }
    assert_eq!(
        exits.into_iter().collect::<Vec<_>>(),
        [2016, 2017, 2018, 2019],
        "exits over 2016–2019"
    );
    // the 2021 illness: exited → monitored (突发严重困难户) → risk eliminated
    let h3 = s
        .household_by_number(&ctx, "3601241062040003")
        .await
        .unwrap();
    let trail: Vec<_> = h3
        .status_history
        .iter()
        .map(|e| e.to_status.as_str())
        .collect();
    assert_eq!(trail, ["poor", "exited", "monitored", "risk_eliminated"]);
    // poverty measures for 2016 and 2018
    for y in [2016, 2018] {
        let m = s
            .measures(&ctx, &tagang, y, &Default::default())
            .await
            .unwrap();
        assert_eq!(m.persons, 45, "{y}");
        assert!(m.headcount_ratio >= 0.0 && m.headcount_ratio <= 1.0 && m.gini > 0.0);
    }

    // loading again changes nothing
    fupin::load_demo_all(s).await.unwrap();
    assert_eq!(
        s.region_stats(&ctx, &tagang, 2018)
            .await
            .unwrap()
            .households,
        14
    );
    assert_eq!(s.verify_audit().await.unwrap().map(|n| n > 400), Ok(true));
}

/// A database whose aggregates hold village rows only (written before regions above villages were
/// kept) gets the rows of its townships, counties, cities and provinces when it is next opened.
#[tokio::test]
async fn village_only_aggregates_are_rolled_up_when_opened() {
    let db = test_store().await;
    fupin::load_demo_all(db.store.as_ref()).await.unwrap();
    let ctx = Ctx::system("check");
    let codes = [
        "360124106204",
        "360124106000",
        "360124000000",
        "360000000000",
    ];
    let mut before = Vec::new();
    for c in codes {
        let code = RegionCode::parse(c).unwrap();
        before.push(db.store.region_stats(&ctx, &code, 2018).await.unwrap());
    }
    db.raw("DELETE FROM village_year_stats WHERE substr(village_code, 10, 3) = '000'")
        .await;
    db.raw("DELETE FROM village_year_causes WHERE substr(village_code, 10, 3) = '000'")
        .await;
    db.raw("DELETE FROM meta WHERE key = 'stats_rollup'").await;
    // the county now reads as empty: its figures are its own row, not a sum at read time
    let county = RegionCode::parse("360124000000").unwrap();
    let gone = db.store.region_stats(&ctx, &county, 2018).await.unwrap();
    assert_eq!((gone.households, gone.persons), (0, 0));

    let reopened = fupin::open_store(&db.url).await.unwrap();
    for (c, b) in codes.iter().zip(&before) {
        let code = RegionCode::parse(c).unwrap();
        let after = reopened.region_stats(&ctx, &code, 2018).await.unwrap();
        assert_eq!(&after, b, "{c}");
        assert_eq!(
            after,
            reopened
                .recompute_region_stats(&ctx, &code, 2018)
                .await
                .unwrap(),
            "{c}"
        );
    }
    assert!(before[3].households >= before[2].households);
    assert!(before[2].households > before[1].households || before[1].households > 14);
}
