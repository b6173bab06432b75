"""The extractive summariser: whole sentences, in order, within budget, never furniture."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.model import Hit
from monitor.summarise import ExtractiveSummariser, Summary
from monitor.summarise.boilerplate import is_boilerplate
from monitor.summarise.extractive import ELLIPSIS, candidates

SUMMARISER = ExtractiveSummariser()

FURNITURE_WORDS = (
    "Jane Doe", "Reuters", "Getty", "newsletter", "Advertisement", "Read more", "Share",
    "Facebook", "©", "rights reserved", "cookie", "Click here",
)  # fmt: skip


def sentences_of(text: str) -> list[str]:
    return [c.text for c in candidates(text)]


def is_join_of(summary: str, pieces: list[str]) -> bool:
    """True when `summary` is some of `pieces`, whole, in order, joined by single spaces."""
    starts = {0}  # where in `summary` the next piece may begin
    for piece in pieces:
        for start in list(starts):
            if summary.startswith(piece, start):
                end = start + len(piece)
                if end == len(summary):
                    return True
                if summary.startswith(" ", end):
                    starts.add(end + 1)
    return summary == ""


def test_summary_of_a_real_looking_article(datacentre: str) -> None:
    summary = SUMMARISER.summarise(datacentre)
    assert summary.method == "extractive" and summary.note is None
    assert summary.text.startswith("Northwind Compute Inc. said on Tuesday it would spend $4.5")
    assert len(summary.text) <= 600
    assert is_join_of(summary.text, sentences_of(datacentre))


def test_furniture_is_never_picked(datacentre: str) -> None:
    for n in range(1, 12):
        for budget in (60, 150, 400, 2000):
            text = SUMMARISER.summarise(datacentre, sentences=n, budget=budget).text
            for word in FURNITURE_WORDS:
                assert word not in text, (n, budget, word)


def test_furniture_alone_gives_an_empty_summary() -> None:
    text = "Sign up for our newsletter.\n\nAdvertisement\n\nPhoto: Getty Images\n\nRead more"
    assert SUMMARISER.summarise(text) == Summary("", "extractive")


def test_dateline_stub_is_removed(datacentre: str) -> None:
    assert "FRANKFURT" not in SUMMARISER.summarise(datacentre).text


def test_sentences_come_in_article_order(datacentre: str) -> None:
    pieces = sentences_of(datacentre)
    chosen = SUMMARISER.summarise(datacentre, sentences=5, budget=5000).text
    positions = [chosen.find(p) for p in pieces if p in chosen]
    assert len(positions) == 5 and positions == sorted(positions)


def test_lower_cased_text_without_paragraphs(lowercase: str) -> None:
    summary = SUMMARISER.summarise(lowercase, sentences=2, budget=400)
    assert is_join_of(summary.text, sentences_of(lowercase))
    assert summary.text.count(". ") == 1 and summary.text.endswith(".")


def test_a_sentence_that_does_not_fit_is_dropped_not_cut() -> None:
    long = "The operator said the new hall would hold " + "many racks of servers " * 8 + "soon."
    text = f"Northwind opened a data centre in Frankfurt. {long} It employs 200 people."
    summary = SUMMARISER.summarise(text, sentences=3, budget=120)
    assert summary.text == "Northwind opened a data centre in Frankfurt. It employs 200 people."


def test_falls_back_to_the_shortest_good_sentence() -> None:
    first = "Northwind Compute said on Tuesday that it would build a very large AI campus."
    text = f"{first} The site near the river is big. Power comes from a new substation nearby."
    summary = SUMMARISER.summarise(text, sentences=1, budget=40)
    assert summary.text == "The site near the river is big."


def test_last_resort_trims_at_a_word_boundary() -> None:
    text = "Northwind Compute said on Tuesday that it would build a very large AI campus."
    summary = SUMMARISER.summarise(text, budget=30)
    assert summary.text == "Northwind Compute said on…"
    assert len(summary.text) <= 30 and summary.text.endswith(ELLIPSIS)


def test_hits_boost_the_sentence_with_the_matched_terms() -> None:
    text = (
        "Northwind reported quarterly results on Tuesday. "
        "Revenue rose in every region it serves. "
        "The chief executive thanked staff and partners. "
        "The board approved a dividend for shareholders. "
        "It will also build a data centre with 20,000 GPUs in Ireland. "
        "The annual meeting takes place in May."
    )
    hits = [
        Hit(term="data centre", field="content", text="data centre"),
        Hit(term="GPU*", field="content", text="GPUs"),
    ]
    plain = SUMMARISER.summarise(text, sentences=2).text
    boosted = SUMMARISER.summarise(text, sentences=2, hits=hits).text
    assert "GPUs" not in plain
    assert "data centre with 20,000 GPUs" in boosted


def test_an_exclude_hit_is_no_reason_to_show_a_sentence() -> None:
    text = (
        "Northwind reported quarterly results on Tuesday. "
        "Revenue rose in every region it serves. "
        "The chief executive thanked staff and partners. "
        "It also opened a battery gigafactory in Hungary with 3,000 workers."
    )
    hits = [Hit(term="battery gigafactor*", field="content", text="battery gigafactory", group=-2)]
    assert "battery" not in SUMMARISER.summarise(text, sentences=2, hits=hits).text


def test_title_pulls_towards_its_topic() -> None:
    text = (
        "The regional council met on Monday. "
        "Members discussed road repairs and school budgets. "
        "They also approved a permit for a data centre campus with its own substation. "
        "The next meeting is in June."
    )
    plain = SUMMARISER.summarise(text, sentences=2)
    titled = SUMMARISER.summarise(text, title="Council approves data centre campus", sentences=2)
    assert "data centre campus" not in plain.text
    assert "data centre campus" in titled.text


def test_headline_only_text_is_returned_whole() -> None:
    assert SUMMARISER.summarise("Northwind unveils new AI chip").text == "Northwind unveils new AI chip"


def test_empty_and_degenerate_inputs() -> None:
    assert SUMMARISER.summarise("").text == ""
    assert SUMMARISER.summarise("Some text here.", budget=0).text == ""
    assert SUMMARISER.summarise("Some text here.", sentences=0).text == ""


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ.$%0123456789", min_size=1, max_size=12)
SENTENCE = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(WORD, min_size=1, max_size=25),
    st.sampled_from([".", "!", "?", "...", "", '."', ".)"]),
)
ARTICLE = st.builds(
    lambda parts, sep: sep.join(parts), st.lists(SENTENCE, max_size=15), st.sampled_from([" ", "\n", "\n\n"])
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(), sentences=st.integers(0, 6), budget=st.integers(0, 700))
def test_never_raises_and_stays_within_budget(text: str, sentences: int, budget: int) -> None:
    summary = SUMMARISER.summarise(text, sentences=sentences, budget=budget)
    assert len(summary.text) <= max(budget, 0)
    assert summary.method == "extractive"


@settings(max_examples=300, deadline=None)
@given(text=ARTICLE, sentences=st.integers(1, 5), budget=st.integers(1, 700))
def test_whole_sentences_or_a_marked_trim(text: str, sentences: int, budget: int) -> None:
    summary = SUMMARISER.summarise(text, sentences=sentences, budget=budget).text
    assert len(summary) <= budget
    pieces = sentences_of(text)
    if summary and not summary.endswith(ELLIPSIS):
        assert is_join_of(summary, pieces)
    for piece in pieces:
        assert not (piece in summary and is_boilerplate(piece))


def test_the_join_check_itself() -> None:
    pieces = ["A b.", "C d.", "E f."]
    assert is_join_of("A b. E f.", pieces)
    assert not is_join_of("E f. A b.", pieces)
    assert not is_join_of("A b", pieces)
    assert not is_join_of("A b. C", pieces)
