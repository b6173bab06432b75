"""The previous release's same-story grouping, loaded from git, for bench/stories.py to compare.

The three modules it was made of (fingerprint, stories, digest) are read from the commit
before paraphrase-aware grouping (`git show`) into a private package, so the benchmark runs
the old method and ours on the same data in one process.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from monitor.model import Item, Story

ROOT = Path(__file__).resolve().parent.parent
COMMIT = "454fdfe"  # main before issue 14: names-only candidates, lexical score
MODULES = ("fingerprint", "stories", "digest")
PACKAGE = "monitor_previous"

Grouper = Callable[[Sequence[Item]], list[Story]]


def previous_grouping(commit: str = COMMIT) -> Grouper | None:
    """The old `group_stories`, or None when this checkout has no such commit."""
    folder = Path(tempfile.mkdtemp(prefix="monitor-previous-"))
    package = folder / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name in MODULES:
        shown = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:monitor/{name}.py"],
                               capture_output=True, text=True, check=False)
        if shown.returncode:
            return None
        source = shown.stdout
        for other in MODULES:
            source = source.replace(f"from monitor.{other} ", f"from {PACKAGE}.{other} ")
        (package / f"{name}.py").write_text(source, encoding="utf-8")
    sys.path.insert(0, str(folder))
    module = importlib.import_module(f"{PACKAGE}.digest")
    group: Grouper = module.group_stories
    return group
