"""How far along the story's project is, from the stage cues in its text.

The furthest stage reported wins (cancelled > operational > under construction >
financed > announced). A cue in the future ("construction will begin", "expected to be
operational in 2027") reports a plan, not a stage reached, so it counts as announced.
None when nothing in the text is a project at any stage (a market report, a ruling).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.facts.text import Sentence
from monitor.model import FACT_STATUSES, FactStatus

_OBJECT = (r"(?:\s+\S+){0,4}?\s+(?:data[\s-]?cent\w*|datacent\w*|campus\w*|facilit\w*|sites?|"
           r"clusters?|supercomputers?|plants?|hubs?|factor\w*|fabs?|projects?|"
           r"construction|phase|buildings?|reactors?|gigafactor\w*|systems?)\b")
_SUBJECT = (r"\b(?:data[\s-]?cent\w*|datacent\w*|campus\w*|facilit\w*|sites?|clusters?|"
            r"supercomputers?|plants?|hubs?|factor\w*|fabs?|projects?|systems?|machines?|"
            r"gigafactor\w*|plans?)\b[^.;]{0,120}?\b")
_BEEN = r"(?:was|were|has been|have been|had been|is being|are being|is now|are now|is|are) "
_CUES: dict[FactStatus, re.Pattern[str]] = {
    "cancelled": re.compile(
        r"\b(?:cancel(?:s|led|ed|ing)?|scrap(?:s|ped|ping)?|abandon(?:s|ed|ing)?|shelv(?:es|ed|ing)|"
        r"ditch(?:es|ed)?|axe[sd]?|terminat(?:es|ed))\s+(?:its|the|their|a|an|his|her|plans?)\b"
        + _OBJECT.replace("{0,4}", "{0,5}")
        + r"|\b(?:withdr(?:ew|awn|aws)|pull(?:s|ed)? out) (?:from|of)" + _OBJECT
        + r"|" + _SUBJECT + _BEEN + r"(?:cancel(?:l)?ed|scrapped|abandoned|shelved|axed|ditched|"
        r"terminated|called off|paused indefinitely|put on hold indefinitely)",
        re.IGNORECASE),
    "operational": re.compile(
        r"\b(?:switch(?:es|ed)? on|power(?:s|ed)? (?:up|on)|went live|gone live|goes live|"
        r"(?:is|are|now) (?:now )?live|came online|comes online|(?:is|are|was|were|be|became|"
        r"become|becomes|now|fully) (?:now )?(?:operational|operative)|in operation|"
        r"began (?:operations|operating)|started operations|activated|"
        r"(?:has|have) (?:been )?(?:built|erected)|erected|successful production|"
        # Of a site only: "inaugurated JUPITER", not "since the inauguration of a president".
        r"inaugurat(?:ed|es|ing)\s+(?:the\s+)?(?-i:[A-Z])|"
        r"(?:opened|opens|inaugurat\w+|(?:has|have) (?:been )?completed)" + _OBJECT + r")"
        r"|" + _SUBJECT + _BEEN + r"(?:launched|inaugurated|switched on|brought online|"
        r"commissioned|completed|activated)\b",
        re.IGNORECASE),
    "under construction": re.compile(
        r"\b(?:under construction|(?:began|begun|started|starts|start|commenced|begins) "
        r"(?:construction|building|work)|broke ground|breaks ground|breaking ground|"
        r"groundbreaking ceremony|construction (?:is|has|was) (?:now )?(?:underway|under way|"
        r"begun|started|progressing)|construction (?:began|started|is underway)|"
        r"(?:is|are) (?:now )?(?:building|constructing)" + _OBJECT + r"|"
        r"being (?:built|constructed)|"
        r"topped out|nearing completion)\b",
        re.IGNORECASE),
    "financed": re.compile(
        r"\b(?:(?:secure[sd]?|close[sd]?|raise[sd]?|obtain(?:s|ed)|arrange[sd]|land(?:s|ed)|completed)(?:\s+\S+){0,4}?\s+"
        r"(?:financing|funding|loans?|debt|credit facility|project finance|funding round|"
        r"round of funding|Series [A-F]\b)|"
        r"(?:financing|funding) (?:has |was )?(?:closed|secured)|financial close)\b",
        re.IGNORECASE),
    "announced": re.compile(
        r"\b(?:announc\w+|unveil\w*|plans?|planned|planning|propos\w+|intend\w*|intent|"
        r"memorandum|mou|agree\w*|deals?|sign\w*|select\w*|chosen|chose|picks?|picked|commit\w*|pledg\w+|"
        r"launch\w*|partner\w*|contracts?|invest\w*|build|to build|will build|approv\w+|"
        r"expressions? of interest|proposals?|acquir\w+|acquisition|stake|expan\w+|"
        r"spend\w*|capex|order\w*|purchase\w*|buy\w*|deploy\w*|construction)\b",
        re.IGNORECASE),
}
# Words every cue of a stage contains one of: a sentence with none skips that stage's
# pattern (most sentences state no stage at all).
_STEMS: dict[str, tuple[str, ...]] = {
    "cancelled": ("cancel", "scrap", "abandon", "shelv", "ditch", "axe", "terminat", "withdr",
                  "pull", "paus", "called off", "on hold"),
    "operational": ("switch", "power", "live", "online", "operati", "inaugurat", "activated",
                    "built", "erected", "completed", "production", "open", "launched",
                    "commissioned"),
    "under construction": ("construct", "build", "ground", "topped out", "completion"),
    "financed": ("financ", "funding", "loan", "debt", "credit", "series", "round",
                 "financial close"),
}
_FUTURE = re.compile(
    r"\b(?:will|would|could|may|might|to be|expected to|set to|slated to|scheduled to|plans? to|"
    r"aims? to|hopes? to|due to|soon|once|when|until|if|before|yet to|not yet|won't|should)"
    r"(?:\s+\S+){0,3}\s*$",
    re.IGNORECASE)
_RANK = {status: rank for rank, status in enumerate(FACT_STATUSES)}


def status(sentences: Sequence[Sentence]) -> FactStatus | None:
    """The furthest stage any sentence reports as reached, or None."""
    best: FactStatus | None = None
    for sentence in sentences:
        for stage in _stages(sentence.text):
            if best is None or _RANK[stage] > _RANK[best]:
                best = stage
    if best is None and any(_CUES["announced"].search(s.text) for s in sentences):
        return "announced"
    return best


def _stages(text: str) -> list[FactStatus]:
    """The stages past "announced" that a sentence reports ("announced" for one to come)."""
    found: list[FactStatus] = []
    low = text.lower()
    for stage, pattern in _CUES.items():
        if stage == "announced" or not any(stem in low for stem in _STEMS[stage]):
            continue
        for cue in pattern.finditer(text):
            if _FUTURE.search(text, 0, cue.start()):
                found.append("announced")  # a stage planned, not reached
            else:
                found.append(stage)
                break
    return found
