"""Sentence splitting: abbreviations, numbers, quotes, brackets, ellipses, case, layout."""

from __future__ import annotations

import pytest

from monitor.summarise.sentences import is_complete, is_lower_cased, split_sentences

CASES = [
    # (text, expected sentences)
    ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
    (
        "Apple Inc. said profit rose. Shares fell.",
        ["Apple Inc. said profit rose.", "Shares fell."],
    ),
    ("Apple Inc. The company said so.", ["Apple Inc.", "The company said so."]),
    (
        "The U.S. economy grew. It was fast.",
        ["The U.S. economy grew.", "It was fast."],
    ),
    ("He moved to the U.S. The move was quick.", ["He moved to the U.S.", "The move was quick."]),
    (
        "Chips, e.g. GPUs, are scarce. Prices rose.",
        ["Chips, e.g. GPUs, are scarce.", "Prices rose."],
    ),
    ("Work starts Jan. 5 in Paris. It ends soon.", ["Work starts Jan. 5 in Paris.", "It ends soon."]),
    (
        "It costs $4.5 billion. Growth was 3.5% and 1.2 GW was added.",
        ["It costs $4.5 billion.", "Growth was 3.5% and 1.2 GW was added."],
    ),
    ("J. K. Rowling wrote it. Fans agreed.", ["J. K. Rowling wrote it.", "Fans agreed."]),
    (
        '"We are sold out." Analysts agreed.',
        ['"We are sold out."', "Analysts agreed."],
    ),
    ('"Why now?" she asked. Nobody knew.', ['"Why now?" she asked.', "Nobody knew."]),
    (
        "The firm (founded in 1998 in the U.S.) grew. Then it shrank.",
        ["The firm (founded in 1998 in the U.S.) grew.", "Then it shrank."],
    ),
    (
        "Sales rose (about 5%. Maybe more.) last year. Costs fell.",
        ["Sales rose (about 5%. Maybe more.) last year.", "Costs fell."],
    ),
    ("He paused... and went on. Then he left.", ["He paused... and went on.", "Then he left."]),
    ("It ended… The next one began.", ["It ended…", "The next one began."]),
    ("Really?! Yes. Wow!", ["Really?!", "Yes.", "Wow!"]),
    ("He won the No. 1 spot. Others lost.", ["He won the No. 1 spot.", "Others lost."]),
    ("She said no. The vote failed.", ["She said no.", "The vote failed."]),
    ("Roe v. Wade stood. Then it fell.", ["Roe v. Wade stood.", "Then it fell."]),
    ("Headline without a stop\n\nBody text here. More.", ["Headline without a stop", "Body text here.", "More."]),
    ("Short heading\nThe body starts here. It goes on.", ["Short heading", "The body starts here.", "It goes on."]),
    (
        "This line is wrapped in the\nmiddle of a sentence. Next one.",
        ["This line is wrapped in the middle of a sentence.", "Next one."],
    ),
    (
        "Key points:\n• Orders doubled\n• Supply is tight.\n- Shares rose 4%",
        ["Key points:", "• Orders doubled", "• Supply is tight.", "- Shares rose 4%"],
    ),
    # lower-cased text: case cannot mark a new sentence, so the marks must
    ("the bcc said. growth will slow. mr. frost agreed.", ["the bcc said.", "growth will slow.", "mr. frost agreed."]),
    ('"it is over," he said. "we lost." the end.', ['"it is over," he said.', '"we lost."', "the end."]),
    ('"why?" he asked. nobody knew.', ['"why?" he asked.', "nobody knew."]),
    ("it rose 3.5% to $4.5bn. e.g. chips.", ["it rose 3.5% to $4.5bn.", "e.g. chips."]),
    # photo captions run into the text without a full stop
    (
        "Models pose in the woodland In many of the pictures, they vanish.",
        ["Models pose in the woodland", "In many of the pictures, they vanish."],
    ),
    ("He told The Times it was over.", ["He told The Times it was over."]),
    ("", []),
    ("   \n\n  ", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_split(text: str, expected: list[str]) -> None:
    assert [s.text for s in split_sentences(text)] == expected


def test_offsets_point_into_the_source() -> None:
    text = "First one.  Second\tone.\n\nThird one."
    for sentence in split_sentences(text):
        assert " ".join(text[sentence.start : sentence.end].split()) == sentence.text


def test_complete_and_fragments() -> None:
    assert is_complete("It rose.")
    assert is_complete('"It rose."')
    assert is_complete("It rose (again).")
    assert not is_complete("Photo by someone")
    assert not is_complete(", and then.")


def test_lower_cased_detection() -> None:
    assert is_lower_cased("the bank of england raised rates.")
    assert not is_lower_cased("The Bank of England raised rates.")
    assert not is_lower_cased("")
