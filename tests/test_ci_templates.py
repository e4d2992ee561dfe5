"""The CI templates for the content repository parse and do what the staff guide says."""

from __future__ import annotations

import yaml
from conftest import REPO

CI = REPO / "ci-templates"


def load(name: str) -> dict:
    data = yaml.safe_load((CI / name).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def test_github_workflow() -> None:
    wf = load("github-pages.yml")
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads the bare key `on` as true
    assert "push" in on and on["push"]["branches"] == ["main"]
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = wf["jobs"]["build"]
    steps = build["steps"]
    uses = [s.get("uses", "") for s in steps]
    runs = "\n".join(s.get("run", "") for s in steps)

    checkout = steps[uses.index("actions/checkout@v4")]
    assert checkout["with"]["fetch-depth"] == 0  # git dates need the whole history
    python = steps[uses.index("actions/setup-python@v5")]
    assert str(python["with"]["python-version"]) == "3.11"
    cache = steps[uses.index("actions/cache@v4")]
    assert cache["with"]["path"] == ".cache/showcase"
    assert "hashFiles('branches/**/photos/**')" in cache["with"]["key"]

    order = [i for i, s in enumerate(steps) if "pip install" in s.get("run", "")]
    check = next(i for i, s in enumerate(steps) if s.get("run", "").strip() == "showcase check")
    build_step = next(
        i for i, s in enumerate(steps) if s.get("run", "").strip() == "showcase build"
    )
    upload = uses.index("actions/upload-pages-artifact@v3")
    assert order and order[0] < check < build_step < upload
    assert uses.index("actions/cache@v4") < build_step  # the cache is restored before the build
    assert steps[upload]["with"]["path"] == "site"
    assert "showcase" in runs

    # optional: the booklet as a build artifact, switched on by a repository variable
    booklet = next(i for i, s in enumerate(steps) if "showcase booklet" in s.get("run", ""))
    assert build_step < booklet
    assert "SHOWCASE_BOOKLET" in steps[booklet]["if"]
    assert "fonts-noto-cjk" in steps[booklet]["run"]
    pdf = steps[booklet]["run"].split("-o ", 1)[1].split()[0]
    artifact = steps[uses.index("actions/upload-artifact@v4")]
    assert artifact["with"]["path"] == pdf and "SHOWCASE_BOOKLET" in artifact["if"]

    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"] for s in deploy["steps"]] == ["actions/deploy-pages@v4"]
    assert "pull_request" in deploy["if"]  # pull requests are checked, never published


def test_gitlab_pages() -> None:
    ci = load("gitlab-ci.yml")
    assert str(ci["image"]).startswith("python:3.11")
    assert str(ci["variables"]["GIT_DEPTH"]) == "0"
    assert ".cache/showcase" in ci["cache"]["paths"]
    pages = ci["pages"]
    script = [str(line) for line in pages["script"]]
    assert script.index("showcase check") < script.index("showcase build")
    assert any("public" in line for line in script[script.index("showcase build") :])
    assert pages["artifacts"]["paths"] == ["public"]
    assert any("CI_DEFAULT_BRANCH" in r["if"] for r in pages["rules"])
    assert "pip install" in " ".join(ci["before_script"])
    assert ci["check"]["script"] == ["showcase check"]
    # optional: the booklet as a build artifact, switched on by a CI/CD variable
    booklet = ci["booklet"]
    run = [str(line) for line in booklet["script"]]
    pdf = next(line for line in run if line.startswith("showcase booklet")).split("-o ", 1)[1]
    assert booklet["artifacts"]["paths"] == [pdf.strip()]
    assert any("fonts-noto-cjk" in line for line in run)
    assert all("SHOWCASE_BOOKLET" in r["if"] for r in booklet["rules"])


def test_guide_documents_the_templates() -> None:
    # The guide is for staff: built at guide/ but not in the visitors' tabs (see test_build).
    guide = (REPO / "site_src" / "guide.md").read_text("utf-8")
    for words in (
        "github-pages.yml",
        "gitlab-ci.yml",
        "showcase new",
        "HEIC",
        "showcase check",
        "showcase import",
        "showcase serve",
        "showcase report",
        "site_url",
        "showcase booklet",
        "SHOWCASE_BOOKLET",
    ):
        assert words in guide, words
