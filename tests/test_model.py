"""The plain values between stages: Facts keeps the DESIGN.md JSON shape both ways."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from monitor.model import FACT_STATUSES, Facts, Money

_NAMES = st.lists(st.text(min_size=1, max_size=20), max_size=4).map(tuple)
_FACTS = st.builds(
    Facts,
    power_mw=st.lists(st.floats(0.1, 1e6), max_size=3).map(tuple),
    investment=st.lists(st.builds(Money, st.floats(1e6, 1e13), st.sampled_from(["USD", "EUR"])),
                        max_size=3).map(tuple),
    gpus=st.lists(st.integers(2, 10**7), max_size=3).map(tuple),
    chips=_NAMES, companies=_NAMES, places=_NAMES,
    status=st.sampled_from([None, *FACT_STATUSES]),
)


@given(_FACTS)
def test_facts_round_trip_through_json(facts: Facts) -> None:
    assert Facts.from_json(json.loads(json.dumps(facts.to_json()))) == facts


def test_the_design_md_shape() -> None:
    assert Facts().to_json() == {"power_mw": [], "investment": [], "gpus": [], "chips": [],
                                 "companies": [], "places": [], "status": None}


def test_an_unknown_status_is_read_as_none() -> None:
    assert Facts.from_json({"status": "rumoured", "gpus": [8]}) == Facts(gpus=(8,))
