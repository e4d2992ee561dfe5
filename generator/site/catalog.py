"""Catalog: the validated branches grouped the ways visitors browse them.

Pure data: by township (in configured order), by field, by tag, by 示范点 level, the honour roll,
featured and recently updated. Names sort by pinyin so the order is the one readers expect.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..config import Settings
from ..content.model import Branch, Honor
from ..content.schema import LEVELS
from ..content.slugs import slugify


@dataclass
class Group:
    name: str
    slug: str
    branches: list[Branch] = field(default_factory=list)


@dataclass
class Catalog:
    branches: list[Branch]
    towns: list[Group]
    fields: list[Group]
    tags: list[Group]
    demonstration: list[Group]  # one group per level, highest first, only levels in use
    honours: list[tuple[str, list[tuple[Honor, Branch]]]]  # (level, entries), highest first
    featured: list[Branch]
    recent: list[Branch]
    updated: dict[str, dt.date]  # slug -> date shown as 更新于

    def honour_counts(self) -> list[tuple[str, int]]:
        return [(level, len(entries)) for level, entries in self.honours]

    @functools.cached_property
    def _groups_by_name(self) -> dict[tuple[str, str], Group]:
        return {
            (kind, g.name): g
            for kind, groups in (("town", self.towns), ("field", self.fields))
            for g in groups
        }

    def town_of(self, branch: Branch) -> Group:
        return self._groups_by_name[("town", branch.town)]

    def field_of(self, branch: Branch) -> Group:
        return self._groups_by_name[("field", branch.field)]

    @functools.cached_property
    def _neighbours(self) -> dict[str, tuple[Branch | None, Branch | None]]:
        pairs: dict[str, tuple[Branch | None, Branch | None]] = {}
        for group in self.towns:
            padded = [None, *group.branches, None]
            for i, b in enumerate(group.branches, start=1):
                pairs[b.slug] = (padded[i - 1], padded[i + 1])
        return pairs

    def neighbours(self, branch: Branch) -> tuple[Branch | None, Branch | None]:
        """Previous and next branch within the same township."""
        return self._neighbours.get(branch.slug, (None, None))


def load_pinyin() -> None:
    """Load pypinyin's dictionaries now (~0.2 s), e.g. while workers parse the branches; else
    the first name spelled loads them."""
    import pypinyin  # noqa: F401


@functools.lru_cache(maxsize=1 << 16)
def pinyin_key(text: str) -> tuple[str, str]:
    from pypinyin import Style  # ~0.2 s to load: on demand

    return ("".join(_pinyin().lazy_pinyin(text, style=Style.TONE3)), text)


@functools.cache
def _pinyin() -> Any:
    """``pypinyin.lazy_pinyin``'s own conversion, each syllable's style worked out once.

    Half the time of spelling a name went into restyling each syllable (``dōng`` → ``dong1``)
    through regular expressions, although a thousand names hold a few hundred syllables."""
    from pypinyin.converter import UltimateConverter
    from pypinyin.core import Pinyin

    class Remembered(UltimateConverter):
        def __init__(self) -> None:
            super().__init__()
            self.styled: dict[tuple, str] = {}

        def convert_style(
            self, han: str, orig_pinyin: str, style: Any, strict: bool, **kwargs: Any
        ) -> str:
            if kwargs:  # not made by this version's lazy_pinyin: nothing to remember it by
                return super().convert_style(han, orig_pinyin, style, strict, **kwargs)
            key = (orig_pinyin, style, strict)
            styled = self.styled.get(key)
            if styled is None:
                styled = self.styled[key] = super().convert_style(han, orig_pinyin, style, strict)
            return styled

    return Pinyin(Remembered())


class _Spelling:
    """Pinyin sort keys and slugs through ``memo``, which a build cache keeps between builds:
    names seen before need no pypinyin at all (a warm build then never loads it)."""

    def __init__(self, memo: dict[str, str] | None) -> None:
        self.memo = {} if memo is None else memo

    def key(self, text: str) -> tuple[str, str]:
        spelled = self.memo.get("k\0" + text)
        if spelled is None:
            self.memo["k\0" + text] = spelled = pinyin_key(text)[0]
        return (spelled, text)

    def slug(self, text: str) -> str:
        slug = self.memo.get("s\0" + text)
        if slug is None:
            self.memo["s\0" + text] = slug = slugify(text)
        return slug


def names_spelled(branches: list[Branch]) -> tuple[set[str], set[str]]:
    """What ``build_catalog`` spells: the texts it sorts by pinyin, and those it makes slugs of."""
    keys: set[str] = set()
    slugs: set[str] = set()
    for b in branches:
        keys.update((b.town, b.display_name, *b.tags, *(h.title for h in b.honors)))
        slugs.update((b.town, b.field, *b.tags))
        if b.demonstration:
            slugs.add(b.demonstration)
    return keys, slugs


def spellings(keys: set[str], slugs: set[str]) -> dict[str, str]:
    """The entries ``_Spelling`` memoises for these texts (see ``site/speller``)."""
    spell = _Spelling(None)
    for text in sorted(keys):
        spell.key(text)
    for text in sorted(slugs):
        spell.slug(text)
    return spell.memo


def level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def build_catalog(
    branches: list[Branch],
    settings: Settings,
    git_dates: dict[str, dt.date],
    spellings: dict[str, str] | None = None,
) -> Catalog:
    """``spellings`` memoises the pinyin of names across builds (see ``_Spelling``)."""
    spell = _Spelling(spellings)
    town_order = {name: i for i, name in enumerate(settings.towns)}

    def town_key(name: str) -> tuple[int, tuple[str, str]]:
        return (town_order.get(name, len(town_order)), spell.key(name))

    ordered = sorted(branches, key=lambda b: (town_key(b.town), spell.key(b.display_name)))

    towns = _group(ordered, lambda b: [b.town], spell.slug)
    towns.sort(key=lambda g: town_key(g.name))
    field_order = {name: i for i, name in enumerate(settings.fields)}
    fields = _group(ordered, lambda b: [b.field], spell.slug)
    fields.sort(key=lambda g: field_order.get(g.name, len(field_order)))
    tags = _group(ordered, lambda b: list(b.tags), spell.slug)
    tags.sort(key=lambda g: (-len(g.branches), spell.key(g.name)))
    demo = _group(ordered, lambda b: [b.demonstration] if b.demonstration else [], spell.slug)
    demo.sort(key=lambda g: level_rank(g.name))

    honours: dict[str, list[tuple[Honor, Branch]]] = {}
    for b in ordered:
        for h in b.honors:
            honours.setdefault(h.level, []).append((h, b))
    honour_list = [
        (level, sorted(entries, key=lambda e: (-e[0].year, spell.key(e[0].title))))
        for level, entries in sorted(honours.items(), key=lambda kv: level_rank(kv[0]))
    ]

    updated = {}
    for b in ordered:
        date = b.updated or git_dates.get(b.source)
        if date:
            updated[b.slug] = date

    return Catalog(
        branches=ordered,
        towns=towns,
        fields=fields,
        tags=tags,
        demonstration=demo,
        honours=honour_list,
        featured=_featured(ordered, settings, spell),
        recent=sorted(
            (b for b in ordered if b.slug in updated),
            key=lambda b: (updated[b.slug], b.slug),
            reverse=True,
        )[: settings.recent_count],
        updated=updated,
    )


def _group(branches: list[Branch], keys, slug_of) -> list[Group]:
    groups: dict[str, Group] = {}
    slugs: Counter[str] = Counter()
    for b in branches:
        for key in keys(b):
            if key not in groups:
                slug = slug_of(key) or "x"
                slugs[slug] += 1
                # Two names can share a pinyin spelling; a suffix keeps their URLs apart.
                groups[key] = Group(key, slug if slugs[slug] == 1 else f"{slug}-{slugs[slug]}")
            groups[key].branches.append(b)
    return list(groups.values())


def _featured(branches: list[Branch], settings: Settings, spell: _Spelling) -> list[Branch]:
    by_slug = {b.slug: b for b in branches}
    chosen = [by_slug[s] for s in settings.featured if s in by_slug]
    if chosen:
        return chosen

    def merit(b: Branch) -> tuple:
        best_honour = min((level_rank(h.level) for h in b.honors), default=len(LEVELS))
        demo = level_rank(b.demonstration) if b.demonstration else len(LEVELS)
        return (
            b.cover is None,  # the home page shows photos first; a card without one comes last
            min(demo, best_honour),
            demo,
            -len(b.honors),
            spell.key(b.display_name),
        )

    return sorted(branches, key=merit)[: settings.featured_count]
