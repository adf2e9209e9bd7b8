//! The demo's rectification (整改销号): 罗溪镇's 2019 campaigns "春季整改" and "夏季提升" with a
//! dozen problems in every state — open, in progress, awaiting sign-off, signed off, sent back,
//! reopened — found by inspections, audits, patrols, complaints and self-checks in 塔岗 and its
//! neighbours; the data-quality rules run over 塔岗 at the end of 2019 (their findings, and the
//! escalation of what was overdue by then); and a synthetic death list compared with the registry.
//!
//! Every step goes through the store as a person would take it: the township office
//! (`demo-township`) records progress and asks for sign-off, the county office (`demo-officer`)
//! verifies, so the four-eyes rule holds in the demo too. Loaded once: nothing is done when a
//! campaign exists already.

use fupin_core::id_number::IdNumber;
use fupin_core::rectification::*;
use fupin_core::registry::{HouseholdFilter, HouseholdId};
use fupin_core::store::Store;
use fupin_core::{Ctx, DomainError, RegionCode};
use std::fmt;
use time::macros::date;
use time::Date;

const LUOXI: &str = "360124106000";
const TAGANG: &str = "360124106204";

/// What the demo's rectification loaded.
#[derive(Debug, Default)]
pub struct RectificationDemo {
    pub skipped: bool,
    pub campaigns: usize,
    pub problems: usize,
    pub from_rules: u64,
    pub escalated: u64,
    pub from_comparison: u64,
}

impl fmt::Display for RectificationDemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.skipped {
            return write!(f, "整改行动已存在，未加载整改演示数据");
        }
        write!(
            f,
            "整改销号：{} 个整改行动，{} 个检查发现的问题，数据规则发现 {} 个，死亡名单比对发现 {} 个，逾期上报督办 {} 个",
            self.campaigns, self.problems, self.from_rules, self.from_comparison, self.escalated
        )
    }
}

/// One demo problem: campaign (0 spring, 1 summer), household number or region, source, text,
/// category, severity, responsible unit, found, deadline, and the steps taken
/// (`p` progress, `r` request close-out, `s` sign off, `x` send back, `o` reopen) with their notes.
struct Demo {
    campaign: usize,
    household: Option<&'static str>,
    region: Option<&'static str>,
    source: &'static str,
    description: &'static str,
    category: &'static str,
    severity: &'static str,
    unit: &'static str,
    found: Date,
    deadline: Date,
    steps: &'static [(char, &'static str)],
}

const PROBLEMS: &[Demo] = &[
    Demo {
        campaign: 0,
        household: Some("3601241062040001"),
        region: None,
        source: "inspection",
        description: "B级危房未按期完成加固改造，住房安全保障未落实",
        category: "assistance",
        severity: "high",
        unit: "罗溪镇人民政府",
        found: date!(2019 - 03 - 12),
        deadline: date!(2019 - 04 - 30),
        steps: &[
            ('p', "已联系施工队，完成屋面加固"),
            ('r', "加固完成，经住建部门鉴定为安全住房"),
            ('s', "县级核验：现场查看属实，同意销号"),
        ],
    },
    Demo {
        campaign: 0,
        household: Some("3601241062040002"),
        region: None,
        source: "audit",
        description: "产业奖补资金发放未在村务公开栏公示",
        category: "funds",
        severity: "medium",
        unit: "塔岗村委会",
        found: date!(2019 - 03 - 15),
        deadline: date!(2019 - 05 - 15),
        steps: &[
            ('p', "补充公示奖补名单和金额"),
            ('r', "已公示7天无异议"),
            ('x', "缺少公示照片，退回补充"),
            ('r', "已补充公示现场照片"),
            ('s', "资料齐全，同意销号"),
        ],
    },
    Demo {
        campaign: 0,
        household: Some("3601241062040003"),
        region: None,
        source: "complaint",
        description: "12317举报：帮扶干部走访记录与实际不符",
        category: "conduct",
        severity: "medium",
        unit: "南昌市人力资源和社会保障局",
        found: date!(2019 - 03 - 20),
        deadline: date!(2019 - 04 - 20),
        steps: &[
            ('p', "约谈帮扶干部，补走访两次"),
            ('r', "已整改"),
            ('s', "同意销号"),
            ('o', "回访群众仍有意见，重新整改"),
        ],
    },
    Demo {
        campaign: 0,
        household: None,
        region: Some("360124106201"),
        source: "self_check",
        description: "一户一档缺少年度收入测算表",
        category: "data_quality",
        severity: "low",
        unit: "连塘村委会",
        found: date!(2019 - 04 - 02),
        deadline: date!(2019 - 05 - 31),
        steps: &[('p', "逐户补齐收入测算表"), ('r', "10户档案已补齐")],
    },
    Demo {
        campaign: 0,
        household: None,
        region: Some(LUOXI),
        source: "patrol",
        description: "乡镇扶贫项目库未按季度更新",
        category: "funds",
        severity: "medium",
        unit: "罗溪镇人民政府",
        found: date!(2019 - 04 - 10),
        deadline: date!(2019 - 05 - 31),
        steps: &[],
    },
    Demo {
        campaign: 0,
        household: Some("3601241062050001"),
        region: None,
        source: "inspection",
        description: "义务教育阶段学生资助未落实到位",
        category: "assistance",
        severity: "high",
        unit: "罗溪镇中心学校",
        found: date!(2019 - 04 - 15),
        deadline: date!(2019 - 05 - 20),
        steps: &[('p', "已申报春季学期助学金")],
    },
    Demo {
        campaign: 1,
        household: Some("3601241062040004"),
        region: None,
        source: "self_check",
        description: "家庭医生签约服务未覆盖慢病患者",
        category: "assistance",
        severity: "low",
        unit: "罗溪镇卫生院",
        found: date!(2019 - 06 - 05),
        deadline: date!(2019 - 07 - 31),
        steps: &[
            ('p', "已签约并建立慢病随访"),
            ('r', "签约服务协议已归档"),
            ('s', "同意销号"),
        ],
    },
    Demo {
        campaign: 1,
        household: Some("3601241062040005"),
        region: None,
        source: "inspection",
        description: "饮水安全：自来水未入户",
        category: "assistance",
        severity: "high",
        unit: "罗溪镇人民政府",
        found: date!(2019 - 06 - 10),
        deadline: date!(2019 - 08 - 31),
        steps: &[],
    },
    Demo {
        campaign: 1,
        household: Some("3601241062060001"),
        region: None,
        source: "audit",
        description: "低保享受信息与建档立卡信息不一致",
        category: "data_quality",
        severity: "medium",
        unit: "罗溪镇民政所",
        found: date!(2019 - 06 - 12),
        deadline: date!(2019 - 07 - 15),
        steps: &[('p', "与民政数据逐项核对"), ('r', "已更正建档立卡信息")],
    },
    Demo {
        campaign: 1,
        household: Some("3601241062010001"),
        region: None,
        source: "complaint",
        description: "12317举报：家有轿车仍为建档立卡户，识别不精准",
        category: "identification",
        severity: "high",
        unit: "连塘村委会",
        found: date!(2019 - 06 - 18),
        deadline: date!(2019 - 07 - 31),
        steps: &[
            ('p', "入户核实：车辆登记在已分户的儿子名下"),
            ('r', "识别符合标准，附车辆登记证明"),
            ('s', "核验属实，同意销号"),
        ],
    },
    Demo {
        campaign: 1,
        household: Some("3601241062040006"),
        region: None,
        source: "self_check",
        description: "收入核算漏报外出务工收入",
        category: "data_quality",
        severity: "medium",
        unit: "塔岗村委会",
        found: date!(2019 - 07 - 01),
        deadline: date!(2019 - 08 - 15),
        steps: &[('p', "已补录务工收入，重新测算人均纯收入")],
    },
    Demo {
        campaign: 1,
        household: None,
        region: Some(LUOXI),
        source: "inspection",
        description: "驻村工作队队员在岗天数不足",
        category: "conduct",
        severity: "medium",
        unit: "罗溪镇党委",
        found: date!(2019 - 07 - 08),
        deadline: date!(2019 - 08 - 31),
        steps: &[
            ('p', "建立驻村考勤制度"),
            ('r', "考勤记录已上墙"),
            ('s', "同意销号"),
        ],
    },
];

async fn household_id(
    store: &dyn Store,
    ctx: &Ctx,
    number: &str,
) -> Result<HouseholdId, DomainError> {
    let page = store
        .list_households(
            ctx,
            HouseholdFilter {
                q: Some(number.to_string()),
                per_page: Some(1),
                ..HouseholdFilter::default()
            },
        )
        .await?;
    page.items.first().map(|h| h.id).ok_or_else(|| {
        DomainError::not_found("household_not_found", format!("演示户 {number} 不存在"))
    })
}

/// Load the demo's rectification, unless a campaign exists already.
pub async fn load_rectification_demo(store: &dyn Store) -> Result<RectificationDemo, DomainError> {
    let system = Ctx::system("system:demo");
    if !store.campaigns(&system, None).await?.is_empty() {
        return Ok(RectificationDemo {
            skipped: true,
            ..Default::default()
        });
    }
    let luoxi = RegionCode::parse(LUOXI)?;
    let township = Ctx::within("demo-township", vec![luoxi.clone()]);
    let county = Ctx::within("demo-officer", vec![RegionCode::parse("360124000000")?]);
    let mut out = RectificationDemo::default();
    let mut campaigns = vec![];
    for (name, start, end, text) in [
        (
            "2019年春季整改",
            date!(2019 - 03 - 01),
            date!(2019 - 05 - 31),
            "对照上级督查、审计和巡察反馈问题逐项整改，挂图作战、逐项销号",
        ),
        (
            "2019年夏季提升",
            date!(2019 - 06 - 01),
            date!(2019 - 08 - 31),
            "补齐“两不愁三保障”短板，提升脱贫质量",
        ),
    ] {
        let c = store
            .create_campaign(
                &township,
                CampaignInput {
                    name: name.into(),
                    region_code: LUOXI.into(),
                    start_date: start,
                    end_date: end,
                    description: Some(text.into()),
                },
            )
            .await?;
        campaigns.push(c.id);
    }
    out.campaigns = campaigns.len();
    for d in PROBLEMS {
        let household = match d.household {
            Some(n) => Some(household_id(store, &system, n).await?),
            None => None,
        };
        let p = store
            .create_problem(
                &township,
                ProblemInput {
                    region_code: d.region.map(String::from),
                    household_id: household,
                    person_id: None,
                    project_id: None,
                    campaign_id: Some(campaigns[d.campaign]),
                    source: d.source.into(),
                    source_ref: None,
                    description: d.description.into(),
                    category: d.category.into(),
                    severity: d.severity.into(),
                    responsible_unit: d.unit.into(),
                    responsible_person: None,
                    found_on: d.found,
                    deadline: d.deadline,
                    measures: None,
                },
            )
            .await?;
        for (action, note) in d.steps {
            let (ctx, action) = match action {
                'p' => (&township, "progress"),
                'r' => (&township, "request_close"),
                's' => (&county, "sign_off"),
                'x' => (&county, "reject"),
                _ => (&county, "reopen"),
            };
            let step = StepInput {
                action: action.into(),
                note: Some(note.to_string()),
                measures: None,
            };
            store.problem_step(ctx, p.id, step).await?;
        }
        out.problems += 1;
    }
    // a synthetic death list of July 2019: one member of 塔岗, three persons not registered
    let dead = household_id(store, &system, "3601241062040007").await?;
    let mut unmasked = Ctx::system("system:demo");
    unmasked.unmask = true;
    let member = store.household(&unmasked, dead).await?.members[0].clone();
    let mut rows = vec![DeptRow {
        id_number: IdNumber::parse(&member.id_number)?,
        name: Some(member.name.clone()),
        date: Some(date!(2019 - 06 - 28)),
        amount_fen: None,
        detail: Some("进贤县公安局户籍注销".into()),
    }];
    for n in [
        "360124195001010012",
        "36012419480303002X",
        "360124193605050017",
    ] {
        if let Ok(id) = IdNumber::parse(n) {
            rows.push(DeptRow {
                id_number: id,
                name: None,
                date: Some(date!(2019 - 06 - 30)),
                amount_fen: None,
                detail: None,
            });
        }
    }
    let compared = store
        .compare_list(
            &township,
            ListKind::Deaths,
            "2019年7月公安死亡人员名单（演示）",
            rows,
            date!(2019 - 07 - 10),
        )
        .await?;
    out.from_comparison = compared.problems;
    // the rules and the escalation as they ran at the end of 2019 in 塔岗
    let run = store
        .run_checks(
            &township,
            Some(&RegionCode::parse(TAGANG)?),
            date!(2019 - 12 - 31),
        )
        .await?;
    out.from_rules = run.rules.iter().map(|r| r.created).sum();
    out.escalated = run.escalated;
    Ok(out)
}
