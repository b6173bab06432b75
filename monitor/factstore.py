"""Each matched article's facts in the store, by uid (the `facts` table, revision 0007_facts).

The poll cycle writes them with the article's matches, only when its text is new or
changed (`save_facts`). Readers ask `load_facts`, which fills in what is missing: articles
matched before the table existed, or first matched after a rules change left their text
alone, are read by the extractor then and written back, so a store upgraded from an
earlier release gets its facts as they are first needed, never in one long migration.
Facts depend on the text alone, so a rules change does not make stored facts stale.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from monitor.model import Article, Facts
from monitor.schema import articles, facts
from monitor.store import Store

_CHUNK = 500  # uids per IN (...) query, as the store does


def save_facts(c: Connection, changed: Iterable[str], found: Mapping[str, Facts]) -> None:
    """Replace the facts of the `changed` articles with `found` (those that matched)."""
    for chunk in _chunks(list(changed)):
        c.execute(facts.delete().where(facts.c.uid.in_(chunk)))
    rows = [{"uid": uid, "data": json.dumps(f.to_json(), ensure_ascii=False)}
            for uid, f in found.items()]
    if rows:
        c.execute(facts.insert(), rows)


def stored_facts(store: Store, uids: Iterable[str]) -> dict[str, Facts]:
    """The facts stored for these uids (those with none are absent)."""
    out: dict[str, Facts] = {}
    with store.begin() as c:
        for chunk in _chunks(list(uids)):
            rows = c.execute(sa.select(facts.c.uid, facts.c.data).where(facts.c.uid.in_(chunk)))
            out.update((row.uid, Facts.from_json(json.loads(row.data))) for row in rows)
    return out


def load_facts(store: Store, found: Sequence[Article]) -> dict[str, Facts]:
    """The facts of these (matched) articles: as stored, the missing ones extracted now
    and stored."""
    known = stored_facts(store, (a.uid for a in found))
    missing = {a.uid: a for a in found if a.uid not in known}
    if not missing:
        return known
    from monitor.facts.extract import article_facts  # the extractor loads only when needed

    fresh = {uid: article_facts(article) for uid, article in missing.items()}
    try:
        with store.begin() as c:
            save_facts(c, fresh, fresh)
    except sa.exc.IntegrityError:
        pass  # a poll cycle stored some of them meanwhile: the same text, the same facts
    return known | fresh


def first_seen(store: Store, uids: Iterable[str]) -> dict[str, datetime]:
    """When monitor first saw each of these articles."""
    out: dict[str, datetime] = {}
    with store.begin() as c:
        for chunk in _chunks(list(uids)):
            query = sa.select(articles.c.uid, articles.c.first_seen) \
                .where(articles.c.uid.in_(chunk))
            out.update((row.uid, row.first_seen) for row in c.execute(query))
    return out


def _chunks(values: list[str]) -> Iterable[list[str]]:
    return (values[i:i + _CHUNK] for i in range(0, len(values), _CHUNK))
