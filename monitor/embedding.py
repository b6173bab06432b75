"""Sentence vectors for same-story judgement, from a small model read from disk.

The model is WordLlama's `l2_supercat` at 256 dimensions: a token-embedding table (16 MB,
MIT) and its tokenizer, both shipped inside the `wordllama` wheel (`pip install
'monitor[stories]'`). A text's vector is the mean of its tokens' vectors, as WordLlama
computes it. The two files are opened directly: WordLlama's own loader would fetch missing
files from a model hub, imports `requests`, and reconfigures the root logger on import, none
of which a news bot wants. Nothing here touches the network. Without the package (or with
its files missing) `load_model` returns None and grouping stays lexical.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Matrix = npt.NDArray[np.float32]

log = logging.getLogger(__name__)

PACKAGE = "wordllama"
WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
TENSOR = "embedding.weight"
MODEL_NAME = "WordLlama l2_supercat, 256-d"
MAX_TOKENS = 256  # title and lead fit; a longer text only dilutes the mean
SEEN_CAP = 20_000  # texts whose vectors are kept for the next call (about 20 MB)


class Vectors:
    """Unit-length sentence vectors of a batch of texts, one row per text."""

    def __init__(self, rows: Matrix) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    def cosine(self, i: int, j: int) -> float:
        return float(self.rows[i] @ self.rows[j])

    def nearest_in(self, other: Vectors, k: int, floor: float) -> list[list[int]]:
        """For each row here, the rows of `other` among its `k` nearest with cosine >= `floor`."""
        if not len(other):
            return [[] for _ in range(len(self))]
        import numpy as np

        sims = self.rows @ other.rows.T
        k = min(k, len(other))
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        return [[j for j in row if sims[i, j] >= floor] for i, row in enumerate(nearest.tolist())]

    def neighbours(self, k: int, floor: float) -> list[tuple[int, int]]:
        """Pairs (i < j) where j is among i's `k` nearest rows with a cosine of `floor` or more."""
        count = len(self)
        if count < 2:
            return []
        import numpy as np

        sims = self.rows @ self.rows.T
        np.fill_diagonal(sims, -1.0)
        k = min(k, count - 1)
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        pairs: set[tuple[int, int]] = set()
        for i, row in enumerate(nearest.tolist()):
            pairs.update((min(i, j), max(i, j)) for j in row if sims[i, j] >= floor)
        return sorted(pairs)


@dataclass(frozen=True)
class Model:
    """A loaded token-embedding table and its tokenizer."""

    table: Any  # numpy float32 array (vocabulary, dimensions)
    tokenizer: Any  # tokenizers.Tokenizer
    name: str = MODEL_NAME
    # a digest embeds its articles, then asks the posted index about the same texts
    _seen: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def vectors(self, texts: Sequence[str]) -> Vectors:
        """Unit-length mean-pooled vectors of `texts` (a zero vector for a text with no tokens)."""
        import numpy as np

        rows = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        fresh = []
        for k, text in enumerate(texts):
            if (known := self._seen.get(text)) is not None:
                rows[k] = known
            else:
                fresh.append(k)
        encode = getattr(self.tokenizer, "encode_batch_fast", self.tokenizer.encode_batch)
        for k, encoding in zip(fresh, encode([texts[k] for k in fresh],
                                             add_special_tokens=False), strict=True):
            ids = encoding.ids[:MAX_TOKENS]
            if ids:
                mean = self.table[ids].mean(axis=0)
                rows[k] = mean / (np.linalg.norm(mean) or 1.0)
        if len(self._seen) + len(fresh) > SEEN_CAP:
            self._seen.clear()
        self._seen.update((texts[k], rows[k].copy()) for k in fresh)
        return Vectors(rows)

    def forget(self) -> None:
        """Drop the vectors kept from earlier calls."""
        self._seen.clear()


def model_files() -> tuple[Path, Path] | None:
    """Where the installed wordllama wheel keeps the weights and tokenizer, if it is there."""
    try:
        spec = importlib.util.find_spec(PACKAGE)  # finds the package without running it
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    weights, tokenizer = root / WEIGHTS, root / TOKENIZER
    return (weights, tokenizer) if weights.is_file() and tokenizer.is_file() else None


def read_model(weights: Path, tokenizer: Path) -> Model:
    """Read a model from its two files; raises OSError or ValueError when they are unusable."""
    import numpy as np
    from safetensors import safe_open
    from tokenizers import Tokenizer

    with safe_open(str(weights), framework="np") as handle:
        table = np.ascontiguousarray(handle.get_tensor(TENSOR), dtype=np.float32)
    reader = Tokenizer.from_file(str(tokenizer))
    reader.no_padding()
    reader.no_truncation()
    return Model(table=table, tokenizer=reader)


@functools.cache
def load_model() -> Model | None:
    """The installed model, read once per process; None when it is not installed or unusable."""
    files = model_files()
    if files is None:
        return None
    try:
        return read_model(*files)
    except Exception as exc:  # safetensors and tokenizers raise their own types for bad files
        log.warning("story grouping falls back to the lexical method: the model in %s "
                    "could not be read (%s)", files[0].parent.parent, exc)
        return None


def grouping_method() -> str:
    """One line for `monitor status`: which same-story method runs, and how to get the other."""
    model = load_model()
    if model is None:
        return ("lexical (names, terms and figures); install 'monitor[stories]' to add "
                "the sentence-embedding model")
    return f"semantic + lexical ({model.name}, read from the installed wordllama package)"
