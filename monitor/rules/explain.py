"""Why a rule did or did not match an article: as rich text, Markdown or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from monitor.model import FIELDS, Article, Hit
from monitor.rules.match import Evaluation, GroupResult


def verdict(ev: Evaluation) -> str:
    if ev.matched:
        return "MATCH"
    reasons = []
    if ev.score < ev.rule.threshold:
        reasons.append(f"score {ev.score:g} is below the threshold {ev.rule.threshold:g}")
    if not ev.required:
        reasons.append("a require group has no hit")
    if ev.excluded:
        reasons.append("an exclude term hit")
    return "NO MATCH: " + "; ".join(reasons)


def _group_name(group: GroupResult, ev: Evaluation) -> str:
    signal = ev.rule.signals[group.index]
    return signal.name or f"group {group.index + 1}"


def _distinct(hits: Sequence[Hit]) -> list[Hit]:
    seen: dict[tuple[str, str, str], Hit] = {}
    for hit in hits:
        seen.setdefault((hit.term, hit.field, hit.text.lower()), hit)
    return list(seen.values())


def _all_hits(ev: Evaluation) -> list[Hit]:
    hits = [h for g in ev.groups for h in g.hits]
    hits += [h for r in ev.require for h in r.hits] + list(ev.excluded)
    return hits


def to_json(ev: Evaluation, article: Article) -> dict[str, Any]:
    def hit(h: Hit) -> dict[str, Any]:
        return {"term": h.term, "field": h.field, "text": h.text, "start": h.start, "end": h.end}

    return {
        "rule": ev.rule.id, "matched": ev.matched, "score": ev.score,
        "threshold": ev.rule.threshold, "verdict": verdict(ev),
        "groups": [
            {"name": _group_name(g, ev), "weight": g.weight, "points": g.points,
             "best_field": g.field, "hits": [hit(h) for h in g.hits],
             "not_near": [hit(h) for h in g.not_near]}
            for g in ev.groups
        ],
        "require": [{"terms": list(r.terms), "met": bool(r.hits), "hits": [hit(h) for h in r.hits]}
                    for r in ev.require],
        "excluded": [hit(h) for h in ev.excluded],
        "text": {name: article.text(name) for name in FIELDS},
    }


def _mark_markdown(text: str, hits: Sequence[Hit]) -> str:
    merged: list[list[int]] = []
    for start, end in sorted({(h.start, h.end) for h in hits if text[h.start:h.end] == h.text}):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)  # overlapping hits become one bold run
        else:
            merged.append([start, end])
    out, last = [], 0
    for start, end in merged:
        out += [text[last:start], "**", text[start:end], "**"]
        last = end
    out.append(text[last:])
    return "".join(out)


def to_markdown(ev: Evaluation, article: Article) -> str:
    lines = [f"## {ev.rule.id}: {verdict(ev)}", "",
             f"Score **{ev.score:g}** of threshold {ev.rule.threshold:g}.", "",
             "| group | weight | points | hits |", "| --- | --- | --- | --- |"]
    for g in ev.groups:
        found = ", ".join(f"{h.text} ({h.field})" for h in _distinct(g.hits)) or "-"
        if g.not_near:
            found += f"; not near enough: {', '.join(h.text for h in _distinct(g.not_near))}"
        lines.append(f"| {_group_name(g, ev)} | {g.weight:g} | {g.points:g} | {found} |")
    lines.append("")
    for r in ev.require:
        state = "met by " + ", ".join(h.text for h in _distinct(r.hits)) if r.hits else "NOT met"
        lines.append(f"- require one of {', '.join(r.terms)}: {state}")
    excluded = ", ".join(h.text for h in _distinct(ev.excluded))
    lines.append(f"- exclude: {'hit by ' + excluded if excluded else 'no hit'}")
    lines.append("")
    marks = _all_hits(ev)
    for name in FIELDS:
        text = article.text(name)
        if text:
            mine = [h for h in marks if h.field == name]
            lines += [f"**{name}:** " + _mark_markdown(text, mine), ""]
    return "\n".join(lines)


def to_rich(ev: Evaluation, article: Article) -> RenderableType:
    style = "bold green" if ev.matched else "bold red"
    parts: list[RenderableType] = [
        Text(f"{ev.rule.id}: {verdict(ev)}", style=style),
        Text(f"score {ev.score:g} / threshold {ev.rule.threshold:g}"), Text(""),
    ]
    for g in ev.groups:
        line = Text(f"  {_group_name(g, ev):<28} weight {g.weight:>4g}  points {g.points:>5g}  ")
        for index, h in enumerate(_distinct(g.hits)):
            line.append(", " if index else "")
            line.append(h.text, style="yellow")
            line.append(f" ({h.field})", style="dim")
        if g.not_near:
            line.append(f"  not near: {', '.join(h.text for h in _distinct(g.not_near))}",
                        style="dim")
        parts.append(line)
    for r in ev.require:
        met = ", ".join(h.text for h in _distinct(r.hits))
        parts.append(Text(f"  require {' | '.join(r.terms)}: " + (met or "NOT MET"),
                          style="" if met else "red"))
    excluded = ", ".join(h.text for h in _distinct(ev.excluded))
    parts.append(Text(f"  exclude: {excluded or 'no hit'}", style="red" if excluded else ""))
    hits = _all_hits(ev)
    for name in FIELDS:
        text = article.text(name)
        if text:
            body = Text(f"\n{name}: ", style="bold")
            marked = Text(text)
            for h in hits:
                if h.field == name and text[h.start:h.end] == h.text:
                    marked.stylize("bold red" if h.group < -1 else "bold yellow", h.start, h.end)
            parts.append(body + marked)
    return Group(*parts)
