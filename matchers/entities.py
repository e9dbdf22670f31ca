"""Recognise the organisations claims are about, under their English and Chinese names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from matchers.text import LiteralIndex, normalise

# Canonical name -> the ways news writes it (matched on normalised text: lower case, simplified Chinese).
ENTITY_ALIASES: dict[str, tuple[str, ...]] = {
    "NVIDIA": ("nvidia", "nvda", "英伟达", "辉达", "黄仁勋", "jensen huang"),
    "OpenAI": ("openai", "chatgpt", "sam altman", "奥特曼", "阿尔特曼"),
    "Oracle": ("oracle", "oci", "甲骨文"),
    "Microsoft": ("microsoft", "msft", "azure", "微软"),
    "Alphabet": ("alphabet", "google", "谷歌", "googl"),
    "Amazon": ("amazon", "aws", "亚马逊"),
    "Meta": ("meta platforms", "meta", "facebook", "脸书"),
    "CoreWeave": ("coreweave",),
    "xAI": ("xai", "grok", "elon musk's ai", "colossus"),
    "Broadcom": ("broadcom", "avgo", "博通"),
    "AMD": ("amd", "advanced micro devices", "超威"),
    "Anthropic": ("anthropic", "claude"),
    "Groq": ("groq",),
    "SoftBank": ("softbank", "软银"),
    "Intel": ("intel", "英特尔"),
    "TSMC": ("tsmc", "台积电"),
    "Huawei": ("huawei", "华为"),
    "Tesla": ("tesla", "特斯拉"),
    "Alibaba": ("alibaba", "阿里巴巴", "阿里云", "阿里", "qwen", "通义千问"),
    "ByteDance": ("bytedance", "字节跳动", "tiktok"),
    "DeepSeek": ("deepseek", "深度求索"),
    "GitHub": ("github",),
}

# Products that only one company sells: "GB200 NVL72 serves models 30 times faster than H100" is about NVIDIA even
# where the story never names it. They find the company in text, but a claim keyword such as "H20" stays a subject
# term of its claim (only names in ENTITY_ALIASES make a keyword a company name).
PRODUCT_ALIASES: dict[str, tuple[str, ...]] = {
    "NVIDIA": ("blackwell", "hopper", "gb200", "gb300", "h100", "h200", "h20", "b200", "b300", "rtx pro 6000d",
               "vera rubin", "rubin ultra", "rubin cpx", "nvlink", "cuda", "spectrum-x", "dgx"),
    "Alphabet": ("tpu", "tpus", "tpu7", "ironwood", "gemini"),
    "AMD": ("mi300x", "mi325x", "mi350", "mi355x", "mi400", "mi450", "instinct"),
}

_BOUNDED = r"(?<![a-z0-9]){}(?![a-z0-9])"

# Federal Register agency slugs (as claims' `watch.federal_register.agencies` name them) -> how news and the rules
# themselves name the agency. A policy claim's actor is the agency: its rule need not name the companies it binds.
AGENCY_ALIASES: dict[str, tuple[str, ...]] = {
    "industry-and-security-bureau": ("bureau of industry and security", "bis", "commerce department",
                                     "department of commerce", "u.s. commerce", "us commerce", "工业与安全局", "美国商务部"),
    "commerce-department": ("commerce department", "department of commerce", "美国商务部"),
    "u-s-citizenship-and-immigration-services": ("uscis", "citizenship and immigration services", "美国移民局"),
    "homeland-security-department": ("department of homeland security", "dhs", "美国国土安全部"),
    "executive-office-of-the-president": ("white house", "proclamation", "白宫"),
    "energy-department": ("department of energy", "energy department", "美国能源部"),
    "treasury-department": ("treasury department", "department of the treasury", "美国财政部"),
}


def _pattern(aliases: Iterable[str]) -> re.Pattern[str]:
    parts = sorted({normalise(alias) for alias in aliases}, key=len, reverse=True)
    # Chinese runs straight into Latin names ("英伟达RTX Pro 6000D"): only Latin aliases need word boundaries.
    return re.compile("|".join(_BOUNDED.format(re.escape(part)) if part.isascii() else re.escape(part) for part in parts))


_PATTERNS: dict[str, re.Pattern[str]] = {name: _pattern((name, *aliases, *PRODUCT_ALIASES.get(name, ())))
                                          for name, aliases in ENTITY_ALIASES.items()}


def agency_pattern(slugs: Iterable[str]) -> re.Pattern[str] | None:
    """The pattern that finds any of these Federal Register agencies by name, or None when none is known."""
    names = [alias for slug in slugs for alias in AGENCY_ALIASES.get(slug, ())]
    return _pattern(names) if names else None


@cache
def entity_pattern(name: str) -> re.Pattern[str]:
    """The pattern that finds an organisation by any of its names; unknown names match themselves."""
    known = _canonical(name)
    return _PATTERNS[known] if known else _pattern([name])


def _canonical(name: str) -> str | None:
    lowered = normalise(name)
    for canonical, aliases in ENTITY_ALIASES.items():
        if lowered == canonical.lower() or lowered in aliases:
            return canonical
    return None


def canonical_entity(name: str) -> str:
    """The canonical spelling of an organisation name ("Nvidia" -> "NVIDIA"); unknown names are kept as given."""
    return _canonical(name) or name


# The aliases `_PATTERNS` are made of, as whole-word literals: one pass of the automaton finds what they would.
_ANCHORS = LiteralIndex(((normalise(alias), name) for name, aliases in ENTITY_ALIASES.items()
                         for alias in {normalise(alias) for alias in (name, *aliases, *PRODUCT_ALIASES.get(name, ()))}),
                        whole_words=True)


def find_entities(text: str) -> frozenset[str]:
    """Canonical names of the known organisations that normalised text mentions."""
    return frozenset(_ANCHORS.found_in(text))


# Governments that impose or lift restrictions, as news names them acting (normalised text). Only the two whose chip
# restrictions claims are about: "US export controls bar NVIDIA…" and "Chinese authorities are barring NVIDIA…" read
# the same verbs ("lifts curbs", "bans") in opposite ways, so a cue counts for a restriction claim only when its
# government is the claim's, or unnamed.
GOVERNMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("us", "u.s.", "united states", "america", "washington", "white house", "trump", "biden",
           "commerce department", "department of commerce", "commerce secretary", "lutnick", "bureau of industry and security",
           "bis", "congress", "lawmakers", "美国", "美方", "华盛顿", "白宫", "特朗普", "拜登", "美国商务部", "美国国会"),
    # "Chinese" names the government only with it: "US charges two Chinese nationals with smuggling" is the US acting.
    "China": ("china", "beijing", "cyberspace administration", "cyberspace regulator", "mofcom",
              *(f"chinese {body}" for body in ("authorities", "regulators", "government", "officials", "customs",
                                               "commerce ministry", "ministry", "state", "cyberspace")),
              "中国", "中方", "北京", "网信办", "国家网信办", "海关", "海关总署", "工信部", "发改委", "市场监管总局"),
}
_GOVERNMENT_NAMES = {normalise(alias): name for name, aliases in GOVERNMENT_ALIASES.items() for alias in aliases}
_GOVERNMENTS = _pattern(_GOVERNMENT_NAMES)
# A government named after these is what a restriction is about or where it applies ("sell to China", "Nvidia's
# China sales", "under US rules", "对华出口", "重返中国市场"), not who acts.
_OBJECT_BEFORE = re.compile(
    r"(?:\b(?:to|in|into|from|for|with|on|against|of|toward|towards|under|at|by|about|over|than|between|and)"
    r"(?: the)?|'s) $")
_CLAUSE_START = re.compile(r"(?:^|[\s,.;:，。；：、“”‘’\"'(（])$")


def acting_government(sentence: str, position: int) -> str | None:
    """The government named as the actor of a verb at `position`: the last one before it that is not an object.

    "China lifts curbs on Nvidia chip purchases" -> "China"; "US lets Nvidia sell H200 chips to China" -> "US";
    "Nvidia's China sales resume" -> None. In Chinese the actor opens its clause ("海关通知…", "知情人士：美国商务部…");
    "重返中国市场" names China as a place.
    """
    actor = None
    for found in _GOVERNMENTS.finditer(sentence, 0, position):
        before = sentence[max(0, found.start() - 12):found.start()]
        if found.group().isascii():
            if _OBJECT_BEFORE.search(before):
                continue
        elif not _CLAUSE_START.search(before):
            continue
        actor = _GOVERNMENT_NAMES[found.group()]
    return actor
