from __future__ import annotations

import pytest

from monitor.facts.counts import chips, gpus
from tests.facts.conftest import parts


@pytest.mark.parametrize(("text", "expected"), [
    ("Colossus runs 100,000 GPUs.", [100000]),
    ("Powered by 200,000 NVIDIA H100 GPUs.", [200000]),
    ("a 10,000-GPU cluster", [10000]),
    ("a 600,000-chip buildout", [600000]),
    ("about 14,000 graphics processing units", [14000]),
    ("more than 1 million chips", [1000000]),
    ("half a million Nvidia Blackwell GPUs", [500000]),
    ("four to five million GPUs", [4000000, 5000000]),
    ("a licence to obtain more than 1,700 AI chips", [1700]),
    ("100,000 H100s and 50k accelerators", [100000, 50000]),
    ("Out of these,10,000 GPUs are in use", [10000]),
])
def test_gpu_counts(text: str, expected: list[int]) -> None:
    assert gpus(parts(text)) == expected


@pytest.mark.parametrize("text", [
    "a 10 GW AI chip collaboration",
    "each server holds 8 GPUs per node",
    "it shipped 2 million HBM memory chips",
    "the 12-layer HBM3E chips",
    "1,200 servers and 40 racks",
    "160 million AMD shares",
    "In 2026 GPUs will be scarce",
    "hundreds of thousands of Nvidia processors",
    "NVIDIA GB300 GPUs",
])
def test_not_gpu_counts(text: str) -> None:
    assert gpus(parts(text)) == []


def test_chip_models_as_written_without_vendor_or_plural() -> None:
    text = ("OpenAI gets Nvidia GB200 and GB300 accelerators, 100,000 H100s, AMD Instinct "
            "MI450 Series GPUs, Google TPU v5p and Trainium2 chips.")
    assert chips(parts(text)) == ["GB200", "GB300", "H100", "MI450", "TPU v5p", "Trainium2"]


def test_family_names_count_only_beside_chip_talk() -> None:
    assert chips(parts("Blackwell GPUs are sold out.")) == ["Blackwell"]
    assert chips(parts("Nvidia's Hopper generation")) == ["Hopper"]
    assert chips(parts("Robert Rubin was Treasury Secretary.")) == []


def test_chips_are_distinct() -> None:
    assert chips(parts("H20 chips. The H20 is legal.", title="H20 sales")) == ["H20"]
