//! The form of a household's measure (帮扶措施): adding one, or changing one (`?measure=ID`), with the
//! fields every measure has and those of its kind's form (employment, training, loan, education,
//! health, 低保/特困, pension). Every field that cannot be read is shown at once beside its input,
//! in Chinese, with what was typed kept; then the store's rules decide (an employment's destination
//! is derived from the employer's region, never typed).

use crate::form::Form;
use crate::routes::Routes;
use crate::ui::forms::{division_input, input_id, yuan_field, FormState};
use crate::ui::i18n::{measure_kind_label, Lang};
use crate::ui::layout::{parse_id, render, see_other, Shell};
use crate::ui::{PageResult, Viewer};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use fupin_core::accounts::Policy;
use fupin_core::codes::english_label;
use fupin_core::measures::*;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::years::parse_date;
use fupin_core::DomainError;
use maud::{html, Markup};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/households/{id}/measure", measure_form)
        .post("/households/{id}/measure", save_measure)
}

/// What the form shows: the values and every error found, by input name.
struct Sheet {
    st: FormState,
    errors: Vec<DomainError>,
}

impl Sheet {
    fn error_for(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field.as_deref() == Some(name))
            .map(|e| e.message.as_str())
    }
    fn value(&self, name: &str) -> &str {
        self.st.value(name)
    }
    fn checked(&self, name: &str) -> bool {
        matches!(self.value(name), "1" | "on" | "true")
    }
}

fn field(
    s: &Sheet,
    name: &str,
    label: &str,
    kind: &str,
    required: bool,
    hint: Option<&str>,
) -> Markup {
    let id = input_id(name);
    let err = s.error_for(name);
    let err_id = format!("{id}-error");
    html! {
        div.field.invalid[err.is_some()] {
            label for=(id) { (label) @if required { abbr.req title="必填 / required" { "*" } } }
            input id=(id) name=(name) type=(kind) value=(s.value(name)) autocomplete="off"
                aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| err_id.as_str())];
            @if let Some(h) = hint { small.hint { (h) } }
            @if let Some(e) = err { p.field-error id=(err_id) { (e) } }
        }
    }
}

fn choice(
    s: &Sheet,
    name: &str,
    label: &str,
    options: &[(String, String)],
    required: bool,
) -> Markup {
    let id = input_id(name);
    let err = s.error_for(name);
    let err_id = format!("{id}-error");
    let current = s.value(name);
    html! {
        div.field.invalid[err.is_some()] {
            label for=(id) { (label) @if required { abbr.req title="必填 / required" { "*" } } }
            select id=(id) name=(name) aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| err_id.as_str())] {
                @for (v, l) in options { option value=(v) selected[v == current] { (l) } }
            }
            @if let Some(e) = err { p.field-error id=(err_id) { (e) } }
        }
    }
}

fn check(s: &Sheet, name: &str, label: &str) -> Markup {
    let id = input_id(name);
    html! {
        div.check {
            input type="checkbox" id=(id) name=(name) value="1" checked[s.checked(name)];
            label for=(id) { (label) }
        }
    }
}

fn pairs<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|x| (code(*x).to_string(), label(*x).to_string()))
        .collect()
}

/// The inputs of every form, as (name, form) — a kind's form reads its own.
const DETAIL_INPUTS: &[&str] = &[
    "details.employer",
    "details.employer_region_code",
    "details.employment_form",
    "details.months",
    "details.monthly_wage_fen",
    "details.course",
    "details.training_type",
    "details.hours",
    "details.subsidy_fen",
    "details.living_allowance_fen",
    "details.term_months",
    "details.annual_rate",
    "details.interest_subsidy_fen",
    "details.purpose",
    "details.repaid_fen",
    "details.school",
    "details.stage",
    "details.tuition_waived_fen",
    "details.grant_fen",
    "details.yulu_fen",
    "details.medical_assistance_fen",
    "details.out_of_pocket_fen",
    "details.monthly_fen",
    "details.persons",
    "details.premium_paid_by_government_fen",
];

/// The form of a stored measure, as its inputs are named.
fn values_of(m: &Measure) -> FormState {
    let mut st = FormState::default();
    let y = |f: i64| crate::ui::fmt::yuan(f).replace(',', "");
    st.set("kind", m.kind.as_str());
    st.set(
        "person_id",
        m.person_id.map(|p| p.0.to_string()).unwrap_or_default(),
    );
    st.set("start_date", m.start_date.to_string());
    st.set(
        "end_date",
        m.end_date.map(|d| d.to_string()).unwrap_or_default(),
    );
    st.set(
        "amount_fen",
        if m.amount_fen > 0 {
            y(m.amount_fen)
        } else {
            String::new()
        },
    );
    st.set("provider", m.provider.clone().unwrap_or_default());
    st.set("status", m.status.as_str());
    st.set("note", m.note.clone().unwrap_or_default());
    let flag = |b: bool| if b { "1" } else { "" };
    match &m.details {
        Details::General => {}
        Details::Employment(e) => {
            st.set("details.employer", e.employer.as_str());
            st.set(
                "details.employer_region_code",
                e.employer_region_code.as_str(),
            );
            st.set("details.employment_form", e.employment_form.as_str());
            st.set("details.months", e.months.to_string());
            st.set("details.monthly_wage_fen", y(e.monthly_wage_fen));
        }
        Details::Training(t) => {
            st.set("details.course", t.course.as_str());
            st.set("details.training_type", t.training_type.as_str());
            st.set("details.hours", t.hours.to_string());
            st.set("details.certificate", flag(t.certificate));
            st.set("details.subsidy_fen", y(t.subsidy_fen));
            st.set("details.living_allowance_fen", y(t.living_allowance_fen));
        }
        Details::Loan(l) => {
            st.set("details.term_months", l.term_months.to_string());
            st.set(
                "details.annual_rate",
                format!("{}.{:02}", l.annual_rate_bp / 100, l.annual_rate_bp % 100),
            );
            st.set("details.interest_subsidy_fen", y(l.interest_subsidy_fen));
            st.set("details.purpose", l.purpose.as_str());
            st.set("details.repaid_fen", y(l.repaid_fen));
        }
        Details::Education(e) => {
            st.set("details.school", e.school.as_str());
            st.set("details.stage", e.stage.as_str());
            st.set("details.tuition_waived_fen", y(e.tuition_waived_fen));
            st.set("details.grant_fen", y(e.grant_fen));
            st.set("details.yulu_fen", y(e.yulu_fen));
            st.set("details.dropout", flag(e.dropout));
        }
        Details::Health(h) => {
            st.set("details.signed_doctor", flag(h.signed_doctor));
            st.set("details.serious_illness", flag(h.serious_illness));
            st.set(
                "details.medical_assistance_fen",
                y(h.medical_assistance_fen),
            );
            st.set("details.out_of_pocket_fen", y(h.out_of_pocket_fen));
        }
        Details::Assistance(a) => {
            st.set("details.monthly_fen", y(a.monthly_fen));
            st.set("details.persons", a.persons.to_string());
        }
        Details::Pension(p) => {
            st.set("details.enrolled", flag(p.enrolled));
            st.set("details.receiving", flag(p.receiving));
            st.set(
                "details.premium_paid_by_government_fen",
                y(p.premium_paid_by_government_fen),
            );
        }
    }
    st
}

/// Read the form into a measure, collecting every field that cannot be read.
fn read_input(household: HouseholdId, s: &Sheet) -> Result<MeasureInput, Vec<DomainError>> {
    let mut errors = Vec::new();
    let text = |name: &str| s.value(name).trim().to_string();
    let required = |name: &str, label: &str, errors: &mut Vec<DomainError>| -> String {
        let v = text(name);
        if v.is_empty() {
            errors.push(DomainError::invalid(
                name,
                "required",
                format!("{label}不能为空"),
            ));
        }
        v
    };
    let yuan = |name: &str, errors: &mut Vec<DomainError>| -> i64 {
        match yuan_field(name, s.value(name)) {
            Ok(v) => v,
            Err(_) => {
                errors.push(DomainError::invalid(
                    name,
                    "not_an_amount",
                    format!("不是有效金额（单位：元，最多两位小数）：{}", text(name)),
                ));
                0
            }
        }
    };
    let int = |name: &str, label: &str, errors: &mut Vec<DomainError>| -> i32 {
        let t = text(name);
        if t.is_empty() {
            errors.push(DomainError::invalid(
                name,
                "required",
                format!("{label}不能为空"),
            ));
            return 0;
        }
        t.parse().unwrap_or_else(|_| {
            errors.push(DomainError::invalid(
                name,
                "not_a_number",
                format!("{label}须为整数：{t}"),
            ));
            0
        })
    };
    let date = |name: &str, errors: &mut Vec<DomainError>| -> Option<time::Date> {
        let t = text(name);
        if t.is_empty() {
            return None;
        }
        parse_date(name, &t).map_err(|e| errors.push(e)).ok()
    };
    let kind_text = required("kind", "措施类别", &mut errors);
    let form = Catalogue::shipped()
        .kind("kind", &kind_text)
        .map(|(_, k)| k.form)
        .ok();
    let start = date("start_date", &mut errors);
    if text("start_date").is_empty() {
        errors.push(DomainError::invalid(
            "start_date",
            "required",
            "开始日期不能为空",
        ));
    }
    let end = date("end_date", &mut errors);
    let amount_fen = yuan("amount_fen", &mut errors);
    let person = text("person_id").parse::<i64>().ok().map(PersonId);
    let status = MeasureStatus::parse(&text("status")).unwrap_or_default();
    let details = match form {
        None | Some(Form_::General) => DetailsInput::General,
        Some(Form_::Employment) => DetailsInput::Employment(EmploymentInput {
            employer: required("details.employer", "就业单位", &mut errors),
            employer_region_code: required(
                "details.employer_region_code",
                "就业地区划代码",
                &mut errors,
            ),
            employment_form: required("details.employment_form", "就业形式", &mut errors),
            months: int("details.months", "务工月数", &mut errors),
            monthly_wage_fen: yuan("details.monthly_wage_fen", &mut errors),
        }),
        Some(Form_::Training) => DetailsInput::Training(Training {
            course: required("details.course", "培训项目", &mut errors),
            training_type: TrainingType::parse(&text("details.training_type"))
                .unwrap_or(TrainingType::Upgrading),
            hours: int("details.hours", "培训学时", &mut errors),
            certificate: s.checked("details.certificate"),
            subsidy_fen: yuan("details.subsidy_fen", &mut errors),
            living_allowance_fen: yuan("details.living_allowance_fen", &mut errors),
        }),
        Some(Form_::Loan) => {
            let rate = text("details.annual_rate");
            let annual_rate_bp = if rate.is_empty() {
                0
            } else {
                match yuan_field("details.annual_rate", &rate) {
                    Ok(v) => i32::try_from(v).unwrap_or(i32::MAX),
                    Err(_) => {
                        errors.push(DomainError::invalid(
                            "details.annual_rate",
                            "not_a_number",
                            format!("年利率须为百分数，最多两位小数（如 4.35）：{rate}"),
                        ));
                        0
                    }
                }
            };
            DetailsInput::Loan(Loan {
                term_months: int("details.term_months", "贷款期限（月）", &mut errors),
                annual_rate_bp,
                interest_subsidy_fen: yuan("details.interest_subsidy_fen", &mut errors),
                purpose: required("details.purpose", "贷款用途", &mut errors),
                repaid_fen: yuan("details.repaid_fen", &mut errors),
            })
        }
        Some(Form_::Education) => DetailsInput::Education(Education {
            school: required("details.school", "学校", &mut errors),
            stage: SchoolStage::parse(&text("details.stage")).unwrap_or(SchoolStage::Primary),
            tuition_waived_fen: yuan("details.tuition_waived_fen", &mut errors),
            grant_fen: yuan("details.grant_fen", &mut errors),
            yulu_fen: yuan("details.yulu_fen", &mut errors),
            dropout: s.checked("details.dropout"),
        }),
        Some(Form_::Health) => DetailsInput::Health(Health {
            signed_doctor: s.checked("details.signed_doctor"),
            serious_illness: s.checked("details.serious_illness"),
            medical_assistance_fen: yuan("details.medical_assistance_fen", &mut errors),
            out_of_pocket_fen: yuan("details.out_of_pocket_fen", &mut errors),
        }),
        Some(Form_::Assistance) => DetailsInput::Assistance(Assistance {
            monthly_fen: yuan("details.monthly_fen", &mut errors),
            persons: int("details.persons", "保障人数", &mut errors),
        }),
        Some(Form_::Pension) => DetailsInput::Pension(Pension {
            enrolled: s.checked("details.enrolled") || s.checked("details.receiving"),
            receiving: s.checked("details.receiving"),
            premium_paid_by_government_fen: yuan(
                "details.premium_paid_by_government_fen",
                &mut errors,
            ),
        }),
    };
    let opt = |name: &str| Some(text(name)).filter(|t| !t.is_empty());
    match (errors.is_empty(), start) {
        (true, Some(start_date)) => Ok(MeasureInput {
            household_id: household,
            person_id: person,
            kind: kind_text,
            start_date,
            end_date: end,
            amount_fen,
            provider: opt("provider"),
            status,
            note: opt("note"),
            details,
        }),
        _ => Err(errors),
    }
}

use fupin_core::measures::Form as Form_;

async fn show(
    v: &Viewer,
    app: &AppState,
    id: HouseholdId,
    measure: Option<MeasureId>,
    s: &Sheet,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let d = app.store.household(&ctx, id).await?;
    let h = &d.household;
    let lang = v.lang;
    let kinds: Vec<(String, String, &'static str)> = Catalogue::shipped()
        .categories
        .iter()
        .flat_map(|c| {
            let category = match lang {
                Lang::En => english_label("measure_category", &c.code).unwrap_or(c.label.as_str()),
                Lang::Zh => c.label.as_str(),
            };
            c.kinds.iter().map(move |k| {
                (
                    k.code.clone(),
                    format!(
                        "{category} · {}",
                        measure_kind_label(lang, &k.code, &k.label)
                    ),
                    k.form.as_str(),
                )
            })
        })
        .collect();
    let kind_err = s.error_for("kind");
    let mut members = vec![(String::new(), v.t("全户", "The household").to_string())];
    members.extend(
        d.members
            .iter()
            .filter(|m| m.active)
            .map(|m| (m.id.0.to_string(), m.name.clone())),
    );
    let statuses = pairs(
        &[
            MeasureStatus::Active,
            MeasureStatus::Ended,
            MeasureStatus::Cancelled,
        ],
        MeasureStatus::as_str,
        |s| super::pages::status_label(v, s),
    );
    let forms = pairs(&EmploymentForm::ALL, EmploymentForm::as_str, |f| {
        super::pages::employment_form_label(v, f)
    });
    let types = pairs(&TrainingType::ALL, TrainingType::as_str, |t| {
        super::pages::training_type_label(v, t)
    });
    let stages = pairs(&SchoolStage::ALL, SchoolStage::as_str, |st| {
        super::pages::school_stage_label(v, st)
    });
    let form_of = Catalogue::shipped()
        .kind("kind", s.value("kind"))
        .map(|(_, k)| k.form.as_str())
        .unwrap_or("general");
    let title = match measure {
        Some(_) => v.t("修改帮扶措施", "Change a measure"),
        None => v.t("添加帮扶措施", "Add a measure"),
    };
    let unplaced: Vec<&DomainError> = s
        .errors
        .iter()
        .filter(|e| {
            e.field.as_deref().is_none_or(|f| {
                ![
                    "kind",
                    "person_id",
                    "start_date",
                    "end_date",
                    "amount_fen",
                    "provider",
                    "status",
                    "note",
                ]
                .contains(&f)
                    && !DETAIL_INPUTS.contains(&f)
            })
        })
        .collect();
    let fieldset = |f: Form_, legend: &str, body: Markup| {
        html! {
            fieldset.measure-form data-form=(f.as_str()) hidden[form_of != f.as_str()] {
                legend { (legend) }
                (body)
            }
        }
    };
    let body = html! {
        h1 { (title) }
        p.muted { (h.head_name.as_deref().unwrap_or("—")) " · " (h.household_number) }
        @if !s.errors.is_empty() {
            div.alert.error role="alert" tabindex="-1" id="form-error" {
                strong { (v.t("未能保存，请改正以下各项：", "Not saved; please correct: ")) }
                ul { @for e in &s.errors {
                    li { @match e.field.as_deref() {
                        Some(f) => a href=(format!("#{}", input_id(f))) { (e.message) },
                        None => span { (e.message) },
                    } }
                } }
            }
        }
        @for e in &unplaced { p.field-error { (e.message) } }
        form.stack #measure-form method="post" action=(format!("/households/{}/measure", h.id.0)) {
            (v.csrf_field())
            @if let Some(m) = measure { input type="hidden" name="measure_id" value=(m.0); }
            div.field.invalid[kind_err.is_some()] {
                label for="f-kind" { (v.t("措施类别", "Kind")) abbr.req title="必填 / required" { "*" } }
                select #f-kind name="kind" data-measure-kind aria-invalid=[kind_err.map(|_| "true")] {
                    @for (code, label, form) in &kinds {
                        option value=(code) data-form=(form) selected[code == s.value("kind")] { (label) }
                    }
                }
                @if let Some(e) = kind_err { p.field-error { (e) } }
            }
            (choice(s, "person_id", v.t("享受对象", "For"), &members, false))
            (field(s, "start_date", v.t("开始日期", "Start"), "date", true, None))
            (field(s, "end_date", v.t("结束日期", "End"), "date", false, None))
            (field(s, "amount_fen", v.t("金额（元）", "Amount (yuan)"), "text", false, Some(v.t("贷款本金、补贴或资助金额", "A loan's principal, a subsidy or grant"))))
            (field(s, "provider", v.t("提供部门或帮扶单位", "Provider"), "text", false, None))
            (choice(s, "status", v.t("状态", "Status"), &statuses, true))
            (fieldset(Form_::Employment, v.t("务工就业", "Employment"), html! {
                (field(s, "details.employer", v.t("就业单位", "Employer"), "text", true, None))
                (division_input(v.lang, "details.employer_region_code", v.t("就业地区划代码", "Employer's region code"),
                    s.value("details.employer_region_code"), s.error_for("details.employer_region_code"),
                    v.t("在全国区划中逐级选择（省 > 市 > 县），或按名称、代码查找；也可直接填写12位区划代码（外省可填省级代码）。县内、县外省内、跨省由系统判定。",
                        "Choose in the national list (province > city > county) or find by name or code; or type the 12-digit code (a province's code for another province). In county, in province or another province is derived.")))
                (choice(s, "details.employment_form", v.t("就业形式", "Form"), &forms, true))
                (field(s, "details.months", v.t("务工月数", "Months"), "text", true, None))
                (field(s, "details.monthly_wage_fen", v.t("月工资（元）", "Monthly wage (yuan)"), "text", true, None))
            }))
            (fieldset(Form_::Training, v.t("技能培训", "Training"), html! {
                (field(s, "details.course", v.t("培训项目", "Course"), "text", true, None))
                (choice(s, "details.training_type", v.t("培训类型", "Type"), &types, true))
                (field(s, "details.hours", v.t("培训学时", "Hours"), "text", true, None))
                (check(s, "details.certificate", v.t("取得证书", "Certificate")))
                (field(s, "details.subsidy_fen", v.t("培训补贴（元）", "Subsidy (yuan)"), "text", false, None))
                (field(s, "details.living_allowance_fen", v.t("生活补贴（元）", "Living allowance (yuan)"), "text", false, None))
            }))
            (fieldset(Form_::Loan, v.t("贷款", "Loan"), html! {
                (field(s, "details.term_months", v.t("贷款期限（月）", "Term (months)"), "text", true, None))
                (field(s, "details.annual_rate", v.t("年利率（%）", "Yearly rate (%)"), "text", false, None))
                (field(s, "details.interest_subsidy_fen", v.t("贴息（元）", "Interest subsidy (yuan)"), "text", false, None))
                (field(s, "details.purpose", v.t("贷款用途", "Purpose"), "text", true, None))
                (field(s, "details.repaid_fen", v.t("已还金额（元）", "Repaid (yuan)"), "text", false, None))
            }))
            (fieldset(Form_::Education, v.t("教育资助", "Education"), html! {
                (field(s, "details.school", v.t("学校", "School"), "text", true, None))
                (choice(s, "details.stage", v.t("学段", "Stage"), &stages, true))
                (field(s, "details.tuition_waived_fen", v.t("免学费（元）", "Tuition waived (yuan)"), "text", false, None))
                (field(s, "details.grant_fen", v.t("助学金（元）", "Grants (yuan)"), "text", false, None))
                (field(s, "details.yulu_fen", v.t("雨露计划补助（元）", "雨露计划 (yuan)"), "text", false, None))
                (check(s, "details.dropout", v.t("辍学", "Dropped out")))
            }))
            (fieldset(Form_::Health, v.t("健康帮扶", "Health"), html! {
                (check(s, "details.signed_doctor", v.t("签约家庭医生", "Family doctor signed")))
                (check(s, "details.serious_illness", v.t("大病救治", "Serious illness treated")))
                (field(s, "details.medical_assistance_fen", v.t("医疗救助（元）", "Medical assistance (yuan)"), "text", false, None))
                (field(s, "details.out_of_pocket_fen", v.t("个人自付（元）", "Out of pocket (yuan)"), "text", false, None))
            }))
            (fieldset(Form_::Assistance, v.t("低保 / 特困", "Assistance"), html! {
                (field(s, "details.monthly_fen", v.t("每月金额（元）", "Monthly (yuan)"), "text", false, None))
                (field(s, "details.persons", v.t("保障人数", "Persons"), "text", true, None))
            }))
            (fieldset(Form_::Pension, v.t("养老保险", "Pension"), html! {
                (check(s, "details.enrolled", v.t("已参保", "Enrolled")))
                (check(s, "details.receiving", v.t("领取养老金", "Receiving")))
                (field(s, "details.premium_paid_by_government_fen", v.t("政府代缴（元）", "Paid by government (yuan)"), "text", false, None))
            }))
            (field(s, "note", v.t("备注", "Note"), "text", false, None))
            div.form-actions {
                button.primary type="submit" { (v.t("保存", "Save")) }
                a href=(format!("/households/{}#measures", h.id.0)) { (v.t("取消", "Cancel")) }
            }
        }
    };
    let mut shell = Shell::new(title, "/households");
    shell.crumbs = vec![
        (
            h.head_name
                .clone()
                .unwrap_or_else(|| h.household_number.clone()),
            Some(format!("/households/{}#measures", h.id.0)),
        ),
        (title.to_string(), None),
    ];
    let status = if s.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(v, shell, body)).into_response())
}

/// An employment's region that is well formed but not in the division list (a mistyped code, or a
/// place that no longer exists): refused beside its field, since the destination derived from it
/// would be a guess. Asked of the national list without a scope (`Store::division`), as the picker
/// offers any place in the country. The API and imports keep checking the code's form only: a
/// deployment may hold only its own province's list, and a department's file must still load there.
async fn unknown_destination(
    app: &AppState,
    s: &Sheet,
) -> Result<Option<DomainError>, crate::ui::PageError> {
    const NAME: &str = "details.employer_region_code";
    let employment = Catalogue::shipped()
        .kind("kind", s.value("kind"))
        .is_ok_and(|(_, k)| k.form == Form_::Employment);
    let text = s.value(NAME).trim();
    if !employment || text.is_empty() || s.error_for(NAME).is_some() {
        return Ok(None);
    }
    // a malformed code is the store's to report, with the rule's message
    let Ok(code) = fupin_core::RegionCode::parse_field(NAME, text) else {
        return Ok(None);
    };
    if app.store.division(&code).await?.is_some() {
        return Ok(None);
    }
    Ok(Some(DomainError::invalid(
        NAME,
        "unknown_region",
        format!("就业地区划代码 {code} 不在区划代码表中，请在列表中选择，或核对所填代码"),
    )))
}

async fn measure_form(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let id = HouseholdId(parse_id(&id)?);
    let q = crate::ui::layout::query_map(raw.as_deref());
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let (measure, st) = match q.get("measure") {
        Some(m) => {
            let m = app.store.measure(&ctx, MeasureId(parse_id(m)?)).await?;
            if m.household_id != id {
                return Err(crate::ui::PageError::not_found());
            }
            (Some(m.id), values_of(&m))
        }
        None => {
            let mut st = FormState::default();
            st.set("kind", "0201");
            st.set("status", "active");
            st.set("details.employment_form", "migrant_work");
            (None, st)
        }
    };
    show(&v, &app, id, measure, &Sheet { st, errors: vec![] }).await
}

async fn save_measure(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let id = HouseholdId(parse_id(&id)?);
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let st = FormState::with_values(form.0.clone());
    let measure = st
        .value("measure_id")
        .trim()
        .parse::<i64>()
        .ok()
        .map(MeasureId);
    let mut s = Sheet { st, errors: vec![] };
    // the form's faults and an employer's region missing from the division list, all at once
    let (input, mut errors) = match read_input(id, &s) {
        Ok(i) => (Some(i), vec![]),
        Err(errors) => (None, errors),
    };
    errors.extend(unknown_destination(&app, &s).await?);
    let input = match input {
        Some(i) if errors.is_empty() => i,
        _ => {
            s.errors = errors;
            return show(&v, &app, id, measure, &s).await;
        }
    };
    let result = match measure {
        Some(m) => app.store.update_measure(&ctx, m, input).await,
        None => app.store.create_measure(&ctx, input).await,
    };
    match result {
        Ok(m) => Ok(see_other(&format!(
            "/households/{}?measure=saved#measure-{}",
            id.0, m.id.0
        ))),
        Err(e)
            if matches!(
                e.kind,
                fupin_core::ErrorKind::Invalid | fupin_core::ErrorKind::Conflict
            ) =>
        {
            // every fault the store's rules found, each beside its field; the loan's rate is
            // typed as a percentage
            let all = if e.errors.is_empty() {
                vec![e]
            } else {
                e.errors
                    .iter()
                    .map(|p| DomainError::invalid(p.field.clone(), p.code, p.message.clone()))
                    .collect()
            };
            s.errors = all
                .into_iter()
                .map(|e| match e.field.as_deref() {
                    Some("details.annual_rate_bp") => e.with_field("details.annual_rate"),
                    _ => e,
                })
                .collect();
            show(&v, &app, id, measure, &s).await
        }
        Err(e) => Err(e.into()),
    }
}
