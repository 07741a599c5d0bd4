"""The words of the daily pages (books, count sheets, stored award policies, Fava) in Chinese and English, merged
into web/i18n.py's table. Pure."""

from __future__ import annotations

# key: (Chinese, English)
DAILY_WORDS: dict[str, tuple[str, str]] = {
    "books": ("账簿", "Books"),
    "all_years": ("全部年度", "all years"),
    "no_books": ("本人范围内没有账簿", "No books within your scope"),
    "entries": ("记账分录", "Entries"),
    "entries_page": ("第 {page} / {pages} 页，共 {total} 笔分录", "page {page} of {pages}, {total} entries"),
    "asset": ("资产", "Asset"),
    "reversed_by": ("已由第 {id} 号冲销", "reversed by {id}"),
    "reverse": ("冲销", "Reverse"),
    "books_prev": ("上一页", "Previous page"),
    "books_next": ("下一页", "Next page"),
    "reverse_entry": ("冲销分录", "Reverse an entry"),
    "reverse_help": (
        "记错的收入、支出分录用冲销更正：记一笔方向相反的分录并写明原因，原分录保留；收益分配、资产登记等由各自的业务冲销。",
        "A wrong revenue or expense entry is corrected by a reversal: an opposite entry with the reason; the "
        "original stays. Distributions, registrations and the like are corrected where they are kept.",
    ),
    "reverse_reason": ("冲销原因", "Reason"),
    "reversed_ok": ("第 {id} 号分录已冲销（冲销分录第 {by} 号）", "Entry {id} reversed (by entry {by})"),
    "reverse_bad_id": ("分录号应为数字：{value}", "An entry number is a whole number: {value}"),
    "reverse_needs_reason": ("请写明冲销原因", "Give the reason of the reversal"),
    "reverse_refused": ("未冲销：{why}", "Not reversed: {why}"),
    "reverse_no_entry": ("没有第 {id} 号分录", "There is no entry {id}"),
    "reverse_not_permitted": (
        "第 {id} 号分录不在本人范围内，不能冲销",
        "Entry {id} is outside your scope; it may not be reversed",
    ),
    "by_asset": ("各资产收支", "Revenue and costs by asset"),
    "balances": ("科目余额", "Account balances"),
    "account": ("科目", "Account"),
    "balance": ("余额(元)", "Balance (yuan)"),
    "count_sheets": ("清查表", "Count sheets"),
    "sheets_download": ("下载清查表", "Download the count sheets"),
    "sheets_help": (
        "每村一张 XLSX 表；在黄色列填写结果（在用/盘亏/毁损/闲置）、状况、备注、清查人和清查日期后上传。"
        "未填结果的行跳过；同一资产再次上传以后一次为准。",
        "One XLSX sheet per village; fill the yellow columns (result: 在用/盘亏/毁损/闲置, condition, note, "
        "counted by, date) and upload it. Rows without a result are skipped; a later upload of an asset "
        "supersedes the earlier count.",
    ),
    "sheets_all": ("全部清查表", "All count sheets"),
    "sheets_upload": ("上传填好的清查表", "Upload a filled count sheet"),
    "sheets_file": ("清查表文件(XLSX/CSV)", "Sheet (XLSX/CSV)"),
    "sheets_record": ("上传并记录", "Upload and record"),
    "sheet_recorded": (
        "{name}：已记录 {n} 项资产的清查结果，盘盈 {surpluses} 项；其中 {superseded} 项替代此前的结果",
        "{name}: recorded {n} counts and {surpluses} surpluses; {superseded} supersede earlier counts",
    ),
    "sheet_already": ("{name} 此前已上传记录，未重复写入", "{name} was recorded before; nothing written again"),
    "sheets_progress": ("查看清查进度", "Inventory progress"),
    "award_policies": ("奖励办法", "Award policies"),
    "award_policies_help": (
        "绩效奖励按这里保存的办法计算。每次修改保存为新版本（记录修改人和时间），旧版本保留可查；撤销也是一个新版本。",
        "Awards are computed by the policies stored here. Each change is stored as a new version (with who and "
        "when); earlier versions stay readable; a withdrawal is a version too.",
    ),
    "policy_override": (
        "本次服务启动时用 --awards-policy 指定了办法文件（{files}），绩效奖励页按这些文件计算，而非此处保存的办法。",
        "This server was started with --awards-policy ({files}): the awards page uses those files, not the "
        "policies stored here.",
    ),
    "policy_stored": ("已保存奖励办法 {name} 第 {version} 版", "Stored policy {name}, version {version}"),
    "policy_unchanged": (
        "奖励办法 {name} 与现行第 {version} 版相同，未保存新版本",
        "Policy {name} is the same as version {version} in force; no new version stored",
    ),
    "policy_withdrawn": ("已撤销奖励办法 {name}（第 {version} 版）", "Withdrew policy {name} (version {version})"),
    "policies_in_force": ("现行办法", "Policies in force"),
    "no_policies": ("尚未保存奖励办法", "No award policy stored yet"),
    "policy_code": ("办法代码", "Code"),
    "policy_version": ("版本", "Version"),
    "policy_withdraw": ("撤销", "Withdraw"),
    "policy_store": ("设置奖励办法", "Set an award policy"),
    "policy_examples": ("可从示例开始修改：", "Start from an example:"),
    "policy_text": ("办法文本(TOML)", "Policy text (TOML)"),
    "policy_file": ("或选择文件(.toml)", "or a file (.toml)"),
    "policy_note": ("修改说明", "Note"),
    "policy_save": ("校验并保存为新版本", "Check and store as a new version"),
    "policy_history": ("版本记录", "Version history"),
    "policy_was_withdrawn": ("撤销", "withdrawn"),
    "awards_no_policy": (
        "尚未设置奖励办法，无法评价和计算奖励。请财政局在“奖励办法”页保存本级的办法（可从示例开始修改），保存后此页按办法计算。",
        "No award policy is set, so nothing is evaluated. The finance bureau stores its policy on the Award "
        "policies page (an example may be the start); this page then computes by it.",
    ),
    "awards_no_policy_reader": (
        "奖励办法由财政局设置。",
        "The finance bureau sets the award policies.",
    ),
    "fava_not_installed": (
        "本服务器未安装 Fava（可选组件）。请服务器管理员在本程序的环境中安装后重启服务：",
        "Fava (an optional extra) is not installed on this server. The administrator installs it in this "
        "program's environment and restarts the server:",
    ),
    "fava_read_only": (
        "此处的 Fava 只读：编辑器、导入和文件下载不开放。账簿的更正请在本系统中记账或冲销。",
        "Fava here is read-only: the editor, import and file downloads are not open. Correct the books by "
        "posting or reversing in this system.",
    ),
    "fava_back": ("返回 Fava", "Back to Fava"),
    "policy_inherited": (
        "本级尚未保存办法，现行办法来自上级（{scope}）；在此保存的办法只适用于本级。",
        "Your bureau has stored no policy: those in force come from above ({scope}); a policy stored here applies "
        "to your scope only.",
    ),
    "all_regions": ("全部地区", "all regions"),
}
