"""Find figures (money, power, counts, percentages) in English and Chinese text and compare them with a claim's."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from matchers.text import has_cjk
from seeds.registry import Quantity

Comparison = Literal["same", "different", "incomparable"]

DEFAULT_TOLERANCE = 0.1  # relative: 10 GW vs 10.5 GW is the same figure, 10 vs 12 is not
APPROX_TOLERANCE = 0.2  # for claims marked approx ("about", "up to", "roughly")


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure found in text, normalised to a canonical unit (USD, EUR, GBP, CNY, GW, %, x, years, count or '')."""

    value: float
    unit: str
    text: str
    start: int
    end: int
    high: float | None = None  # upper bound of a range such as "5-7 GW"
    per: str | None = None  # year | quarter | month
    role: str = ""  # "before": old value or expectation ("from X to Y", "short of X"); "aside": a share price…; "if": a premise; "part": a tranche

    @property
    def upper(self) -> float:
        """The top of the figure's range (the value itself for a single figure)."""
        return self.value if self.high is None else self.high


_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "half a": 0.5, "half": 0.5, "a half": 0.5, "a quarter of a": 0.25,
}
_FRACTIONS = {"a fifth": 20.0, "one fifth": 20.0, "a quarter": 25.0, "a third": 100 / 3, "one third": 100 / 3,
              "half": 50.0, "two thirds": 200 / 3, "three quarters": 75.0, "a tenth": 10.0, "one tenth": 10.0}
_SCALES = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "million": 1e6, "millions": 1e6,
    "b": 1e9, "bn": 1e9, "bln": 1e9, "billion": 1e9, "billions": 1e9, "t": 1e12, "tn": 1e12, "trillion": 1e12,
}
_ZH_SCALES = {"万亿": 1e12, "兆": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "亿": 1e8, "千万": 1e7,
              "百万": 1e6, "万": 1e4, "千": 1e3}
_POWER = {"gw": 1.0, "gigawatt": 1.0, "gigawatts": 1.0, "mw": 1e-3, "megawatt": 1e-3, "megawatts": 1e-3,
          "tw": 1e3, "terawatt": 1e3, "terawatts": 1e3, "吉瓦": 1.0, "千兆瓦": 1.0, "兆瓦": 1e-3, "太瓦": 1e3,
          "gwh": 1.0}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORDNUM = r"half an?|a half|a quarter of an?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred"
_SCALE = r"thousand|millions?|billions?|trillion|mln|bln|mn|bn|tn"  # single letters only when glued: "100k", not "10-k"
_HARDWARE_NOUNS = r"gpus?|chips?|accelerators?|processors?|servers?"
_COUNT_NOUNS = (rf"{_HARDWARE_NOUNS}|(?:weekly |monthly |daily )?(?:active )?users?|people|"
                r"customers?|subscribers?|employees?|workers?|jobs?|units?|visas?|petitions?|applications?")
_EN = re.compile(
    rf"(?P<cur>us\$|\$|usd ?|€|£)?(?<![a-z0-9.,\-])(?P<num>{_NUM}|\b(?:{_WORDNUM})\b)"
    rf"(?:\s?(?:-|to|and)\s?(?:us\$|\$)?(?P<num2>{_NUM})(?![\d,.]?\d))?"
    rf"(?:(?P<scale>(?<=\d)(?:k|m|b|t|bn|mn|tn)\b|\s?-?(?:{_SCALE})\b))?"
    rf"(?:[\s-]?(?P<unit>%|percent\b|per cent\b|pct\b|-?fold\b|x\b|(?:us )?dollars?\b|usd\b|yuan\b|rmb\b|euros?\b|gigawatts?\b|gw\b|"
    rf"megawatts?\b|mw\b|terawatts?\b|tw\b|years?\b|(?:[a-z]{{1,3}}\d{{2,4}}[a-z]? )?(?:{_COUNT_NOUNS})\b|美元))?",
)
# "550,000 Nvidia GB200 and GB300 chips": a number written with thousands separators counts the hardware named a
# few words on (a bare "2026" or "5090" stays a year or a model name).
_COUNT_AFTER_NAMES = re.compile(rf"\s(?:[a-z0-9-]+\s){{1,4}}(?:{_HARDWARE_NOUNS})\b")
_PERCENT_RANGE = re.compile(rf"(?<![a-z0-9.,\-])(?P<num>{_NUM})\s?%\s?(?:-|to|至|到)\s?(?P<num2>{_NUM})\s?%")
_FRACTION = re.compile(r"\b(?P<frac>a fifth|one fifth|a quarter|a third|one third|two thirds|three quarters|a tenth|one tenth)\b(?! of an? (?:million|billion|trillion|century))")
_ZH_NUM = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+"
_ZH = re.compile(
    rf"(?P<zcur>美元)?(?<![a-z0-9.,\-])(?P<num>{_ZH_NUM})(?:\s?(?:-|至|到|~)\s?(?P<num2>{_ZH_NUM}))?\s?(?P<zscale>万亿|千亿|百亿|十亿|亿|千万|百万|万|兆(?!瓦)|千(?!兆瓦))?\s?"
    r"(?P<zunit>美元|美金|欧元|英镑|元|吉瓦|千兆瓦|兆瓦|太瓦|gw|%|倍|年|块|颗|个|名|位|用户|人)?"
)
_ZH_PERCENT = re.compile(r"百分之(?P<num>[\d.]+|[零〇一二两三四五六七八九十百]+)")
# Tenths in Chinese: 两成 is 20%, 六成四 is 64%, 九成 is 90% (not 成本, 完成 or 成为: a numeral must come first).
_ZH_TENTHS = re.compile(r"(?<![\d一二三四五六七八九十两])(?P<tens>[一二三四五六七八九两]|\d)成(?P<ones>[一二三四五六七八九](?![成倍]))?")
# "四分之一" (a quarter), "三分之二" (two thirds), "十分之一" (a tenth).
_ZH_FRACTION = re.compile(r"(?P<den>[二三四五六七八九十两]|\d+)分之(?P<num>[一二三四五六七八九]|\d+)")
_ZH_DIGIT_VALUES = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# "不足1%", "不到一成", "less than 1%": a ceiling, so the figure runs from zero up to it.
_CEILING_BEFORE = re.compile(r"(?:不足|不到|少于|\bless than|\bfewer than)\s?(?:约|about )?$")
_ZERO = re.compile(r"(?:\bto|\bat|\bis|\bnow|\bdown to|降至|降到|归|为|到)\s?(?P<zero>zero\b|nil\b|nothing\b|零)")
_ZERO_WORDS = ("zero", "nil", "nothing", "零")  # one of them is in every match of _ZERO
_FRACTION_WORDS = ("fifth", "quarter", "third", "tenth")  # ... and of _FRACTION

_PER_YEAR = re.compile(r"^\s?(?:a|per|each|every|/)\s?(?:year|yr|annum)\b|^\s?(?:annually|yearly|annual)\b|^\s?(?:每年|/年|一年)")
_PER_QUARTER = re.compile(r"^\s?(?:a|per|each|every|/)\s?quarter\b|^\s?quarterly\b|^\s?(?:每季度|一季度)")
_PER_BEFORE_YEAR = re.compile(r"(?:annual|yearly|annually|per year|a year|每年|年度)\s?(?:\w+\s?){0,4}$")
_BEFORE_ROLE = re.compile(
    r"(?:(?:\bfrom|\binstead of|\brather than|\boriginally|\bpreviously|\bprior|\bnot|(?<!more )(?<!less )(?<!fewer )\bthan|"
    r"\b(?:more|less|fewer) than (?=the |its |a |an )|\bonce (?:\w+ ){0,2}|\bnothing like|\bnowhere near|"
    r"\b(?:far|well) (?:below|short of|from)|\breplac(?:e|es|ed|ing)|\bsupersed(?:e|es|ed|ing)|"
    r"\bshort of|\bbelow|\bunder|\bdown from|\bcompared with|\bversus|\bvs\.?)"
    r"\s?(?:the |a |an |its )?(?:about |around |roughly |nearly |almost |some |earlier |original |planned |reported |up[ -]to[ -])?"
    r"|\b(?:below|above|short of|ahead of|beat(?:ing)?|miss(?:ed|ing)?|top(?:ped|ping)?|versus|vs\.?|than|against) "
    r"(?:[\w']+ ){0,2}(?:estimates?|expectations?|consensus|forecasts?|projections?) (?:of|for) (?:about |around )?"
    r"|(?:从|由)(?:(?!降至|升至|增至|跌至|到|至|为)[^，。,、；]){0,12}"
    r"|(?:原先|原本|原计划|此前|低于|不及|而非|取代|替代|代替|较|高于|远高于|(?<![同环占相])比|相比)[^，。,、；]{0,12})$"
)
# Every match of _BEFORE_ROLE holds one of these. The pattern ends at "$" and tries each of the window's 45
# positions (about 40 us a figure); most windows hold none of them and are skipped by plain substring tests.
# Add a word here when adding an alternative above (tests/test_matchers_quantities.py checks the labelled sets).
_BEFORE_ROLE_WORDS = ("from", "instead of", "rather than", "originally", "previously", "prior", "not", "than", "once",
                     "nowhere near", "replac", "supersed", "short of", "below", "under", "compared with", "versus",
                     "vs", "estimate", "expectation", "consensus", "forecast", "projection",
                     "从", "由", "原", "此前", "低于", "不及", "而非", "取代", "替代", "代替", "较", "高于", "比")
# "short of $45 billion projections", "the $400 billion figure floated": a figure named as the expectation the news
# is measured against, not as the news itself.
_REFERENCE_AFTER = re.compile(
    r"^\s?(?:-?a-year |a year |per year |annual )?(?:forecasts?|projections?|estimates?|predictions?|expectations?|"
    r"targets?|figure|goal|pledge|promise|plan)\b|^\s?(?:的)?(?:预期|预测|目标)"
)
# "if OpenAI fills all 10 gigawatts", "若10吉瓦全部采用…": a figure inside a condition is a premise, not news.
_CONDITION = re.compile(r"(?:\bif\b|\bunless\b|\bwere\b|若|如果|假如|倘若)[^,;:，；。]{0,24}$")
_ASIDE_AFTER = re.compile(r"^\s?(?:a|per) share\b|^\s?(?:market )?valuation\b|^\s?market (?:cap|value)")
# "the first $10 billion tranche", "首期100亿美元": one instalment of the claimed amount, paid as the deal proceeds.
_PART_BEFORE = re.compile(r"(?:\b(?:first|second|third|fourth|fifth|another|next|latest)|\b(?:tranche|instal?lment) of|"
                          r"\bstart(?:s|ing)? with|首笔|首期|第[一二三四五六七八九十\d]+[笔期批])\s?(?:about |around |nearly |almost |约)?$")
_PART_AFTER = re.compile(r"^\s?(?:first )?(?:tranche|instal?lment)")
_ASIDE_BEFORE = re.compile(
    r"(?:valued at|valuation of|valuation|market (?:cap|capitalisation|capitalization|value) of|worth|price of|"
    r"shares? (?:rose|fell|jumped|dropped|gained|lost|climbed|slid|slipped|surged|sank|tumbled|rallied|were up|were down|up|down)(?: by)?|"
    r"stock (?:rose|fell|jumped|dropped|gained|lost|climbed|slid|up|down)(?: by)?|估值|市值|股价)\s?(?:about |around |nearly |almost |约)?$"
)


# A euro, pound or yuan amount is never the same figure as a dollar claim's: "€50 billion" is the EU's Chips Act.
_CURRENCIES = {"us$": "USD", "$": "USD", "usd": "USD", "€": "EUR", "£": "GBP", "元": "CNY", "欧元": "EUR", "英镑": "GBP"}


def _parse_number(raw: str) -> float | None:
    raw = raw.strip()
    if raw in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[raw])
    if raw[0].isdigit():
        try:
            return float(raw.replace(",", ""))
        except ValueError:
            return None
    return _parse_chinese_numeral(raw)


def _parse_chinese_numeral(raw: str) -> float | None:
    """Parse 一千, 十, 二十五, 五 … (the numerals news headlines use below 万)."""
    total, digit = 0, None
    for char in raw:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif char in _ZH_UNITS:
            total += (1 if digit is None else digit) * _ZH_UNITS[char]
            digit = None
        else:
            return None
    return float(total + (digit or 0))


def _en_unit(unit: str) -> tuple[str, float]:
    unit = unit.strip().lstrip("-")
    if unit in {"%", "percent", "per cent", "pct"}:
        return "%", 1.0
    if unit in {"fold", "x"}:
        return "x", 1.0
    if unit.endswith(("dollar", "dollars")) or unit in {"usd", "美元"}:
        return "USD", 1.0
    if unit in {"yuan", "rmb"}:
        return "CNY", 1.0
    if unit in {"euro", "euros"}:
        return "EUR", 1.0
    if unit in _POWER:
        return "GW", _POWER[unit]
    if unit in {"year", "years"}:
        return "years", 1.0
    if unit:
        return "count", 1.0
    return "", 1.0


def _per(text: str, start: int, end: int) -> str | None:
    after = text[end : end + 30]
    if _PER_YEAR.search(after):
        return "year"
    if _PER_QUARTER.search(after):
        return "quarter"
    if _PER_BEFORE_YEAR.search(text[max(0, start - 40) : start]):
        return "year"
    return None


# "the pact could be worth $450 billion", "a contract worth $300 billion": what a deal or business is worth is its
# size, often the very figure a claim states, not a company's valuation.
_DEAL_WORTH = re.compile(r"\b(?:deal|pact|contract|agreement|order|partnership|investment|business|plan|build\w*|"
                         r"arrangement|commitment)s?\b[^,;.]{0,30}\bworth\s?(?:about |around |nearly |almost |约)?$")


def _role(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 45) : start]
    if (_ASIDE_BEFORE.search(before) and not _DEAL_WORTH.search(before)) or _ASIDE_AFTER.search(text[end : end + 25]):
        return "aside"
    if _PART_BEFORE.search(before) or _PART_AFTER.search(text[end : end + 25]):
        return "part"
    if (any(word in before for word in _BEFORE_ROLE_WORDS) and _BEFORE_ROLE.search(before)) \
            or _REFERENCE_AFTER.search(text[end : end + 25]):
        return "before"
    if _CONDITION.search(text[max(0, start - 24) : start]):
        return "if"
    return ""


def extract_figures(text: str) -> list[Figure]:
    """All figures in normalised text (see `matchers.text.normalise`); bare numbers such as dates are skipped."""
    figures: list[Figure] = []
    taken: list[tuple[int, int]] = []

    def add(value: float, unit: str, start: int, end: int, high: float | None = None) -> None:
        if any(start < t_end and end > t_start for t_start, t_end in taken):
            return
        taken.append((start, end))
        figures.append(Figure(value, unit, text[start:end].strip(), start, end, high,
                              _per(text, start, end), _role(text, start, end)))

    # The cheap literal tests skip regexes that scan every position of text that cannot hold their words.
    for match in _PERCENT_RANGE.finditer(text) if "%" in text else ():
        add(float(match["num"].replace(",", "")), "%", match.start(), match.end(), float(match["num2"].replace(",", "")))
    for match in _FRACTION.finditer(text) if any(word in text for word in _FRACTION_WORDS) else ():
        add(_FRACTIONS[match["frac"]], "%", match.start(), match.end())
    for match in _EN.finditer(text):
        cur, scale_raw, unit_raw = match["cur"], (match["scale"] or "").strip(" -"), match["unit"] or ""
        if not (cur or scale_raw or unit_raw):
            counted = _COUNT_AFTER_NAMES.match(text, match.end()) if "," in match["num"] and not match["num2"] else None
            if counted is not None:
                add(float(match["num"].replace(",", "")), "count", match.start(), counted.end())
            continue  # a bare number: a date, a page, a model name
        num = match["num"]
        if not num[0].isdigit() and not scale_raw and unit_raw.strip() not in {"years", "year", "gigawatts", "gigawatt"}:
            if not unit_raw or _en_unit(unit_raw)[0] in {"count", "%", ""}:
                continue  # "a user", "one percent of": number words only count with a scale or unit
        value = _parse_number(num)
        if value is None:
            continue
        scale = _SCALES.get(scale_raw, 1.0)
        unit, factor = _en_unit(unit_raw)
        if cur:
            unit, factor = _CURRENCIES.get(cur.strip(), "USD"), 1.0
        if unit == "years" and (value >= 100 or value != int(value) or num in {"a", "an"}):
            continue  # "2025 years" is not a duration we track
        if unit == "x" and not scale_raw and unit_raw.strip() == "x" and not num[0].isdigit():
            continue
        high = _parse_number(match["num2"]) if match["num2"] else None
        end = match.end() if match["unit"] or match["scale"] else match.end("num2") if match["num2"] else match.end("num")
        add(value * scale * factor, unit, match.start(), end, None if high is None else high * scale * factor)
    if has_cjk(text):  # the Chinese notations; English ones were all read above
        for match in _ZH.finditer(text):
            zscale, zunit = match["zscale"], match["zunit"]
            if not (zscale or zunit or match["zcur"]):
                continue
            value = _parse_number(match["num"])
            if value is None:
                continue
            if zunit == "年" or (zunit is None and zscale is None):
                if zunit == "年" and value < 100 and zscale is None:
                    unit, factor = "years", 1.0
                else:
                    continue
            elif zunit in {"美元", "美金"} or match["zcur"]:
                unit, factor = "USD", 1.0
            elif zunit in {"元", "欧元", "英镑"}:
                unit, factor = _CURRENCIES[zunit], 1.0  # "1000亿元" is yuan: another amount than $100 billion
            elif zunit in _POWER or zunit == "gw":
                unit, factor = "GW", _POWER.get(zunit, 1.0)
            elif zunit == "%":
                unit, factor = "%", 1.0
            elif zunit == "倍":
                unit, factor = "x", 1.0
            elif zunit:
                unit, factor = "count", 1.0
            else:
                unit, factor = "", 1.0
            scale = _ZH_SCALES.get(zscale or "", 1.0)
            high = _parse_number(match["num2"]) if match["num2"] else None
            add(value * scale * factor, unit, match.start(), match.end(), None if high is None else high * scale * factor)
        for match in _ZH_PERCENT.finditer(text):
            value = _parse_number(match["num"])
            if value is not None:
                add(value, "%", match.start(), match.end())
        for match in _ZH_FRACTION.finditer(text):
            denominator, numerator = _parse_number(match["den"]), _parse_number(match["num"])
            if denominator and numerator is not None and numerator < denominator:
                add(100.0 * numerator / denominator, "%", match.start(), match.end())
        for match in _ZH_TENTHS.finditer(text):
            tens, ones = match["tens"], match["ones"]
            add(10.0 * (int(tens) if tens.isdigit() else _ZH_DIGIT_VALUES[tens]) + (_ZH_DIGIT_VALUES[ones] if ones else 0),
                "%", match.start(), match.end())
    for match in _ZERO.finditer(text) if any(word in text for word in _ZERO_WORDS) else ():
        add(0.0, "", match.start("zero"), match.end("zero"))
    figures.sort(key=lambda figure: figure.start)
    figures = [replace(figure, value=0.0, high=figure.value)
               if figure.high is None and figure.unit == "%" and _CEILING_BEFORE.search(text[max(0, figure.start - 12):figure.start])
               else figure for figure in figures]
    return _ranges_share_roles(text, figures)


_RANGE_JOIN = re.compile(r"^\s?(?:to|-|–|and|或|至|到)\s?$")


def _ranges_share_roles(text: str, figures: list[Figure]) -> list[Figure]:
    """The upper end of a written-out range keeps the role of its lower end: "under the $35 billion to $40 billion"."""
    for index in range(1, len(figures)):
        low, high = figures[index - 1], figures[index]
        if low.role and low.role != high.role and low.unit == high.unit and _RANGE_JOIN.match(text[low.end : high.start]):
            figures[index] = replace(high, role=low.role)
    return figures


def canonical_unit(unit: str) -> tuple[str, float]:
    """Map a claim's unit (USD, GW, MW, %, x, years, GPUs, users…) to the extractor's unit and a value factor."""
    lowered = unit.strip().lower()
    if lowered in {"usd", "$", "dollars", "us$"}:
        return "USD", 1.0
    if lowered in {"%", "percent", "pct"}:
        return "%", 1.0
    if lowered in {"x", "fold", "times"}:
        return "x", 1.0
    if lowered in {"year", "years"}:
        return "years", 1.0
    if lowered in _POWER:
        return "GW", _POWER[lowered]
    return "count", 1.0


def compare(figure: Figure, quantity: Quantity) -> Comparison:
    """Whether a figure states the claim's quantity, a clearly different one, or cannot be compared with it."""
    unit, factor = canonical_unit(quantity.unit)
    target = quantity.value * factor
    if figure.unit not in {unit, ""}:
        return "incomparable"
    low, high = figure.value, figure.upper
    if figure.per == "quarter" and quantity.per == "year":
        low, high = low * 4, high * 4
    elif figure.per == "year" and quantity.per == "quarter":
        low, high = low / 4, high / 4
    tolerance = quantity.tolerance if quantity.tolerance is not None else (
        APPROX_TOLERANCE if quantity.approx else DEFAULT_TOLERANCE)
    if target == 0:
        same = high <= (1.0 if unit == "%" else 0.5)  # "effectively zero": under one per cent of a market
    elif unit == "%" and 0 < target < 100:
        # A share is as far from 100% as from 0: "about 75%" is 75 ± 5 points (a fifth of the 25 points left),
        # not 75 ± 15, which would let a margin that sank to 64% state it.
        band = tolerance * min(target, 100 - target)
        same = low <= target + band and high >= target - band
    else:
        same = low <= target * (1 + tolerance) and high >= target * (1 - tolerance)
    if same:
        return "same"
    # A unitless number ("100k") can support a figure but is too vague to contradict it.
    return "different" if figure.unit else "incomparable"
