"""Page furniture is recognised in any case; news sentences are not mistaken for it."""

from __future__ import annotations

import pytest

from monitor.summarise.boilerplate import is_boilerplate, strip_stub

FURNITURE = [
    "Sign up for our newsletter",
    "Sign up to the Morning Briefing newsletter.",
    "Subscribe to our daily email.",
    "Read more: Europe's race for AI gigafactories",
    "READ MORE",
    "See also: the best GPUs of the year",
    "Photo: Getty Images",
    "Image: Reuters",
    "Pictures by John Smith / Reuters",
    "A worker at the site (AFP via Getty Images)",
    "By Jane Doe",
    "By Jane Doe, Technology Reporter",
    "by jane doe and john roe",
    "Click here to manage your settings.",
    "© 2026 Example News.",
    "All rights reserved.",
    "We use cookies to improve your experience.",
    "Accept all cookies",
    "Share this article",
    "Facebook Twitter Email",
    "Share on Facebook",
    "Advertisement",
    "advertisement",
    "Scroll down for video",
    "Published: 10:32 GMT, 3 March 2026",
    "Updated 2 hours ago",
    "Follow us on Twitter for the latest.",
    "Related articles",
    "",
]

NEWS = [
    "Northwind said it would spend $4.5 billion on a data centre.",
    "By 2030 the company wants to run 1 GW of AI capacity.",
    "By building near hydro power, the firm cuts its costs sharply.",
    "The company's shares rose 2.1% in early trading.",
    "Investors who read more into the forecast sold the stock.",
    "Photos of the site show three halls under construction.",
    "Getty Images, the picture agency, reported higher sales on Tuesday after a long slump.",
    "the bank said growth would slow in 2026.",
    "Advertisement revenue at the group rose 5% in the quarter.",
    "Sponsored research found that AI chips use less power.",
]


@pytest.mark.parametrize("text", FURNITURE)
def test_furniture(text: str) -> None:
    assert is_boilerplate(text)


@pytest.mark.parametrize("text", NEWS)
def test_news(text: str) -> None:
    assert not is_boilerplate(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LONDON (Reuters) - Nvidia said profit rose.", "Nvidia said profit rose."),
        ("PARIS, Nov 3 (Reuters) - The EU agreed.", "The EU agreed."),
        ("(CNN)Recently, a judge ruled.", "Recently, a judge ruled."),
        ("Washington (CNN) -- The vote failed.", "The vote failed."),
        ("(AP) — Shares fell.", "Shares fell."),
        ("london (reuters) - the firm grew.", "the firm grew."),
        ("WASHINGTON — The Senate voted.", "The Senate voted."),
        ("Scroll down for video A new graph shows it.", "A new graph shows it."),
        ("Advertisement The firm said so.", "The firm said so."),
        ("Advertisement revenue rose.", "Advertisement revenue rose."),
        ("BALL OF THE CENTURY Benaud was on hand.", "Benaud was on hand."),
        ("• Orders doubled in the quarter.", "Orders doubled in the quarter."),
        ("2) Supply stays tight.", "Supply stays tight."),
        ("US GDP Growth slowed.", "US GDP Growth slowed."),
        ("Shares in Apple (AP) rose.", "Shares in Apple (AP) rose."),
        ("AI chips (Reuters reported) sold out.", "AI chips (Reuters reported) sold out."),
    ],
)
def test_strip_stub(text: str, expected: str) -> None:
    assert strip_stub(text) == expected
