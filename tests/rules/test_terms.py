"""The term syntax, `fold`, anchors and the TermIndex that finds many terms at once."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.rules.terms import Term, TermIndex, TermSyntaxError, compile_term, fold


def found(term: str, text: str) -> list[str]:
    return [m.group() for m in compile_term(term).pattern.finditer(text)]


@pytest.mark.parametrize(("term", "text", "expected"), [
    # whole words, any case
    ("center", "the data center opens", ["center"]),
    ("center", "a centerpiece", []),
    ("center", "a new datacenter", []),
    ("center", "Center, CENTER and center.", ["Center", "CENTER", "center"]),
    ("center", "center_line and 2center", []),
    # any run of whitespace or hyphens between words
    ("data centre", "data-centre", ["data-centre"]),
    ("data centre", "data  centre", ["data  centre"]),
    ("data centre", "data\u00a0centre", ["data\u00a0centre"]),
    ("data centre", "data\u202fcentre", ["data\u202fcentre"]),
    ("data centre", "data\u2010centre", ["data\u2010centre"]),
    ("data centre", "data\u2011centre", ["data\u2011centre"]),
    ("data centre", "data \u2013 centre", ["data \u2013 centre"]),
    ("data centre", "data\n\tcentre", ["data\n\tcentre"]),
    ("data centre", "datacentre", []),
    ("data centre", "data/centre", []),
    ("data-centre", "data centre", ["data centre"]),
    # `*` matches word endings, and only at the end of a word
    ("gigafactor*", "a gigafactory, two gigafactories", ["gigafactory", "gigafactories"]),
    ("gigafactor*", "gigafactor", ["gigafactor"]),
    ("gigafactor*", "megagigafactory", []),
    ("data cent*", "Data Centres and data centers", ["Data Centres", "data centers"]),
    # a word in capitals keeps its case, word by word
    ("AI", "AI and ai and Ai", ["AI"]),
    ("AI", "AIDS and SAID", []),
    ("AI gigafactor*", "AI Gigafactories", ["AI Gigafactories"]),
    ("AI gigafactor*", "ai gigafactories", []),
    ("GPU*", "GPUs, GPUS and gpus", ["GPUs", "GPUS"]),
    ("H100", "H100 h100 H1000", ["H100"]),
    ("EU", "EU, eu, Eu", ["EU"]),
    # terms that start or end with a symbol are still whole words
    ("C++", "C++ and C# and c++ and C++11", ["C++"]),
    ("$500", "costs $500 now, not $5000 or US$500", ["$500"]),
    ("S&P 500", "the S&P 500 fell; S&P 5000", ["S&P 500"]),
    # regular expressions, with and without /i
    (r"/\bH[12]00\b/", "H100, H200, H300 and h100", ["H100", "H200"]),
    (r"/\bh[12]00\b/i", "H100, H200 and h100", ["H100", "H200", "h100"]),
    ("/GPU/", "nGPUs", ["GPU"]),
    (r"/\$\d+ ?bn\b/i", "a $40 BN and $5bn deal", ["$40 BN", "$5bn"]),
    # Unicode: accents, German, Turkish dotted and dotless i, Greek final sigma
    ("café", "Café CAFÉ cafe", ["Café", "CAFÉ"]),
    ("münchen", "MÜNCHEN and München", ["MÜNCHEN", "München"]),
    ("istanbul", "İstanbul, ISTANBUL and ıstanbul", ["İstanbul", "ISTANBUL", "ıstanbul"]),
    ("İzmir", "izmir and İZMİR", ["izmir", "İZMİR"]),
    ("οδος", "ΟΔΟΣ", ["ΟΔΟΣ"]),
])
def test_term_syntax(term: str, text: str, expected: list[str]) -> None:
    assert found(term, text) == expected


@pytest.mark.parametrize(("term", "reason"), [
    ("", "empty"),
    ("   ", "empty"),
    ("*", "must follow"),
    ("giga*factory", "may only end"),
    ("/[unclosed/", "does not compile"),
    ("/x?/", "empty string"),
    (r"/\b/", "empty string"),
    ("/(?<=abc)/", "empty string"),
    ("/a|/", "empty string"),
])
def test_bad_terms_say_why(term: str, reason: str) -> None:
    with pytest.raises(TermSyntaxError, match=reason):
        compile_term(term)


@pytest.mark.parametrize(("term", "anchors", "gates"), [
    ("data centre", ("data",), ()),
    ("AI gigafactor*", ("ai",), ()),
    ("İzmir", ("izmir",), ()),
    (r"/\bH[12]00\b/", ("h100", "h200"), ()),
    (r"/\bAI (?:compute )?capacity\b/", ("ai ",), ()),
    (r"/(?:ab|cd)e/", ("abe", "cde"), ()),
    (r"/\b\d+(?:\.\d+)?\s?[GM]W\b/", (), ("gw", "mw")),
    (r"/\d+(?:st|nd) century/", (), ("nd century", "st century")),
    (r"/\d+/", (), ()),
])
def test_anchors_and_gates(term: str, anchors: tuple[str, ...], gates: tuple[str, ...]) -> None:
    compiled = compile_term(term)
    assert (compiled.anchors, compiled.gates) == (anchors, gates)


def test_fold_keeps_length_where_lower_does_not() -> None:
    assert len("İstanbul".lower()) == 9
    assert fold("İstanbul") == "istanbul"
    assert fold("ΟΔΟΣ ΟΔΟΣ") == "οδοσ οδοσ"  # lower() would end each word with "ς"
    assert fold("ſtraße ı") == "straße i"


@given(st.text())
def test_fold_is_one_character_for_one(text: str) -> None:
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "".join(fold(c) for c in text)


# Where the letters are that `re` equates although str.lower() keeps them apart (dotless i,
# long s, micro sign, Greek symbol forms, old Cyrillic forms, Kelvin sign, ligatures).
_TRICKY = [*range(0x600), *range(0x1C80, 0x1C90), *range(0x1E00, 0x2000), *range(0x2100, 0x2140),
           *range(0xA640, 0xA6A0), *range(0xFB00, 0xFB07)]


def test_fold_agrees_with_re_ignorecase() -> None:
    """Two letters fold alike exactly when a case-insensitive pattern matches one by the other."""
    letters = sorted({chr(c) for c in _TRICKY} | {fold(chr(c)) for c in _TRICKY})
    classes: dict[str, set[str]] = {}
    for letter in letters:
        classes.setdefault(fold(letter), set()).add(letter)
    every = "".join(letters)
    for folded, members in classes.items():
        # re's case-insensitive equality is an equivalence: one pattern per class will do.
        matched = {m.group() for m in re.finditer("(?i)" + re.escape(folded), every)}
        assert matched == members, folded


def test_fold_covers_every_letter_re_equates() -> None:
    """Over all of Unicode, by CPython's own tables: re equates lower-cased letters only
    when they are equal or in one of its extra case classes, and fold merges those."""
    casefix = pytest.importorskip("re._casefix")
    lower = pytest.importorskip("_sre").unicode_tolower
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code < 0xE000:
            continue
        letter, lowered = chr(code), lower(code)
        if lowered != code:
            assert fold(letter) == fold(chr(lowered)), letter
        for other in casefix._EXTRA_CASES.get(lowered, ()):
            assert fold(chr(other)) == fold(letter), letter


TERMS = ["data centre", "data cent*", "center", "AI", "AI gigafactor*", "gigafactor*", "GPU*",
         "H100", "C++", "$500", "istanbul", "İzmir", "go go", "train* very large models",
         r"/\bH[12]00\b/", r"/\bh[12]00s?\b/i", r"/\b\d+(?:\.\d+)?\s?[GM]W\b/", "/GPU/",
         r"/(?:ab|abc)d/", r"/(?<=x)yz/", r"/\d+/"]
WORDS = ["data", "centre", "Centre", "center", "datacenter", "AI", "ai", "Ai", "gigafactory",
         "GIGAFACTORIES", "GPU", "GPUs", "gpu", "H100", "h200", "H200s", "C++", "$500", "go",
         "train", "trained", "very", "large", "models", "İstanbul", "ıstanbul", "İzmir", "izmir",
         "abd", "abcd", "xyz", "12", "3.5", "GW", "MW", "nGPU"]
NOISE = ["", " ", "  ", "-", "\u2011", "\u00a0", "\n", ", ", ".", "_", "$", "+", "İ", "ı",
         "ſ", "Σ", "ς", "é", "\u212a", "x", "1"]


COMPILED = [compile_term(t) for t in TERMS]
INDEX = TermIndex(COMPILED)


def texts() -> st.SearchStrategy[str]:
    """Text built from the terms' own words and noise, so that terms hit often."""
    piece = st.one_of(st.sampled_from(WORDS), st.sampled_from(NOISE), st.text(max_size=3))
    return st.lists(piece, max_size=40).map("".join)


def reference(term: Term, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in term.pattern.finditer(text)]


@settings(max_examples=300)
@given(texts())
def test_index_finds_what_finditer_finds(text: str) -> None:
    expected = {i: spans for i, t in enumerate(COMPILED) if (spans := reference(t, text))}
    assert INDEX.find(text) == expected


@settings(max_examples=300)
@given(texts())
def test_every_match_starts_with_an_anchor_or_holds_a_gate(text: str) -> None:
    folded = fold(text)
    for term in COMPILED:
        for start, end in reference(term, text):
            if term.anchors:
                assert any(folded.startswith(a, start) for a in term.anchors)
            if term.gates:
                assert any(g in folded[start:end] for g in term.gates)


@given(st.text())
def test_index_never_raises_and_offsets_slice(text: str) -> None:
    for i, spans in INDEX.find(text).items():
        for start, end in spans:
            found = COMPILED[i].pattern.match(text, start)
            assert found is not None and found.end() == end
        assert spans == sorted(spans)


def test_an_empty_index_finds_nothing() -> None:
    assert TermIndex([]).find("data centre") == {}
    assert TermIndex([compile_term("x")]).find("") == {}


@pytest.mark.parametrize(("terms", "text", "expected"), [
    # finditer never overlaps: "go go" is found once in "go go go", not twice
    (["go go"], "go go go", {0: [(0, 5)]}),
    ([r"/(?:a|ab)c/"], "abcac", {0: [(0, 3), (3, 5)]}),
    # a term's anchors found out of order still come back in order
    ([r"/(?:abcd|b)e/"], "be abcde", {0: [(0, 2), (3, 8)]}),
    # shared anchors: one scan serves every term that starts with "data"
    (["data", "data centre", "data cent*"], "Data-centres and data centre",
     {0: [(0, 4), (17, 21)], 1: [(17, 28)], 2: [(0, 12), (17, 28)]}),
    # offsets stay right after a letter that lower() turns into two
    (["data centre"], "İİ data centre", {0: [(3, 14)]}),
])
def test_index_examples(terms: list[str], text: str, expected: dict[int, list[tuple[int, int]]]
                        ) -> None:
    assert TermIndex([compile_term(t) for t in terms]).find(text) == expected
