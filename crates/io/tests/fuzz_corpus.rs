//! The fuzz harness (`fuzz/fuzz_targets/import_rows.rs`) over a deterministic corpus, so that every
//! `cargo test` runs it: seed files of each kind and encoding, and seeded random mutations of them
//! (bytes flipped, inserted, deleted, lines duplicated or swapped). Regressions found by the fuzzer
//! are added to `SEEDS`.

use fupin_core::id_number::check_char;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn idn(birth: &str, seq: u32) -> String {
    let body = format!("360124{birth}{seq:03}");
    let c = check_char(body.as_bytes()) as char;
    format!("{body}{c}")
}

fn seeds() -> Vec<Vec<u8>> {
    let households = format!(
        "户编码,村代码,贫困户属性,识别标准,识别年度,主要致贫原因,其他致贫原因,状态,状态日期,脱贫年度,姓名,身份证号,性别,出生日期,与户主关系,务工时间(月),加入方式,加入日期,住房面积(平方米),是否易地扶贫搬迁\n\
         H1,360124106204,一般贫困户,01,2014,因病,缺资金、因学,已脱贫,2018-12-01,2018,甲,{},男,1965-03-04,户主,12,,,85.5,是\n\
         H1,,,,,,,,,,乙,{},,,配偶,,新生儿,2019-01-01,,\n\
         H2,360124106205,02,01,2015年,02,,未脱贫,,,丙,{},女,,户主,,,,,否\n",
        idn("19650304", 11),
        idn("19670512", 22),
        idn("19500101", 24),
    );
    vec![
        households.as_bytes().to_vec(),
        format!("\u{feff}{households}").into_bytes(),
        fupin_io::encoding::encode_gb18030(&households),
        "户编码,年度,工资性收入(元),生产经营性收入(元),财产性收入(元),其中：资产收益分红(元),转移性收入(元),生产经营性支出(元)\nH1,2018,1200.5,0,100,50,0,0\nH1,2018,1,2,3,,4,5\nH2,2019,-1,x,1.234,,,\n"
            .as_bytes()
            .to_vec(),
        "村代码,年度,村集体经济收入(元),农村人口\n360124106204,2018,70000,1296\n36012410620,2018,,\n360124106205,1999,1,-5\n"
            .as_bytes()
            .to_vec(),
        "区划代码,级别,名称,上级代码\n36,省,江西省,\n3601,city,南昌市,36\n360124106204,township,坏,360124106000\n"
            .as_bytes()
            .to_vec(),
        b"\"unterminated,quote\n\xff\xfe\x00garbage".to_vec(),
        b"PK\x03\x04 not really a zip".to_vec(),
        Vec::new(),
        b"\n\n\n".to_vec(),
        // found by the fuzzer: a household column that is present on a later row only
        format!(
            "户编码,村代码,贫困户属性,识别标准,识别年度,主要致贫原因,姓名,身份证号,与户主关系\nH1,,,,,,甲,{},户主\nH1,360124106204,01,01,2014,01,乙,{},配偶\n",
            idn("19650304", 11),
            idn("19670512", 22)
        )
        .into_bytes(),
    ]
}

fn mutate(rng: &mut ChaCha8Rng, mut v: Vec<u8>) -> Vec<u8> {
    for _ in 0..rng.gen_range(1..6) {
        match rng.gen_range(0..6) {
            0 if !v.is_empty() => {
                let i = rng.gen_range(0..v.len());
                v[i] = rng.gen();
            }
            1 => {
                let i = rng.gen_range(0..=v.len());
                let pool = ",\n\"\r0123456789X、户主".as_bytes();
                let b = pool[rng.gen_range(0..pool.len())];
                v.insert(i, b);
            }
            2 if !v.is_empty() => {
                let i = rng.gen_range(0..v.len());
                v.remove(i);
            }
            3 => {
                // duplicate a line
                let text = v.clone();
                let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
                if lines.len() > 1 {
                    let l = lines[rng.gen_range(0..lines.len())];
                    let at = rng.gen_range(0..=v.len());
                    let mut ins = l.to_vec();
                    ins.push(b'\n');
                    v.splice(at..at, ins);
                }
            }
            4 => {
                // swap two lines
                let text = v.clone();
                let mut lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
                if lines.len() > 2 {
                    let a = rng.gen_range(0..lines.len());
                    let b = rng.gen_range(0..lines.len());
                    lines.swap(a, b);
                    v = lines.join(&b'\n');
                }
            }
            _ => {
                let i = rng.gen_range(0..=v.len());
                v.truncate(i);
            }
        }
    }
    v
}

#[test]
fn harness_over_a_deterministic_corpus() {
    let mut rng = ChaCha8Rng::seed_from_u64(20261129);
    let seeds = seeds();
    for s in &seeds {
        fupin_io::import::fuzz_one(s);
    }
    for _ in 0..1500 {
        let s = seeds[rng.gen_range(0..seeds.len())].clone();
        let m = mutate(&mut rng, s);
        if std::env::var("FUZZ_DUMP").is_ok() {
            std::fs::write("/tmp/fuzz_case", &m).unwrap();
        }
        fupin_io::import::fuzz_one(&m);
    }
}

#[test]
fn the_seed_households_check_out() {
    let seeds = seeds();
    let today = time::macros::date!(2026 - 11 - 29);
    let issues = fupin_io::import::check_without_store(
        &seeds[0],
        None,
        &["360124106204", "360124106205"],
        today,
    )
    .unwrap();
    assert!(issues.is_empty(), "{issues:#?}");
    let gbk = fupin_io::import::check_without_store(
        &seeds[2],
        None,
        &["360124106204", "360124106205"],
        today,
    )
    .unwrap();
    assert!(gbk.is_empty(), "{gbk:#?}");
}
