//! The household's own forms beside its page: adding a member (birth, marriage in, moving in),
//! recording a member leaving (death, marriage out, moving away …), a year's incomes with the
//! derived figures shown as the user types, and a status change with its reason.
//!
//! Each form posts back to its own address; what cannot be read (a date, an amount) and the rule
//! the store applies are shown together beside their inputs with Chinese labels, with what was typed
//! kept. The store writes in one transaction and keeps the household's persons and the region's
//! statistics in step; the pages only ask it.

use crate::form::Form;
use crate::routes::Routes;
use crate::ui::fmt::yuan;
use crate::ui::forms::{code_options, select, textarea, yuan_field, FormState, Input};
use crate::ui::i18n::{code_label, enum_label, status_label};
use crate::ui::layout::{parse_id, query_map, render, see_other, Shell, StoreAnswer};
use crate::ui::{PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use fupin_core::accounts::Policy;
use fupin_core::assessment::standards::{fen_param, key};
use fupin_core::codes::{table, CodeBook};
use fupin_core::registry::{
    HouseholdDetail, HouseholdId, HouseholdStatus, IncomeInput, JoinInput, MemberChangeInput,
    MemberInput, PersonId, StatusChangeInput, JOIN_KINDS, LEAVE_KINDS,
};
use fupin_core::years::{check_past_date, parse_date, today};
use fupin_core::{DomainError, ErrorKind, Problems};
use maud::{html, Markup};
use time::{Date, Month};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/households/{id}/members/new", member_form)
        .post("/households/{id}/members/new", add_member)
        .get("/households/{id}/members/leave", leave_form)
        .post("/households/{id}/members/leave", record_leave)
        .get("/households/{id}/incomes", income_form)
        .post("/households/{id}/incomes", save_income)
        .get("/households/{id}/status", status_form)
        .post("/households/{id}/status", change_status)
        .get("/households/{id}/members/{person}/edit", edit_member_form)
        .post("/households/{id}/members/{person}/edit", edit_member)
}

/// Errors a person can correct on the form, as opposed to errors of access or of the system.
fn correctable(e: &DomainError) -> bool {
    matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict)
}

/// The problems found reading the form, then the rules' (unless they name an input already
/// reported): every one at once.
fn together(early: Vec<DomainError>, later: Option<DomainError>) -> DomainError {
    let mut all = Problems::new();
    let named: Vec<Option<String>> = early.iter().map(|e| e.field.clone()).collect();
    for e in early {
        all.push(e);
    }
    if let Some(e) = later.filter(|e| !named.contains(&e.field)) {
        all.push(e);
    }
    all.finish().err().unwrap_or_else(DomainError::internal)
}

/// A choice that must be made, reported in `problems` when it was not.
fn chosen(st: &FormState, name: &str, message: &str, problems: &mut Vec<DomainError>) {
    if st.value(name).trim().is_empty() {
        problems.push(DomainError::invalid(name, "required", message));
    }
}

/// The options of a code table restricted to `codes`.
fn some_codes(
    lang: crate::ui::Lang,
    book: &CodeBook,
    name: &str,
    codes: &[&str],
) -> Vec<(String, String)> {
    code_options(lang, book, name)
        .into_iter()
        .filter(|(c, _)| codes.contains(&c.as_str()))
        .collect()
}

fn opt_value(st: &FormState, name: &str) -> Option<String> {
    Some(st.value(name).trim().to_string()).filter(|s| !s.is_empty())
}

/// A date input read into `problems` (`None` when it cannot be read, or is empty and `required`).
fn date_of(st: &FormState, name: &str, problems: &mut Vec<DomainError>) -> Option<Date> {
    let t = st.value(name).trim();
    if t.is_empty() {
        problems.push(DomainError::invalid(
            name,
            "required",
            format!("{}不能为空", fupin_core::labels::field_label(name)),
        ));
        return None;
    }
    match parse_date(name, t).and_then(|d| check_past_date(name, d, today())) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(e);
            None
        }
    }
}

/// The frame of the household's forms: the title and the way back to the household.
fn frame(
    v: &Viewer,
    d: &HouseholdDetail,
    title: &str,
    status: StatusCode,
    body: Markup,
) -> PageResult {
    let h = &d.household;
    let mut shell = Shell::new(
        format!("{title} · {}", h.head_name.as_deref().unwrap_or("")),
        "/households",
    );
    shell.crumbs = vec![
        (
            v.t("建档立卡户", "Households").to_string(),
            Some("/households".into()),
        ),
        (
            format!(
                "{} {}",
                h.head_name.as_deref().unwrap_or(""),
                h.household_number
            ),
            Some(format!("/households/{}", h.id.0)),
        ),
        (title.to_string(), None),
    ];
    Ok((status, render(v, shell, body)).into_response())
}

fn status_of(st: &FormState) -> StatusCode {
    if st.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

async fn household_for_writing(
    v: &Viewer,
    app: &AppState,
    id: &str,
) -> Result<(fupin_core::Ctx, HouseholdDetail), PageError> {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let d = app
        .store
        .household(&ctx, HouseholdId(parse_id(id)?))
        .await?;
    Ok((ctx, d))
}

// ---- adding a member --------------------------------------------------------------------------

const MEMBER_INPUTS: &[&str] = &[
    "name",
    "id_number",
    "relation",
    "health",
    "labour_ability",
    "education",
    "work_status",
    "phone",
    "joined.kind",
    "joined.date",
    "joined.reason",
];

async fn show_member_form(
    v: &Viewer,
    app: &AppState,
    d: &HouseholdDetail,
    st: &FormState,
) -> PageResult {
    let codes = app.store.code_book().await?;
    let title = v.t("添加家庭成员", "Add a member");
    let choose = Some(v.t("请选择", "Choose"));
    let none = Some(v.t("（不填）", "(none)"));
    let today_s = today().to_string();
    let body = html! {
        h1 { (title) }
        p.muted { (v.t("现有在册成员", "Members now")) " " strong #member-count { (d.household.member_count) } " " (v.t("人", "")) }
        (st.summary(v.lang, MEMBER_INPUTS))
        form.stack #member-form method="post" action=(format!("/households/{}/members/new", d.household.id.0)) novalidate {
            (v.csrf_field())
            fieldset {
                legend { (v.t("如何加入本户", "How the member joined")) }
                (select(st, "joined.kind", v.t("加入方式", "Joined by"), &some_codes(v.lang, &codes, table::MEMBER_CHANGE, &JOIN_KINDS), choose, true))
                (Input::text("joined.date", v.t("加入日期", "Date joined")).kind("date").required().max(&today_s).render(st))
                (Input::text("joined.reason", v.t("说明", "Note")).render(st))
            }
            fieldset {
                legend { (v.t("成员信息", "The member")) }
                (Input::text("name", v.t("姓名", "Name")).required().render(st))
                (Input::text("id_number", v.t("身份证号", "ID number")).required()
                    .hint(v.t("18 位，末位可为 X；性别与出生日期由身份证号得出，保存后脱敏显示", "18 characters, the last may be X; sex and birth date follow from it; shown masked once saved")).render(st))
                (select(st, "relation", v.t("与户主关系", "Relation to the head"), &code_options(v.lang, &codes, table::RELATION_TO_HEAD), choose, true))
                (select(st, "health", v.t("健康状况", "Health"), &code_options(v.lang, &codes, table::HEALTH), none, false))
                (select(st, "labour_ability", v.t("劳动能力", "Labour ability"), &code_options(v.lang, &codes, table::LABOUR_ABILITY), none, false))
                (select(st, "education", v.t("文化程度", "Education"), &code_options(v.lang, &codes, table::EDUCATION), none, false))
                (select(st, "work_status", v.t("务工状况", "Work"), &code_options(v.lang, &codes, table::WORK_STATUS), none, false))
                (Input::text("phone", v.t("联系电话", "Phone")).kind("tel").inputmode("tel").render(st))
            }
            div.form-actions {
                button.primary type="submit" { (v.t("保存", "Save")) }
                a href=(format!("/households/{}#members", d.household.id.0)) { (v.t("取消", "Cancel")) }
            }
        }
    };
    frame(v, d, title, status_of(st), body)
}

async fn member_form(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let (_, d) = household_for_writing(&v, &app, &id).await?;
    let mut st = FormState::default();
    st.set("joined.date", today().to_string());
    show_member_form(&v, &app, &d, &st).await
}

async fn add_member(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let (ctx, d) = household_for_writing(&v, &app, &id).await?;
    let mut st = FormState::with_values(form.0);
    let mut early: Vec<DomainError> = Vec::new();
    chosen(&st, "joined.kind", "请选择加入方式", &mut early);
    let joined_date = date_of(&st, "joined.date", &mut early);
    chosen(&st, "relation", "请选择与户主关系", &mut early);
    let input = MemberInput {
        name: st.value("name").trim().to_string(),
        id_number: st.value("id_number").trim().to_string(),
        relation: st.value("relation").trim().to_string(),
        health: opt_value(&st, "health"),
        labour_ability: opt_value(&st, "labour_ability"),
        education: opt_value(&st, "education"),
        work_status: opt_value(&st, "work_status"),
        phone: opt_value(&st, "phone"),
        joined: Some(JoinInput {
            kind: st.value("joined.kind").trim().to_string(),
            // a date that cannot be read is already a problem; today stands in so that the rest is
            // still checked
            date: joined_date.unwrap_or_else(today),
            reason: opt_value(&st, "joined.reason"),
        }),
        ..Default::default()
    };
    let result = if early.is_empty() {
        app.store.add_member(&ctx, d.household.id, input).await
    } else {
        let codes = app.store.code_book().await?;
        Err(together(early, input.validate(&codes, today()).err()))
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/households/{}?member=added#members",
            d.household.id.0
        ))),
        Err(e) if correctable(&e) => {
            st.error = Some(e);
            show_member_form(&v, &app, &d, &st).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- editing a member's fields ----------------------------------------------------------------

const EDIT_INPUTS: &[&str] = &[
    "name",
    "id_number",
    "relation",
    "ethnicity",
    "education",
    "schooling",
    "health",
    "labour_ability",
    "work_status",
    "work_months",
    "phone",
];

/// The coded fields of the edit form: (input, table, label, the message when it is required and
/// missing).
const EDIT_CODED: &[(&str, &str, &str)] = &[
    ("relation", table::RELATION_TO_HEAD, "与户主关系"),
    ("ethnicity", table::ETHNICITY, "民族"),
    ("education", table::EDUCATION, "文化程度"),
    ("schooling", table::SCHOOLING, "在校生状况"),
    ("health", table::HEALTH, "健康状况"),
    ("labour_ability", table::LABOUR_ABILITY, "劳动能力"),
    ("work_status", table::WORK_STATUS, "务工状况"),
];

/// One active member of the household, by the id in the path; any other is a page that does not
/// exist.
fn member_of<'a>(
    d: &'a HouseholdDetail,
    person: &str,
) -> Result<&'a fupin_core::registry::Member, PageError> {
    let p = parse_id(person)?;
    d.members
        .iter()
        .find(|m| m.id.0 == p && m.active)
        .ok_or_else(PageError::not_found)
}

async fn show_edit_member_form(
    v: &Viewer,
    app: &AppState,
    d: &HouseholdDetail,
    m: &fupin_core::registry::Member,
    st: &FormState,
) -> PageResult {
    let codes = app.store.code_book().await?;
    let title = v.t("修改成员信息", "Edit a member");
    let none = Some(v.t("（不填）", "(none)"));
    let label = |zh: &'static str, en: &'static str| v.t(zh, en);
    let body = html! {
        h1 { (title) " " small.muted { (m.name) } }
        (st.summary(v.lang, EDIT_INPUTS))
        form.stack #edit-member-form method="post" action=(format!("/households/{}/members/{}/edit", d.household.id.0, m.id.0)) novalidate {
            (v.csrf_field())
            (Input::text("name", label("姓名", "Name")).required().render(st))
            (Input::text("id_number", label("身份证号", "ID number"))
                .hint(v.t("不改则留空；当前号码脱敏显示：", "Leave empty to keep it; the number now (masked): ")).render(st))
            p.hint.current-id { span.mono { (m.id_number) } " · " (enum_label(v.lang, "sex", m.sex.as_str(), m.sex.label())) " · " (m.birth_date) }
            (select(st, "relation", label("与户主关系", "Relation to the head"), &code_options(v.lang, &codes, table::RELATION_TO_HEAD), Some(v.t("请选择", "Choose")), true))
            (select(st, "ethnicity", label("民族", "Ethnicity"), &code_options(v.lang, &codes, table::ETHNICITY), none, false))
            (select(st, "education", label("文化程度", "Education"), &code_options(v.lang, &codes, table::EDUCATION), none, false))
            (select(st, "schooling", label("在校生状况", "Schooling"), &code_options(v.lang, &codes, table::SCHOOLING), none, false))
            (select(st, "health", label("健康状况", "Health"), &code_options(v.lang, &codes, table::HEALTH), none, false))
            (select(st, "labour_ability", label("劳动能力", "Labour ability"), &code_options(v.lang, &codes, table::LABOUR_ABILITY), none, false))
            (select(st, "work_status", label("务工状况", "Work"), &code_options(v.lang, &codes, table::WORK_STATUS), none, false))
            (Input::text("work_months", label("务工时间（月）", "Months worked")).inputmode("numeric").hint(v.t("0 到 12", "0 to 12")).render(st))
            (Input::text("phone", label("联系电话", "Phone")).kind("tel").inputmode("tel")
                .hint(v.t("不改则留空（已有号码脱敏，不在此显示）", "Leave empty to keep the number on record (masked, not shown here)")).render(st))
            p.hint { (v.t("加入与减少（出生、婚嫁、死亡、迁出）请用成员变动；修改记入审计日志。", "Joining and leaving (birth, marriage, death, moving away) are member changes; every edit is audited.")) }
            div.form-actions {
                button.primary type="submit" { (v.t("保存", "Save")) }
                a href=(format!("/households/{}#members", d.household.id.0)) { (v.t("取消", "Cancel")) }
            }
        }
    };
    frame(v, d, title, status_of(st), body)
}

async fn edit_member_form(
    v: Viewer,
    State(app): State<AppState>,
    Path((id, person)): Path<(String, String)>,
) -> PageResult {
    let (_, d) = household_for_writing(&v, &app, &id).await?;
    let m = member_of(&d, &person)?;
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let st = FormState::with_values(vec![
        ("name".into(), m.name.clone()),
        ("relation".into(), m.relation.clone()),
        ("ethnicity".into(), opt(&m.ethnicity)),
        ("education".into(), opt(&m.education)),
        ("schooling".into(), opt(&m.schooling)),
        ("health".into(), opt(&m.health)),
        ("labour_ability".into(), opt(&m.labour_ability)),
        ("work_status".into(), opt(&m.work_status)),
        (
            "work_months".into(),
            m.work_months.map(|n| n.to_string()).unwrap_or_default(),
        ),
    ]);
    show_edit_member_form(&v, &app, &d, m, &st).await
}

/// The fields of the edit form, each checked on its own so that every mistake is shown at once
/// beside its input with its Chinese label; the member's rules as a whole run after (in the store).
fn edit_problems(st: &FormState, codes: &CodeBook) -> (Vec<DomainError>, Option<i32>) {
    let mut early = Vec::new();
    if let Err(e) = fupin_core::error::check_text("name", st.value("name"), 50) {
        early.push(e);
    }
    let id = st.value("id_number").trim();
    if !id.is_empty() {
        if let Err(e) = fupin_core::id_number::IdNumber::parse(id) {
            early.push(e);
        }
    }
    for (name, t, label) in EDIT_CODED {
        let value = st.value(name).trim();
        if value.is_empty() {
            if *name == "relation" {
                early.push(DomainError::invalid(
                    "relation",
                    "required",
                    format!("请选择{label}"),
                ));
            }
            continue;
        }
        if codes.resolve(t, name, value).is_err() {
            early.push(DomainError::invalid(
                *name,
                "unknown_code",
                format!(
                    "{label}的取值“{}”不在代码表中",
                    fupin_core::labels::clip(value, 20)
                ),
            ));
        }
    }
    let months = match st.value("work_months").trim() {
        "" => None,
        t => match t.parse::<i32>() {
            Ok(n) if (0..=12).contains(&n) => Some(n),
            _ => {
                early.push(DomainError::invalid(
                    "work_months",
                    "out_of_range",
                    "务工时间（月）须为 0 到 12 之间的整数",
                ));
                None
            }
        },
    };
    (early, months)
}

async fn edit_member(
    v: Viewer,
    State(app): State<AppState>,
    Path((id, person)): Path<(String, String)>,
    form: Form,
) -> PageResult {
    let (ctx, d) = household_for_writing(&v, &app, &id).await?;
    let m = member_of(&d, &person)?;
    // The API replaces the whole member; what the form does not show (the ID number and phone
    // unless retyped, the insurance and disability flags) is sent back as stored. The ID number
    // and phone are masked in every read a page shows, so they are read here unmasked and only
    // sent back; nothing of this read reaches the page.
    let stored = app
        .store
        .household(
            &fupin_core::Ctx {
                unmask: true,
                ..ctx.clone()
            },
            d.household.id,
        )
        .await?;
    let full = stored
        .members
        .iter()
        .find(|s| s.id == m.id)
        .ok_or_else(PageError::not_found)?;
    let mut st = FormState::with_values(form.0);
    let codes = app.store.code_book().await?;
    let (early, work_months) = edit_problems(&st, &codes);
    let input = MemberInput {
        name: st.value("name").trim().to_string(),
        id_number: opt_value(&st, "id_number").unwrap_or_else(|| full.id_number.clone()),
        relation: st.value("relation").trim().to_string(),
        ethnicity: opt_value(&st, "ethnicity"),
        education: opt_value(&st, "education"),
        schooling: opt_value(&st, "schooling"),
        out_of_school_reason: full.out_of_school_reason.clone(),
        health: opt_value(&st, "health"),
        labour_ability: opt_value(&st, "labour_ability"),
        work_status: opt_value(&st, "work_status"),
        work_months,
        disability: full.disability,
        basic_medical_insurance: full.basic_medical_insurance,
        serious_illness_insurance: full.serious_illness_insurance,
        pension_insurance: full.pension_insurance,
        phone: opt_value(&st, "phone").or_else(|| full.phone.clone()),
        ..Default::default()
    };
    let result = if early.is_empty() {
        app.store.update_member(&ctx, m.id, input).await
    } else {
        Err(together(early, None))
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/households/{}?member=edited#members",
            d.household.id.0
        ))),
        Err(e) if correctable(&e) => {
            // a typed ID number or phone is kept for correction; the stored ones never reach the page
            st.error = Some(e);
            show_edit_member_form(&v, &app, &d, m, &st).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- a member leaving -------------------------------------------------------------------------

const LEAVE_INPUTS: &[&str] = &["person_id", "kind", "date", "reason", "new_head_person_id"];

async fn show_leave_form(
    v: &Viewer,
    app: &AppState,
    d: &HouseholdDetail,
    st: &FormState,
) -> PageResult {
    let codes = app.store.code_book().await?;
    let title = v.t("成员减少", "A member leaves");
    let active: Vec<(String, String)> = d
        .members
        .iter()
        .filter(|m| m.active)
        .map(|m| {
            (
                m.id.0.to_string(),
                format!(
                    "{}（{}）",
                    m.name,
                    code_label(v.lang, &codes, table::RELATION_TO_HEAD, &m.relation)
                ),
            )
        })
        .collect();
    let heads: Vec<(String, String)> = d
        .members
        .iter()
        .filter(|m| m.active && !m.is_head())
        .map(|m| (m.id.0.to_string(), m.name.clone()))
        .collect();
    let today_s = today().to_string();
    let choose = Some(v.t("请选择", "Choose"));
    let body = html! {
        h1 { (title) }
        p.muted { (v.t("现有在册成员", "Members now")) " " strong #member-count { (d.household.member_count) } " " (v.t("人", "")) }
        (st.summary(v.lang, LEAVE_INPUTS))
        form.stack #leave-form method="post" action=(format!("/households/{}/members/leave", d.household.id.0)) novalidate {
            (v.csrf_field())
            (select(st, "person_id", v.t("成员", "Member"), &active, choose, true))
            (select(st, "kind", v.t("减少原因", "Why"), &some_codes(v.lang, &codes, table::MEMBER_CHANGE, &LEAVE_KINDS), choose, true))
            (Input::text("date", v.t("变动日期", "Date")).kind("date").required().max(&today_s).render(st))
            (textarea(st, "reason", v.t("说明", "Note"), 2))
            (select(st, "new_head_person_id", v.t("新户主", "New head"), &heads, Some(v.t("（户主减少时必选）", "(needed when the head leaves)")), false))
            p.hint { (v.t("成员减少后仍留在记录中（不在册）；家庭人口与所在区划的统计随之更新。", "The member stays on record, inactive; the household's persons and its region's statistics follow.")) }
            div.form-actions {
                button.primary type="submit" { (v.t("保存", "Save")) }
                a href=(format!("/households/{}#members", d.household.id.0)) { (v.t("取消", "Cancel")) }
            }
        }
    };
    frame(v, d, title, status_of(st), body)
}

async fn leave_form(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (_, d) = household_for_writing(&v, &app, &id).await?;
    let q = query_map(raw.as_deref());
    let mut st = FormState::default();
    st.set("date", today().to_string());
    if let Some(p) = q.get("person") {
        st.set("person_id", p.clone());
    }
    show_leave_form(&v, &app, &d, &st).await
}

async fn record_leave(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let (ctx, d) = household_for_writing(&v, &app, &id).await?;
    let mut st = FormState::with_values(form.0);
    let mut early: Vec<DomainError> = Vec::new();
    chosen(&st, "kind", "请选择减少原因", &mut early);
    let date = date_of(&st, "date", &mut early);
    // only this household's active members may be chosen
    let member = st
        .value("person_id")
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|p| d.members.iter().find(|m| m.id.0 == p && m.active));
    if member.is_none() {
        early.push(DomainError::invalid(
            "person_id",
            "required",
            "请选择减少的成员",
        ));
    }
    let new_head = match st.value("new_head_person_id").trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(p) if d.members.iter().any(|m| m.id.0 == p && m.active) => Some(PersonId(p)),
            _ => {
                early.push(DomainError::invalid(
                    "new_head_person_id",
                    "invalid_new_head",
                    "新户主须为本户在册成员",
                ));
                None
            }
        },
    };
    let input = MemberChangeInput {
        kind: st.value("kind").trim().to_string(),
        date: date.unwrap_or_else(today),
        reason: opt_value(&st, "reason"),
        new_head_person_id: new_head,
    };
    let result = match member {
        Some(m) if early.is_empty() => app.store.record_member_change(&ctx, m.id, input).await,
        Some(m) => {
            let codes = app.store.code_book().await?;
            Err(together(early, input.validate(m, &codes, today()).err()))
        }
        None => Err(together(early, None)),
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/households/{}?member=left#members",
            d.household.id.0
        ))),
        Err(e) if correctable(&e) => {
            st.error = Some(e);
            show_leave_form(&v, &app, &d, &st).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- incomes ----------------------------------------------------------------------------------

/// The income inputs (yuan typed, fen stored) in the order of the form.
const INCOME_FIELDS: &[&str] = &[
    "wage_fen",
    "business_fen",
    "property_fen",
    "dividend_fen",
    "transfer_fen",
    "business_cost_fen",
];
const INCOME_INPUTS: &[&str] = &[
    "year",
    "wage_fen",
    "business_fen",
    "property_fen",
    "dividend_fen",
    "transfer_fen",
    "business_cost_fen",
    "note",
];

/// Members present at 31 December of `year`: the persons the per-capita income divides by.
fn persons_in(d: &HouseholdDetail, year: i32) -> i64 {
    let end = Date::from_calendar_date(year, Month::December, 31).unwrap_or_else(|_| today());
    d.members.iter().filter(|m| m.present_on(end)).count() as i64
}

/// The year asked for, or last year (incomes are entered after the year ends).
fn income_year(q: &std::collections::HashMap<String, String>) -> i32 {
    let this = today().year();
    q.get("year")
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (2000..=this).contains(y))
        .unwrap_or(this - 1)
}

fn yuan_plain(fen: i64) -> String {
    yuan(fen).replace(',', "")
}

/// The form's values from a stored year, if there is one.
fn income_values(d: &HouseholdDetail, year: i32) -> FormState {
    let mut st = FormState::default();
    st.set("year", year.to_string());
    if let Some(r) = d.incomes.iter().find(|r| r.year == year) {
        let c = &r.components;
        st.set("wage_fen", yuan_plain(c.wage_fen.get()));
        st.set("business_fen", yuan_plain(c.business_fen.get()));
        st.set("property_fen", yuan_plain(c.property_fen.get()));
        if let Some(dv) = c.dividend_fen {
            st.set("dividend_fen", yuan_plain(dv.get()));
        }
        st.set("transfer_fen", yuan_plain(c.transfer_fen.get()));
        st.set("business_cost_fen", yuan_plain(c.business_cost_fen.get()));
        st.set("note", r.note.clone().unwrap_or_default());
    }
    st
}

/// The derived figures as the server computes them from what the form holds (amounts that cannot
/// be read count as nothing): (gross, net, per capita).
fn derived(st: &FormState, persons: i64) -> (i64, i64, Option<i64>) {
    let f = |n: &str| yuan_field(n, st.value(n)).unwrap_or(0);
    let gross = f("wage_fen") + f("business_fen") + f("property_fen") + f("transfer_fen");
    let net = gross - f("business_cost_fen");
    let per = fupin_core::Fen::new(net)
        .div_round(persons)
        .map(|p| p.get());
    (gross, net, per)
}

async fn show_income_form(
    v: &Viewer,
    app: &AppState,
    ctx: &fupin_core::Ctx,
    d: &HouseholdDetail,
    year: i32,
    st: &FormState,
) -> PageResult {
    let title = v.t("年度收入", "Incomes of a year");
    let persons = persons_in(d, year);
    let params = app.store.parameters(ctx).await.or_none()?;
    let line = params
        .as_deref()
        .and_then(|p| fen_param(p, key::POVERTY_LINE, &d.household.village_code, year).ok())
        .map(|f| f.get());
    let (gross, net, per) = derived(st, persons);
    let this = today().year();
    let years: Vec<(String, String)> = (2014..=this)
        .rev()
        .map(|y| {
            let mark = if d.incomes.iter().any(|r| r.year == y) {
                v.t("（已有记录）", " (recorded)")
            } else {
                ""
            };
            (y.to_string(), format!("{y}{mark}"))
        })
        .collect();
    let labels: [(&str, &str, Option<&str>); 6] = [
        (
            "wage_fen",
            v.t("工资性收入", "Wages"),
            Some(v.t("含公益性岗位工资", "public-welfare posts included")),
        ),
        (
            "business_fen",
            v.t("生产经营性收入", "Business income"),
            Some(v.t("扣除支出前", "before costs")),
        ),
        ("property_fen", v.t("财产性收入", "Property income"), None),
        (
            "dividend_fen",
            v.t("其中：资产收益分红", "of which asset-income dividends"),
            Some(v.t(
                "可不填；不大于财产性收入",
                "optional; at most the property income",
            )),
        ),
        ("transfer_fen", v.t("转移性收入", "Transfers"), None),
        (
            "business_cost_fen",
            v.t("生产经营性支出", "Business costs"),
            None,
        ),
    ];
    let hid = d.household.id.0;
    let body = html! {
        h1 { (title) }
        (st.summary(v.lang, INCOME_INPUTS))
        form.filters method="get" action=(format!("/households/{hid}/incomes")) {
            (select(st, "year", v.t("年度", "Year"), &years, None, true))
            div.field.submit { button type="submit" { (v.t("换年度", "Change year")) } }
        }
        form.stack #income-form method="post" action=(format!("/households/{hid}/incomes")) novalidate
            data-persons=(persons) data-line=[line] {
            (v.csrf_field())
            input type="hidden" name="year" value=(year);
            p { strong { (year) " " (v.t("年", "")) } " · " (v.t("年底家庭人口", "persons at year end")) " " strong #income-persons { (persons) } " " (v.t("人", "")) }
            fieldset {
                legend { (v.t("各项收入（元）", "Incomes (yuan)")) }
                @for (name, label, hint) in labels {
                    (Input { hint, ..Input::text(name, label).inputmode("decimal") }.render(st))
                }
                (textarea(st, "note", v.t("备注", "Note"), 2))
            }
            section.derived #income-derived aria-live="polite" {
                h2 { (v.t("计算结果", "Derived figures")) }
                dl.grid {
                    dt { (v.t("家庭年收入", "Gross income")) } dd { output #income-gross { (yuan(gross)) } " " (v.t("元", "yuan")) }
                    dt { (v.t("家庭纯收入", "Net income")) } dd { output #income-net { (yuan(net)) } " " (v.t("元", "yuan")) }
                    dt { (v.t("人均纯收入", "Per capita")) } dd { output #income-per-capita { (per.map(yuan).unwrap_or_else(|| "—".into())) } " " (v.t("元", "yuan")) }
                    dt { (v.t("贫困线", "Poverty line")) }
                    dd {
                        @match line {
                            Some(l) => {
                                (yuan(l)) " " (v.t("元", "yuan")) " · "
                                output #income-against {
                                    @match per {
                                        Some(p) if p >= l => span.good { (v.t("高于贫困线", "above the line")) }
                                        Some(_) => span.poor { (v.t("低于贫困线", "below the line")) }
                                        None => "—",
                                    }
                                }
                            }
                            None => span.muted { (v.t("该年度未设置", "not set for this year")) }
                        }
                    }
                }
                p.hint { (v.t("年收入 = 工资性 + 生产经营性 + 财产性 + 转移性；纯收入 = 年收入 − 生产经营性支出；人均 = 纯收入 ÷ 年底家庭人口。保存时由服务器重新计算。", "Gross = wages + business + property + transfers; net = gross − business costs; per capita = net ÷ persons at year end. The server computes them again on saving.")) }
            }
            div.form-actions {
                button.primary type="submit" { (v.t("保存", "Save")) }
                a href=(format!("/households/{hid}#incomes")) { (v.t("取消", "Cancel")) }
            }
        }
    };
    frame(v, d, title, status_of(st), body)
}

async fn income_form(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (ctx, d) = household_for_writing(&v, &app, &id).await?;
    let year = income_year(&query_map(raw.as_deref()));
    let st = income_values(&d, year);
    show_income_form(&v, &app, &ctx, &d, year, &st).await
}

async fn save_income(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let (ctx, d) = household_for_writing(&v, &app, &id).await?;
    let mut st = FormState::with_values(form.0);
    let mut early: Vec<DomainError> = Vec::new();
    let year = match st.value("year").trim().parse::<i32>() {
        Ok(y) => y,
        Err(_) => {
            early.push(DomainError::invalid(
                "year",
                "invalid_year",
                "年度须为四位年份",
            ));
            today().year() - 1
        }
    };
    let mut amounts = [0i64; 6];
    for (slot, name) in amounts.iter_mut().zip(INCOME_FIELDS) {
        match yuan_field(name, st.value(name)) {
            Ok(f) => *slot = f,
            Err(e) => early.push(e),
        }
    }
    let input = IncomeInput {
        wage_fen: amounts[0],
        business_fen: amounts[1],
        property_fen: amounts[2],
        dividend_fen: (!st.value("dividend_fen").trim().is_empty()).then_some(amounts[3]),
        transfer_fen: amounts[4],
        business_cost_fen: amounts[5],
        note: opt_value(&st, "note"),
    };
    let result = if early.is_empty() {
        app.store
            .put_income(&ctx, d.household.id, year, input)
            .await
    } else {
        Err(together(early, input.validate(year, today().year()).err()))
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/households/{}?income={year}#incomes",
            d.household.id.0
        ))),
        Err(e) if correctable(&e) => {
            st.error = Some(e);
            show_income_form(&v, &app, &ctx, &d, year, &st).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- status -----------------------------------------------------------------------------------

const STATUS_INPUTS: &[&str] = &["to", "date", "reason", "exit_year"];

async fn show_status_form(v: &Viewer, d: &HouseholdDetail, st: &FormState) -> PageResult {
    let title = v.t("变更状态", "Change the status");
    let now = d.household.status;
    let options: Vec<(String, String)> = HouseholdStatus::ALL
        .iter()
        .filter(|s| now.can_become(**s))
        .map(|s| (s.as_str().to_string(), status_label(v.lang, *s).to_string()))
        .collect();
    let today_s = today().to_string();
    let body = html! {
        h1 { (title) }
        p { (v.t("当前状态", "Now")) " "
            span class=(format!("status status-{}", now.as_str())) { (status_label(v.lang, now)) }
            " " small.muted { (v.t("自", "since")) " " (d.household.status_date) } }
        (st.summary(v.lang, STATUS_INPUTS))
        @if options.is_empty() {
            p { (v.t("该户已销户，状态不能再变更。", "The household is removed; its status cannot change.")) }
        } @else {
            form.stack #status-form method="post" action=(format!("/households/{}/status", d.household.id.0)) novalidate {
                (v.csrf_field())
                (select(st, "to", v.t("新状态", "New status"), &options, Some(v.t("请选择", "Choose")), true))
                (Input::text("date", v.t("变更日期", "Date")).kind("date").required().max(&today_s).render(st))
                (textarea(st, "reason", v.t("变更原因", "Reason"), 3))
                (Input::text("exit_year", v.t("脱贫年度", "Exit year")).inputmode("numeric")
                    .hint(v.t("仅变更为“已脱贫”时填写；不填则取变更日期所在年度", "Only for “exited”; the year of the date when left empty")).render(st))
                div.form-actions {
                    button.primary type="submit" { (v.t("保存", "Save")) }
                    a href=(format!("/households/{}#history", d.household.id.0)) { (v.t("取消", "Cancel")) }
                }
            }
        }
    };
    frame(v, d, title, status_of(st), body)
}

async fn status_form(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let (_, d) = household_for_writing(&v, &app, &id).await?;
    let mut st = FormState::default();
    st.set("date", today().to_string());
    show_status_form(&v, &d, &st).await
}

async fn change_status(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let (ctx, d) = household_for_writing(&v, &app, &id).await?;
    let mut st = FormState::with_values(form.0);
    let mut early: Vec<DomainError> = Vec::new();
    let to = HouseholdStatus::parse(st.value("to"));
    if to.is_none() {
        early.push(DomainError::invalid("to", "required", "请选择新状态"));
    }
    let date = date_of(&st, "date", &mut early);
    let exit_year = match st.value("exit_year").trim() {
        "" => None,
        t => match t.parse::<i32>() {
            Ok(y) => Some(y),
            Err(_) => {
                early.push(DomainError::invalid(
                    "exit_year",
                    "invalid_year",
                    "脱贫年度须为四位年份",
                ));
                None
            }
        },
    };
    let input = StatusChangeInput {
        to: to.unwrap_or(d.household.status),
        date: date.unwrap_or_else(today),
        reason: st.value("reason").trim().to_string(),
        exit_year,
    };
    let result = if early.is_empty() {
        app.store.change_status(&ctx, d.household.id, input).await
    } else {
        let last = d.status_history.iter().map(|e| e.date).max();
        let rules = match to {
            Some(_) => input.validate(d.household.status, last, today()).err(),
            // without a new status only the reason can still be checked
            None => fupin_core::error::check_text("reason", &input.reason, 500).err(),
        };
        Err(together(early, rules))
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/households/{}?saved=1#history",
            d.household.id.0
        ))),
        Err(e) if correctable(&e) => {
            st.error = Some(e);
            show_status_form(&v, &d, &st).await
        }
        Err(e) => Err(e.into()),
    }
}
