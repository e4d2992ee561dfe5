"""Names spelled in pinyin by a process started with the command.

A first build needs pypinyin's dictionaries (~0.2 s of one core to load) before it can put
names in catalog order. Loaded by the build itself, beside the workers that parse the branches
(two cores, three processes), they cost it ~0.08 s. Loaded by a process forked as the command
starts, they cost nothing: while MkDocs is imported and mkdocs.yml read (~0.2 s), only one
core is busy. That process then spells what the catalog will need (``catalog.names_spelled``).
"""

from __future__ import annotations

import multiprocessing
from typing import Any

from .. import parallel
from ..content.model import Branch
from .catalog import load_pinyin, names_spelled, spellings


class Speller:
    """Started now (``start``) when a worker can be forked; ``spell`` once the branches are
    known. Anything that goes wrong only means the catalog spells the names in this process."""

    def __init__(self, *, start: bool = True) -> None:
        self._worker: parallel.Worker | None = None
        self._names: Any = None
        if not start or not parallel.fork_is_safe():
            return
        receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
        worker = parallel.Worker(_spell_when_told, receive, send, forked_only=True)
        # Only the speller reads: once it is gone, telling it fails at once instead of waiting.
        receive.close()
        if worker.apart:
            self._worker, self._names = worker, send
        else:
            send.close()

    @property
    def running(self) -> bool:
        return self._worker is not None

    def spell(self, branches: list[Branch]) -> dict[str, str]:
        """``_Spelling``'s memo entries for what ``build_catalog`` will spell; {} without a
        speller (the catalog then spells the names here)."""
        if self._worker is None:
            return {}
        try:
            self._names.send(names_spelled(branches))
            return self._worker.result()
        except Exception:  # it died, or was stopped: nothing lost but its head start
            return {}
        finally:
            self.close()

    def close(self) -> None:
        """Stop the speller (not needed: the build cache knows the names, or the build failed)."""
        if self._worker is not None:
            self._worker.close(kill=True)  # it holds nothing to clean up
            self._worker = None
        if self._names is not None:
            self._names.close()
            self._names = None


def _spell_when_told(names: Any, own_end: Any) -> dict[str, str]:
    # Without the parent's end open here, the parent's exit is this end's EOF: never left waiting.
    own_end.close()
    load_pinyin()
    keys, slugs = names.recv()
    return spellings(keys, slugs)
