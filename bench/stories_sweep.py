"""Where same-story recall would come from, and what it would cost: a sweep on the dev pairs.

For each weight of the sentence vectors in the terms blend (1 - TERMS_SHARE) and each factor
for a headline figure missing from the other article (MISSING; 1.0 drops the penalty), it
prints precision, recall and near-miss pairs merged at thresholds around the shipped one.
It picks nothing: it shows whether any setting of these two signals reaches the recall
target without merging near misses.

    python bench/stories_sweep.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import stories as bench  # noqa: E402

import monitor.stories as same_story  # noqa: E402

SHARES = (0.8, 0.6, 0.4)  # TERMS_SHARE: the sentence vectors weigh 1 minus this
MISSING = (0.6, 0.8, 1.0)
THRESHOLDS = (0.18, 0.20, 0.22, 0.24, 0.26, 0.28, 0.30)


def main() -> int:
    rows = bench.load(bench.DEFAULT_DATA)
    items = [bench.to_item(row) for row in rows]
    pairs = bench.scored_pairs(rows)
    shipped = same_story.TERMS_SHARE, same_story.MISSING
    print("precision/recall/near-miss pairs merged, by threshold")
    try:
        for share in SHARES:
            for missing in MISSING:
                same_story.TERMS_SHARE, same_story.MISSING = share, missing
                cells = []
                for threshold in THRESHOLDS:
                    s = bench.score(bench.labels_of(items, bench.ours(True, threshold)), pairs)
                    cells.append(f"{threshold:.2f} {s.precision:.2f}/{s.recall:.2f}/"
                                 f"{s.near_misses}")
                mark = "  (shipped)" if (share, missing) == shipped else ""
                print(f"vectors {1 - share:.1f}, missing x{missing:.1f}: "
                      + " | ".join(cells) + mark)
    finally:
        same_story.TERMS_SHARE, same_story.MISSING = shipped
    return 0


if __name__ == "__main__":
    sys.exit(main())
