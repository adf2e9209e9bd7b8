//! The Chinese label of an input field, for messages people read. Rules name fields by the API's
//! paths (`identification_year`, `members[2].id_number`, `goods[0].value_fen`); a message says
//! "识别年度" or "第3位成员的身份证号" instead. A path whose last part is not listed here is shown as
//! it is (rejected: a label argument on every rule, which would have to be threaded through every
//! helper and kept in step with the pages' own labels).

/// A field's label, worked out only when it is written into a message (rules run on every row of
/// an import; most never fail).
#[derive(Debug, Clone, Copy)]
pub struct Label<'a>(pub &'a str);

impl std::fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&field_label(self.0))
    }
}

/// The label of a path's last part, and of the person or item it belongs to.
pub fn field_label(path: &str) -> String {
    let mut owner = String::new();
    let mut last = path;
    if let Some((parent, leaf)) = path.rsplit_once('.') {
        last = leaf;
        if let Some(i) = index_of(parent, "members") {
            owner = format!("第{}位成员的", i + 1);
        } else if let Some(i) = index_of(parent, "goods") {
            owner = format!("第{}项慰问品的", i + 1);
        }
    }
    let (base, index) = match last.split_once('[') {
        Some((b, rest)) => (b, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (last, None),
    };
    let label = match label_of(base) {
        Some(l) => l.to_string(),
        None => return path.to_string(),
    };
    match index {
        Some(i) => format!("{owner}{label}（第{}项）", i + 1),
        None => format!("{owner}{label}"),
    }
}

/// At most `n` characters of what someone typed, for a message.
pub fn clip(s: &str, n: usize) -> String {
    let mut it = s.chars();
    let head: String = it.by_ref().take(n).collect();
    if it.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// `members[2]` → 2, when the parent path ends in `name[i]`.
fn index_of(parent: &str, name: &str) -> Option<usize> {
    let tail = parent.rsplit('.').next()?;
    let rest = tail.strip_prefix(name)?.strip_prefix('[')?;
    rest.strip_suffix(']')?.parse().ok()
}

fn label_of(name: &str) -> Option<&'static str> {
    Some(match name {
        "household_number" => "户编码",
        "village_code" => "所属村",
        "region_code" | "region" => "区划",
        "group_name" => "村民小组",
        "address" => "地址",
        "phone" => "联系电话",
        "bank_name" => "开户银行",
        "bank_account" => "银行账号",
        "attribute" => "贫困户属性",
        "identification_standard" => "识别标准",
        "identification_year" => "识别年度",
        "main_cause" => "主要致贫原因",
        "other_causes" => "其他致贫原因",
        "name" => "姓名",
        "id_number" => "身份证号",
        "sex" => "性别",
        "birth_date" => "出生日期",
        "relation" => "与户主关系",
        "ethnicity" => "民族",
        "education" => "文化程度",
        "schooling" => "在校生状况",
        "health" => "健康状况",
        "labour_ability" => "劳动能力",
        "work_status" => "务工状况",
        "work_months" => "务工时间（月）",
        "wage_fen" => "工资性收入",
        "business_fen" => "生产经营性收入",
        "property_fen" => "财产性收入",
        "dividend_fen" => "资产收益分红",
        "transfer_fen" => "转移性收入",
        "business_cost_fen" => "生产经营性支出",
        "year" => "年度",
        "date" => "日期",
        "exit_year" => "脱贫年度",
        "reason" => "原因",
        "note" => "备注",
        "kind" => "类型",
        "status" => "状态",
        "problems" => "发现的问题",
        "actions" => "采取的措施",
        "follow_up" => "后续安排",
        "condolence_money_fen" => "慰问金",
        "goods" => "慰问品",
        "description" => "名称",
        "value_fen" => "价值",
        "text" => "心愿内容",
        "estimated_value_fen" => "估计价值",
        "actual_value_fen" => "实际价值",
        "submitted_on" => "提出日期",
        "cadre_ids" => "走访干部",
        "housing_grade" => "危房等级",
        "housing_area_m2" => "住房面积",
        "housing_renovated_year" => "危改年度",
        "road_distance_km" => "入户路距离",
        "farmland_mu" => "耕地面积",
        "move_in_date" => "搬迁入住日期",
        "start_date" => "开始日期",
        "end_date" => "结束日期",
        "amount_fen" => "金额",
        "payee" => "收款人",
        "voucher" => "凭证号",
        "attachment" => "附件",
        "document" => "文号",
        "source_id" => "资金来源",
        "project_id" => "项目",
        "allocation_id" => "资金下达",
        "household_id" => "户",
        "income_fen" => "年度收益",
        "collective_fen" => "村集体分成",
        "households_fen" => "农户分红总额",
        "minimum_fen" => "保底分红",
        "paid_on" => "发放日期",
        "owner_kind" => "所有者类型",
        "owner_name" => "所有者",
        "custodian" => "管护人",
        "registered_on" => "登记日期",
        "shareholders" => "受益股东",
        "person_id" => "成员",
        "new_head_person_id" => "新户主",
        "cadre_id" => "帮扶干部",
        "replacement_cadre_id" => "接替的干部",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::field_label;

    #[test]
    fn labels_replace_internal_names() {
        assert_eq!(field_label("identification_year"), "识别年度");
        assert_eq!(field_label("wage_fen"), "工资性收入");
        assert_eq!(field_label("household.household_number"), "户编码");
        assert_eq!(field_label("members[2].id_number"), "第3位成员的身份证号");
        assert_eq!(field_label("goods[0].value_fen"), "第1项慰问品的价值");
        assert_eq!(field_label("other_causes[1]"), "其他致贫原因（第2项）");
        assert_eq!(field_label("something_else"), "something_else");
    }
}
