"""The ``showcase`` command: check, build, serve, new, import, report, schema, booklet.

Every message is Chinese; content problems are one line each (``path:line: field: message``);
no traceback reaches the user for anything the user can fix.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import __version__
from .chinese_argparse import ChineseArgumentParser
from .config import CONFIG_FILE, DEFAULT_CACHE_DIR
from .problems import Problem, not_written, rel_path


class _Fail(Exception):
    """A message for the user, then exit 1."""


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    parser = _parser()
    args = parser.parse_args(argv)
    args.started = started
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    _setup_logging(args.verbose)
    try:
        return args.func(args)
    except _Fail as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="showcase", description="支部品牌展示站生成器：一村一特色，一支部一品牌"
    )
    parser.add_argument(
        "--version", action="version", version=f"showcase {__version__}", help="显示版本号并退出"
    )
    sub = parser.add_subparsers(title="命令", metavar="命令")

    def command(name: str, helptext: str, func) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=helptext, description=helptext)
        p.add_argument(
            "--root", default=".", metavar="目录", help="项目目录（含 mkdocs.yml），默认当前目录"
        )
        p.add_argument("-v", "--verbose", action="store_true", help="显示更多过程信息")
        p.set_defaults(func=func)
        return p

    command("check", "检查所有支部的 branch.yml 和照片，一次列出全部问题", _cmd_check)
    build = command("build", "检查、处理照片、生成页面，并构建站点到 site/", _cmd_build)
    build.add_argument("--timings", action="store_true", help="最后列出各阶段耗时")
    # For bench/scale.py: the same figures as JSON in a file, kept out of what staff read.
    build.add_argument("--timings-json", metavar="文件", help=argparse.SUPPRESS)
    serve = command("serve", "构建并启动本地预览，修改 branch.yml 或照片后自动刷新", _cmd_serve)
    serve.add_argument(
        "-a",
        "--dev-addr",
        default="127.0.0.1:8000",
        metavar="地址:端口",
        help="预览地址，默认 127.0.0.1:8000",
    )
    serve.add_argument("--full", action="store_true", help="每次修改后完整重建（较慢）")
    photos = command(
        "photos", "只处理照片、填充缓存；--shard i/N 只处理第 i 份（CI 并行）", _cmd_photos
    )
    photos.add_argument(
        "--shard", default="1/1", metavar="i/N", help="如 2/4：把照片分成 4 份，处理第 2 份"
    )
    new = command("new", "新建一个支部文件夹和带注释的 branch.yml", _cmd_new)
    new.add_argument("name", metavar="支部全称", help="如：横冲村党支部")
    new.add_argument("--slug", metavar="网址名", help="网址名（小写字母、数字、-），默认由拼音生成")
    new.add_argument("--town", default="", metavar="乡镇", help="所属乡镇（街道）")
    new.add_argument("--field", default="", metavar="领域", help="领域，如：农村")
    imp = command("import", "从台账表格（.xlsx 或 .csv）新建或更新支部", _cmd_import)
    imp.add_argument("file", nargs="?", metavar="台账文件", help="如：台账.xlsx 或 台账.csv")
    imp.add_argument("--template", metavar="文件", help="写出带说明和下拉选项的模板 .xlsx")
    report = command("report", "各支部资料完整度：缺哪些要素、照片、说明（从差到好）", _cmd_report)
    report.add_argument(
        "--format", choices=("text", "csv", "html"), default="text", help="输出格式，默认表格文字"
    )
    report.add_argument("-o", "--output", metavar="文件", help="写入文件，不写则显示在终端")
    schema = command(
        "schema", "生成 branch.yml 的 JSON Schema（编辑器用）和使用指南里的字段说明", _cmd_schema
    )
    schema.add_argument(
        "-o", "--output", metavar="文件", help="默认 schema/branch.schema.json（相对项目目录）"
    )
    booklet = command(
        "booklet", "生成 A4 PDF 观摩手册：封面、目录、各支部品牌和二维码", _cmd_booklet
    )
    booklet.add_argument("-o", "--output", metavar="文件", help="默认 观摩手册.pdf（项目目录下）")
    booklet.add_argument(
        "--branch",
        action="append",
        default=[],
        metavar="网址名",
        help="只收这个支部；给多次就是一条观摩路线，按给出的顺序排成第 1 站、第 2 站……",
    )
    booklet.add_argument("--timings", action="store_true", help="最后列出各阶段耗时")
    booklet.add_argument("--timings-json", metavar="文件", help=argparse.SUPPRESS)
    return parser


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LevelFormatter())
    # Dirty rebuilds are our choice for the preview; MkDocs' warning about them is noise here.
    handler.addFilter(lambda r: not r.getMessage().startswith("A 'dirty' build"))
    # The preview server calls every request it cannot answer a warning; a browser asking for a
    # page that does not exist is no problem of the content.
    handler.addFilter(
        lambda r: not (r.name == "mkdocs.livereload" and r.getMessage().endswith(" code 404"))
    )
    handler.addFilter(_not_missing_generated_page)
    for name in ("mkdocs", "material", "weasyprint"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO if verbose else logging.WARNING)
        logger.propagate = False
    logging.getLogger("mkdocs.plugins.showcase.preview").setLevel(logging.INFO)


_NAV_MISSING = re.compile(r"A reference to '([^']+)' is included in the 'nav' configuration")


def _not_missing_generated_page(record: logging.LogRecord) -> bool:
    """MkDocs names each nav page the generator has not written yet (the content has errors, which
    are already shown); only a missing hand-written page is worth its English warning."""
    from .site.pages import GENERATED

    m = _NAV_MISSING.match(record.getMessage())
    return not (m and m[1].split("/", 1)[0] in GENERATED)


class _LevelFormatter(logging.Formatter):
    LABELS = {logging.WARNING: "警告", logging.ERROR: "错误", logging.CRITICAL: "错误"}

    def format(self, record: logging.LogRecord) -> str:
        label = self.LABELS.get(record.levelno)
        msg = record.getMessage()
        return f"{label}：{msg}" if label else msg


# --- commands -------------------------------------------------------------------------------


def _cmd_check(args: argparse.Namespace) -> int:
    from .pipeline import check

    cfg, plugin = _load(args.root)
    settings = _settings(cfg, plugin)
    result = check(settings)
    _print_problems(result.problems)
    photos = sum(len(b.photo_refs()) for b in result.branches)
    if not result.ok:
        return 1
    print(f"检查完毕：{len(result.branches)} 个支部、{photos} 处照片引用，没有错误。")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from .buildcache import CACHE_FILE
    from .site.replace import TRASH, empty_trash
    from .site.speller import Speller

    # First: pypinyin loads in the speller while MkDocs is imported and mkdocs.yml read here;
    # only for a first build (a build cache in the usual place knows the names already).
    cache = Path(args.root) / DEFAULT_CACHE_DIR / CACHE_FILE
    speller = Speller(start=not cache.exists())
    try:
        root = Path(args.root).resolve()
        cfg, plugin = _load(args.root)
        settings = _settings(cfg, plugin)
        site_dir = Path(cfg.site_dir)
        trash = settings.cache_dir / TRASH
        emptying = empty_trash(trash, site_dir)
        try:
            return _build(site_dir, trash, cfg, plugin, settings, args, root, speller)
        finally:
            emptying()  # nothing is deleted after the command has returned
    finally:
        speller.close()


def _build(site_dir: Path, trash: Path, cfg, plugin, settings, args, root: Path, speller) -> int:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException, PluginError

    from .pipeline import generate
    from .plugin import index_starter
    from .site.replace import replace_site

    startup = time.perf_counter() - args.started
    # Problems are found and reported before MkDocs starts: a broken branch never reaches it.
    # The pages are then made by a worker while MkDocs reads them (see site/pending.py).
    try:
        result = generate(settings, later=True, index=index_starter(settings), speller=speller)
    except OSError as exc:
        raise _Fail(f"{not_written(exc, root)}；site/ 保持原样") from None
    except PluginError as exc:
        raise _Fail(f"{exc}；site/ 保持原样") from None
    result.timings = {"startup": startup, **result.timings}
    _print_problems(result.problems)
    if not result.ok:
        print("站点未生成，site/ 保持原样。", file=sys.stderr)
        return 1

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-", dir=site_dir.parent))
    cfg["site_dir"] = str(staging)
    before = dict(result.timings)
    with result.timed("mkdocs"):
        cfg.plugins.on_startup(command="build", dirty=False)
        plugin.use_result(result)
        try:
            with _source_date_epoch(root):
                build(cfg)
        except MkDocsException as exc:
            shutil.rmtree(staging, ignore_errors=True)
            # A plugin's error has been logged (in Chinese); MkDocs' own words only say it stopped.
            said = "（原因见上一行）" if str(exc).startswith("Aborted with") else f"：{exc}"
            raise _Fail(f"MkDocs 构建失败{said}；site/ 保持原样") from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            if result.pending is not None:
                result.pending.cancel()  # a worker still running means the build failed
            result.stop_index()  # the plugin took it, unless MkDocs stopped before that
            cfg.plugins.on_shutdown()
    # Waiting for the pages and the search index, and linking the QR codes, happen inside MkDocs'
    # build: they are stages of their own.
    inside = sum(v - before.get(k, 0.0) for k, v in result.timings.items() if k != "mkdocs")
    result.timings["mkdocs"] -= inside
    with result.timed("swap"):
        replace_site(staging, site_dir, trash)
    print(f"已生成站点：{len(result.branches)} 个支部 → {rel_path(site_dir, root)}/")
    total = time.perf_counter() - args.started
    if args.timings:
        _print_timings(result, total)
    if args.timings_json:
        _write_timings_json(result, total, Path(args.timings_json))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve

    root = Path(args.root).resolve()
    _load(args.root)  # report a missing or broken mkdocs.yml in plain words first
    print(f"预览地址：http://{args.dev_addr}/  （按 Ctrl+C 停止）")
    print("正在生成预览……（第一次要处理全部照片，可能要一两分钟）")
    # Dirty rebuilds re-render only the pages whose Markdown changed; the generator rewrites
    # only pages whose content changed, so one edited branch.yml shows in seconds.
    try:
        serve(
            config_file=str(root / CONFIG_FILE),
            dev_addr=args.dev_addr,
            livereload=True,
            # None: MkDocs' own default, a full rebuild that is still a preview ("clean" would
            # tell plugins this is a plain build, and a content error would stop the preview).
            build_type=None if args.full else "dirty",
        )
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise _Fail(
            f"无法在 {args.dev_addr} 启动预览（{exc.strerror or exc}）；"
            "换一个端口试试，如：showcase serve -a 127.0.0.1:8001"
        ) from None
    return 0


def _cmd_photos(args: argparse.Namespace) -> int:
    from .content.branches import load_branches
    from .photos.shards import in_shard
    from .pipeline import run_photos

    match = re.fullmatch(r"(\d+)/(\d+)", args.shard)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise _Fail(f"--shard 应写成 i/N（1 ≤ i ≤ N），如 2/4，这里是“{args.shard}”")
    index, count = int(match[1]), int(match[2])
    cfg, plugin = _load(args.root)
    settings = _settings(cfg, plugin)
    branches, problems = load_branches(settings.root, settings.branches_dir, settings.choices)
    # By branch folder: a branch's photos stay together in one shard.
    mine = [b for b in branches if in_shard(b.slug, index, count)]
    _, photo_problems = run_photos(mine, settings, publish=False)
    _print_problems(problems + photo_problems)
    total = sum(len(b.photo_refs()) for b in mine)
    print(
        f"第 {index}/{count} 份：{len(mine)} 个支部的 {total} 处照片已在缓存 "
        f"{rel_path(settings.cache_dir, settings.root)}/photos 中。"
    )
    return 1 if any(p.is_error for p in problems + photo_problems) else 0


def _cmd_new(args: argparse.Namespace) -> int:
    from .tools.scaffold import ScaffoldError, create_branch

    cfg, plugin = _load(args.root)
    settings = _settings(cfg, plugin)
    try:
        path = create_branch(settings, args.name, slug=args.slug, town=args.town, field=args.field)
    except ScaffoldError as exc:
        raise _Fail(str(exc)) from None
    print(f"已创建 {rel_path(path, settings.root)}：请打开填写，照片放进同一文件夹的 photos/ 里。")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from .tools.importer import RegisterError, import_file, write_template

    cfg, plugin = _load(args.root)
    settings = _settings(cfg, plugin)
    if args.template:
        path = Path(args.template)
        write_template(path, settings.choices)
        print(f"已写出模板 {path}：第一行是列名，第二行是示例（导入前请删除）。")
        return 0
    if not args.file:
        raise _Fail("请给出台账文件，如：showcase import 台账.xlsx；要模板用 --template 模板.xlsx")
    try:
        summary = import_file(settings, Path(args.file))
    except (OSError, RegisterError) as exc:
        raise _Fail(str(exc)) from None
    for line in summary.messages:
        print(line)
    same = f"（另有 {len(summary.unchanged)} 个没有变化）" if summary.unchanged else ""
    print(
        f"新建 {len(summary.created)} 个、更新 {len(summary.updated)} 个、"
        f"跳过 {summary.skipped} 行。{same}"
    )
    return 1 if summary.skipped else 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .tools.report import build_report, render

    cfg, plugin = _load(args.root)
    settings = _settings(cfg, plugin)
    text = render(build_report(settings), args.format, f"{settings.county}支部品牌资料完整度")
    if args.output:
        # Excel reads UTF-8 CSV correctly only with a BOM.
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        Path(args.output).write_text(text, encoding=encoding, newline="")
        print(f"已写出 {args.output}")
    elif args.format == "csv":
        sys.stdout.write("\ufeff" + text)
    else:
        sys.stdout.write(text)
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from .tools.field_doc import update_guide
    from .tools.json_schema import write_schema

    cfg, plugin = _load(args.root)
    settings = _settings(cfg, plugin)
    out = Path(args.output) if args.output else settings.root / "schema" / "branch.schema.json"
    write_schema(out, settings.choices)
    print(f"已写出 {rel_path(out, settings.root)}：编辑器按 branch.yml 第一行的注释找到它。")
    guide = settings.docs_dir / "guide.md"
    if update_guide(guide, settings.choices):
        print(f"已更新 {rel_path(guide, settings.root)} 里的字段说明。")
    return 0


def _cmd_booklet(args: argparse.Namespace) -> int:
    from .booklet import DEFAULT_OUTPUT, BookletError, booklet_date, make_booklet

    root = Path(args.root).resolve()
    cfg, plugin = _load(args.root)
    settings = _settings(cfg, plugin)
    output = Path(args.output) if args.output else root / DEFAULT_OUTPUT
    # The cover's date: the last commit's (or SOURCE_DATE_EPOCH's), so reruns give the same file.
    when = booklet_date(os.environ.get("SOURCE_DATE_EPOCH") or _last_commit_time(root))
    try:
        result = make_booklet(settings, args.branch, output, when)
    except BookletError as exc:
        raise _Fail(str(exc)) from None
    _print_problems(result.problems)
    if not result.ok:
        print("观摩手册未生成。", file=sys.stderr)
        return 1
    shown = rel_path(output.resolve(), Path.cwd())
    print(
        f"已生成观摩手册：{len(result.branches)} 个支部、{result.pages} 页、"
        f"{result.size / 1_000_000:.1f} MB → {shown}"
    )
    if args.timings:
        stages = {"load": "读取校验和照片", "prepare": "准备内容", "pdf": "排版写入 PDF"}
        parts = [f"{stages.get(k, k)} {v:.2f} 秒" for k, v in result.timings.items()]
        print("耗时：" + "，".join(parts), file=sys.stderr)
    if args.timings_json:
        figures = {**result.timings, "pages": result.pages, "bytes": result.size}
        Path(args.timings_json).write_text(json.dumps(figures), encoding="utf-8")
    return 0


# --- helpers --------------------------------------------------------------------------------


def _load(root_arg: str):
    """MkDocs' configuration and our plugin instance, or a plain message saying what is wrong."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    root = Path(root_arg).resolve()
    config_file = root / CONFIG_FILE
    if not config_file.is_file():
        shown = rel_path(config_file, Path.cwd())
        raise _Fail(f"{shown} 不存在：请在项目目录中运行，或用 --root 指定")
    try:
        cfg = load_config(str(config_file))
    except MkDocsException as exc:
        # MkDocs has logged what is wrong (in English); its exception only says it gave up.
        said = "" if str(exc).startswith("Aborted with") else f"：{exc}"
        raise _Fail(f"{CONFIG_FILE} 有错误{said or '（见上一行）'}，改正后再运行") from None
    except Exception as exc:  # a YAML error inside mkdocs.yml
        raise _Fail(f"{CONFIG_FILE} 无法读取：{exc}") from None
    plugin = cfg.plugins.get("showcase")
    if plugin is None:
        raise _Fail(f"{CONFIG_FILE} 的 plugins 里没有 showcase，请加上")
    return cfg, plugin


def _settings(cfg, plugin):
    """The settings the plugin will use for this configuration; commands report progress."""
    from .plugin import settings_from

    return settings_from(plugin.config, cfg, progress=True)


def _print_problems(problems: list[Problem]) -> None:
    for p in problems:
        print(p, file=sys.stdout if p.is_error else sys.stderr)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if errors or warnings:
        print(f"共 {errors} 个错误、{warnings} 个警告。", file=sys.stderr)
    sys.stdout.flush()


_STAGES = {
    "startup": "启动",  # imports and mkdocs.yml, until the generator starts
    "load": "读取校验",
    "photos": "照片",
    "pages": "页面",
    "write": "写入",
    "qr": "二维码",
    "search": "搜索索引",
    "mkdocs": "MkDocs",
    "swap": "换上新站点",
}


def _print_timings(result, total: float) -> None:
    written = len(result.pages.written) if result.pages else 0
    removed = len(result.pages.removed) if result.pages else 0
    order = list(_STAGES)
    stages = sorted(result.timings.items(), key=lambda kv: order.index(kv[0]))
    parts = [f"{_STAGES[k]} {v:.2f} 秒" for k, v in stages]
    pages = f"页面写入 {written} 个、删除 {removed} 个"
    print("耗时：" + "，".join(parts) + f"；合计 {total:.2f} 秒；{pages}", file=sys.stderr)


def _write_timings_json(result, total: float, path: Path) -> None:
    """Stage timings as JSON for scripts (bench/scale.py, through --timings-json FILE)."""
    written = len(result.pages.written) if result.pages else 0
    data = {**result.timings, "total": total, "written": written}
    path.write_text(json.dumps(data), encoding="utf-8")


@contextlib.contextmanager
def _source_date_epoch(root: Path) -> Iterator[None]:
    """Dates MkDocs writes (sitemap) come from the last commit, never from the clock.

    MkDocs reads them only from the environment, so SOURCE_DATE_EPOCH is set for the build and
    put back afterwards; one the caller set is used as it is.
    """
    if os.environ.get("SOURCE_DATE_EPOCH"):
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = _last_commit_time(root)
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _last_commit_time(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    if not out.isdigit():
        config = root / CONFIG_FILE
        out = str(int(config.stat().st_mtime)) if config.exists() else "0"
    return out


def run() -> None:
    """The ``showcase`` console command."""
    code = main()
    # The process ends here: moving every object out of the collector's reach spares the last
    # full collection at exit (~0.4 s after a large build), which would free nothing we need.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
