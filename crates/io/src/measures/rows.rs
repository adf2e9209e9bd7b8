//! Rows of departments' lists by ID number (employment, training, pension, school, medical): each
//! row read into the measure it records for the person it names, with every check that needs only
//! the file (the ID number, dates and amounts readable, the list's choices known, a person's record
//! not given twice).

use crate::cells;
use crate::columns::Kind;
use crate::records::{blank_required, issue_at};
use crate::report::Issue;
use crate::rows::{named, RowAt};
use fupin_core::id_number::IdNumber;
use fupin_core::measures::{
    DetailsInput, Education, EmploymentForm, EmploymentInput, Health, MeasureStatus, Pension,
    SchoolStage, Training, TrainingType,
};
use fupin_core::{DomainError, Fen};
use std::collections::HashMap;
use time::Date;

/// One row of a department's list as read.
#[derive(Debug)]
pub(crate) struct DeptRow {
    pub sheet: u16,
    pub line: u64,
    pub kind: Kind,
    pub cells: Vec<Option<String>>,
    pub parsed: Result<DeptCells, Issue>,
}

/// What a row says, before the person it names is looked up.
#[derive(Debug, Clone)]
pub(crate) struct DeptCells {
    pub id_number: IdNumber,
    pub name: Option<String>,
    /// The catalogue kind it is recorded as.
    pub kind: &'static str,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub status: MeasureStatus,
    pub provider: Option<String>,
    pub note: Option<String>,
    pub details: DetailsInput,
}

/// The key a person's record is found by, in the file and among what is stored.
pub(crate) type RowKey = (String, &'static str, Date);

/// An ID number as offices type it: full-width digits are folded by the column already; spaces
/// anywhere in it dropped, a lowercase x raised (by core's parser).
pub(crate) fn id_number(text: &str) -> Result<IdNumber, DomainError> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    IdNumber::parse_field("id_number", &t)
}

/// Read a row of a department's list. `seen` finds the same person's record twice in the file.
pub(crate) fn dept_row(
    at: &RowAt,
    kind: Kind,
    sheet: u16,
    cells: Vec<Option<String>>,
    today: Date,
    seen: &mut HashMap<RowKey, u64>,
) -> DeptRow {
    let k = kind;
    let get = |key: &str| -> &str {
        k.columns()
            .iter()
            .position(|c| c.key == key)
            .and_then(|i| cells[i].as_deref())
            .unwrap_or("")
    };
    let required = |key: &str| -> Result<String, DomainError> {
        let v = get(key).trim();
        if v.is_empty() {
            return Err(blank_required(k, k.col(key)));
        }
        Ok(v.to_string())
    };
    let yuan = |key: &str| -> Result<i64, DomainError> {
        Ok(named(k, key, |h| cells::yuan(h, get(key)))?.map_or(0, Fen::get))
    };
    let boolean = |key: &str| -> Result<bool, DomainError> {
        Ok(named(k, key, |h| cells::boolean(h, get(key)))?.unwrap_or(false))
    };
    let parsed = (|| {
        let id = id_number(&required("id_number")?)?;
        let name = cells::text(get("name"));
        let start_date = named(k, "start_date", |h| cells::date(h, get("start_date")))?
            .ok_or_else(|| blank_required(k, k.col("start_date")))?;
        let end_date = named(k, "end_date", |h| cells::date(h, get("end_date")))?;
        let (kind_code, details) = match k {
            Kind::DeptEmployment => {
                let form = required("employment_form")?;
                let months = named(k, "months", |h| cells::int(h, get("months")))?
                    .ok_or_else(|| blank_required(k, k.col("months")))?;
                let code = match EmploymentForm::parse(&form) {
                    Some(EmploymentForm::PublicWelfarePost) => "0301",
                    _ => "0201",
                };
                (
                    code,
                    DetailsInput::Employment(EmploymentInput {
                        employer: required("employer")?,
                        employer_region_code: required("employer_region_code")?,
                        employment_form: form,
                        months: i32::try_from(months).unwrap_or(i32::MAX),
                        monthly_wage_fen: yuan("monthly_wage_fen")?,
                    }),
                )
            }
            Kind::DeptTraining => {
                let t = required("training_type")?;
                let training_type = TrainingType::parse(&t).ok_or_else(|| {
                    DomainError::invalid(
                        "training_type",
                        "unknown_training_type",
                        format!(
                            "培训类型 的取值“{}”不是培训类型（岗前培训、技能提升、创业培训）",
                            cells::shown(&t)
                        ),
                    )
                })?;
                let hours = named(k, "hours", |h| cells::int(h, get("hours")))?
                    .ok_or_else(|| blank_required(k, k.col("hours")))?;
                (
                    "0202",
                    DetailsInput::Training(Training {
                        course: required("course")?,
                        training_type,
                        hours: i32::try_from(hours).unwrap_or(i32::MAX),
                        certificate: boolean("certificate")?,
                        subsidy_fen: yuan("subsidy_fen")?,
                        living_allowance_fen: yuan("living_allowance_fen")?,
                    }),
                )
            }
            Kind::DeptPension => (
                "0804",
                DetailsInput::Pension(Pension {
                    enrolled: true,
                    receiving: boolean("receiving")?,
                    premium_paid_by_government_fen: yuan("premium_paid_by_government_fen")?,
                }),
            ),
            Kind::DeptSchool => {
                let s = required("stage")?;
                let stage = SchoolStage::parse(&s).ok_or_else(|| {
                    DomainError::invalid(
                        "stage",
                        "unknown_school_stage",
                        format!(
                            "学段 的取值“{}”不是学段（学前、小学、初中、高中、中职、高等教育）",
                            cells::shown(&s)
                        ),
                    )
                })?;
                (
                    "0401",
                    DetailsInput::Education(Education {
                        school: required("school")?,
                        stage,
                        tuition_waived_fen: yuan("tuition_waived_fen")?,
                        grant_fen: yuan("grant_fen")?,
                        yulu_fen: yuan("yulu_fen")?,
                        dropout: boolean("dropout")?,
                    }),
                )
            }
            Kind::DeptMedical => {
                if get("out_of_pocket_fen").trim().is_empty() {
                    return Err(blank_required(k, k.col("out_of_pocket_fen")));
                }
                (
                    "0503",
                    DetailsInput::Health(Health {
                        signed_doctor: boolean("signed_doctor")?,
                        serious_illness: boolean("serious_illness")?,
                        medical_assistance_fen: yuan("medical_assistance_fen")?,
                        out_of_pocket_fen: yuan("out_of_pocket_fen")?,
                    }),
                )
            }
            _ => return Err(DomainError::internal()),
        };
        let status = match end_date {
            Some(e) if e <= today => MeasureStatus::Ended,
            _ => MeasureStatus::Active,
        };
        Ok(DeptCells {
            id_number: id,
            name,
            kind: kind_code,
            start_date,
            end_date,
            status,
            provider: cells::text(get("provider")),
            note: cells::text(get("note")),
            details,
        })
    })()
    .map_err(|e| issue_at(at, k, &cells, e));
    let parsed = parsed.and_then(|c| {
        let key = (c.id_number.expose().to_string(), c.kind, c.start_date);
        match seen.get(&key) {
            Some(first) => Err(at.issue(
                Some(k.col("start_date")),
                &cells,
                DomainError::invalid(
                    "start_date",
                    "duplicate_list_row",
                    format!("与第 {first} 行重复（同一身份证号、同一措施、同一开始日期）"),
                ),
            )),
            None => {
                seen.insert(key, at.line);
                Ok(c)
            }
        }
    });
    DeptRow {
        sheet,
        line: at.line,
        kind,
        cells,
        parsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_as_offices_type_them() {
        let want = "36012419700101005X";
        for typed in [
            "36012419700101005x",
            " 360124 19700101 005X ",
            "360124\u{a0}19700101005 x",
        ] {
            assert_eq!(id_number(typed).unwrap().expose(), want, "{typed:?}");
        }
        let e = id_number("36012419700101001").unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("invalid_id_number", Some("id_number"))
        );
    }
}
