"""Words Chinese search must keep whole: taught to jieba before MkDocs indexes the pages."""

from __future__ import annotations

from .catalog import Catalog


def search_terms(catalog: Catalog) -> list[str]:
    """Names of brands, branches, townships and tags, sorted, for jieba's dictionary."""
    # Only names: a longer word swallows the words inside it (adding 茶山百家宴 would make a
    # search for 百家宴 miss that text), so activity names and phrases are left to jieba.
    words: set[str] = set()
    for b in catalog.branches:
        words.update((b.brand.name, b.display_name, b.town))
        words.update(b.tags)
    return sorted(w for w in words if 1 < len(w) <= 12 and " " not in w)
