"""Rules for a long-running process: reloaded when the files change, last good kept."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

from monitor.errors import RuleError
from monitor.model import Rule
from monitor.rules.lint import Diagnostic
from monitor.rules.load import load_rules, rule_files
from monitor.rules.match import Matcher


def fingerprint(directory: Path) -> str:
    """Changes whenever a rule file is added, removed or edited."""
    digest = hashlib.sha256()
    for path in rule_files(directory):
        digest.update(path.name.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()


class RuleBook:
    """The rules in force. `reload()` swaps in edited rules only when they load cleanly."""

    def __init__(self, directory: Path,
                 report: Callable[[Sequence[Diagnostic]], None] | None = None) -> None:
        self.directory = directory
        self._report = report or (lambda _problems: None)
        self.version = ""
        self.rules: list[Rule] = []
        self.matcher = Matcher(())
        if not self.reload():
            raise RuleError("the rules do not load; run `monitor rules check`",
                            str(directory))

    def reload(self) -> bool:
        """Load the rules again if the files changed. True when the rules in force are good."""
        version = fingerprint(self.directory)
        if version == self.version:
            return True
        result = load_rules(self.directory)
        if result.errors or not result.rules:
            problems = result.errors or [Diagnostic(str(self.directory), 0, "no rule files")]
            self._report(problems)
            self.version = version  # report a broken edit once, not on every check
            return bool(self.rules)
        self.rules, self.matcher, self.version = result.rules, Matcher(result.rules), version
        return True
