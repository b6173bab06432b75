from __future__ import annotations

import pytest

from monitor.facts.extract import extract_facts


def places(text: str, title: str = "") -> list[str]:
    return list(extract_facts(title, text).places)


@pytest.mark.parametrize(("text", "expected"), [
    ("Crusoe is building a campus in Abilene, Texas.", ["Abilene", "Texas"]),
    ("Racine, Wis. - Microsoft's site rises.", ["Racine", "Wisconsin"]),
    ("The site in Montgomery County, Alabama was scrapped.", ["Montgomery County", "Alabama"]),
    ("Meta's Hyperion is in Richland Parish.", ["Richland Parish"]),
    ("Google will build a hub in Visakhapatnam, as the state of Andhra Pradesh grows.",
     ["Visakhapatnam", "Andhra Pradesh"]),
    ("Humain broke ground on data centers in Riyadh and Dammam.", ["Riyadh", "Dammam"]),
    ("JUPITER was launched in Jülich, Germany.", ["Jülich", "Germany"]),
    ("New data centres across the US and in the Republic of Ireland.",
     ["US", "Republic of Ireland"]),
    ("An AI factory near Luleå in northern Sweden", ["Luleå", "Sweden"]),
])
def test_where_the_site_is(text: str, expected: list[str]) -> None:
    assert places(text) == expected


@pytest.mark.parametrize("text", [
    "The US government and U.S. officials approved the UAE-US campus plan.",
    "Washington said Beijing's military must not get the chips.",
    "Abu Dhabi-based G42 and MGX of Abu Dhabi invested.",
    "South Korea's SK Hynix sold out its memory.",
    "The EU wants to compete with the US and China on AI.",
    "The money includes capital from the UAE and the US and Canada.",
    "Leaders met at the AI Action Summit in Paris.",
    "The deal is worth about US$10 billion.",
    "NEW YORK - Microsoft signed a deal with Nebius.",
    "It is the largest deployment outside the U.S. so far.",
])
def test_governments_homes_rivals_origins_and_venues_are_not_sites(text: str) -> None:
    assert places(text) == []


def test_a_continent_adds_nothing_beside_a_country() -> None:
    assert places("Google's India hub in Vizag is a gateway to Asia.") == ["India", "Vizag"]
    assert places("76 proposals across Europe for AI gigafactories") == ["Europe"]


def test_a_place_inside_an_organisation_s_name_is_not_a_site() -> None:
    assert places("The Bank of America and Georgia Power financed it.") == []


def test_metonyms_count_where_the_text_puts_something_in_them() -> None:
    assert places("Microsoft opened a data center in Washington.") == ["Washington"]


def test_in_a_product_is_not_in_a_place() -> None:
    assert places("It will invest in Blackwell GPUs for its data center.") == []
    assert places("The campus will run in ChatGPT-scale clusters.") == []
