//! Measures (帮扶措施) as departments send them: the employment, training, pension, school and
//! medical lists by ID number, about two rows per household, read back from the registry file
//! (`households.csv`, whose ID numbers the compact [`World`] does not keep) and written as
//! `dept-employment.csv` … `dept-medical.csv`.
//!
//! Rates per registered person, by age on the registry's reference date: working-age adults
//! (18–59) employed 45% (about a third of them outside the county, a fifth of those in another
//! province), trained 12%; school-age members (6–22) at school are on the school list; adults of
//! 16 and over in the resident pension 30% (those of 60 and over receiving it, the government
//! paying the premium for a third); anyone on the medical list 8%.

use super::{date_in, pick, AreaGen, GenError, Out, World};
use crate::columns::Kind;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub(super) struct MeasuresGen;

/// Employers' regions outside the county, by province code (in-province ones are other counties).
const OTHER_PROVINCES: &[&str] = &["44", "33", "35", "32", "31"];

impl AreaGen for MeasuresGen {
    fn area(&self) -> &'static str {
        "measures"
    }

    fn generate(&self, world: &World, rng: &mut ChaCha8Rng, out: &mut Out) -> Result<(), GenError> {
        let year = world.opts.income_years.1;
        let as_of = world.opts.as_of;
        let mut employment = out.csv(
            "dept-employment.csv",
            Kind::DeptEmployment,
            &[
                "id_number",
                "name",
                "employer",
                "employer_region_code",
                "employment_form",
                "start_date",
                "months",
                "monthly_wage_fen",
                "provider",
            ],
        )?;
        let mut training = out.csv(
            "dept-training.csv",
            Kind::DeptTraining,
            &[
                "id_number",
                "name",
                "course",
                "training_type",
                "start_date",
                "hours",
                "certificate",
                "subsidy_fen",
                "provider",
            ],
        )?;
        let mut pension = out.csv(
            "dept-pension.csv",
            Kind::DeptPension,
            &[
                "id_number",
                "name",
                "start_date",
                "receiving",
                "premium_paid_by_government_fen",
                "provider",
            ],
        )?;
        let mut school = out.csv(
            "dept-school.csv",
            Kind::DeptSchool,
            &[
                "id_number",
                "name",
                "school",
                "stage",
                "start_date",
                "tuition_waived_fen",
                "grant_fen",
                "provider",
            ],
        )?;
        let mut medical = out.csv(
            "dept-medical.csv",
            Kind::DeptMedical,
            &[
                "id_number",
                "name",
                "start_date",
                "signed_doctor",
                "serious_illness",
                "medical_assistance_fen",
                "out_of_pocket_fen",
                "provider",
            ],
        )?;
        let path = out.dir().join("households.csv");
        let mut r = csv::Reader::from_path(&path).map_err(std::io::Error::from)?;
        let headers = r.headers().map_err(std::io::Error::from)?.clone();
        let col = |key: &str| {
            let h = Kind::Households.columns()[Kind::Households.col(key)].header;
            headers.iter().position(|x| x == h)
        };
        let (Some(c_village), Some(c_name), Some(c_id), Some(c_school)) = (
            col("village_code"),
            col("name"),
            col("id_number"),
            col("schooling"),
        ) else {
            return Ok(());
        };
        let mut village = String::new();
        for rec in r.records() {
            let rec = rec.map_err(std::io::Error::from)?;
            if !rec[c_village].is_empty() {
                village = rec[c_village].to_string();
            }
            let id = &rec[c_id];
            let name = &rec[c_name];
            let Ok(born) = id.get(6..10).unwrap_or("").parse::<i32>() else {
                continue;
            };
            let age = as_of - born;
            let county = &village[..6.min(village.len())];
            let day = |rng: &mut ChaCha8Rng| date_in(rng, year).to_string();
            if (18..60).contains(&age) && rng.gen_bool(0.45) {
                let (region, form) = match rng.gen_range(0..100) {
                    0..=66 => (
                        format!("{county}{:03}000", rng.gen_range(100..110)),
                        pick(
                            rng,
                            &[
                                ("扶贫车间", 20),
                                ("公益性岗位", 15),
                                ("灵活就业", 30),
                                ("外出务工", 35),
                            ],
                        ),
                    ),
                    67..=92 => {
                        // another county of the province (a county-level code, never the household's)
                        let mut other = format!(
                            "{}0{}2{}000000",
                            &village[..2],
                            rng.gen_range(1..9),
                            rng.gen_range(1..9)
                        );
                        if other.starts_with(county) {
                            other.replace_range(5..6, if &other[5..6] == "1" { "2" } else { "1" });
                        }
                        (other, "外出务工")
                    }
                    _ => (
                        OTHER_PROVINCES[rng.gen_range(0..OTHER_PROVINCES.len())].to_string(),
                        "外出务工",
                    ),
                };
                employment.row([
                    id,
                    name,
                    if form == "扶贫车间" {
                        "扶贫车间"
                    } else {
                        "某用工单位"
                    },
                    &region,
                    form,
                    &day(rng),
                    &rng.gen_range(3..=12).to_string(),
                    &(rng.gen_range(15..60) * 100).to_string(),
                    "县人社局",
                ])?;
            }
            if (18..60).contains(&age) && rng.gen_bool(0.12) {
                training.row([
                    id,
                    name,
                    pick(
                        rng,
                        &[
                            ("电工", 2),
                            ("家政服务", 3),
                            ("电子商务", 2),
                            ("种养技术", 4),
                        ],
                    ),
                    pick(rng, &[("岗前培训", 3), ("技能提升", 5), ("创业培训", 1)]),
                    &day(rng),
                    &rng.gen_range(20..=200).to_string(),
                    if rng.gen_bool(0.6) { "是" } else { "否" },
                    &(rng.gen_range(5..30) * 100).to_string(),
                    "县职业技能培训中心",
                ])?;
            }
            let at_school = !matches!(&rec[c_school], "" | "01" | "非在校生");
            if (6..=22).contains(&age) && at_school {
                let stage = match age {
                    6..=11 => "小学",
                    12..=14 => "初中",
                    15..=17 => {
                        if rng.gen_bool(0.4) {
                            "中职"
                        } else {
                            "高中"
                        }
                    }
                    _ => "高等教育",
                };
                let waived = if stage == "中职" { 2000 } else { 0 };
                school.row([
                    id,
                    name,
                    "县内学校",
                    stage,
                    &format!("{year}-09-01"),
                    &waived.to_string(),
                    &(rng.gen_range(5..20) * 100).to_string(),
                    "县教育局",
                ])?;
            }
            if age >= 16 && rng.gen_bool(0.3) {
                let paid = rng.gen_bool(0.33);
                pension.row([
                    id,
                    name,
                    &format!("{year}-01-01"),
                    if age >= 60 { "是" } else { "否" },
                    if paid { "100" } else { "0" },
                    "县社保局",
                ])?;
            }
            if rng.gen_bool(0.08) {
                medical.row([
                    id,
                    name,
                    &day(rng),
                    if rng.gen_bool(0.7) { "是" } else { "否" },
                    if rng.gen_bool(0.1) { "是" } else { "否" },
                    &(rng.gen_range(0..80) * 100).to_string(),
                    &(rng.gen_range(1..200) * 100).to_string(),
                    "县医保局",
                ])?;
            }
        }
        for f in [employment, training, pension, school, medical] {
            out.done(f)?;
        }
        Ok(())
    }
}
