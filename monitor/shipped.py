"""What the package carries so that it works from any folder: the shipped rules, and the
commented monitor.toml that `monitor init` writes beside a copy of them.

`monitor/defaults/rules/` is a copy of the repository's `rules/` (a test keeps the two
identical), because a wheel can only carry files that live inside the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULTS = Path(__file__).parent / "defaults"
RULES = DEFAULTS / "rules"
CONFIG_TEMPLATE = DEFAULTS / "monitor.toml"


@dataclass(frozen=True, slots=True)
class Written:
    """One file `init` was to write: written, or left alone because it existed."""

    path: Path
    written: bool


def starter_files() -> list[tuple[Path, Path]]:
    """(shipped file, path relative to the new project) for every file `init` writes."""
    rules = sorted(p for p in RULES.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))
    return [(CONFIG_TEMPLATE, Path("monitor.toml"))] + \
        [(p, Path("rules") / p.relative_to(RULES)) for p in rules]


def init_project(target: Path) -> list[Written]:
    """Write the commented monitor.toml and a copy of the shipped rules into `target`.

    An existing file is never overwritten: it is left as it is and reported so.
    """
    out = []
    for source, relative in starter_files():
        path = target / relative
        if path.exists():
            out.append(Written(path, False))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:  # "x": never over a file made meanwhile
            handle.write(source.read_text(encoding="utf-8"))
        out.append(Written(path, True))
    return out
