"""Money committed to build, buy, lease, finance or fund compute: "$27bn", "EUR 200 billion".

Every amount written with a currency is a candidate; the cue nearest to it decides what
it is. Revenue, earnings, market value, valuations of companies, share prices, losses and
charges are not investment; a deal, a fund, capex or a loan is. An amount with no cue
either way counts (in an article about compute, money is mostly what is spent on it).
A conversion in brackets ("EUR 200bn (about $208bn)") restates the first amount and is
dropped, and so is anything under a million (prices, not programmes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.facts.numbers import SUFFIX_CURRENCIES, Group, quantities
from monitor.facts.text import Sentence

MIN_AMOUNT = 1e6
_SUFFIX = re.compile(
    r"\s?(?P<word>" + "|".join(sorted((re.escape(w) for w in SUFFIX_CURRENCIES),
                                     key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_TRAP = re.compile(
    r"\b(?:revenues?|turnover|sales revenue|earnings|profits?|net income|income|ebitda|"
    r"margins?|market (?:cap\w*|value)|market|valuations?|share price|stock price|"
    r"per share|a share|shares|"
    r"stock(?![\s-]+(?:deal|acquisition|transaction|purchase|swap|merger))|"
    r"closing price|price target|loss(?:es)?|lose[sd]?|"
    r"lost|wiped|erased|charges?|write-?downs?|impairments?|fines?|fined|penalt(?:y|ies)|"
    r"settlements?|damages|lawsuits?|salar(?:y|ies)|pay package|compensation|bonus(?:es)?|"
    r"dividends?|buybacks?|repurchases?|tariffs?|taxes|net worth|backlog|bookings|"
    r"performance obligations?|company|companies|firm|startup|"
    r"quarter(?!\s+of\s+(?:capital|capex|spending|investment)))\b",
    re.IGNORECASE,
)
_INVEST = re.compile(
    r"\b(?:invest(?!ors?\b)\w*|spend\w*|spent|capex|capital|budgets?|fund\w*|financ\w*|loans?|debt|"
    r"bonds?|raise[sd]?|raising|round|commit\w*|pledge[sd]?|deals?|agreements?|contracts?|"
    r"pacts?|acquisitions?|acquir\w+|takeover|buy\w*|bought|purchas\w+|orders?|costs?|"
    r"build\w*|construct\w*|projects?|programmes?|programs?|initiatives?|leases?|"
    r"partnerships?|stakes?|equity|grants?|subsid\w+|backing|expansion)\b",
    re.IGNORECASE,
)
_VALUED = re.compile(r"\b(?:valued|valuing|worth)\b", re.IGNORECASE)
_DEAL = re.compile(r"\b(?:deal|agreement|contract|transaction|acquisition|acquire\w*|takeover|"
                   r"purchase|buyout|order|pact|capacity|commitment)s?\b", re.IGNORECASE)
_HOLDING = re.compile(r"\b(?:stake|company|startup|firm|business|itself|it|valuation|"
                      r"net|market|industry|sector)\b", re.IGNORECASE)
_CONVERSION = re.compile(r"\s*(?:\(|,\s*or|-)\s*(?:about|around|approximately|approx\.|"
                         r"roughly|some|nearly|almost|equivalent to|equal to|or|c\.)?\s*$",
                         re.IGNORECASE)
_LEFT, _RIGHT = 80, 50  # characters either side in which a cue counts


@dataclass(frozen=True, slots=True)
class Amount:
    """Money as the text states it, before deciding whether it is investment."""

    amount: float
    currency: str
    start: int
    end: int


def amounts(text: str, groups: Sequence[Group] | None = None) -> list[Amount]:
    """Every amount of money written in a sentence (whose `groups` of numbers may be given)."""
    out: list[Amount] = []
    for group in quantities(text) if groups is None else groups:
        currency = group.currency
        tail_end = group.end
        if currency is None:
            suffix = _SUFFIX.match(text, group.end)
            if suffix is None:
                continue
            currency = SUFFIX_CURRENCIES[suffix.group("word").lower()]
            tail_end = suffix.end()
        for q in group.items:
            end = tail_end if q is group.items[-1] else q.end
            out.append(Amount(q.value, currency, q.start, end))
    return out


def investment(sentences: list[Sentence]) -> list[tuple[float, str]]:
    """(amount, currency) of every investment stated, first mention first, no repeats."""
    out: list[tuple[float, str]] = []
    for sentence in sentences:
        previous: Amount | None = None
        for amount in amounts(sentence.text, sentence.numbers):
            if _is_investment(sentence.text, amount, previous) and not any(
                c == amount.currency and abs(v - amount.amount) <= 0.01 * v for v, c in out
            ):
                out.append((amount.amount, amount.currency))
            previous = amount
    return out


def _is_investment(text: str, amount: Amount, previous: Amount | None) -> bool:
    if amount.amount < MIN_AMOUNT:
        return False
    if previous is not None and previous.currency != amount.currency and \
            _CONVERSION.fullmatch(text[previous.end:amount.start]):
        return False  # a conversion restates the amount before it
    return _nearest_cue(text, amount) != "trap"


def _nearest_cue(text: str, amount: Amount) -> str | None:
    """'trap' or 'invest' for the cue closest to the amount, None when there is none."""
    best: tuple[int, str] | None = None
    left = max(0, amount.start - _LEFT)
    right = min(len(text), amount.end + _RIGHT)
    for kind, pattern in (("trap", _TRAP), ("invest", _INVEST), ("valued", _VALUED)):
        for cue in pattern.finditer(text, left, right):
            if amount.start <= cue.start() < amount.end:
                continue
            distance = amount.start - cue.end() if cue.end() <= amount.start \
                else cue.start() - amount.end
            if kind == "valued":
                kind = _valued(text, cue.start())
            if best is None or distance < best[0]:
                best = (distance, kind)
    return best[1] if best else None


def _valued(text: str, at: int) -> str:
    """"a deal valued at $40bn" is investment; "the stake is valued at $135bn" and "the
    market is worth $400bn" are not."""
    deal = [m.end() for m in _DEAL.finditer(text, 0, at)]
    holding = [m.end() for m in _HOLDING.finditer(text, 0, at)]
    if deal and (not holding or deal[-1] > holding[-1]):
        return "invest"
    worth = text[at:at + 5].lower() == "worth"  # "$350m worth of equity" is what is bought
    return "invest" if worth and not holding else "trap"
