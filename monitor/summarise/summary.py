"""What every summariser returns, and the interface the pipeline calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from monitor.model import Hit

Method = Literal["extractive", "llm"]


@dataclass(frozen=True, slots=True)
class Summary:
    """A summary, how it was made, and (for a fallback) one sentence saying why."""

    text: str
    method: Method
    note: str | None = None


class Summariser(Protocol):
    """Summarise an article's text into at most `sentences` sentences and `budget` characters."""

    def summarise(
        self,
        text: str,
        *,
        title: str = "",
        hits: Sequence[Hit] = (),
        sentences: int = 3,
        budget: int = 600,
    ) -> Summary: ...
