"""Editor benchmark: from pressing 保存 to the updated preview, against editing the file by hand.

    python bench/editor.py              # the 14 example branches, 5 rounds
    python bench/editor.py --rounds 10

One ``showcase serve`` on a copy of the example project. Each round changes the slogan of one
branch twice, in turn:
- **editor**: the local backend's persistEntry, as Decap sends it (HTTP POST, round-trip merge,
  validation of the branch, atomic write), until the preview server returns the page with the
  new slogan;
- **by hand** (the baseline): the same change written straight into branch.yml, until the page
  shows it.
Both wait for the same watcher and rebuild, so the ratio is what the editor adds on top. Also
timed: a save with a new 12 MP photo (decoded in full before it is written), and the save
request alone (the answer the browser waits for).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from conftest import copy_project  # noqa: E402
from editor_helpers import asset, jpeg, persist, request, serve, wait_until  # noqa: E402

SLUG = "xikou"


def page_shows(served, text: str) -> bool:
    return text in request(served, "GET", f"/branches/{SLUG}/")[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="showcase-bench-editor-") as tmp:
        root = copy_project(Path(tmp) / "p")
        path = root / "branches" / SLUG / "branch.yml"
        with serve(root, Path(tmp) / "serve.log") as served:
            token = served.token()
            wait_until("the first build", lambda: page_shows(served, "五美之星"))
            editor, by_hand, request_only, with_photo = [], [], [], []
            for i in range(args.rounds):
                data = yaml.safe_load(path.read_text("utf-8"))
                data["brand"]["slogan"] = slogan = f"编辑器第{i}轮"
                raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
                start = time.perf_counter()
                status, answer = served.api("persistEntry", persist(SLUG, raw), token=token)
                request_only.append(time.perf_counter() - start)
                assert status == 200, answer
                wait_until("the editor's slogan", lambda s=slogan: page_shows(served, s))
                editor.append(time.perf_counter() - start)
                time.sleep(1.5)  # let the second (no-op) rebuild of the docs folder settle

                text = path.read_text("utf-8")
                old = yaml.safe_load(text)["brand"]["slogan"]
                hand = f"手改第{i}轮"
                start = time.perf_counter()
                path.write_text(text.replace(f"slogan: {old}", f"slogan: {hand}", 1), "utf-8")
                wait_until("the hand-written slogan", lambda s=hand: page_shows(served, s))
                by_hand.append(time.perf_counter() - start)
                time.sleep(1.5)

            for i in range(min(3, args.rounds)):
                data = yaml.safe_load(path.read_text("utf-8"))
                name = f"bench{i}.jpg"
                data["photos"].append({"file": f"photos/{name}", "caption": f"新照片{i}"})
                data["brand"]["slogan"] = slogan = f"带照片第{i}轮"
                raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
                photo = jpeg((4000, 3000), color=f"#{i * 40:02x}1620")
                start = time.perf_counter()
                status, answer = served.api(
                    "persistEntry", persist(SLUG, raw, [asset(SLUG, name, photo)]), token=token
                )
                assert status == 200, answer
                wait_until("the slogan with a photo", lambda s=slogan: page_shows(served, s))
                with_photo.append(time.perf_counter() - start)
                time.sleep(2)

    def row(label: str, values: list[float]) -> str:
        rounds = ", ".join(f"{v:.2f}" for v in values)
        return f"| {label} | {statistics.median(values):.2f} | {min(values):.2f} | {rounds} |"

    print(f"\nrounds: {args.rounds}; project: the 14 example branches; preview: showcase serve\n")
    print("| from … to the updated page | median s | best s | every round (s) |")
    print("|---|---|---|---|")
    print(row("editor save (persistEntry)", editor))
    print(row("by hand: write branch.yml (baseline)", by_hand))
    print(row("editor save with a new 12 MP photo", with_photo))
    print(row("the save request alone", request_only))
    ratio = statistics.median(editor) / statistics.median(by_hand)
    print(f"\neditor / by hand (medians): {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
