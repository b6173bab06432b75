from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import RuleError
from monitor.rules.lint import Diagnostic
from monitor.rules.reload import RuleBook

RULE = "id: r\nthreshold: 2\nsignals:\n  - terms: [{term}]\n    weight: 3\n"


def test_an_edit_is_picked_up_and_a_broken_edit_keeps_the_last_good(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(RULE.format(term="gigafactory"), encoding="utf-8")
    reported: list[list[Diagnostic]] = []
    book = RuleBook(tmp_path, report=lambda problems: reported.append(list(problems)))
    assert book.rules[0].signals[0].terms == ("gigafactory",)
    first = book.matcher

    path.write_text(RULE.format(term="supercomputer"), encoding="utf-8")
    assert book.reload()
    assert book.rules[0].signals[0].terms == ("supercomputer",)
    assert book.matcher is not first

    path.write_text(RULE.format(term="'/(/'"), encoding="utf-8")
    assert book.reload()  # still good: the last good rules stay in force
    assert book.rules[0].signals[0].terms == ("supercomputer",)
    assert len(reported) == 1 and "does not compile" in str(reported[0][0])
    assert book.reload() and len(reported) == 1  # reported once, not on every check


def test_unchanged_files_are_not_reloaded(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(RULE.format(term="x-ray"), encoding="utf-8")
    book = RuleBook(tmp_path)
    matcher = book.matcher
    assert book.reload() and book.matcher is matcher


def test_rules_that_never_loaded_are_an_error(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text("id: [", encoding="utf-8")
    with pytest.raises(RuleError, match="rules check"):
        RuleBook(tmp_path)
