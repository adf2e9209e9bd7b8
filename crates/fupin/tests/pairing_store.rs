//! Contract tests of pairing and visits, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

mod common;

use common::store::luoxi_regions;

use fupin::testing::{
    has_exif, jpeg_with_gps, png_declaring, test_png, test_store, HTML_AFTER_PNG_SIGNATURE,
};
use fupin_core::accounts::{Grant, NewUser, Role};
use fupin_core::id_number::check_char;
use fupin_core::pairing::*;
use fupin_core::registry::*;
use fupin_core::store::Store;
use fupin_core::{Ctx, ErrorKind, RegionCode};
use time::macros::date;

fn office() -> Ctx {
    Ctx::within("office", vec![RegionCode::parse("360124000000").unwrap()])
}

fn idn(seq: u32) -> String {
    let body = format!("36012419700101{seq:03}");
    format!("{body}{}", check_char(body.as_bytes()) as char)
}

struct Fixture {
    households: Vec<HouseholdId>,
    other_village_household: HouseholdId,
    unit: UnitId,
    cadres: Vec<CadreId>,
}

async fn fixture(s: &dyn Store) -> Fixture {
    let sys = Ctx::system("setup");
    luoxi_regions(s).await;
    let mut households = Vec::new();
    for i in 0..7u32 {
        let village = if i < 6 {
            "360124106204"
        } else {
            "360124106205"
        };
        let new = NewHousehold {
            household: HouseholdInput {
                household_number: format!("{village}{:04}", i + 1),
                village_code: village.into(),
                attribute: "01".into(),
                identification_standard: "01".into(),
                identification_year: 2014,
                main_cause: "01".into(),
                ..Default::default()
            },
            members: vec![MemberInput {
                name: format!("户主{i}"),
                id_number: idn(i * 2 + 1),
                relation: "01".into(),
                ..Default::default()
            }],
            initial_status: None,
        };
        households.push(s.create_household(&sys, new).await.unwrap().household.id);
    }
    let other = households.pop().unwrap();
    let unit = s
        .create_unit(
            &office(),
            HelpingUnitInput {
                name: "南昌市人社局".into(),
                level: "市".into(),
                contact_name: None,
                contact_phone: None,
            },
        )
        .await
        .unwrap()
        .id;
    let mut cadres = Vec::new();
    for i in 0..4 {
        let c = CadreInput {
            name: format!("干部{i}"),
            unit_id: unit,
            rank: Some("科级".into()),
            phone: Some("13900139000".into()),
            user_id: None,
            region_code: None,
        };
        cadres.push(s.create_cadre(&office(), c).await.unwrap().id);
    }
    Fixture {
        households,
        other_village_household: other,
        unit,
        cadres,
    }
}

fn pair(h: HouseholdId, c: CadreId, start: time::Date) -> PairingInput {
    PairingInput {
        household_id: h,
        cadre_id: c,
        start_date: start,
    }
}

fn visit(h: HouseholdId, d: time::Date, cadres: &[CadreId]) -> VisitInput {
    VisitInput {
        household_id: h,
        date: d,
        kind: "走访".into(),
        cadre_ids: cadres.to_vec(),
        findings: VisitFindings::default(),
        problems: None,
        actions: Some("了解生产生活情况".into()),
        follow_up: None,
        condolence_money_fen: 0,
        goods: vec![],
        location: None,
        with_photo: false,
    }
}

#[tokio::test]
async fn limits_and_history() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    let d0 = date!(2015 - 10 - 01);
    s.create_pairing(&office(), pair(f.households[0], f.cadres[0], d0))
        .await
        .unwrap();
    s.create_pairing(&office(), pair(f.households[0], f.cadres[1], d0))
        .await
        .unwrap();
    let third = s
        .create_pairing(&office(), pair(f.households[0], f.cadres[2], d0))
        .await
        .unwrap_err();
    assert_eq!(
        (third.kind, third.code),
        (ErrorKind::Conflict, "too_many_cadres")
    );
    for h in &f.households[1..5] {
        s.create_pairing(&office(), pair(*h, f.cadres[0], d0))
            .await
            .unwrap();
    }
    let sixth = s
        .create_pairing(&office(), pair(f.households[5], f.cadres[0], d0))
        .await
        .unwrap_err();
    assert_eq!(sixth.code, "too_many_households");
    assert_eq!(
        s.household_pairings(
            &office(),
            f.households[5],
            &fupin_core::paging::Keyset::all()
        )
        .await
        .unwrap()
        .items
        .len(),
        0,
        "nothing written"
    );

    // replacing a cadre ends the old pairing and starts a new one the next day; history is kept
    let first = s
        .household_pairings(
            &office(),
            f.households[0],
            &fupin_core::paging::Keyset::all(),
        )
        .await
        .unwrap()
        .items[1]
        .clone();
    let end = EndPairingInput {
        end_date: date!(2017 - 06 - 30),
        reason: "工作调动".into(),
        replacement_cadre_id: Some(f.cadres[3]),
    };
    let (ended, new) = s.end_pairing(&office(), first.id, end).await.unwrap();
    assert_eq!(ended.end_date, Some(date!(2017 - 06 - 30)));
    assert_eq!(new.unwrap().start_date, date!(2017 - 07 - 01));
    let hist = s
        .household_pairings(
            &office(),
            f.households[0],
            &fupin_core::paging::Keyset::all(),
        )
        .await
        .unwrap()
        .items;
    let on = |d| {
        hist.iter()
            .filter(|p| p.active_on(d))
            .map(|p| p.cadre_name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(on(date!(2017 - 03 - 01)), ["干部0", "干部1"]);
    assert_eq!(on(date!(2018 - 03 - 01)), ["干部0", "干部3"]);
    assert_eq!(on(date!(2015 - 09 - 30)), Vec::<String>::new());
}

#[tokio::test]
async fn visits_validation_and_cadre_scope() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    // a user with the cadre role, linked to cadre 0
    let sys = Ctx::system("setup");
    let user = s
        .create_user(
            &sys,
            NewUser {
                username: "cadre0".into(),
                display_name: "干部0".into(),
                unit: None,
                phone: None,
                password_hash: "x".into(),
                home_region: None,
            },
        )
        .await
        .unwrap();
    let user = s
        .grant(
            &sys,
            user.id,
            Grant {
                role: Role::Cadre,
                region: RegionCode::parse("360124106204").unwrap(),
            },
        )
        .await
        .unwrap();
    let c0 = CadreInput {
        name: "干部0".into(),
        unit_id: f.unit,
        rank: None,
        phone: None,
        user_id: Some(user.id.0),
        region_code: None,
    };
    s.update_cadre(&office(), f.cadres[0], c0).await.unwrap();
    s.create_pairing(
        &office(),
        pair(f.households[0], f.cadres[0], date!(2016 - 01 - 01)),
    )
    .await
    .unwrap();
    let cadre = user
        .principal()
        .ctx(fupin_core::accounts::Policy::WriteVisits, None)
        .unwrap();
    assert_eq!(cadre.cadre_user, Some(user.id.0));

    // the cadre sees only the paired household
    let seen = s
        .list_households(&cadre, HouseholdFilter::default())
        .await
        .unwrap();
    assert_eq!(
        seen.items.iter().map(|h| h.id).collect::<Vec<_>>(),
        [f.households[0]]
    );
    assert_eq!(
        s.household(&cadre, f.households[1]).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    assert!(s.household(&cadre, f.households[0]).await.is_ok());

    // visits: on the paired household yes; before the pairing, on another household, or a future date no
    s.record_visit(
        &cadre,
        visit(f.households[0], date!(2016 - 03 - 01), &[f.cadres[0]]),
    )
    .await
    .unwrap();
    let early = s
        .record_visit(
            &cadre,
            visit(f.households[0], date!(2015 - 12 - 01), &[f.cadres[0]]),
        )
        .await
        .unwrap_err();
    assert_eq!(early.kind, ErrorKind::Forbidden);
    let elsewhere = s
        .record_visit(
            &cadre,
            visit(f.households[1], date!(2016 - 03 - 01), &[f.cadres[0]]),
        )
        .await
        .unwrap_err();
    assert_eq!(elsewhere.kind, ErrorKind::NotFound);
    let tomorrow = fupin_core::years::today().next_day().unwrap();
    let future = s
        .record_visit(&office(), visit(f.households[0], tomorrow, &[f.cadres[1]]))
        .await
        .unwrap_err();
    assert_eq!(future.code, "date_in_future");
    let not_self = s
        .record_visit(
            &cadre,
            visit(f.households[0], date!(2016 - 04 - 01), &[f.cadres[1]]),
        )
        .await
        .unwrap_err();
    assert_eq!(not_self.code, "self_not_present");
    // an office records a visit by any cadre
    let v = s
        .record_visit(
            &office(),
            visit(f.households[1], date!(2016 - 03 - 02), &[f.cadres[2]]),
        )
        .await
        .unwrap();

    // photos: content decides, size bounded; the cadre may not see photos of other households
    assert_eq!(
        s.add_visit_photo(&office(), v.id, b"GIF89a......".to_vec())
            .await
            .unwrap_err()
            .code,
        "unsupported_photo_type"
    );
    let mut big = vec![0xFF, 0xD8, 0xFF];
    big.resize(MAX_PHOTO_BYTES + 1, 0);
    assert_eq!(
        s.add_visit_photo(&office(), v.id, big)
            .await
            .unwrap_err()
            .code,
        "photo_too_large"
    );
    // the first bytes of a JPEG are not a JPEG
    let header_only = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'].to_vec();
    assert_eq!(
        s.add_visit_photo(&office(), v.id, header_only)
            .await
            .unwrap_err()
            .code,
        "undecodable_photo"
    );
    let jpeg = jpeg_with_gps(8, 4);
    let p = s
        .add_visit_photo(&office(), v.id, jpeg.clone())
        .await
        .unwrap();
    let (content_type, stored) = s.photo(&office(), p.id).await.unwrap();
    assert_eq!(content_type, "image/jpeg");
    assert_eq!(p.size, stored.len() as i64);
    assert!(has_exif(&jpeg) && !has_exif(&stored));
    assert_eq!(
        s.photo(&cadre, p.id).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    assert_eq!(s.visit(&office(), v.id).await.unwrap().photos.len(), 1);
}

/// What an uploaded photo becomes: decoded and encoded again, so that a file that only starts
/// like an image is refused, a phone's EXIF (its GPS position) is not kept, its orientation is
/// applied, and an image declaring too many pixels is refused before it is decoded. Nothing is
/// written for a refused photo.
#[tokio::test]
async fn photos_are_decoded_and_encoded_again() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    let v = s
        .record_visit(
            &office(),
            visit(f.households[0], date!(2016 - 03 - 02), &[f.cadres[0]]),
        )
        .await
        .unwrap();
    let refused = |bytes: Vec<u8>| async move {
        let e = s.add_visit_photo(&office(), v.id, bytes).await.unwrap_err();
        (e.code, e.field)
    };
    assert_eq!(
        refused(HTML_AFTER_PNG_SIGNATURE.to_vec()).await,
        ("undecodable_photo", Some("photo".into()))
    );
    for (w, h) in [(60_000, 60_000), (10_000, 10_000)] {
        assert_eq!(
            refused(png_declaring(w, h)).await,
            ("photo_too_many_pixels", Some("photo".into())),
            "{w}×{h}"
        );
    }
    let wish = s
        .create_wish(
            &office(),
            WishInput {
                household_id: f.households[0],
                person_id: None,
                text: "希望有个书桌".into(),
                estimated_value_fen: 20_000,
                submitted_on: date!(2016 - 03 - 01),
            },
        )
        .await
        .unwrap();
    let e = s
        .add_wish_evidence(&office(), wish.id, HTML_AFTER_PNG_SIGNATURE.to_vec())
        .await
        .unwrap_err();
    assert_eq!(e.code, "undecodable_photo");
    assert!(s.visit(&office(), v.id).await.unwrap().photos.is_empty());

    // a phone's JPEG, 8×4 with orientation 6: stored 4×8, upright, without EXIF or position
    let phone = jpeg_with_gps(8, 4);
    let p = s
        .add_visit_photo(&office(), v.id, phone.clone())
        .await
        .unwrap();
    assert_eq!(p.content_type, "image/jpeg");
    let (content_type, stored) = s.photo(&office(), p.id).await.unwrap();
    assert_eq!(content_type, "image/jpeg");
    assert!(has_exif(&phone), "the fixture carries EXIF");
    assert!(!has_exif(&stored), "the stored photo carries none");
    let img = image::load_from_memory_with_format(&stored, image::ImageFormat::Jpeg).unwrap();
    assert_eq!((img.width(), img.height()), (4, 8));
    // the left half was red: turned clockwise, it is the top
    let top = img.to_rgb8().get_pixel(2, 1).0;
    let bottom = img.to_rgb8().get_pixel(2, 6).0;
    assert!(top[0] > 200 && top[2] < 60, "{top:?}");
    assert!(bottom[2] > 200 && bottom[0] < 60, "{bottom:?}");

    // a PNG stays a PNG with the same pixels; a wide one is scaled down to 2560 pixels
    let png = test_png(40, 30);
    let p = s
        .add_visit_photo(&office(), v.id, png.clone())
        .await
        .unwrap();
    let (content_type, stored) = s.photo(&office(), p.id).await.unwrap();
    assert_eq!(content_type, "image/png");
    assert_eq!(
        image::load_from_memory(&stored).unwrap().to_rgb8(),
        image::load_from_memory(&png).unwrap().to_rgb8()
    );
    let p = s
        .add_visit_photo(&office(), v.id, test_png(5120, 20))
        .await
        .unwrap();
    let (_, stored) = s.photo(&office(), p.id).await.unwrap();
    let img = image::load_from_memory(&stored).unwrap();
    assert_eq!((img.width(), img.height()), (2560, 10));
    let photos = s.visit(&office(), v.id).await.unwrap().photos;
    assert_eq!(photos.len(), 3, "the refused ones left nothing");
}

#[tokio::test]
async fn cadres_belong_to_their_office_region() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    let sanfang = Ctx::within("sanfang", vec![RegionCode::parse("360124106205").unwrap()]);
    let change = CadreInput {
        name: "改名".into(),
        unit_id: f.unit,
        rank: None,
        phone: None,
        user_id: None,
        region_code: None,
    };
    assert_eq!(
        s.update_cadre(&sanfang, f.cadres[0], change.clone())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
    assert!(s
        .list_cadres(&sanfang, None, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(
        s.list_cadres(&office(), None, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        4
    );
    assert_eq!(
        s.update_cadre(&office(), f.cadres[0], change)
            .await
            .unwrap()
            .name,
        "改名"
    );
    // a nationwide caller must say where a new cadre belongs
    let nationwide = CadreInput {
        name: "甲".into(),
        unit_id: f.unit,
        rank: None,
        phone: None,
        user_id: None,
        region_code: None,
    };
    assert_eq!(
        s.create_cadre(&Ctx::system("x"), nationwide)
            .await
            .unwrap_err()
            .field
            .as_deref(),
        Some("region_code")
    );
}

#[tokio::test]
async fn compliance_and_totals_equal_hand_counts() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    let (a, b, team) = (f.cadres[0], f.cadres[1], f.cadres[3]);
    let (h0, h1) = (f.households[0], f.households[1]);
    s.create_pairing(&office(), pair(h0, a, date!(2018 - 01 - 01)))
        .await
        .unwrap();
    s.create_pairing(&office(), pair(h1, b, date!(2018 - 01 - 01)))
        .await
        .unwrap();
    // h0: 4 visits by its cadre → compliant; h1: 2 by its cadre + 3 by the work team → 2 missing
    for m in [2, 5, 8, 11] {
        let mut v = visit(
            h0,
            time::Date::from_calendar_date(2018, time::Month::try_from(m).unwrap(), 10).unwrap(),
            &[a],
        );
        v.condolence_money_fen = 50_000;
        s.record_visit(&office(), v).await.unwrap();
    }
    for m in [3, 9] {
        s.record_visit(
            &office(),
            visit(
                h1,
                time::Date::from_calendar_date(2018, time::Month::try_from(m).unwrap(), 10)
                    .unwrap(),
                &[b],
            ),
        )
        .await
        .unwrap();
    }
    for m in [4, 6, 7] {
        let mut v = visit(
            h1,
            time::Date::from_calendar_date(2018, time::Month::try_from(m).unwrap(), 15).unwrap(),
            &[team, f.cadres[2]],
        );
        v.kind = "慰问".into();
        v.goods = vec![Goods {
            description: "米和油".into(),
            value_fen: 30_000,
        }];
        s.record_visit(&office(), v).await.unwrap();
    }
    // a wish fulfilled, one cancelled, one open
    let w = |text: &str| WishInput {
        household_id: h0,
        person_id: None,
        text: text.into(),
        estimated_value_fen: 80_000,
        submitted_on: date!(2018 - 03 - 01),
    };
    let w1 = s.create_wish(&office(), w("希望有个轮椅")).await.unwrap();
    let fulfil = WishAction::Fulfil {
        date: date!(2018 - 04 - 01),
        actual_value_fen: 75_000,
    };
    assert_eq!(
        s.wish_action(&office(), w1.id, fulfil.clone())
            .await
            .unwrap_err()
            .code,
        "invalid_wish_transition"
    );
    s.wish_action(
        &office(),
        w1.id,
        WishAction::Claim {
            by: Claimant::Cadre(a),
            date: date!(2018 - 03 - 05),
        },
    )
    .await
    .unwrap();
    s.wish_action(&office(), w1.id, fulfil).await.unwrap();
    let w2 = s.create_wish(&office(), w("想要一个书包")).await.unwrap();
    s.wish_action(
        &office(),
        w2.id,
        WishAction::Cancel {
            date: date!(2018 - 03 - 02),
            reason: "已由学校解决".into(),
        },
    )
    .await
    .unwrap();
    s.create_wish(&office(), w("想要一台电视")).await.unwrap();

    let village = RegionCode::parse("360124106204").unwrap();
    let r = s
        .pairing_report(
            &office(),
            &village,
            date!(2018 - 01 - 01),
            date!(2018 - 12 - 31),
        )
        .await
        .unwrap();
    assert_eq!((r.cadres_total, r.pairings_total), (2, 2));
    assert_eq!((r.visits_total, r.visits_person_times), (9, 12));
    assert_eq!(
        (
            r.condolence_money_fen,
            r.goods_value_fen,
            r.money_and_goods_fen
        ),
        (200_000, 90_000, 290_000)
    );
    assert_eq!(
        (r.wishes_submitted, r.wishes_fulfilled, r.wishes_value_fen),
        (3, 1, 75_000)
    );
    let below: Vec<_> = s
        .pairings_below_minimum(&office(), &village, 2018, None, false, 50)
        .await
        .unwrap()
        .iter()
        .map(|l| {
            let y = &l.year;
            (y.household_id, y.cadre_id, y.required, y.done, y.missing)
        })
        .collect();
    assert_eq!(
        below,
        [(h1, b, 4, 2, 2)],
        "the work team's visits count in totals only"
    );
    assert_eq!(r.below_minimum_count, 1);
    assert_eq!(r.visits_missing, 2, "the one pairing below owes two more");
    // the other four Tagang households have no cadre
    assert_eq!(r.households_without_cadre_count, 4);
    let without = s
        .households_without_cadre(&office(), &village, None, false, 3)
        .await
        .unwrap();
    assert_eq!(without.len(), 3);
    let last = without.last().unwrap();
    let rest = s
        .households_without_cadre(
            &office(),
            &village,
            Some((
                RegionCode::parse(&last.village_code).unwrap(),
                last.household_id,
            )),
            false,
            3,
        )
        .await
        .unwrap();
    assert_eq!(rest.len(), 1, "the second page holds the fourth");
    assert!(rest[0].household_id > last.household_id);
    // backwards along the same index: the same four, last first, the pages joining up
    let mut all: Vec<_> = without
        .iter()
        .chain(&rest)
        .map(|h| h.household_id)
        .collect();
    all.reverse();
    let back = s
        .households_without_cadre(&office(), &village, None, true, 3)
        .await
        .unwrap();
    let b = back.last().unwrap();
    let more = s
        .households_without_cadre(
            &office(),
            &village,
            Some((RegionCode::parse(&b.village_code).unwrap(), b.household_id)),
            true,
            3,
        )
        .await
        .unwrap();
    let got: Vec<_> = back.iter().chain(&more).map(|h| h.household_id).collect();
    assert_eq!(got, all);
    assert_eq!(r.cadres_over_limit, Some(vec![]));
    // the other village's household is not in this report, and a village officer of it cannot read Tagang's
    let sanfang = Ctx::within("sanfang", vec![RegionCode::parse("360124106205").unwrap()]);
    assert_eq!(
        s.pairing_report(
            &sanfang,
            &village,
            date!(2018 - 01 - 01),
            date!(2018 - 12 - 31)
        )
        .await
        .unwrap_err()
        .kind,
        ErrorKind::NotFound
    );
    assert_eq!(
        s.household_wishes(&sanfang, h0, &fupin_core::paging::Keyset::all())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
    assert!(s
        .household_visits(
            &sanfang,
            f.other_village_household,
            &fupin_core::paging::Keyset::all()
        )
        .await
        .unwrap()
        .items
        .is_empty());
}

#[tokio::test]
async fn cadre_compliance_counts_the_cadres_own_visits_against_the_village_minimum() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    let (a, b, team) = (f.cadres[0], f.cadres[1], f.cadres[3]);
    let (h0, h1, h2) = (f.households[0], f.households[1], f.households[2]);
    let other = f.other_village_household;
    s.create_pairing(&office(), pair(h0, a, date!(2018 - 01 - 01)))
        .await
        .unwrap();
    // from 1 October: 4 × 92 ÷ 365 = 1.01 → one visit owed in 2018
    s.create_pairing(&office(), pair(h1, a, date!(2018 - 10 - 01)))
        .await
        .unwrap();
    s.create_pairing(&office(), pair(h2, b, date!(2018 - 01 - 01)))
        .await
        .unwrap();
    s.create_pairing(&office(), pair(other, a, date!(2018 - 01 - 01)))
        .await
        .unwrap();
    // Sanfang asks six visits a year from 2018; Tagang keeps the shipped four
    s.put_parameter(
        &Ctx::system("admin"),
        fupin_core::assessment::ParameterInput {
            key: "visit_minimum".into(),
            region_prefix: Some("360124106205".into()),
            year: 2018,
            value: fupin_core::assessment::ParamValue::Count(6),
            source: "村定标准（测试）".into(),
            confirmed: true,
        },
    )
    .await
    .unwrap();
    let on = |m: u8, d: u8| {
        time::Date::from_calendar_date(2018, time::Month::try_from(m).unwrap(), d).unwrap()
    };
    for (h, d, cadres) in [
        (h0, on(2, 1), vec![a]),
        (h0, on(5, 1), vec![a, team]),
        (h0, on(8, 1), vec![a]),
        (h0, on(9, 1), vec![team]), // without the cadre: not theirs
        (h1, on(9, 1), vec![a]),    // before the pairing began
        (h1, on(11, 1), vec![a]),
        (h2, on(3, 1), vec![b, a]), // a household paired with another cadre
        (other, on(4, 1), vec![a]),
    ] {
        s.record_visit(&office(), visit(h, d, &cadres))
            .await
            .unwrap();
    }
    let got: Vec<(HouseholdId, i64, i64)> = s
        .cadre_compliance(&office(), a, date!(2018 - 01 - 01), date!(2018 - 12 - 31))
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.household_id, c.required, c.done))
        .collect();
    let mut want = vec![(h0, 4, 3), (h1, 1, 1), (other, 6, 1)];
    want.sort();
    assert_eq!(got, want);
    // half the year: a pairing over the first half owes half the minimum (181 of 365 days → 2)
    let half: Vec<(HouseholdId, i64, i64)> = s
        .cadre_compliance(&office(), a, date!(2018 - 01 - 01), date!(2018 - 06 - 30))
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.household_id, c.required, c.done))
        .collect();
    assert_eq!(half, vec![(h0, 2, 2), (other, 3, 1)]);
    // an officer of Sanfang sees only Sanfang's household
    let sanfang = Ctx::within("sanfang", vec![RegionCode::parse("360124106205").unwrap()]);
    let seen: Vec<HouseholdId> = s
        .cadre_compliance(&sanfang, a, date!(2018 - 01 - 01), date!(2018 - 12 - 31))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.household_id)
        .collect();
    assert_eq!(seen, vec![other]);
}

/// A cadre is reached from the regions of their office and, through their unit's designations, from
/// the villages within that office's region; everyone else gets, for every way of naming them (a
/// pairing, a replacement, a work team, a visit, a wish's claim, a bulk look-up by name), exactly
/// the answer of an id that does not exist, and nothing is written.
#[tokio::test]
async fn cadres_are_reached_only_from_their_regions() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    let code = |c: &str| RegionCode::parse(c).unwrap();
    let sys = Ctx::system("setup");
    let tagang = Ctx::within("tagang", vec![code("360124106204")]);
    let sanfang = Ctx::within("sanfang", vec![code("360124106205")]);
    let h = f.other_village_household; // of 三房
    let unit = s
        .create_unit(
            &office(),
            HelpingUnitInput {
                name: "塔岗驻村单位".into(),
                level: "县".into(),
                contact_name: None,
                contact_phone: None,
            },
        )
        .await
        .unwrap()
        .id;
    let input = |name: &str, unit: UnitId, region: &str| CadreInput {
        name: name.into(),
        unit_id: unit,
        rank: None,
        phone: None,
        user_id: None,
        region_code: Some(region.into()),
    };
    let theirs = s
        .create_cadre(&office(), input("塔岗干部", unit, "360124106204"))
        .await
        .unwrap()
        .id;
    let county = s
        .create_cadre(&office(), input("县里干部", unit, "360124000000"))
        .await
        .unwrap()
        .id;
    let own = s
        .create_cadre(&office(), input("三房干部", f.unit, "360124106205"))
        .await
        .unwrap()
        .id;
    let missing = CadreId(theirs.0 + 1_000);
    let d = date!(2017 - 03 - 01);
    let wish = s
        .create_wish(
            &sanfang,
            WishInput {
                household_id: h,
                person_id: None,
                text: "希望有台电视".into(),
                estimated_value_fen: 150_000,
                submitted_on: d,
            },
        )
        .await
        .unwrap();
    let own_pairing = s.create_pairing(&sanfang, pair(h, own, d)).await.unwrap();

    // every way 三房 may name a cadre, as (what, error)
    let attempts = |c: CadreId| {
        let (sanfang, own_pairing) = (sanfang.clone(), own_pairing.clone());
        async move {
            let mut out = Vec::new();
            out.push((
                "pairing",
                s.create_pairing(&sanfang, pair(h, c, d)).await.unwrap_err(),
            ));
            let end = EndPairingInput {
                end_date: date!(2018 - 06 - 30),
                reason: "轮换".into(),
                replacement_cadre_id: Some(c),
            };
            out.push((
                "replacement",
                s.end_pairing(&sanfang, own_pairing.id, end)
                    .await
                    .unwrap_err(),
            ));
            let team = TeamMemberInput {
                cadre_id: c,
                village_code: "360124106205".into(),
                role: TeamRole::Member,
                start_date: d,
                end_date: None,
            };
            out.push(("team", s.add_team_member(&sanfang, team).await.unwrap_err()));
            out.push((
                "visit",
                s.record_visit(&sanfang, visit(h, d, &[own, c]))
                    .await
                    .unwrap_err(),
            ));
            let claim = WishAction::Claim {
                by: Claimant::Cadre(c),
                date: d,
            };
            out.push((
                "claim",
                s.wish_action(&sanfang, wish.id, claim).await.unwrap_err(),
            ));
            out
        }
    };
    let unknown = attempts(missing).await;
    let refused = attempts(theirs).await;
    for ((what, u), (_, r)) in unknown.iter().zip(&refused) {
        assert_eq!(
            (u.kind, u.code),
            (ErrorKind::NotFound, "cadre_not_found"),
            "{what}"
        );
        assert_eq!(
            (r.kind, r.code, &r.message, &r.field),
            (u.kind, u.code, &u.message, &u.field),
            "{what}: 塔岗's cadre answers as an id that does not exist"
        );
        assert!(
            !r.message.contains(&theirs.0.to_string()),
            "{what}: {}",
            r.message
        );
    }
    // nothing was written
    assert!(s
        .cadre_pairings(&sys, theirs, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items
        .is_empty());
    let pairings = s
        .household_pairings(&sys, h, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items;
    assert_eq!(pairings.len(), 1);
    assert_eq!(pairings[0].end_date, None, "the pairing was not ended");
    assert!(s
        .team_members(&sys, &code("360124106205"))
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .household_visits(&sys, h, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(
        s.household_wishes(&sys, h, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items[0]
            .status,
        WishStatus::Submitted
    );
    // 三房 lists its own cadre, not 塔岗's; a bulk look-up by name finds nothing of 塔岗
    let listed = |ctx: Ctx| async move {
        s.list_cadres(&ctx, None, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(sanfang.clone()).await, [own]);
    for naming in [false, true] {
        let mut bulk = s.bulk_session(&sanfang, false).await.unwrap();
        let found = bulk
            .cadres_named(&["塔岗干部".into(), "县里干部".into()], &[], naming)
            .await
            .unwrap();
        assert!(found.is_empty(), "naming {naming}: {found:?}");
    }
    // 塔岗's officer pairs its cadre up to the limit: 三房 took none of it
    for hh in &f.households[..5] {
        s.create_pairing(&tagang, pair(*hh, theirs, d))
            .await
            .unwrap();
    }

    // 三房 designates 塔岗's unit to itself: it reaches the unit's county cadre (whose office is
    // above 三房), never the cadre of 塔岗's office
    s.add_designation(
        &sanfang,
        unit,
        DesignationInput {
            village_code: "360124106205".into(),
            start_date: date!(2016 - 01 - 01),
            end_date: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        s.create_pairing(&sanfang, pair(h, theirs, d))
            .await
            .unwrap_err()
            .code,
        "cadre_not_found"
    );
    s.create_pairing(&sanfang, pair(h, county, d))
        .await
        .unwrap();
    assert_eq!(listed(sanfang.clone()).await, [county, own]);

    // a cadre of 塔岗 that the county paired with a 三房 household may be named on its visits
    let helper = s
        .create_cadre(&office(), input("塔岗干部二", unit, "360124106204"))
        .await
        .unwrap()
        .id;
    s.create_pairing(&office(), pair(h, helper, date!(2016 - 06 - 01)))
        .await
        .unwrap();
    let v = s
        .record_visit(&sanfang, visit(h, d, &[own, helper]))
        .await
        .unwrap();
    assert_eq!(v.cadres.len(), 2);
}

#[tokio::test]
async fn an_empty_visit_is_refused_and_never_counts() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    let (a, h0) = (f.cadres[0], f.households[0]);
    s.create_pairing(&office(), pair(h0, a, date!(2018 - 01 - 01)))
        .await
        .unwrap();
    let count = || async {
        s.cadre_compliance(&office(), a, date!(2018 - 01 - 01), date!(2018 - 12 - 31))
            .await
            .unwrap()
            .iter()
            .find(|c| c.household_id == h0)
            .map_or(0, |c| c.done)
    };
    assert_eq!(count().await, 0);
    // nothing found, nothing done, nothing given, no photo: refused, nothing stored
    let empty = VisitInput {
        actions: None,
        follow_up: Some("下次再来".into()),
        ..visit(h0, date!(2018 - 03 - 01), &[a])
    };
    let e = s.record_visit(&office(), empty.clone()).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code, e.field.as_deref()),
        (ErrorKind::Invalid, "empty_visit", Some("problems"))
    );
    assert!(s
        .household_visits(&office(), h0, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(count().await, 0, "an empty visit does not count");
    // a problem found is enough; so is a photo announced
    s.record_visit(
        &office(),
        VisitInput {
            problems: Some("房屋漏雨".into()),
            ..empty.clone()
        },
    )
    .await
    .unwrap();
    s.record_visit(
        &office(),
        VisitInput {
            date: date!(2018 - 06 - 01),
            with_photo: true,
            ..empty
        },
    )
    .await
    .unwrap();
    assert_eq!(
        s.household_visits(&office(), h0, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert_eq!(count().await, 2);
}
