from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.facts.extract import article_facts, extract_facts
from monitor.model import Article, Facts, Money

TITLE = "Northwind and Fjord Capital to build 1.5 GW AI campus in Tromsø, Norway"
TEXT = (
    "Northwind Compute, a Nordic neocloud, said on Tuesday it would invest $12bn (about "
    "€11bn) with Fjord Capital in a 1.5-gigawatt AI campus near Tromsø, Norway, which will "
    "hold up to 250,000 Nvidia GB300 GPUs. Construction will begin next year. Northwind's "
    "revenue was $400 million last year and its shares rose 8% on the news. Microsoft, whose "
    "market value tops $3 trillion, will rent half the capacity under a $6 billion contract."
)


def test_an_article_end_to_end() -> None:
    facts = extract_facts(TITLE, TEXT)
    assert facts == Facts(
        power_mw=(1500.0,),
        investment=(Money(1.2e10, "USD"), Money(6e9, "USD")),
        gpus=(250000,),
        chips=("GB300",),
        companies=("Northwind Compute", "Fjord Capital", "Nvidia", "Microsoft"),
        places=("Tromsø", "Norway"),
        status="announced",
    )


def test_the_json_shape_of_design_md() -> None:
    doc = extract_facts(TITLE, TEXT).to_json()
    assert list(doc) == ["power_mw", "investment", "gpus", "chips", "companies", "places",
                         "status"]
    assert doc["investment"][0] == {"amount": 1.2e10, "currency": "USD"}


def test_nothing_stated_gives_empty_facts() -> None:
    facts = extract_facts("", "The weather was mild and the trains ran on time.")
    assert facts == Facts() and not facts


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_never_raises_on_any_text(title: str, text: str) -> None:
    facts = extract_facts(title, text)
    assert all(v > 0 for v in facts.power_mw)
    assert all(m.amount >= 1e6 and len(m.currency) == 3 for m in facts.investment)


_WORDS = st.sampled_from(
    ["$", "€", "1,200", "bn", "billion", "GW", "MW", "a", "half", "to", "-", "GPUs", "in",
     "Texas", ",", "Inc.", "Nvidia", "H100s", "of", "County", "valued", "at", "the", "US",
     "(", ")", "'s", "built", "will", "Capital", "such as", "and", "per", "rack", "0.5"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40))
def test_never_raises_on_near_misses_of_real_patterns(words: list[str]) -> None:
    extract_facts(" ".join(words[:8]), " ".join(words))


def test_a_huge_input_is_read_up_to_a_bound() -> None:
    text = "Acme will invest $5 billion in Ohio. " + "x " * 200_000 + "It adds 9 GW."
    facts = extract_facts("", text)
    assert facts.investment == (Money(5e9, "USD"),) and facts.power_mw == ()


def test_a_feed_that_gives_the_same_text_as_summary_and_content_is_read_once() -> None:
    # The dateline is only a dateline at the start: read twice, "NEW YORK" became a place.
    text = ("NEW YORK — Helio Compute signed a $2 billion deal with Northwind for GPU capacity "
            "at a new data center in Vineland, New Jersey.")
    article = Article(uid="u", url="https://a.example/1", title="Helio Compute signs $2bn deal",
                      summary=text, content=text, published=None, source="A",
                      feed_url="https://a.example/feed")
    facts = article_facts(article)
    assert "NEW YORK" not in facts.places and "Vineland" in facts.places
    assert facts.investment == (Money(2e9, "USD"),)
