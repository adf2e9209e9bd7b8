//! The forms of workshops, posts and service events: registering a workshop or post
//! (`/workplaces/new`), hiring a registered labourer on one (`/workplaces/{id}/hire`) and recording
//! a service event with the registered persons it served (`/events/new`). Registered persons are
//! typed as offices know them, a household number and a name per line. Every field that cannot be
//! read and every rule the store refuses is shown at once beside its input, with what was typed
//! kept.

use crate::form::Form;
use crate::routes::Routes;
use crate::ui::forms::{region_input, select, textarea, yuan_field, FormState, Input};
use crate::ui::i18n::enum_label;
use crate::ui::layout::{parse_id, query_map, render, see_other, Shell};
use crate::ui::{PageResult, Viewer};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use fupin_core::accounts::Policy;
use fupin_core::error::Problems;
use fupin_core::measures::*;
use fupin_core::registry::PersonId;
use fupin_core::scope::Ctx;
use fupin_core::years::parse_date;
use fupin_core::DomainError;
use maud::{html, Markup};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/workplaces/new", workplace_form)
        .post("/workplaces/new", save_workplace)
        .get("/workplaces/{id}/hire", hire_form)
        .post("/workplaces/{id}/hire", save_hire)
        .get("/events/new", event_form)
        .post("/events/new", save_event)
}

/// A required text: blank is a fault of its field.
fn required(st: &FormState, p: &mut Problems, name: &str, label: &str) -> String {
    let v = st.value(name).trim().to_string();
    if v.is_empty() {
        p.push(DomainError::invalid(
            name,
            "required",
            format!("{label}不能为空"),
        ));
    }
    v
}

fn optional(st: &FormState, name: &str) -> Option<String> {
    Some(st.value(name).trim().to_string()).filter(|v| !v.is_empty())
}

/// A whole number (blank is `blank`).
fn number(st: &FormState, p: &mut Problems, name: &str, label: &str, blank: i64) -> i64 {
    let t = st.value(name).trim();
    if t.is_empty() {
        return blank;
    }
    t.parse::<i64>().unwrap_or_else(|_| {
        p.push(DomainError::invalid(
            name,
            "not_a_number",
            format!("{label}须为整数"),
        ));
        0
    })
}

fn date(
    st: &FormState,
    p: &mut Problems,
    name: &str,
    label: &str,
    need: bool,
) -> Option<time::Date> {
    let t = st.value(name).trim();
    if t.is_empty() {
        if need {
            p.push(DomainError::invalid(
                name,
                "required",
                format!("{label}不能为空"),
            ));
        }
        return None;
    }
    p.check(parse_date(name, t))
}

fn yuan(st: &FormState, p: &mut Problems, name: &str) -> i64 {
    p.check(yuan_field(name, st.value(name))).unwrap_or(0)
}

/// The registered persons typed one per line as `户编码 姓名`, each found among the active members
/// of the household; the lines that name nobody are reported together on `field`.
async fn persons(
    app: &AppState,
    ctx: &Ctx,
    st: &FormState,
    field: &str,
    p: &mut Problems,
) -> Vec<PersonId> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in st.value(field).lines().enumerate() {
        let mut parts = line
            .split([' ', '\t', ',', '，', '　'])
            .filter(|s| !s.is_empty());
        let Some(number) = parts.next() else {
            continue;
        };
        let name = parts.next().unwrap_or("");
        let found = match app.store.household_by_number(ctx, number).await {
            Ok(h) => h
                .members
                .iter()
                .find(|m| m.active && m.name == name)
                .map(|m| m.id),
            Err(_) => None,
        };
        match found {
            Some(id) => out.push(id),
            None => bad.push(format!("第 {} 行（{}）", i + 1, line.trim())),
        }
    }
    if !bad.is_empty() {
        p.push(DomainError::invalid(
            field,
            "unregistered_person",
            format!(
                "{} 不是在册的建档立卡人员（每行填写 户编码 和 姓名）",
                bad.join("、")
            ),
        ));
    }
    out
}

/// The store's refusal as the form shows it: every field it names, `person_ids[i]` at `persons`.
fn refused(e: DomainError, persons_field: &str) -> DomainError {
    let mut p = Problems::new();
    let all: Vec<DomainError> = if e.errors.is_empty() {
        vec![e]
    } else {
        e.errors
            .iter()
            .map(|x| DomainError::invalid(x.field.clone(), x.code, x.message.clone()))
            .collect()
    };
    for mut x in all {
        if x.field
            .as_deref()
            .is_some_and(|f| f.starts_with("person_id"))
        {
            x.field = Some(persons_field.to_string());
        }
        p.push(x);
    }
    p.finish().err().unwrap_or_else(DomainError::internal)
}

fn page(
    v: &Viewer,
    title: &str,
    back: (String, String),
    st: &FormState,
    inputs: &[&str],
    form: Markup,
) -> PageResult {
    let body = html! {
        h1 { (title) }
        (st.summary(v.lang, inputs))
        (form)
    };
    let mut shell = Shell::new(title.to_string(), "/workplaces");
    shell.crumbs = vec![(back.0, Some(back.1)), (title.to_string(), None)];
    let status = if st.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(v, shell, body)).into_response())
}

const WORKPLACE_INPUTS: &[&str] = &[
    "kind",
    "name",
    "region_code",
    "work_type",
    "capacity",
    "operator",
    "opened",
    "closed",
    "note",
];

fn show_workplace(v: &Viewer, st: &FormState) -> PageResult {
    let kinds: Vec<(String, String)> = WorkplaceKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), k.label().to_string()))
        .collect();
    let types = format!("{}；扶贫车间填写行业，如 来料加工", POST_TYPES.join(" / "));
    let form = html! {
        form.stack method="post" action="/workplaces/new" novalidate {
            (v.csrf_field())
            (select(st, "kind", v.t("类别", "Kind"), &kinds, None, true))
            (Input::text("name", v.t("名称", "Name")).required().render(st))
            (region_input(v.lang, st, "region_code", v.t("所在村", "Village"), true, false))
            (Input::text("work_type", v.t("岗位类型 / 行业", "Duty or trade")).required().hint(&types).render(st))
            (Input::text("capacity", v.t("岗位数", "Positions")).required().inputmode("numeric").render(st))
            (Input::text("operator", v.t("经营主体 / 用工单位", "Operator")).render(st))
            (Input::text("opened", v.t("开设日期", "Opened")).required().kind("date").render(st))
            (Input::text("closed", v.t("关闭日期", "Closed")).kind("date").render(st))
            (Input::text("note", v.t("备注", "Note")).render(st))
            div.form-actions { button.primary type="submit" { (v.t("登记", "Register")) } }
        }
    };
    let back = (
        v.t("扶贫车间和扶贫专岗", "Workshops and posts").to_string(),
        "/workplaces".to_string(),
    );
    page(
        v,
        v.t("登记扶贫车间或扶贫专岗", "Register a workshop or post"),
        back,
        st,
        WORKPLACE_INPUTS,
        form,
    )
}

async fn workplace_form(v: Viewer, RawQuery(raw): RawQuery) -> PageResult {
    v.caller.ctx(Policy::WriteRegistry)?;
    let q = query_map(raw.as_deref());
    let mut st = FormState::default();
    st.set("kind", q.get("kind").map_or("post", |k| k.as_str()));
    st.set("capacity", "1");
    if let Some(r) = q.get("region") {
        st.set("region_code", r.as_str());
    }
    show_workplace(&v, &st)
}

async fn save_workplace(v: Viewer, State(app): State<AppState>, form: Form) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let mut st = FormState::with_values(form.0.clone());
    let mut p = Problems::new();
    let input = WorkplaceInput {
        kind: required(&st, &mut p, "kind", "类别"),
        name: required(&st, &mut p, "name", "名称"),
        region_code: required(&st, &mut p, "region_code", "所在村区划代码"),
        work_type: required(&st, &mut p, "work_type", "岗位类型"),
        capacity: i32::try_from(number(&st, &mut p, "capacity", "岗位数", 0)).unwrap_or(0),
        operator: optional(&st, "operator"),
        opened: date(&st, &mut p, "opened", "开设日期", true).unwrap_or(time::Date::MIN),
        closed: date(&st, &mut p, "closed", "关闭日期", false),
        note: optional(&st, "note"),
    };
    if let Err(e) = p.finish() {
        st.error = Some(e);
        return show_workplace(&v, &st);
    }
    match app.store.create_workplace(&ctx, input).await {
        Ok(w) => Ok(see_other(&format!("/workplaces/{}", w.id.0))),
        Err(e)
            if matches!(
                e.kind,
                fupin_core::ErrorKind::Invalid | fupin_core::ErrorKind::Conflict
            ) =>
        {
            st.error = Some(refused(e, "region_code"));
            show_workplace(&v, &st)
        }
        Err(e) => Err(e.into()),
    }
}

const HIRE_INPUTS: &[&str] = &["person", "hire_date", "leave_date", "monthly_wage_fen"];

fn show_hire(v: &Viewer, w: &Workplace, st: &FormState) -> PageResult {
    let action = format!("/workplaces/{}/hire", w.id.0);
    let form = html! {
        form.stack method="post" action=(action) novalidate {
            (v.csrf_field())
            (Input::text("person", v.t("建档立卡人员", "Registered person")).required().hint("户编码 和 姓名，如 3601241062040001 万建华").render(st))
            (Input::text("hire_date", v.t("聘用日期", "Hired on")).required().kind("date").render(st))
            (Input::text("leave_date", v.t("离岗日期", "Left on")).kind("date").render(st))
            (Input::text("monthly_wage_fen", v.t("月工资（元）", "Monthly wage (yuan)")).inputmode("decimal").render(st))
            div.form-actions {
                button.primary type="submit" { (v.t("登记聘用", "Record the hire")) }
                a href=(format!("/workplaces/{}", w.id.0)) { (v.t("取消", "Cancel")) }
            }
        }
    };
    let title = format!("{} · {}", w.name, v.t("登记聘用人员", "Hire a labourer"));
    page(
        v,
        &title,
        (w.name.clone(), format!("/workplaces/{}", w.id.0)),
        st,
        HIRE_INPUTS,
        form,
    )
}

async fn hire_form(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let w = app
        .store
        .workplace(&ctx, WorkplaceId(parse_id(&id)?))
        .await?;
    show_hire(&v, &w.workplace, &FormState::default())
}

async fn save_hire(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let w = app
        .store
        .workplace(&ctx, WorkplaceId(parse_id(&id)?))
        .await?
        .workplace;
    let mut st = FormState::with_values(form.0.clone());
    let mut p = Problems::new();
    required(&st, &mut p, "person", "建档立卡人员");
    let person = persons(&app, &ctx, &st, "person", &mut p).await;
    let hire_date = date(&st, &mut p, "hire_date", "聘用日期", true);
    let leave_date = date(&st, &mut p, "leave_date", "离岗日期", false);
    let wage = yuan(&st, &mut p, "monthly_wage_fen");
    if person.len() > 1 {
        p.push(DomainError::invalid(
            "person",
            "out_of_range",
            "一次登记一名人员",
        ));
    }
    let outcome = match (p.finish(), person.first(), hire_date) {
        (Ok(()), Some(&person_id), Some(hire_date)) => {
            let h = HireInput {
                person_id,
                hire_date,
                leave_date,
                monthly_wage_fen: wage,
            };
            app.store.create_hire(&ctx, w.id, h).await.map(|_| ())
        }
        (Err(e), _, _) => Err(e),
        _ => Err(DomainError::internal()),
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("/workplaces/{}#hires", w.id.0))),
        Err(e)
            if matches!(
                e.kind,
                fupin_core::ErrorKind::Invalid | fupin_core::ErrorKind::Conflict
            ) =>
        {
            st.error = Some(refused(e, "person"));
            show_hire(&v, &w, &st)
        }
        Err(e) => Err(e.into()),
    }
}

const EVENT_INPUTS: &[&str] = &[
    "kind",
    "title",
    "region_code",
    "place",
    "date",
    "served_total",
    "organiser",
    "medicine_fen",
    "leaflets",
    "placed_others.in_county",
    "placed_others.in_province",
    "placed_others.cross_province",
    "persons",
    "note",
];

fn show_event(v: &Viewer, st: &FormState) -> PageResult {
    let kinds: Vec<(String, String)> = EventKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                enum_label(v.lang, "service_event_kind", k.as_str(), k.label()).to_string(),
            )
        })
        .collect();
    let form = html! {
        form.stack method="post" action="/events/new" novalidate {
            (v.csrf_field())
            (select(st, "kind", v.t("活动类别", "Kind"), &kinds, None, true))
            (Input::text("title", v.t("活动名称", "Title")).required().render(st))
            (region_input(v.lang, st, "region_code", v.t("举办地（村、乡镇、县……）", "Where (village, township, county …)"), true, false))
            (Input::text("place", v.t("地点", "Place")).required().render(st))
            (Input::text("date", v.t("日期", "Date")).required().kind("date").render(st))
            (Input::text("served_total", v.t("服务人次（含建档立卡人员）", "Person-times served")).required().inputmode("numeric").render(st))
            (Input::text("organiser", v.t("组织单位", "Organiser")).render(st))
            (Input::text("medicine_fen", v.t("赠送药品价值（元，义诊）", "Medicine given (yuan, clinics)")).inputmode("decimal").render(st))
            (Input::text("leaflets", v.t("发放材料份数（宣传发放）", "Leaflets (leaflet drives)")).inputmode("numeric").render(st))
            fieldset {
                legend { (v.t("实现就业的非建档立卡人员（招聘会、就业服务）", "Others placed in work (job fairs, service days)")) }
                (Input::text("placed_others.in_county", v.t("县内", "In the county")).inputmode("numeric").render(st))
                (Input::text("placed_others.in_province", v.t("县外省内", "Elsewhere in the province")).inputmode("numeric").render(st))
                (Input::text("placed_others.cross_province", v.t("跨省", "Other provinces")).inputmode("numeric").render(st))
            }
            (textarea(st, "persons", v.t("服务的建档立卡人员（每行：户编码 姓名）", "Registered persons served (one a line: household number, name)"), 6))
            (Input::text("note", v.t("备注", "Note")).render(st))
            div.form-actions { button.primary type="submit" { (v.t("登记", "Record")) } }
        }
    };
    let back = (
        v.t("服务活动", "Service events").to_string(),
        "/events".to_string(),
    );
    page(
        v,
        v.t("登记服务活动", "Record a service event"),
        back,
        st,
        EVENT_INPUTS,
        form,
    )
}

async fn event_form(v: Viewer, RawQuery(raw): RawQuery) -> PageResult {
    v.caller.ctx(Policy::WriteRegistry)?;
    let q = query_map(raw.as_deref());
    let mut st = FormState::default();
    st.set("kind", "job_fair");
    if let Some(r) = q.get("region") {
        st.set("region_code", r.as_str());
    }
    show_event(&v, &st)
}

async fn save_event(v: Viewer, State(app): State<AppState>, form: Form) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let mut st = FormState::with_values(form.0.clone());
    let mut p = Problems::new();
    let input = EventInput {
        kind: required(&st, &mut p, "kind", "活动类别"),
        title: required(&st, &mut p, "title", "活动名称"),
        region_code: required(&st, &mut p, "region_code", "举办地区划代码"),
        place: required(&st, &mut p, "place", "地点"),
        date: date(&st, &mut p, "date", "日期", true).unwrap_or(time::Date::MIN),
        served_total: number(&st, &mut p, "served_total", "服务人次", -1),
        organiser: optional(&st, "organiser"),
        medicine_fen: yuan(&st, &mut p, "medicine_fen"),
        leaflets: number(&st, &mut p, "leaflets", "发放材料份数", 0),
        placed_others: Placements {
            in_county: number(&st, &mut p, "placed_others.in_county", "县内就业人数", 0),
            in_province: number(
                &st,
                &mut p,
                "placed_others.in_province",
                "县外省内就业人数",
                0,
            ),
            cross_province: number(
                &st,
                &mut p,
                "placed_others.cross_province",
                "跨省就业人数",
                0,
            ),
        },
        person_ids: persons(&app, &ctx, &st, "persons", &mut p).await,
        note: optional(&st, "note"),
    };
    if input.served_total < 0 && st.value("served_total").trim().is_empty() {
        p.push(DomainError::invalid(
            "served_total",
            "required",
            "服务人次不能为空",
        ));
    }
    if let Err(e) = p.finish() {
        st.error = Some(e);
        return show_event(&v, &st);
    }
    match app.store.create_event(&ctx, input).await {
        Ok(e) => Ok(see_other(&format!("/events/{}", e.event.id.0))),
        Err(e)
            if matches!(
                e.kind,
                fupin_core::ErrorKind::Invalid | fupin_core::ErrorKind::Conflict
            ) =>
        {
            st.error = Some(refused(e, "persons"));
            show_event(&v, &st)
        }
        Err(e) => Err(e.into()),
    }
}
