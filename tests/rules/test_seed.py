from __future__ import annotations

import yaml

from monitor.rules.load import parse_rule_text
from monitor.rules.seed import acronyms, draft_rule, key_phrases

TITLE = "EU plans AI Gigafactories to train very large models"
TEXT = """The European Commission wants to build AI gigafactories across the EU. Each AI
gigafactory would host about 100,000 GPUs. Very large models need compute capacity that
few data centres offer today. Ursula von der Leyen said the gigafactories would be open to
start-ups. The compute capacity of the EU lags behind the US. Data centres in the EU use
more power every year, and the AI gigafactories will need new grid connections."""


def test_key_phrases_merge_plurals_and_keep_acronyms() -> None:
    terms = [p.term for p in key_phrases(TITLE, TEXT)]
    assert terms[0] == "AI gigafactor*"
    assert "compute capacity" in terms
    assert "data centre*" in terms
    assert not any("leyen" in t.lower() for t in terms)  # a person, not a topic


def test_acronyms_stay_in_capitals() -> None:
    assert acronyms(TITLE, TEXT)[:2] == ["EU", "AI"]
    assert "GPU" in acronyms(TITLE, TEXT)


def test_the_draft_is_a_valid_rule_that_matches_its_title() -> None:
    text = draft_rule(TITLE, TEXT, rule_id="seeded", source="test")
    assert text.startswith("# Draft rule seeded from: " + TITLE)
    rule, problems = parse_rule_text(text, "draft.yaml")
    assert rule is not None, problems
    assert [p for p in problems if p.level == "error"] == []
    assert rule.examples.match[0].title == TITLE
    assert rule.require and "EU" in rule.require[0]
    assert yaml.safe_load(text)["id"] == "seeded"


def test_a_tiny_article_still_gives_a_valid_draft() -> None:
    rule, problems = parse_rule_text(draft_rule("GPU shortage", "", rule_id="t"), "t.yaml")
    assert rule is not None, problems
