"""Recognise the organisations claims are about, under their English and Chinese names."""

from __future__ import annotations

import re
from collections.abc import Iterable

from matchers.text import normalise

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
}

_BOUNDED = r"(?<![a-z0-9]){}(?![a-z0-9])"


def _pattern(aliases: Iterable[str]) -> re.Pattern[str]:
    parts = sorted({normalise(alias) for alias in aliases}, key=len, reverse=True)
    return re.compile("|".join(_BOUNDED.format(re.escape(part)) for part in parts))


_PATTERNS: dict[str, re.Pattern[str]] = {name: _pattern((name, *aliases)) for name, aliases in ENTITY_ALIASES.items()}


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


# Plain substring tests (fast, in C) decide which organisations' patterns are worth running at all.
_ANCHORS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (name, tuple(normalise(alias) for alias in (name, *aliases))) for name, aliases in ENTITY_ALIASES.items()
)


def find_entities(text: str) -> frozenset[str]:
    """Canonical names of the known organisations that normalised text mentions."""
    return frozenset(
        name for name, anchors in _ANCHORS
        if any(anchor in text for anchor in anchors) and _PATTERNS[name].search(text)
    )
