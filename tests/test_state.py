"""No hidden state between the command line, the MkDocs plugin and the process: a result is
handed over one way and used once, and the environment is as it was after a build."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from conftest import copy_project
from helpers import write_branch

from generator.cli import _load, _settings
from generator.cli import main as showcase
from generator.pipeline import generate
from generator.plugin import settings_from


def test_build_leaves_the_environment_as_it_was(tmp_path: Path, monkeypatch) -> None:
    import material.templates  # noqa: F401 - Material sets NO_MKDOCS_2_WARNING itself on import

    root = copy_project(tmp_path / "p", branches=False)
    write_branch(root, "x")
    # Outside git the sitemap date is the date mkdocs.yml was last changed.
    changed = dt.datetime(2001, 2, 3, 12, tzinfo=dt.UTC).timestamp()
    os.utime(root / "mkdocs.yml", (changed, changed))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("NO_MKDOCS_2_WARNING", raising=False)
    before = dict(os.environ)
    assert showcase(["build", "--root", str(root)]) == 0
    assert dict(os.environ) == before
    assert "<lastmod>2001-02-03</lastmod>" in (root / "site/sitemap.xml").read_text("utf-8")


def test_a_handed_over_result_is_used_for_one_build_only(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", branches=False)
    write_branch(root, "x")
    cfg, plugin = _load(str(root))
    handed = generate(_settings(cfg, plugin))
    assert handed.ok

    cfg.plugins.on_startup(command="build", dirty=False)
    plugin.use_result(handed)
    cfg.plugins.on_config(cfg)
    plugin.on_pre_build(config=cfg)
    assert plugin.last is handed
    plugin.on_pre_build(config=cfg)  # a rebuild generates again
    assert plugin.last is not handed and plugin.last.ok

    plugin.use_result(handed)
    cfg.plugins.on_startup(command="build", dirty=False)  # a new command starts clean
    plugin.on_pre_build(config=cfg)
    assert plugin.last is not handed


def test_progress_is_how_a_run_reports_not_part_of_the_settings(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", branches=False)
    cfg, plugin = _load(str(root))
    loud = settings_from(plugin.config, cfg, progress=True)
    quiet = settings_from(plugin.config, cfg, progress=False)
    assert loud.progress and not quiet.progress
    # Cached pages are keyed by the settings' repr: a preview and a build share them.
    assert repr(loud) == repr(quiet) and loud == quiet
    for command, shown in (("serve", False), ("build", True)):
        cfg.plugins.on_startup(command=command, dirty=False)
        cfg.plugins.on_config(cfg)
        assert plugin.settings.progress is shown, command
