"""The package's own rules and starter config: the same as the repository's, in the wheel,
and what `monitor init` writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from netguard import index_env, pythonpath

from monitor.config import read_config
from monitor.shipped import CONFIG_TEMPLATE, RULES, init_project, starter_files
from monitor.sources.catalog import DEFAULT_FEEDS

ROOT = Path(__file__).parents[1]
FEED = Path(__file__).parent / "data" / "docker" / "feed.xml"


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.y*ml"))}


def test_the_packaged_rules_are_the_repositorys_rules() -> None:
    # A wheel carries only files inside the package, so rules/ is copied there: edit
    # rules/, then `cp -r rules/* monitor/defaults/rules/`.
    assert tree(RULES) == tree(ROOT / "rules")


def test_the_starter_config_lists_the_shipped_feeds_and_is_the_example() -> None:
    data = tomllib.loads(CONFIG_TEMPLATE.read_text(encoding="utf-8"))
    assert [(f["url"], f["name"]) for f in data["feeds"]] == \
        [(f.url, f.name) for f in DEFAULT_FEEDS]
    assert (ROOT / "monitor.toml.example").read_bytes() == CONFIG_TEMPLATE.read_bytes()


def test_init_writes_a_config_and_rules_that_check_clean(tmp_path: Path) -> None:
    written = init_project(tmp_path / "new")
    assert [w.path.relative_to(tmp_path / "new") for w in written] == \
        [relative for _, relative in starter_files()]
    assert all(w.written for w in written)
    config, problems = read_config(str(tmp_path / "new" / "monitor.toml"), environ={})
    assert problems == []
    assert config.rules == tmp_path / "new" / "rules" and not config.shipped_rules
    assert (tmp_path / "new" / "rules" / "tests" / "ai-infrastructure.yaml").is_file()


def test_init_never_overwrites_a_file(tmp_path: Path) -> None:
    (tmp_path / "monitor.toml").write_text("# mine\n", encoding="utf-8")
    written = init_project(tmp_path)
    assert (tmp_path / "monitor.toml").read_text(encoding="utf-8") == "# mine\n"
    assert [w.written for w in written][:2] == [False, True]


@pytest.mark.slow
def test_the_wheel_carries_the_defaults_and_works_from_an_empty_folder(tmp_path: Path) -> None:
    # Built from the package alone (as the Dockerfile does), in a scratch copy: the wheel
    # needs nothing outside monitor/, and the checkout gets no build/ directory.
    source = tmp_path / "source"
    shutil.copytree(ROOT / "monitor", source / "monitor",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(wheels), str(source)], capture_output=True, text=True,
                           timeout=600, env=index_env())
    if built.returncode != 0 and "No matching distribution" in built.stderr:
        pytest.skip("pip cannot reach a package index to build the wheel")
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = wheels.glob("monitor-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"monitor/defaults/monitor.toml", "monitor/defaults/rules/ai-infrastructure.yaml",
            "monitor/defaults/rules/tests/ai-infrastructure.yaml"} <= names
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), str(wheel)], check=True, capture_output=True, timeout=300,
                   env=index_env())
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "SLACK_"))}
    env["PYTHONPATH"] = pythonpath(str(site))  # the wheel's copy, ahead of the checkout

    def monitor(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=empty, env=env,
                              capture_output=True, text=True, timeout=120)

    where = subprocess.run([sys.executable, "-c", "import monitor; print(monitor.__file__)"],
                           cwd=empty, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(site))
    scanned = monitor("scan", "--feed", str(FEED), "--no-store", "--format", "json")
    assert scanned.returncode == 0, scanned.stderr
    assert [m["title"] for m in json.loads(scanned.stdout)["matches"]] == \
        ["Utility signs grid deal for a new AI data centre campus"]
    checked = monitor("rules", "check")
    assert checked.returncode == 0 and "the shipped rules" in checked.stdout
