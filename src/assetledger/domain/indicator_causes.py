"""Why an indicator cannot be computed for a unit (a Measure without a value): a typed cause, never free text. Pure.

The indicator engine (services/indicators.py and the computations beside it) gives one; each reader renders it:
award_reasons.text in Chinese with English beside it (the CLI, the exports, the books' metadata), `pick` in the
reader's language (the awards page). Its value is its English, so a JSON or CSV export says what it always said.
"""

from __future__ import annotations

from enum import StrEnum


class Cause(StrEnum):
    NO_ASSET_VALUE = "no asset value at year end"
    NONE_HANDED_OVER = "no public-benefit or operating asset handed over by year end"
    NO_OPERATING_VALUE = "no operating assets (or none with a value) in the year"
    NO_OPERATING_ASSETS = "no operating assets in the year"
    NO_ASSET_INCOME = "no asset income booked in village books in the year"
    NO_PROCEEDS = "no restricted disposal proceeds received by year end"
    NONE_FLAGGED = "no idle or loss-making asset found"
    NONE_SELECTED = "no assets selected for the inventory"
    NO_INVENTORY = "no inventory of the year covers the unit"
    NO_OPERATING_ASSET = "no operating asset at year end"
    NO_RENT_DUE = "no contract rent fell due in the year"
    NO_CUSTODY_VALUE = "no public-benefit or operating asset value at year end"
    NO_CASE = "no rectification case opened by year end"
    NOT_COMPUTED = "not computed"

    @property
    def en(self) -> str:
        return self.value

    @property
    def zh(self) -> str:
        return ZH[self]

    def pick(self, lang: str) -> str:
        """The cause in the reader's language (Chinese, else English)."""
        return self.zh if lang == "zh" else self.en


ZH: dict[Cause, str] = {
    Cause.NO_ASSET_VALUE: "年末无资产价值",
    Cause.NONE_HANDED_OVER: "年末无已移交的公益性或经营性资产",
    Cause.NO_OPERATING_VALUE: "本年无经营性资产（或均无价值）",
    Cause.NO_OPERATING_ASSETS: "本年无经营性资产",
    Cause.NO_ASSET_INCOME: "本年村账无资产收益",
    Cause.NO_PROCEEDS: "年末未收到限定用途的处置收入",
    Cause.NONE_FLAGGED: "未发现闲置或亏损资产",
    Cause.NONE_SELECTED: "清查未选取资产",
    Cause.NO_INVENTORY: "本年清查未覆盖该单位",
    Cause.NO_OPERATING_ASSET: "年末无经营性资产",
    Cause.NO_RENT_DUE: "本年无到期合同租金",
    Cause.NO_CUSTODY_VALUE: "年末无公益性或经营性资产价值",
    Cause.NO_CASE: "年末无整改事项",
    Cause.NOT_COMPUTED: "未计算",
}
assert set(ZH) == set(Cause), "every cause has its Chinese"
