from __future__ import annotations

import pytest

from monitor.facts.names import (
    Gazetteer,
    capitalised_run,
    comparable,
    same_name,
    short_name,
    tokens,
)


@pytest.mark.parametrize(("a", "b"), [
    ("Nvidia", "NVIDIA Corp."), ("EuroHPC", "Euro HPC"), ("U.S.", "US"),
    ("Nvidia", "Nvidia Corporation"), ("Macquarie", "Macquarie Asset Management"),
    ("the Netherlands", "Netherlands"), ("Microsoft", "Microsoft Corp."),
])
def test_the_same_name_as_a_judge_compares(a: str, b: str) -> None:
    assert same_name(a, b) and same_name(b, a)


@pytest.mark.parametrize(("a", "b"), [("Meta", "Metaverse Inc"), ("AMD", "Advanced Micro Devices"),
                                      ("Arm", "Armada")])
def test_different_names(a: str, b: str) -> None:
    assert not same_name(a, b)


def test_comparable_and_short_name() -> None:
    assert comparable("The Euro-HPC Ltd.") == "eurohpc"
    assert short_name("Nebius Group") == "Nebius"
    assert short_name("Aker ASA") == "Aker"
    assert short_name("Group") == "Group"


def test_tokens_keep_names_whole_and_split_hyphens() -> None:
    words = tokens("AT&T, U.S. and E.ON's OpenAI-linked site")
    assert [w.text for w in words] == ["AT&T", "U.S.", "and", "E.ON", "s", "OpenAI", "linked",
                                       "site"]
    assert words[1].key == "u.s" and words[0].capitalised and not words[2].capitalised


def test_gazetteer_finds_the_longest_name_capitalised_as_a_name() -> None:
    names = Gazetteer([("AWS", "Amazon Web Services"), ("Amazon",), ("xAI",)])
    text = "Amazon Web Services and amazon and xAI"
    words = tokens(text)
    found = names.find(words, 0, text)
    assert found is not None and (found.name, found.last) == ("AWS", 3)
    assert names.find(words, 4, text) is None  # "amazon" in lower case is a word, not a name
    xai = names.find(words, 6, text)
    assert xai is not None and xai.name == "xAI"


def test_a_run_of_capitalised_words_ends_at_punctuation() -> None:
    text = "HBM Memory Shortage: SK Hynix Sold Out"
    words = tokens(text)
    assert capitalised_run(words, 0, text) == 3
    text = "the Bank of America tower"
    assert capitalised_run(tokens(text), 1, text) == 4
