"""Fakes shared by several test modules."""

from __future__ import annotations


class FakeResolver:
    """Names that "resolve" from a table, without any DNS traffic; records every call.

    A name with several answers (a list of lists) gives one per call, the last one
    repeated: that is how a rebinding DNS server is played. An unknown name fails the
    way the system resolver does.
    """

    def __init__(self, table: dict[str, list[list[str]] | list[str]]) -> None:
        self.table = table
        self.calls: list[str] = []

    async def resolve(self, host: str) -> list[str]:
        self.calls.append(host)
        answers = self.table.get(host)
        if answers is None:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        if answers and isinstance(answers[0], list):
            return list(answers.pop(0) if len(answers) > 1 else answers[0])
        return list(answers)  # type: ignore[arg-type]
