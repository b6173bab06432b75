from __future__ import annotations

from monitor.facts.headline import Headline, headline
from monitor.model import Facts, Money


def test_the_first_figure_of_each_kind_and_the_first_amount_in_each_currency() -> None:
    facts = Facts(power_mw=(1200.0, 4500.0), gpus=(4_000_000, 5_000_000),
                  investment=(Money(1.42e10, "USD"), Money(2e9, "EUR"), Money(3.6e10, "USD")))
    assert headline(facts) == Headline(1200.0, (Money(1.42e10, "USD"), Money(2e9, "EUR")),
                                       4_000_000)
    assert headline(Facts(places=("Texas",))) == Headline(None, (), None)
