"""The validated content: plain dataclasses the later steps read, never the raw YAML.

Their fields are named after the keys of ``schema.py``; validation builds them from the schema
tree, and a test holds the two to each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class PhotoRef:
    """One place a branch names an image: a gallery photo, a case photo or the logo."""

    file: str  # as written, relative to the branch folder
    path: Path  # the branch folder joined with ``file``
    line: int
    field: str  # e.g. "photos[2].file", for messages
    caption: str = ""  # a case photo or the logo borrows one (see validate.py)
    cover: bool = False
    date: dt.date | None = None
    credit: str | None = None


@dataclass(frozen=True)
class Carrier:
    name: str
    description: str = ""


@dataclass(frozen=True)
class Case:
    title: str
    text: str
    date: dt.date | None = None
    photos: tuple[PhotoRef, ...] = ()


@dataclass(frozen=True)
class Honor:
    title: str
    level: str
    year: int


@dataclass(frozen=True)
class Brand:
    name: str
    summary: str
    slogan: str = ""
    logo: PhotoRef | None = None
    concept: str = ""
    theory: str = ""
    methods: tuple[str, ...] = ()
    carriers: tuple[Carrier, ...] = ()
    results: str = ""
    cases: tuple[Case, ...] = ()


@dataclass(frozen=True)
class Branch:
    slug: str
    source: str  # branch.yml relative to the root, for messages
    name: str
    town: str
    field: str
    brand: Brand
    short_name: str = ""
    org_type: str = ""
    secretary: str = ""
    members: int | None = None
    founded: int | None = None
    address: str = ""
    demonstration: str = ""
    updated: dt.date | None = None
    honors: tuple[Honor, ...] = ()
    tags: tuple[str, ...] = ()
    photos: tuple[PhotoRef, ...] = ()
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def cover(self) -> PhotoRef | None:
        for p in self.photos:
            if p.cover:
                return p
        return self.photos[0] if self.photos else None

    def photos_shown(self) -> list[PhotoRef]:
        """The photos a visitor sees large: the gallery, then the case photos."""
        refs = list(self.photos)
        for case in self.brand.cases:
            refs.extend(case.photos)
        return refs

    def photo_refs(self) -> list[PhotoRef]:
        """Every place the branch names an image: gallery, case photos, logo."""
        refs = self.photos_shown()
        if self.brand.logo:
            refs.append(self.brand.logo)
        return refs
