//! 塔岗's measures and services as the seed article tells them: five households on public-welfare
//! posts (公益性就业专岗扶贫5户), two startup loans (落实创业贷款2户), five households employed near
//! home (帮助5户贫困户在家门口实现就业) and two outreach clinics of the city's medical experts
//! (送医下乡活动2次，免费义诊100余人次，赠送药品价值3万余元).
//!
//! The data are files: the department's employment list `data/demo/dept-employment.csv` (the posts'
//! labourers and the five employed near home, by ID number) goes through the department-list
//! importer as an office's list would; `data/demo/services.json` holds what has no importer — the
//! posts as registered workplaces with their hires, the loans (repaid in full, so that none is
//! overdue) and the clinics with the registered persons they saw — in the API's own input shapes,
//! persons named by household number and name, written through the store.

use crate::demo::{import_file, DemoFile, TAGANG};
use fupin_core::measures::{EventInput, HireInput, MeasureInput, WorkplaceInput};
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::{EventFilter, Store};
use fupin_core::{Ctx, DomainError, RegionCode};
use fupin_io::Kind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use time::Date;

/// The department's employment list of 塔岗.
pub const EMPLOYMENT_LIST: DemoFile = DemoFile {
    name: "dept-employment.csv",
    kind: Kind::DeptEmployment,
    content: include_str!("../data/demo/dept-employment.csv"),
};

/// Posts, loans and clinics of 塔岗.
pub const SERVICES_JSON: &str = include_str!("../data/demo/services.json");

/// The article's period: the helping unit from October 2015 to the article (August 2019).
pub const FROM: Date = time::macros::date!(2015 - 10 - 01);
pub const TO: Date = time::macros::date!(2019 - 08 - 31);

/// A registered person named by household number and name.
#[derive(Debug, Clone, Deserialize)]
pub struct PersonRef {
    pub household: String,
    pub name: String,
}

/// A public-welfare post with the labourer hired on it.
#[derive(Debug, Clone, Deserialize)]
pub struct DemoPost {
    pub name: String,
    pub work_type: String,
    pub operator: String,
    pub opened: Date,
    pub monthly_wage_fen: i64,
    pub person: PersonRef,
    pub hire_date: Date,
}

/// `services.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct DemoServices {
    pub village_code: String,
    pub posts: Vec<DemoPost>,
    /// Measures (a `MeasureInput` with `person` instead of the household and person ids).
    pub loans: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Events (an `EventInput` with `persons` instead of `person_ids`).
    pub clinics: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// The shipped `services.json`.
pub fn data() -> DemoServices {
    serde_json::from_str(SERVICES_JSON).expect("services.json parses")
}

/// What was loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServicesDemo {
    pub skipped: bool,
    pub employment_rows: u64,
    pub posts: u64,
    pub hires: u64,
    pub loans: u64,
    pub clinics: u64,
}

impl fmt::Display for ServicesDemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.skipped {
            return write!(f, "帮扶措施演示数据已存在，未重复加载");
        }
        write!(
            f,
            "帮扶措施演示数据已加载：就业名单 {} 人，公益性岗位 {} 个（聘用 {} 人），创业担保贷款 {} 笔，义诊 {} 次",
            self.employment_rows, self.posts, self.hires, self.loans, self.clinics
        )
    }
}

fn bad(what: impl fmt::Display) -> DomainError {
    DomainError::invalid(
        "demo",
        "demo_row_rejected",
        format!("演示数据 services.json：{what}"),
    )
}

/// The persons the file names, by (household number, name), each household read once.
#[derive(Default)]
struct Persons {
    households: BTreeMap<String, (HouseholdId, BTreeMap<String, PersonId>)>,
}

impl Persons {
    async fn get(
        &mut self,
        store: &dyn Store,
        ctx: &Ctx,
        p: &PersonRef,
    ) -> Result<(HouseholdId, PersonId), DomainError> {
        if !self.households.contains_key(&p.household) {
            let h = store.household_by_number(ctx, &p.household).await?;
            let members = h
                .members
                .iter()
                .filter(|m| m.active)
                .map(|m| (m.name.clone(), m.id))
                .collect();
            self.households
                .insert(p.household.clone(), (h.household.id, members));
        }
        let (h, members) = &self.households[&p.household];
        let id = members
            .get(&p.name)
            .ok_or_else(|| bad(format!("{} 户没有成员 {}", p.household, p.name)))?;
        Ok((*h, *id))
    }
}

/// Load 塔岗's measures and services (after the registry and the pairing). Skipped when 塔岗
/// already has events.
pub async fn load_services_demo(store: &dyn Store, ctx: &Ctx) -> Result<ServicesDemo, DomainError> {
    let d = data();
    let village = RegionCode::parse(&d.village_code)?;
    let existing = store
        .events(
            ctx,
            &village,
            &EventFilter {
                limit: 1,
                ..EventFilter::default()
            },
        )
        .await?;
    if !existing.is_empty() {
        return Ok(ServicesDemo {
            skipped: true,
            ..ServicesDemo::default()
        });
    }
    let mut out = ServicesDemo {
        employment_rows: import_file(store, ctx, &EMPLOYMENT_LIST)
            .await?
            .report
            .created,
        ..ServicesDemo::default()
    };

    let mut persons = Persons::default();
    let mut items = Vec::new();
    for p in &d.posts {
        let (_, person_id) = persons.get(store, ctx, &p.person).await?;
        let w = WorkplaceInput {
            kind: "post".into(),
            name: p.name.clone(),
            region_code: d.village_code.clone(),
            work_type: p.work_type.clone(),
            capacity: 1,
            operator: Some(p.operator.clone()),
            opened: p.opened,
            closed: None,
            note: None,
        };
        let hire = HireInput {
            person_id,
            hire_date: p.hire_date,
            leave_date: None,
            monthly_wage_fen: p.monthly_wage_fen,
        };
        items.push((w, vec![hire]));
    }
    (out.posts, out.hires) = store.register_workplaces(ctx, items).await?;

    for loan in &d.loans {
        let mut m = loan.clone();
        let p: PersonRef = serde_json::from_value(m.remove("person").ok_or_else(|| bad("person"))?)
            .map_err(bad)?;
        let (h, id) = persons.get(store, ctx, &p).await?;
        m.insert("household_id".into(), h.0.into());
        m.insert("person_id".into(), id.0.into());
        let input: MeasureInput = serde_json::from_value(m.into()).map_err(bad)?;
        store.create_measure(ctx, input).await?;
        out.loans += 1;
    }

    for clinic in &d.clinics {
        let mut e = clinic.clone();
        let named: Vec<PersonRef> =
            serde_json::from_value(e.remove("persons").ok_or_else(|| bad("persons"))?)
                .map_err(bad)?;
        let mut ids = Vec::new();
        for p in &named {
            ids.push(persons.get(store, ctx, p).await?.1 .0);
        }
        e.insert("person_ids".into(), ids.into());
        let input: EventInput = serde_json::from_value(e.into()).map_err(bad)?;
        store.create_event(ctx, input).await?;
        out.clinics += 1;
    }
    debug_assert_eq!(d.village_code, TAGANG);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The files say what the article says: five households on posts, five others employed near
    /// home, two startup loans, two clinics of 100+ person-times and 30,000+ yuan of medicine.
    #[test]
    fn the_files_follow_the_article() {
        let d = data();
        let posts: BTreeSet<&str> = d
            .posts
            .iter()
            .map(|p| p.person.household.as_str())
            .collect();
        assert_eq!((d.posts.len(), posts.len()), (5, 5));
        let mut r = csv::Reader::from_reader(EMPLOYMENT_LIST.content.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 10);
        assert_eq!(rows.iter().filter(|r| &r[4] == "公益性岗位").count(), 5);
        let loans: BTreeSet<String> = d
            .loans
            .iter()
            .map(|l| l["person"]["household"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(loans.len(), 2);
        assert!(d
            .loans
            .iter()
            .all(|l| l["kind"] == "0902" && l["details"]["repaid_fen"] == l["amount_fen"]));
        let served: i64 = d
            .clinics
            .iter()
            .map(|c| c["served_total"].as_i64().unwrap())
            .sum();
        let medicine: i64 = d
            .clinics
            .iter()
            .map(|c| c["medicine_fen"].as_i64().unwrap())
            .sum();
        assert_eq!(d.clinics.len(), 2);
        assert!((100..110).contains(&served), "{served}");
        assert!((3_000_000..3_500_000).contains(&medicine), "{medicine}");
    }
}
