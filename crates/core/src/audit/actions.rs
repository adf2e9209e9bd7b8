//! The Chinese name of every action the audit log records (`household.create` → 新建农户档案), in
//! one table, for the pages that show the log to people. The log itself keeps the English code:
//! it is hashed, filtered on and read by programs. An action missing here is shown as its code
//! ([`action_label`] falls back), and the test `crates/core/tests/audit_actions.rs` reads the
//! workspace's sources for the actions they write and fails on one without a name.
//!
//! A problem's steps (`problem.<step>`) take their names from the rectification workflow's own
//! labels ([`EventAction::label`]) rather than a second copy here.

use crate::rectification::EventAction;

/// Every action written by name, sorted by code. `problem.<step>` actions are named by
/// [`EventAction`]; see [`action_label`].
pub const ACTIONS: &[(&str, &str)] = &[
    ("access.refused", "越权访问被拒绝"),
    ("asset.create", "登记扶贫资产"),
    ("asset.income", "登记资产收益"),
    ("asset.income_reverse", "冲销资产收益"),
    ("cadre.create", "新增帮扶干部"),
    ("cadre.import", "导入帮扶干部"),
    ("cadre.update", "修改帮扶干部"),
    ("campaign.create", "新建整改行动"),
    ("case.action", "办理退出或监测程序"),
    ("case.import", "导入办理事项"),
    ("case.start", "启动退出或监测程序"),
    ("code_table.put", "修改代码表"),
    ("cooperative.create", "登记合作社或企业"),
    ("designation.create", "确定定点帮扶"),
    ("event.create", "登记服务活动"),
    ("event.update", "修改服务活动"),
    ("export.unmask", "导出完整个人信息"),
    ("fund.allocate", "下达资金"),
    ("fund.disbursement", "拨付资金"),
    ("fund.receipt", "资金到账"),
    ("fund_source.create", "登记资金来源"),
    ("funds.import", "导入资金台账"),
    ("hire.create", "登记聘用"),
    ("hire.update", "修改聘用"),
    ("household.create", "新建农户档案"),
    ("household.import", "导入农户"),
    ("household.import_status", "导入户状态变更"),
    ("household.import_update", "导入修改农户"),
    ("household.renumber", "变更户编码"),
    ("household.status", "变更户状态"),
    ("household.update", "修改农户档案"),
    ("household_year.import", "导入年度户情况"),
    ("household_year.put", "填报年度户情况"),
    ("import", "数据导入"),
    ("income.dividend", "分红计入收入"),
    ("income.dividend_reverse", "冲销分红收入"),
    ("income.import", "导入年度收入"),
    ("income.put", "填报年度收入"),
    ("login", "登录"),
    ("login.failed", "登录失败"),
    ("logout", "退出登录"),
    ("measure.create", "登记帮扶措施"),
    ("measure.import", "导入帮扶措施"),
    ("measure.update", "修改帮扶措施"),
    ("member.change", "成员减少（变动）"),
    ("member.create", "新增家庭成员"),
    ("member.import", "导入家庭成员"),
    ("member.update", "修改家庭成员"),
    ("notice.record", "登记公示"),
    ("pairing.create", "建立结对"),
    ("pairing.end", "结束结对"),
    ("pairing.import", "导入结对"),
    ("pairing.import_end", "导入结束结对"),
    ("pairing_figures.rebuild", "重算结对统计"),
    ("parameter.put", "设置标准参数"),
    ("problem.attachment", "上传问题附件"),
    ("project.create", "申报项目"),
    ("project.import", "导入项目"),
    ("project.progress", "填报项目进度"),
    ("project.step", "办理项目流程"),
    ("project.update", "修改项目"),
    ("rectification.checks", "运行数据质量检查"),
    ("rectification.compare", "比对部门数据"),
    ("region.import", "导入行政区划"),
    ("region.poor_village", "认定或调整贫困村"),
    ("risk_event.create", "登记风险事件"),
    ("risk_event.import", "导入风险事件"),
    ("risk_event.resolve", "处置风险事件"),
    ("snapshot.create", "冻结工作总结"),
    ("stats.rebuild", "重算统计"),
    ("team.add", "增加驻村工作队员"),
    ("token.create", "创建接口令牌"),
    ("token.revoke", "吊销接口令牌"),
    ("unit.create", "新增帮扶单位"),
    ("unit.import", "导入帮扶单位"),
    ("unmask", "查看完整个人信息"),
    ("user.create", "新建用户"),
    ("user.disable", "停用用户"),
    ("user.enable", "启用用户"),
    ("user.grant", "授予权限"),
    ("user.password", "重设密码"),
    ("user.revoke", "收回权限"),
    ("village_profile.import", "导入村情"),
    ("village_profile.put", "填报村情"),
    ("visit.create", "记录走访"),
    ("visit.import", "导入走访"),
    ("visit.photo", "上传走访照片"),
    ("wish.create", "登记微心愿"),
    ("wish.evidence", "上传心愿凭证"),
    ("wish.import", "导入微心愿"),
    ("wish.update", "更新微心愿"),
    ("workplace.create", "登记扶贫车间或岗位"),
    ("workplace.update", "修改扶贫车间或岗位"),
];

/// The Chinese name of `action`, if it has one.
pub fn action_name(action: &str) -> Option<&'static str> {
    if let Some(step) = action.strip_prefix("problem.") {
        if let Some(a) = EventAction::parse(step) {
            return Some(a.label());
        }
    }
    named(ACTIONS, action)
}

/// The name of `code` in a table sorted by code.
fn named(table: &[(&str, &'static str)], code: &str) -> Option<&'static str> {
    table
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| table[i].1)
}

/// The Chinese name of `action`, or the code itself for an action this table does not know.
pub fn action_label(action: &str) -> &str {
    action_name(action).unwrap_or(action)
}

/// Every kind of record the log names (its `entity`), by name, sorted by code.
pub const ENTITIES: &[(&str, &str)] = &[
    ("aggregates", "统计汇总"),
    ("api_token", "接口令牌"),
    ("asset", "扶贫资产"),
    ("cadre", "帮扶干部"),
    ("campaign", "整改行动"),
    ("code_table", "代码表"),
    ("cooperative", "合作社或企业"),
    ("department_list", "部门名单"),
    ("designation", "定点帮扶"),
    ("event", "服务活动"),
    ("export", "数据导出"),
    ("fund_allocation", "资金下达"),
    ("fund_source", "资金来源"),
    ("helping_unit", "帮扶单位"),
    ("hire", "聘用"),
    ("household", "农户"),
    ("household_year", "农户年度情况"),
    ("import", "数据导入"),
    ("income", "收入"),
    ("measure", "帮扶措施"),
    ("notice", "公示公告"),
    ("pairing", "结对帮扶"),
    ("parameter", "参数"),
    ("person", "家庭成员"),
    ("problem", "问题"),
    ("procedure", "退出或监测程序"),
    ("project", "项目"),
    ("quality_rules", "数据质量规则"),
    ("region", "区划"),
    ("report_snapshot", "报表快照"),
    ("request", "请求"),
    ("risk_event", "风险事件"),
    ("team_member", "工作队成员"),
    ("user", "用户"),
    ("village_profile", "村情"),
    ("visit", "走访"),
    ("wish", "微心愿"),
    ("workplace", "扶贫车间或岗位"),
];

/// The Chinese name of a kind of record (`household` → 农户), if it has one.
pub fn entity_name(entity: &str) -> Option<&'static str> {
    named(ENTITIES, entity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_kinds_sorted_unique_and_named_in_chinese() {
        for w in ENTITIES.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
        for (code, name) in ENTITIES {
            assert!(
                name.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{code}: {name}"
            );
            assert_eq!(entity_name(code), Some(*name));
        }
        assert_eq!(entity_name("household"), Some("农户"));
        assert_eq!(entity_name("nothing_of_the_kind"), None);
    }

    #[test]
    fn sorted_unique_and_named_in_chinese() {
        for w in ACTIONS.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
        for (code, name) in ACTIONS {
            assert!(
                name.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{code}"
            );
            assert_eq!(action_name(code), Some(*name));
        }
    }

    #[test]
    fn problem_steps_and_unknown_actions() {
        assert_eq!(action_label("problem.escalate"), "逾期上报督办");
        assert_eq!(action_label("problem.create"), "登记问题");
        assert_eq!(action_label("login"), "登录");
        assert_eq!(action_label("something.new"), "something.new");
        assert_eq!(action_name("problem.nonsense"), None);
    }
}
