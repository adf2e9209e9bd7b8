//! The measures of a household as a section of the household page (帮扶措施, 一户一策): every
//! measure of the household and its members, with the fields of its kind.

use crate::ui::fmt::yuan;
use crate::ui::i18n::measure_kind_label;
use crate::ui::Viewer;
use fupin_core::measures::{
    Destination, Details, EmploymentForm, Measure, MeasureStatus, Origin, SchoolStage, TrainingType,
};
use fupin_core::registry::HouseholdId;
use maud::{html, Markup};

pub(crate) fn status_label(v: &Viewer, s: MeasureStatus) -> &'static str {
    match s {
        MeasureStatus::Active => v.t("实施中", "active"),
        MeasureStatus::Ended => v.t("已完成", "ended"),
        MeasureStatus::Cancelled => v.t("已撤销", "cancelled"),
    }
}

/// How a person is employed, in the page's language.
pub(crate) fn employment_form_label(v: &Viewer, f: EmploymentForm) -> &'static str {
    match f {
        EmploymentForm::MigrantWork => v.t(f.label(), "Migrant work"),
        EmploymentForm::Workshop => v.t(f.label(), "Poverty-alleviation workshop"),
        EmploymentForm::PublicWelfarePost => v.t(f.label(), "Public-welfare post"),
        EmploymentForm::SelfEmployed => v.t(f.label(), "Self-employed"),
        EmploymentForm::Flexible => v.t(f.label(), "Flexible work"),
    }
}

/// Where the work is, in the page's language.
pub(crate) fn destination_label(v: &Viewer, d: Destination) -> &'static str {
    match d {
        Destination::InCounty => v.t(d.label(), "In the county"),
        Destination::InProvince => v.t(d.label(), "Elsewhere in the province"),
        Destination::CrossProvince => v.t(d.label(), "Another province"),
    }
}

/// A training's type, in the page's language.
pub(crate) fn training_type_label(v: &Viewer, t: TrainingType) -> &'static str {
    match t {
        TrainingType::PreJob => v.t(t.label(), "Pre-job training"),
        TrainingType::Upgrading => v.t(t.label(), "Skills upgrading"),
        TrainingType::Startup => v.t(t.label(), "Start-up training"),
    }
}

/// A school stage, in the page's language.
pub(crate) fn school_stage_label(v: &Viewer, s: SchoolStage) -> &'static str {
    match s {
        SchoolStage::Preschool => v.t(s.label(), "Preschool"),
        SchoolStage::Primary => v.t(s.label(), "Primary school"),
        SchoolStage::JuniorSecondary => v.t(s.label(), "Junior secondary"),
        SchoolStage::SeniorSecondary => v.t(s.label(), "Senior secondary"),
        SchoolStage::Vocational => v.t(s.label(), "Secondary vocational"),
        SchoolStage::Higher => v.t(s.label(), "Higher education"),
    }
}

/// What the kind's own fields say, in one line.
fn details(v: &Viewer, m: &Measure) -> String {
    match &m.details {
        Details::General => String::new(),
        Details::Employment(e) => format!(
            "{} · {} · {} · {} {} × {} {}",
            e.employer,
            employment_form_label(v, e.employment_form),
            destination_label(v, e.destination),
            yuan(e.monthly_wage_fen),
            v.t("元/月", "yuan/month"),
            e.months,
            v.t("个月", "months"),
        ),
        Details::Training(t) => format!(
            "{} · {} {} · {} {} {}{}",
            t.course,
            t.hours,
            v.t("学时", "hours"),
            v.t("补贴", "subsidy"),
            yuan(t.subsidy_fen),
            v.t("元", "yuan"),
            if t.certificate {
                v.t(" · 取得证书", " · certificate")
            } else {
                ""
            },
        ),
        Details::Loan(l) => format!(
            "{} {} · {} {}.{:02}% · {}",
            l.term_months,
            v.t("个月", "months"),
            v.t("年利率", "rate"),
            l.annual_rate_bp / 100,
            l.annual_rate_bp % 100,
            l.purpose,
        ),
        Details::Education(e) => format!(
            "{} · {} {} {} · {} {} {}{}",
            e.school,
            v.t("免学费", "tuition waived"),
            yuan(e.tuition_waived_fen),
            v.t("元", "yuan"),
            v.t("助学金", "grants"),
            yuan(e.grant_fen + e.yulu_fen),
            v.t("元", "yuan"),
            if e.dropout {
                v.t(" · 辍学", " · dropped out")
            } else {
                ""
            },
        ),
        Details::Health(h) => {
            let mut parts = vec![];
            if h.signed_doctor {
                parts.push(v.t("家庭医生签约", "family doctor").to_string());
            }
            if h.serious_illness {
                parts.push(v.t("大病救治", "serious illness").to_string());
            }
            parts.push(format!(
                "{} {} {}",
                v.t("医疗救助", "assistance"),
                yuan(h.medical_assistance_fen),
                v.t("元", "yuan")
            ));
            parts.push(format!(
                "{} {} {}",
                v.t("自付", "out of pocket"),
                yuan(h.out_of_pocket_fen),
                v.t("元", "yuan")
            ));
            parts.join(" · ")
        }
        Details::Assistance(a) => format!(
            "{} {} · {} {}",
            yuan(a.monthly_fen),
            v.t("元/月", "yuan/month"),
            a.persons,
            v.t("人", "persons"),
        ),
        Details::Pension(p) => {
            let mut parts = vec![];
            if p.receiving {
                parts.push(v.t("领取养老金", "receiving").to_string());
            } else if p.enrolled {
                parts.push(v.t("已参保", "enrolled").to_string());
            }
            if p.premium_paid_by_government_fen > 0 {
                parts.push(format!(
                    "{} {} {}",
                    v.t("政府代缴", "paid by government"),
                    yuan(p.premium_paid_by_government_fen),
                    v.t("元", "yuan")
                ));
            }
            parts.join(" · ")
        }
    }
}

/// The section: a table of the measures, oldest start first; with `editable`, the household whose
/// measures the viewer may add and change.
pub(crate) fn household_section(
    v: &Viewer,
    measures: &[Measure],
    editable: Option<HouseholdId>,
) -> Markup {
    html! {
        section #measures {
            h2 { (v.t("帮扶措施", "Assistance measures")) " " small.muted { "(" (measures.len()) ")" } }
            @if let Some(h) = editable {
                p { a.button #add-measure href=(format!("/households/{}/measure", h.0)) { (v.t("添加措施", "Add a measure")) } }
            }
            @if measures.is_empty() { p.muted { (v.t("暂无帮扶措施", "No measures")) } } @else {
                div.table-wrap { table.data {
                    thead { tr {
                        th scope="col" { (v.t("措施", "Measure")) }
                        th scope="col" { (v.t("对象", "For")) }
                        th scope="col" { (v.t("期间", "Period")) }
                        th.num scope="col" { (v.t("金额（元）", "Amount (yuan)")) }
                        th scope="col" { (v.t("内容", "Details")) }
                        th scope="col" { (v.t("提供单位", "Provider")) }
                        th scope="col" { (v.t("状态", "Status")) }
                        @if editable.is_some() { th scope="col" { span.sr-only { (v.t("操作", "Actions")) } } }
                    } }
                    tbody { @for m in measures { tr #(format!("measure-{}", m.id.0)) data-measure=(m.id.0) {
                        td { (measure_kind_label(v.lang, &m.kind, &m.kind_label)) }
                        td { (m.person_name.as_deref().unwrap_or(v.t("全户", "household"))) }
                        td.small { (m.start_date) " → " (m.end_date.map(|d| d.to_string()).unwrap_or_else(|| v.t("至今", "ongoing").to_string())) }
                        td.num { @if m.amount_fen > 0 { (yuan(m.amount_fen)) } }
                        td.small { (details(v, m)) }
                        td.small { (m.provider.as_deref().unwrap_or("")) @if m.origin == Origin::Imported { " " span.muted { (v.t("（部门名单导入）", "(department list)")) } } }
                        td { (status_label(v, m.status)) }
                        @if let Some(h) = editable {
                            td { a href=(format!("/households/{}/measure?measure={}", h.0, m.id.0)) { (v.t("修改", "Change")) } }
                        }
                    } } }
                } }
            }
        }
    }
}
