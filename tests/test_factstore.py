"""Stored facts: replaced with their article's text, filled in when missing, kept on upgrade."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

import monitor.facts.extract as extract_module
from monitor.factstore import load_facts, save_facts, stored_facts
from monitor.model import Article, Facts, Money
from monitor.store import Store
from monitor.tracker import stored_items
from tests.conftest import DATA, NOW

LATER = NOW + timedelta(days=3650)  # the fixture store saw its articles after NOW

HYPERION = Article("h1", "https://news.example/hyperion", "Meta closes $27bn Hyperion financing",
                   content="Meta closed a $27 billion financing for its 5 GW Hyperion data "
                           "center in Richland Parish, Louisiana.")


def test_saved_facts_replace_what_the_changed_articles_had(store: Store) -> None:
    first = Facts(gpus=(100000,), companies=("Nvidia",), status="announced")
    with store.begin() as c:
        save_facts(c, ["a", "b"], {"a": first, "b": Facts()})
    assert stored_facts(store, ["a", "b", "c"]) == {"a": first, "b": Facts()}
    later = Facts(investment=(Money(2.7e10, "USD"),), places=("Louisiana",), status="financed")
    with store.begin() as c:
        save_facts(c, ["a", "b"], {"a": later})  # "b" no longer matches: its facts go
    assert stored_facts(store, ["a", "b"]) == {"a": later}


def test_missing_facts_are_extracted_once_and_stored(store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = extract_module.article_facts
    monkeypatch.setattr(extract_module, "article_facts",
                        lambda a: calls.append(a.uid) or real(a))
    (facts,) = load_facts(store, [HYPERION]).values()
    assert facts.power_mw == (5000.0,) and facts.investment == (Money(2.7e10, "USD"),)
    assert facts.status == "financed"
    assert load_facts(store, [HYPERION]) == {"h1": facts}
    assert calls == ["h1"]


def test_an_upgraded_store_gets_the_facts_of_its_old_matches_when_first_read(
        tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    shutil.copyfile(DATA / "stores" / "release-0.1.0.db", path)
    store = Store(f"sqlite:///{path}")
    try:
        matched = set(store.matches())
        assert stored_facts(store, matched) == {}  # the migration wrote none
        items = stored_items(store, None, LATER)
        assert {i.article.uid for i in items} == matched and len(matched) == 24
        lulea = next(i for i in items if "Lulea" in i.article.title)
        assert lulea.facts is not None and lulea.facts.gpus == (2000,)
        assert "Lulea" in lulea.facts.places
        assert set(stored_facts(store, matched)) == matched  # and written back
    finally:
        store.close()
