//! Members of a household (家庭成员) and member changes (人员变更).
//!
//! A person (by ID number) is an active member of at most one household in the whole registry; the
//! store enforces that with a unique index over active members. Members are never deleted: leaving
//! (death, marriage out, moving away …) is a dated change that makes the member inactive.

use super::{HouseholdId, PersonId};
use crate::codes::{table, CodeBook, HEAD_RELATION};
use crate::error::{check_text, opt_text, DomainError, DomainResult};
use crate::id_number::{mask_phone, IdNumber, Sex};
use crate::years::check_past_date;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Editable member fields as sent by a client. Coded fields accept the code or the Chinese label.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub name: String,
    pub id_number: String,
    /// If given, must agree with the ID number (`male`/`female`/`男`/`女`).
    #[serde(default)]
    pub sex: Option<String>,
    /// If given, must agree with the ID number.
    #[serde(default)]
    pub birth_date: Option<Date>,
    /// 与户主关系.
    pub relation: String,
    #[serde(default)]
    pub ethnicity: Option<String>,
    #[serde(default)]
    pub education: Option<String>,
    #[serde(default)]
    pub schooling: Option<String>,
    #[serde(default)]
    pub out_of_school_reason: Option<String>,
    #[serde(default)]
    pub health: Option<String>,
    #[serde(default)]
    pub labour_ability: Option<String>,
    #[serde(default)]
    pub work_status: Option<String>,
    #[serde(default)]
    pub work_months: Option<i32>,
    #[serde(default)]
    pub disability: Option<bool>,
    #[serde(default)]
    pub basic_medical_insurance: Option<bool>,
    #[serde(default)]
    pub serious_illness_insurance: Option<bool>,
    #[serde(default)]
    pub pension_insurance: Option<bool>,
    #[serde(default)]
    pub phone: Option<String>,
    /// How the member joined, when added to an existing household (birth, marriage in, moved in).
    #[serde(default)]
    pub joined: Option<JoinInput>,
}

/// How and when a member joined an existing household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JoinInput {
    /// 05 嫁入, 06 新生儿, 07 其他转入 (code or label).
    pub kind: String,
    pub date: Date,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Codes of `member_change` that add a member.
pub const JOIN_KINDS: [&str; 3] = ["05", "06", "07"];
/// Codes of `member_change` that remove a member.
pub const LEAVE_KINDS: [&str; 5] = ["01", "02", "03", "04", "08"];

/// A validated member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberData {
    pub name: String,
    pub id_number: IdNumber,
    pub sex: Sex,
    pub birth_date: Date,
    pub relation: String,
    pub ethnicity: Option<String>,
    pub education: Option<String>,
    pub schooling: Option<String>,
    pub out_of_school_reason: Option<String>,
    pub health: Option<String>,
    pub labour_ability: Option<String>,
    pub work_status: Option<String>,
    pub work_months: Option<i32>,
    pub disability: Option<bool>,
    pub basic_medical_insurance: Option<bool>,
    pub serious_illness_insurance: Option<bool>,
    pub pension_insurance: Option<bool>,
    pub phone: Option<String>,
    pub joined: Option<ValidJoin>,
}

/// A validated join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidJoin {
    pub kind: String,
    pub date: Date,
    pub reason: Option<String>,
}

impl MemberData {
    pub fn is_head(&self) -> bool {
        self.relation == HEAD_RELATION
    }
}

impl MemberInput {
    pub fn validate(&self, codes: &CodeBook, today: Date) -> DomainResult<MemberData> {
        let name = check_text("name", &self.name, 50)?;
        let id_number = IdNumber::parse(&self.id_number)?;
        let sex = id_number.sex();
        if let Some(s) = self.sex.as_deref().filter(|s| !s.trim().is_empty()) {
            let given = Sex::parse(s)
                .ok_or_else(|| DomainError::invalid("sex", "unknown_code", "性别须为“男”或“女”"))?;
            if given != sex {
                return Err(DomainError::invalid(
                    "sex",
                    "sex_mismatch",
                    format!("性别与身份证号不符（身份证号显示为{}）", sex.label()),
                ));
            }
        }
        let birth_date = id_number.birth_date();
        if let Some(b) = self.birth_date {
            if b != birth_date {
                return Err(DomainError::invalid(
                    "birth_date",
                    "birth_date_mismatch",
                    format!("出生日期与身份证号不符（身份证号显示为 {birth_date}）"),
                ));
            }
        }
        if birth_date > today {
            return Err(DomainError::invalid(
                "id_number",
                "birth_date_in_future",
                "身份证号中的出生日期晚于今天",
            ));
        }
        if today.year() - birth_date.year() > 130 {
            return Err(DomainError::invalid(
                "id_number",
                "implausible_age",
                "身份证号显示年龄超过130岁",
            ));
        }
        if let Some(m) = self.work_months {
            if !(0..=12).contains(&m) {
                return Err(DomainError::invalid(
                    "work_months",
                    "out_of_range",
                    "务工时间须在 0 到 12 个月之间",
                ));
            }
        }
        let joined = match &self.joined {
            None => None,
            Some(j) => {
                let kind = codes.resolve(table::MEMBER_CHANGE, "joined.kind", &j.kind)?;
                if !JOIN_KINDS.contains(&kind.as_str()) {
                    return Err(DomainError::invalid(
                        "joined.kind",
                        "not_a_join",
                        "加入方式须为 嫁入、新生儿 或 其他转入",
                    ));
                }
                let date = check_past_date("joined.date", j.date, today)?;
                if date < birth_date {
                    return Err(DomainError::invalid(
                        "joined.date",
                        "join_before_birth",
                        "加入日期早于出生日期",
                    ));
                }
                Some(ValidJoin {
                    kind,
                    date,
                    reason: opt_text("joined.reason", &j.reason, 500)?,
                })
            }
        };
        Ok(MemberData {
            name,
            id_number,
            sex,
            birth_date,
            relation: codes.resolve(table::RELATION_TO_HEAD, "relation", &self.relation)?,
            ethnicity: codes.resolve_opt(table::ETHNICITY, "ethnicity", &self.ethnicity)?,
            education: codes.resolve_opt(table::EDUCATION, "education", &self.education)?,
            schooling: codes.resolve_opt(table::SCHOOLING, "schooling", &self.schooling)?,
            out_of_school_reason: opt_text(
                "out_of_school_reason",
                &self.out_of_school_reason,
                200,
            )?,
            health: codes.resolve_opt(table::HEALTH, "health", &self.health)?,
            labour_ability: codes.resolve_opt(
                table::LABOUR_ABILITY,
                "labour_ability",
                &self.labour_ability,
            )?,
            work_status: codes.resolve_opt(table::WORK_STATUS, "work_status", &self.work_status)?,
            work_months: self.work_months,
            disability: self.disability,
            basic_medical_insurance: self.basic_medical_insurance,
            serious_illness_insurance: self.serious_illness_insurance,
            pension_insurance: self.pension_insurance,
            phone: super::household::check_phone("phone", &self.phone)?,
            joined,
        })
    }
}

/// Check the members of a new household: exactly one head, no ID number twice.
pub fn validate_new_members(
    members: &[MemberInput],
    codes: &CodeBook,
    today: Date,
) -> DomainResult<Vec<MemberData>> {
    if members.is_empty() {
        return Err(DomainError::invalid(
            "members",
            "no_members",
            "一户至少要有一名成员（户主）",
        ));
    }
    if members.len() > 50 {
        return Err(DomainError::invalid(
            "members",
            "too_many_members",
            "一户最多 50 名成员",
        ));
    }
    let mut out: Vec<MemberData> = Vec::with_capacity(members.len());
    for (i, m) in members.iter().enumerate() {
        let d = m
            .validate(codes, today)
            .map_err(|e| e.under(&format!("members[{i}]")))?;
        if out.iter().any(|o| o.id_number == d.id_number) {
            return Err(DomainError::invalid(
                format!("members[{i}].id_number"),
                "repeated_id_number",
                format!("身份证号 {} 在本户中重复", d.id_number.masked()),
            ));
        }
        out.push(d);
    }
    check_one_head(out.iter().filter(|m| m.is_head()).count())?;
    Ok(out)
}

/// The "exactly one head" rule, given the number of active heads after a change.
pub fn check_one_head(heads: usize) -> DomainResult<()> {
    match heads {
        1 => Ok(()),
        0 => Err(DomainError::invalid(
            "relation",
            "no_head",
            "每户必须有且只有一名户主：当前没有户主",
        )),
        n => Err(DomainError::invalid(
            "relation",
            "multiple_heads",
            format!("每户必须有且只有一名户主：当前有 {n} 名"),
        )),
    }
}

/// A member as read back.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: PersonId,
    pub household_id: HouseholdId,
    pub name: String,
    /// Masked (`3601**********0011`) unless the caller asked for and may see the full number.
    pub id_number: String,
    pub sex: Sex,
    pub birth_date: Date,
    pub relation: String,
    pub ethnicity: Option<String>,
    pub education: Option<String>,
    pub schooling: Option<String>,
    pub out_of_school_reason: Option<String>,
    pub health: Option<String>,
    pub labour_ability: Option<String>,
    pub work_status: Option<String>,
    pub work_months: Option<i32>,
    pub disability: Option<bool>,
    pub basic_medical_insurance: Option<bool>,
    pub serious_illness_insurance: Option<bool>,
    pub pension_insurance: Option<bool>,
    pub phone: Option<String>,
    pub active: bool,
    pub joined_on: Option<Date>,
    pub join_kind: Option<String>,
    pub left_on: Option<Date>,
    pub leave_kind: Option<String>,
    /// What a write accepted but the caller should look at (an ID number whose first six digits
    /// are not in the division list); only in the answer to that write.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<MemberWarning>,
}

/// A warning on an accepted member: the field, a stable code and the reason in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberWarning {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl Member {
    pub fn mask(&mut self) {
        self.id_number = crate::id_number::mask_id(&self.id_number);
        self.phone = self.phone.as_deref().map(mask_phone);
    }
    pub fn is_head(&self) -> bool {
        self.relation == HEAD_RELATION
    }
    /// Whether the member belongs to the household at the end of `date`.
    pub fn present_on(&self, date: Date) -> bool {
        self.joined_on.is_none_or(|j| j <= date) && self.left_on.is_none_or(|l| l > date)
    }
}

/// Never prints the ID number or phone, even in debug output.
impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Member")
            .field("id", &self.id)
            .field("household_id", &self.household_id)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// A member leaving the household (死亡, 嫁出, 出国定居, 判刑收监, 其他转出).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberChangeInput {
    /// Code or label from `member_change` (a leaving kind).
    pub kind: String,
    pub date: Date,
    #[serde(default)]
    pub reason: Option<String>,
    /// When the head leaves, the member who becomes head.
    #[serde(default)]
    pub new_head_person_id: Option<PersonId>,
}

/// A validated leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLeave {
    pub kind: String,
    pub date: Date,
    pub reason: Option<String>,
    pub new_head: Option<PersonId>,
}

impl MemberChangeInput {
    /// Validate a leave of `member` (who must be active).
    pub fn validate(
        &self,
        member: &Member,
        codes: &CodeBook,
        today: Date,
    ) -> DomainResult<ValidLeave> {
        if !member.active {
            return Err(DomainError::invalid(
                "person_id",
                "member_inactive",
                "该成员已不在本户",
            ));
        }
        let kind = codes.resolve(table::MEMBER_CHANGE, "kind", &self.kind)?;
        if !LEAVE_KINDS.contains(&kind.as_str()) {
            return Err(DomainError::invalid("kind", "not_a_leave", "变更类型须为减少类（死亡、嫁出、出国定居、判刑收监、其他转出）；新增成员请用添加成员"));
        }
        let date = check_past_date("date", self.date, today)?;
        if member.joined_on.is_some_and(|j| date < j) || date < member.birth_date {
            return Err(DomainError::invalid(
                "date",
                "leave_before_join",
                "变更日期早于该成员加入本户的日期",
            ));
        }
        match (member.is_head(), self.new_head_person_id) {
            (true, None) => {
                return Err(DomainError::invalid(
                    "new_head_person_id",
                    "head_must_be_replaced",
                    "户主减少时须同时指定新户主",
                ))
            }
            (false, Some(_)) => {
                return Err(DomainError::invalid(
                    "new_head_person_id",
                    "not_head",
                    "只有户主减少时才指定新户主",
                ))
            }
            _ => {}
        }
        if self.new_head_person_id == Some(member.id) {
            return Err(DomainError::invalid(
                "new_head_person_id",
                "invalid_new_head",
                "新户主不能是减少的成员本人",
            ));
        }
        Ok(ValidLeave {
            kind,
            date,
            reason: opt_text("reason", &self.reason, 500)?,
            new_head: self.new_head_person_id,
        })
    }
}

/// One recorded member change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberChangeRecord {
    pub id: i64,
    pub person_id: PersonId,
    pub person_name: String,
    pub kind: String,
    pub date: Date,
    pub reason: Option<String>,
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id_number::check_char;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 29);

    pub(crate) fn id(body17: &str) -> String {
        let mut s = body17.to_string();
        s.push(check_char(body17.as_bytes()) as char);
        s
    }

    fn member(name: &str, body: &str, relation: &str) -> MemberInput {
        MemberInput {
            name: name.into(),
            id_number: id(body),
            relation: relation.into(),
            ..Default::default()
        }
    }

    #[test]
    fn sex_and_birth_must_match_id() {
        let codes = CodeBook::defaults();
        let mut m = member("甲", "36012419700101001", "户主"); // 001: odd → male
        assert_eq!(m.validate(&codes, TODAY).unwrap().sex, Sex::Male);
        m.sex = Some("女".into());
        assert_eq!(m.validate(&codes, TODAY).unwrap_err().code, "sex_mismatch");
        m.sex = Some("男".into());
        m.birth_date = Some(date!(1970 - 01 - 02));
        assert_eq!(
            m.validate(&codes, TODAY).unwrap_err().code,
            "birth_date_mismatch"
        );
        m.birth_date = Some(date!(1970 - 01 - 01));
        assert!(m.validate(&codes, TODAY).is_ok());
        m.work_months = Some(13);
        assert_eq!(m.validate(&codes, TODAY).unwrap_err().code, "out_of_range");
    }

    #[test]
    fn exactly_one_head() {
        let codes = CodeBook::defaults();
        let head = member("甲", "36012419700101001", "户主");
        let wife = member("乙", "36012419720101002", "配偶");
        assert!(validate_new_members(&[head.clone(), wife.clone()], &codes, TODAY).is_ok());
        assert_eq!(
            validate_new_members(std::slice::from_ref(&wife), &codes, TODAY)
                .unwrap_err()
                .code,
            "no_head"
        );
        let head2 = member("丙", "36012419750101003", "01");
        assert_eq!(
            validate_new_members(&[head.clone(), head2], &codes, TODAY)
                .unwrap_err()
                .code,
            "multiple_heads"
        );
        let e = validate_new_members(&[head.clone(), head.clone()], &codes, TODAY).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("repeated_id_number", Some("members[1].id_number"))
        );
        assert_eq!(
            validate_new_members(&[], &codes, TODAY).unwrap_err().code,
            "no_members"
        );
        let mut bad = wife;
        bad.id_number = "360124197201010020".into();
        let e = validate_new_members(&[head, bad], &codes, TODAY).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("members[1].id_number"));
    }

    #[test]
    fn joins_and_leaves() {
        let codes = CodeBook::defaults();
        let mut baby = member("小", "36012420200301002", "之女");
        baby.joined = Some(JoinInput {
            kind: "新生儿".into(),
            date: date!(2020 - 03 - 01),
            reason: None,
        });
        assert_eq!(
            baby.validate(&codes, TODAY).unwrap().joined.unwrap().kind,
            "06"
        );
        baby.joined = Some(JoinInput {
            kind: "死亡".into(),
            date: date!(2020 - 03 - 01),
            reason: None,
        });
        assert_eq!(baby.validate(&codes, TODAY).unwrap_err().code, "not_a_join");

        let stored = Member {
            id: PersonId(7),
            household_id: HouseholdId(1),
            name: "甲".into(),
            id_number: id("36012419700101001"),
            sex: Sex::Male,
            birth_date: date!(1970 - 01 - 01),
            relation: "01".into(),
            ethnicity: None,
            education: None,
            schooling: None,
            out_of_school_reason: None,
            health: None,
            labour_ability: None,
            work_status: None,
            work_months: None,
            disability: None,
            basic_medical_insurance: None,
            serious_illness_insurance: None,
            pension_insurance: None,
            phone: None,
            active: true,
            joined_on: None,
            join_kind: None,
            left_on: None,
            leave_kind: None,
            warnings: Vec::new(),
        };
        let leave = MemberChangeInput {
            kind: "死亡".into(),
            date: date!(2021 - 05 - 01),
            reason: None,
            new_head_person_id: None,
        };
        assert_eq!(
            leave.validate(&stored, &codes, TODAY).unwrap_err().code,
            "head_must_be_replaced"
        );
        let with_head = MemberChangeInput {
            new_head_person_id: Some(PersonId(8)),
            ..leave.clone()
        };
        assert_eq!(
            with_head.validate(&stored, &codes, TODAY).unwrap().kind,
            "01"
        );
        let self_head = MemberChangeInput {
            new_head_person_id: Some(PersonId(7)),
            ..leave.clone()
        };
        assert_eq!(
            self_head.validate(&stored, &codes, TODAY).unwrap_err().code,
            "invalid_new_head"
        );
        let birth = MemberChangeInput {
            kind: "06".into(),
            ..with_head.clone()
        };
        assert_eq!(
            birth.validate(&stored, &codes, TODAY).unwrap_err().code,
            "not_a_leave"
        );
        let inactive = Member {
            active: false,
            ..stored.clone()
        };
        assert_eq!(
            with_head
                .validate(&inactive, &codes, TODAY)
                .unwrap_err()
                .code,
            "member_inactive"
        );
        assert!(
            format!("{stored:?}").find("3601").is_none(),
            "debug output leaks the ID number"
        );
        assert!(stored.present_on(date!(2000 - 01 - 01)));
        let left = Member {
            left_on: Some(date!(2021 - 05 - 01)),
            ..stored
        };
        assert!(left.present_on(date!(2021 - 04 - 30)) && !left.present_on(date!(2021 - 05 - 01)));
    }
}
