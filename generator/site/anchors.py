"""Anchors of headings (Chinese titles keep their characters), named by ``mkdocs.yml``.

mkdocs.yml gives this ``slugify`` to the toc extension. MkDocs imports it while it reads
mkdocs.yml, before it loads the theme — the only moment to stop the English end-of-life banner
that Material prints when its theme is loaded by the ``mkdocs`` command unless
``NO_MKDOCS_2_WARNING`` is set. Material sets that variable itself right after loading, so setting
it here first (only if the theme is not loaded yet) changes nothing else for anyone.
"""

from __future__ import annotations

import os
import sys

from pymdownx.slugs import slugify as _slugify

if "material.templates" not in sys.modules:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

# Lower-case ASCII, other characters kept: the heading 典型个案 has the anchor #典型个案.
slugify = _slugify(case="lower")
