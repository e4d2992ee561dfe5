"""showcase: branch brand showcase site generator (一村一特色，一支部一品牌).

The pipeline reads top to bottom: load → validate → photos → pages → build.
Nothing here depends on MkDocs except ``plugin.py`` (a thin adapter) and ``cli.py``.
"""

__version__ = "0.1.0"
