"""Shards: split the photo work between CI machines that never talk to each other."""

from __future__ import annotations

import hashlib


def in_shard(name: str, index: int, count: int) -> bool:
    """Whether the item called ``name`` belongs to shard ``index`` of ``count`` (1-based).

    The split depends on the name only, so it is the same on every machine and run; the
    machines' caches then merge by copying, because cache entries are named by content.
    """
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % count == index - 1
