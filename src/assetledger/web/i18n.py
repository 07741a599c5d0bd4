"""The interface's words in Chinese (the default) and English. Pure."""

from __future__ import annotations

import re

from assetledger.domain import register_fields
from assetledger.domain.register_fields import RegisterField

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# key: (Chinese, English)
WORDS: dict[str, tuple[str, str]] = {
    "app": ("扶贫项目资产台账", "Project asset registers"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "user": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "wrong_login": ("用户名或密码错误", "Wrong user name or password"),
    "too_many_logins": ("密码错误次数过多，该用户暂时不能登录", "Too many wrong passwords; login paused"),
    "retry_in_minutes": ("分钟后可再试", "minutes until the next try"),
    "login_busy": (
        "同时登录的人较多，服务器正忙，请几秒钟后再试（未核对密码）",
        "Too many logins at once; try again in a few seconds (the password was not checked)",
    ),
    "dashboard": ("台账汇总", "Registers"),
    "assets": ("资产查询", "Assets"),
    "upload": ("台账导入", "Register upload"),
    "governance": ("闲置低效资产", "Idle and loss-making"),
    "inventory": ("清查进度", "Inventory"),
    "awards": ("绩效奖励", "Awards"),
    "post": ("收支记账", "Revenue and costs"),
    "distribution": ("收益分配", "Distribution"),
    "audit": ("审计查询", "Audit queries"),
    "level": ("层级", "Level"),
    "county": ("县", "County"),
    "township": ("乡镇", "Township"),
    "village": ("村", "Village"),
    "region": ("区划", "Region"),
    "show": ("查询", "Show"),
    "search": ("搜索", "Search"),
    "keyword": ("编号/名称/主体", "ID / name / owner"),
    "register": ("资产类别", "Register"),
    "status": ("状态", "Status"),
    "any": ("全部", "any"),
    "asset_id": ("资产编号", "Asset ID"),
    "name": ("名称", "Name"),
    "value": ("原值(元)", "Value (yuan)"),
    "owner": ("确权主体", "Owner"),
    "custodian": ("管护主体", "Custodian"),
    "build_year": ("建设年度", "Built"),
    "shown_of": ("显示 {shown} / 共 {total} 项", "showing {shown} of {total}"),
    "shown_first": ("显示前 {shown} 项（请用条件缩小范围）", "showing the first {shown}; narrow the search"),
    "facts": ("基本信息", "Facts"),
    "funding": ("资金来源", "Funding"),
    "custodians": ("管护记录", "Custody"),
    "history": ("全部记录(台账与账簿)", "Full history (register and books)"),
    "date": ("日期", "Date"),
    "area": ("类别", "Area"),
    "what": ("事项", "What"),
    "actor": ("操作人", "By"),
    "details": ("说明", "Details"),
    "recorded_at": ("记录时间", "Recorded"),
    "file": ("文件(XLSX/CSV)", "File (XLSX/CSV)"),
    "dry_run": ("仅校验，不写入", "Check only, write nothing"),
    "import": ("导入", "Import"),
    "imported": ("已导入 {rows} 项资产（批次 {batch}）", "Imported {rows} assets (batch {batch})"),
    "checked": ("校验通过：{rows} 项资产，未写入", "Checked: {rows} assets, nothing written"),
    "already_imported": ("该文件已导入过（批次 {batch}），未重复写入", "This file was imported before (batch {batch})"),
    "problems": ("{n} 处问题，未写入任何数据", "{n} problem(s); nothing was written"),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
    "cell": ("内容", "Value"),
    "reason": ("原因", "Reason"),
    "source": ("文件", "File"),
    "as_of": ("截至", "As of"),
    "finding": ("问题", "Finding"),
    "last_revenue": ("最近收益", "Last revenue"),
    "trailing_revenue": ("期间收益", "Revenue"),
    "trailing_costs": ("期间支出", "Costs"),
    "net": ("净收益", "Net"),
    "decision": ("处理决定", "Decision"),
    "year": ("年度", "Year"),
    "items": ("应清查", "Items"),
    "counted": ("已清查", "Counted"),
    "uncounted": ("未清查", "Uncounted"),
    "completion": ("完成率", "Completion"),
    "closed": ("已结束", "Closed"),
    "open": ("进行中", "Open"),
    "rank": ("名次", "Rank"),
    "score": ("得分", "Score"),
    "grade": ("等次", "Grade"),
    "award": ("奖励(元)", "Award (yuan)"),
    "chart": ("图表", "Chart"),
    "given_results": ("上级考核结果文件", "Given results (file)"),
    "given_grade": ("给定等次", "Given grade"),
    "given_rank": ("给定名次", "Given rank"),
    "given_score": ("给定得分", "Given score"),
    "notes": ("注意：以下内容未使用或缺失", "Note: not used or missing"),
    "needs_results": (
        "本办法按上级考核结果奖励，请上传结果文件（区划代码、等次、名次、得分）后查询",
        "This policy awards by given results: upload the file (区划代码, 等次, 名次, 得分) and show",
    ),
    "side_by_side": ("奖励汇总（按县合计）", "Awards side by side, with the total"),
    "post_these": ("入账本项", "Post these"),
    "paying_entity": ("支付账套", "Paying entity"),
    "award_date": ("入账日期", "Entry date"),
    "post_awards": ("奖励入账", "Post the awards"),
    "awards_posted": ("已入账 {n} 笔奖励", "{n} award(s) posted"),
    "awards_already": ("已入账过 {n} 笔奖励，未重复入账", "{n} award(s) already posted; nothing posted"),
    "direction": ("收支", "Direction"),
    "revenue": ("收入", "Revenue"),
    "expense": ("支出", "Expense"),
    "type": ("类型", "Type"),
    "amount": ("金额(元)", "Amount (yuan)"),
    "narration": ("摘要", "Narration"),
    "ref": ("凭证号", "Voucher"),
    "posted": ("已记账：分录 {ids}", "Posted: entry {ids}"),
    "skipped": ("该凭证号已记过账，未重复记账", "This voucher was posted before; nothing new"),
    "period": ("期间(如 2025Q2)", "Period (e.g. 2025Q2)"),
    "dist_date": ("分配日期(可空)", "Date (optional)"),
    "dry_run_button": ("试算(不记账)", "Dry run (post nothing)"),
    "distribute_button": ("确认分配并记账", "Distribute and post"),
    "dry_run_note": ("试算结果，尚未记账", "Dry run: nothing posted"),
    "distributed": ("已分配并记账（分配 {id}）", "Distributed and posted (distribution {id})"),
    "already_distributed": ("该期已分配过（分配 {id}），未重复记账", "Already distributed ({id}); nothing posted"),
    "late_revenue": (
        "分配后账面收益变动 {late} 元（已分配 {done}，账面现为 {books}），差额未分配；须先冲销原分配再重新分配",
        "The books changed by {late} after this period was distributed ({done} shared, the books now hold {books}): "
        "the difference is not shared; reverse the distribution and distribute again",
    ),
    "costs": ("支出", "Costs"),
    "distributable": ("可分配", "Distributed"),
    "purpose": ("用途", "Purpose"),
    "households": ("农户", "Households"),
    "household": ("户编号", "Household"),
    "months": ("月数", "Months"),
    "weight": ("权重", "Weight"),
    "share_rule": (
        "各户金额按 权重 × 月数 的比例分配；当期纳入、退出或去世的农户按实际月数计算，见说明。",
        "Each household's amount is in proportion to weight × months; a household that joined, exited or died in "
        "the period counts its months, see the details.",
    ),
    "notice": ("打印公示", "Public notice"),
    "rule": ("分配方案", "Rule"),
    "bql": ("BQL 查询(账簿)", "BQL (books)"),
    "sql": ("只读 SQL(审计视图)", "Read-only SQL (audit views)"),
    "entity": ("核算主体", "Entity"),
    "run": ("执行", "Run"),
    "rows_found": ("{n} 行", "{n} row(s)"),
    "rows_first": ("前 {shown} 行，共 {total} 行", "first {shown} of {total} rows"),
    "rows_first_of_more": (
        "前 {shown} 行，共超过 {total} 行（计数到时间限制为止）",
        "first {shown} of more than {total} rows (counting stopped at the time limit)",
    ),
    "package": ("下载审计资料包", "Download the audit package"),
    "fava": ("用 Fava 打开", "Open in Fava"),
    "fava_missing": (
        "未安装 Fava：pip install 'assetledger[fava]'，或在命令行运行：",
        "Fava is not installed: pip install 'assetledger[fava]', or run:",
    ),
    "sql_help": (
        "视图：v_assets, v_postings, v_events, v_distributions, v_payouts, v_households, v_entities, v_accounts, "
        "v_regions（仅限本人范围）；视图中的金额以分为单位（列名以 _fen 结尾），结果中按元显示；"
        "只返回前 2,000 行，超过时间限制的查询会被停止",
        "Views: v_assets, v_postings, v_events, v_distributions, v_payouts, v_households, v_entities, v_accounts, "
        "v_regions (your scope only); amounts are in fen in the views (columns ending in _fen) and shown in yuan "
        "here; the first 2,000 rows are shown; a query past the time limit "
        "is stopped",
    ),
    "forbidden": ("无权操作", "Not permitted"),
    "not_found": ("未找到", "Not found"),
    "refused": ("规则不允许", "Refused by a rule"),
    "duplicate": ("重复或冲突", "Duplicate or conflicting"),
    "bad_request": ("请求无效", "Bad request"),
    "bad_input": ("输入有误", "Invalid input"),
    "csrf": ("表单已过期或来源不明，请刷新页面后重试", "The form expired or came from elsewhere; reload and try again"),
    "error": ("出错", "Error"),
    "busy": ("服务器正忙，请稍后再试", "Busy; try again in a moment"),
    "back": ("返回", "Back"),
    "total": ("合计", "Total"),
    "gaps": ("缺口", "Gaps"),
    "unconfirmed": ("未确权", "Unconfirmed"),
    "not_handed_over": ("未移交", "Not handed over"),
    "no_custodian": ("未落实管护", "No custodian"),
    "no_household": ("到户类未落实到户", "Household-level, households not attached"),
    "not_used": ("列 {header} 未使用", "Column {header} not used"),
    "idle": ("闲置", "Idle"),
    "damaged": ("毁损", "Damaged"),
    "count": ("数量", "Count"),
    "public_benefit": ("公益性", "Public-benefit"),
    "operating": ("经营性", "Operating"),
    "household_reg": ("到户类", "Household"),
    "language": ("English", "中文"),
    "role": ("角色", "Role"),
    "scope": ("范围", "Scope"),
    "none": ("无", "none"),
    "home_village": ("本村资产", "Village assets"),
    "documents": ("资产档案", "Documents of record"),
    "doc_kind": ("档案类别", "Kind"),
    "doc_kind_auto": ("按文件名判断", "from the file name"),
    "doc_name": ("文件", "File"),
    "doc_title": ("文号/说明", "Number / caption"),
    "doc_date": ("文件日期", "Document date"),
    "doc_size": ("大小(字节)", "Size (bytes)"),
    "doc_file": ("文件(PDF/JPG/PNG/DOCX/XLSX，20MB以内)", "File (PDF/JPG/PNG/DOCX/XLSX, up to 20 MB)"),
    "attach": ("上传归档", "Attach"),
    "documents_upload": ("档案批量上传", "Documents upload"),
    "documents_upload_help": (
        "ZIP 内每个文件名（或所在文件夹名）以资产编号开头，如 A-1_验收报告.pdf、A-1/移交书.pdf；有任何问题则全部不保存",
        "Each file name (or its folder's) starts with the asset id, e.g. A-1_验收报告.pdf, A-1/移交书.pdf; any "
        "problem and nothing is stored",
    ),
    "documents_attached": (
        "已归档 {n} 份文件，涉及 {assets} 项资产；{already} 份此前已归档",
        "Attached {n} document(s) to {assets} asset(s); {already} were attached before",
    ),
    "documents_checked": (
        "校验通过：{n} 份文件可归档（{assets} 项资产），未保存",
        "Checked: {n} document(s) for {assets} asset(s); nothing stored",
    ),
    "print_certificate": ("打印确权证书", "Print the ownership certificate"),
    "print_label": ("打印资产标签", "Print the asset label"),
    "print_village": ("本区域批量打印", "Print for the whole region"),
    "contracts": ("经营合同", "Operating contracts"),
    "contract_code": ("合同编号", "Contract"),
    "operator": ("经营主体", "Operator"),
    "mode": ("经营方式", "Mode"),
    "term": ("合同期限", "Term"),
    "effective_end": ("有效至", "In force until"),
    "annual_rent": ("年租金/收益", "Yearly rent"),
    "schedule": ("支付", "Payments"),
    "deposit": ("保证金", "Deposit"),
    "renews": ("续签自", "Renews"),
    "terminated": ("已解除", "terminated"),
    "contract_alerts": ("经营合同预警", "Contract alerts"),
    # lists: paging, sorting, filters, export (web/listing.py)
    "address": ("网址参数", "Address parameter"),
    "bad_number": ("应为 {low} 到 {high} 之间的整数", "a whole number from {low} to {high}"),
    "bad_year": ("年度应为四位数字，如 2025", "a year is four digits, e.g. 2025"),
    "bad_date": ("日期格式应为 年-月-日，如 2025-06-30", "a date is YYYY-MM-DD, e.g. 2025-06-30"),
    "bad_choice": ("不是可选的值", "not one of the choices"),
    "bad_size": ("每页行数应为 {sizes}", "rows a page: {sizes}"),
    "page_of": ("第 {page} / {pages} 页", "page {page} of {pages}"),
    "rows_of": ("第 {first}–{last} 项，共 {total} 项", "{first}–{last} of {total}"),
    "no_rows": ("没有符合条件的记录", "Nothing matches"),
    "prev_page": ("上一页", "Previous"),
    "next_page": ("下一页", "Next"),
    "first_page": ("首页", "First"),
    "last_page": ("末页", "Last"),
    "page_size": ("每页", "Per page"),
    "pages": ("分页", "Pages"),
    "export": ("导出", "Export"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export Excel"),
    "sort_by": ("按此列排序", "sort by this column"),
    "words": ("关键词(空格分隔，须全部匹配)", "Words (all must match)"),
    "words_hint": ("编号、名称、项目、确权主体、村名", "ID, name, project, owner, village"),
    "clear": ("清除条件", "Clear"),
    "place": ("所在地", "Place"),
    "project": ("项目名称", "Project"),
    "category": ("资产分类", "Kind of asset"),
    "owner_kind": ("确权层级", "Ownership level"),
    "breadcrumb": ("位置", "You are here"),
    "skip": ("跳到正文", "Skip to the content"),
    "menu": ("菜单", "Menu"),
    "main_nav": ("主导航", "Main navigation"),
    "assets_of": ("{name}的资产", "Assets of {name}"),
    "summary_of": ("{name}汇总", "Summary of {name}"),
    "above_township": ("(县级资产)", "(county-level assets)"),
    "above_village": ("(县乡级资产)", "(county and township assets)"),
    "above_county": ("", ""),
    "drill_down": ("下级汇总", "Break down"),
    "open_assets": ("资产清单", "Asset list"),
    "assets_file": ("资产清单", "assets"),
    "governance_file": ("闲置低效资产", "idle-and-loss-making"),
    "role_finance": ("县财政局", "County finance bureau"),
    "role_village-accountant": ("村会计", "Village accountant"),
    "role_inventory": ("清查组", "Inventory team"),
    "role_auditor": ("审计", "Auditor"),
    "duties": ("管护职责", "Duties"),
    "yuan": ("元", "yuan"),
    "choose_register": ("请选择台账文件（XLSX 或 CSV）", "choose a register file (XLSX or CSV)"),
    "register_kind": ("台账文件应为 XLSX 或 CSV", "a register is an XLSX or CSV file"),
    "household_list": ("农户名册", "Households"),
    "entry_list": ("记账凭证", "Entries"),
    "entries_file": ("记账凭证", "entries"),
    "entry_no": ("分录号", "Entry"),
    "entry_kind": ("业务类型", "Kind"),
    "entry_state": ("冲销", "Reversal"),
    "reverses": ("冲销分录 #{id}", "reverses #{id}"),
    "distribution_list": ("分配记录", "Distributions"),
    "distributions_file": ("收益分配记录", "distributions"),
    "distribution_no": ("分配编号", "Distribution"),
    "period_col": ("期间", "Period"),
    "distributed_on": ("分配日期", "Distributed on"),
    "reversed_on": ("冲销日期", "Reversed on"),
    "reversal_reason": ("冲销原因", "Why reversed"),
    "state_standing": ("有效", "standing"),
    "state_reversed": ("已冲销", "reversed"),
    "households_file": ("农户名册", "households"),
    "head": ("户主", "Head"),
    "persons": ("人口", "Persons"),
    "household_category": ("类别", "Category"),
    "factors": ("因素", "Factors"),
    "joined_on": ("纳入日期", "Joined"),
    "left_on": ("退出日期", "Left"),
    "left_reason": ("退出原因", "Why left"),
    "state": ("状态", "State"),
    "state_current": ("在册", "on the roster"),
    "state_left": ("已退出", "left"),
    "bql_query": ("BQL 查询语句", "BQL query"),
    "sql_query": ("SQL 查询语句（金额列以分为单位的，结果按元显示）", "SQL query (fen columns are shown in yuan)"),
    "finding_marked_idle": ("登记为闲置", "marked idle"),
    "finding_no_revenue": ("长期无收益", "no revenue"),
    "finding_loss_making": ("亏损", "loss-making"),
    "finding_idle": ("闲置", "idle"),
    "finding_loss": ("亏损", "loss-making"),
    "decision_revitalise": ("盘活", "revitalise"),
    "decision_dispose": ("处置", "dispose"),
    "any_finding": ("全部问题", "any finding"),
    # error pages
    "method_not_allowed": ("不支持该操作方式", "Method not allowed"),
    "too_large": ("上传的文件过大", "The upload is too large"),
    "server_error": ("服务器内部错误", "Internal server error"),
    "not_found_page": ("没有这个页面：{path}", "There is no page {path}"),
    "not_found_thing": ("未找到{kind}：{what}", "{kind} not found: {what}"),
    "method_detail": ("此页面不接受该请求方式（{method}）", "This page does not take {method} requests"),
    "too_large_detail": ("上传的文件超过 64 MB", "The upload is over 64 MB"),
    "server_error_detail": (
        "处理请求时出错，未做任何修改；请稍后再试，或把发生时间告诉管理员",
        "Something went wrong; nothing was changed. Try again, or tell the administrator when it happened",
    ),
    "db_busy": ("数据库正忙，未做任何修改，请稍后再试", "The database is busy; nothing was changed, try again"),
    "db_error": ("数据库出错，未做任何修改", "A database error; nothing was changed"),
    "input_problems": ("{n} 处输入有误，未做任何修改", "{n} problem(s) in the input; nothing was changed"),
    "may_not_open": ("{name}（{role}）无权打开此页面：{path}", "{name} ({role}) may not open {path}"),
    "kind_asset": ("资产", "asset"),
    "kind_region": ("区划", "region"),
    "kind_entity": ("核算主体", "entity"),
    "kind_inventory": ("清查", "inventory"),
    "kind_user": ("用户", "user"),
    "kind_contract": ("合同", "contract"),
    "kind_document": ("档案", "document"),
}

# Asset fields by their register column or catalogue code, labelled by the one catalogue (domain/register_fields.py).
REGISTER_FIELDS: dict[str, RegisterField] = {}
for _f in register_fields.FIELDS:
    for _key in (_f.code, _f.column):
        if _key:
            REGISTER_FIELDS.setdefault(_key, _f)
FIELDS_CN = {key: f.zh for key, f in REGISTER_FIELDS.items()}


def field(key: str, lang: str) -> str:
    found = REGISTER_FIELDS.get(key)
    if found is None:
        return key if lang == "zh" else key.replace("_", " ")
    return found.zh if lang == "zh" else found.en


def translate(key: str, lang: str, **values: object) -> str:
    pair = WORDS.get(key)
    text = key if pair is None else pair[0 if lang == "zh" else 1]
    return text.format(**values) if values else text


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def one_side(text: str, lang: str) -> str:
    """Of a service's note written "中文 english" (the Chinese, then the same in English), the side in `lang`;
    a note not written so is returned as it is."""
    last = max((m.end() for m in _CJK.finditer(text)), default=0)
    while last < len(text) and text[last] in ")）":
        last += 1
    tail = text[last:].strip()
    if not last or len(tail.split()) < 2 or not re.match(r"[A-Za-z(]", tail):
        return text
    return text[:last].strip() if lang == "zh" else tail


from assetledger.web.daily_words import DAILY_WORDS  # noqa: E402  (the daily pages' words, kept apart)

WORDS.update(DAILY_WORDS)
