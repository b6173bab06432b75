"""How many GPUs (accelerators, AI chips), and which accelerator models are named.

A count is a number followed, within a few words of vendor, model or adjective, by a GPU
noun: "100,000 GPUs", "200,000 Nvidia H100 GPUs", "a 10,000-GPU cluster", "half a
million chips". Memory chips, CPUs, servers and racks are not GPUs, and a per-server
figure ("8 GPUs per node") is a specification, not a deployment.
"""

from __future__ import annotations

import re

from monitor.facts.numbers import Group
from monitor.facts.text import Sentence

_MODEL = (
    r"G[BH]\d{3}[A-Z]?|[HB]\d{2,3}[A-Z]?|A(?:100|800|30|40)|L40S?|L4|MI\d{3}[A-Z]?"
    r"|TPU(?:\s?v\d+[a-z]?)?|Trillium|Ironwood|Trainium\s?\d?|Inferentia\s?\d?|Gaudi\s?\d"
    r"|Maia\s?\d{3}|MTIA|Ascend\s?\d{3}[A-Z]?|WSE-\d|Blackwell(?: Ultra)?|Hopper"
    r"|(?:Vera )?Rubin(?: Ultra| CPX)?"
)
CHIP = re.compile(rf"(?<![\w-])(?P<model>{_MODEL})(?:s)?(?![\w])")
_FAMILY = frozenset({"Blackwell", "Blackwell Ultra", "Hopper", "Rubin", "Vera Rubin",
                     "Rubin Ultra", "Rubin CPX", "Trillium", "Ironwood"})
# A family name is a common word or surname elsewhere; count it only beside chip talk.
_CHIP_TALK = re.compile(r"\b(?:Nvidia|NVIDIA|GPUs?|chips?|accelerators?|superchips?|"
                        r"architecture|generation|platform|systems?|wafers?|processors?|"
                        r"TPUs?|Google|AI)\b")
_NOUN = re.compile(r"(?:gpus?|graphics processing units?|graphics processors?|accelerators?|"
                   r"chips?|processors?|superchips?|tpus?|npus?|xpus?|(?:" + _MODEL.lower()
                   + r")s)$")
_NOT_GPU = frozenset("""cpu cpus xeon epyc servers server racks rack nodes node homes memory
hbm dram nand storage wafers wafer shares people workers jobs square feet acres gw mw kw
gwe mwe gigawatt gigawatts megawatt megawatts kilowatts percent years months""".split())
_FILLER = frozenset("""ai advanced high-end high-performance cutting-edge latest new more
additional next-generation next-gen top-end flagship custom data-center datacenter
data center of the its their his her our graphics processing specialized specialised
liquid-cooled leading-edge most powerful state-of-the-art strong""".split())
_WORD = re.compile(r"[\s-]+([\w.'+]+)")
_PER = re.compile(r"\s+(?:per|each|in each|a|an)\s+(?:server|node|rack|system|board|tray|"
                  r"box|chassis|pod)s?\b", re.IGNORECASE)
_YEAR_BEFORE = re.compile(r"\b(?:in|by|since|until|through|from|of|early|late|mid|"
                          r"January|February|March|April|May|June|July|August|September|"
                          r"October|November|December)\s*$", re.IGNORECASE)


def gpus(sentences: list[Sentence]) -> list[int]:
    """Every stated count of GPUs or accelerators, first mention first, no repeats."""
    out: list[int] = []
    for sentence in sentences:
        for group in sentence.numbers:
            if group.currency or not _counts_gpus(sentence.text, group):
                continue
            for q in group.items:
                count = round(q.value)
                if count >= 2 and not any(abs(count - c) <= 0.01 * c for c in out):
                    out.append(count)
    return out


def _counts_gpus(text: str, group: Group) -> bool:
    last = group.items[-1]
    if not last.scaled and 1900 <= last.number <= 2100 and "," not in text[last.start:last.end] \
            and _YEAR_BEFORE.search(text, 0, group.start):
        return False
    at, previous = group.end, ""
    for _ in range(5):
        word = _WORD.match(text, at)
        if word is None:
            return False
        token = word.group(1).rstrip(".").lower().removesuffix("'s")
        if _NOUN.match(token) or (token in ("units", "unit") and previous == "processing"):
            return _PER.match(text, word.end()) is None
        if token in _NOT_GPU or token[:1].isdigit():
            return False
        if token not in _FILLER and not _is_name(word.group(1)):
            return False
        at, previous = word.end(), token
    return False


def _is_name(token: str) -> bool:
    """A vendor or model ("Nvidia", "H100", "Nvidia's") may stand between count and noun."""
    return token[:1].isupper() and token.rstrip(".").lower() not in _NOT_GPU


def chips(sentences: list[Sentence]) -> list[str]:
    """Accelerator models and families named, as written, without repeats."""
    out: list[str] = []
    seen: set[str] = set()
    for sentence in sentences:
        for match in CHIP.finditer(sentence.text):
            model = " ".join(match.group("model").split())
            if model in _FAMILY and not _CHIP_TALK.search(sentence.text):
                continue
            key = model.lower().replace(" ", "")
            if key not in seen:
                seen.add(key)
                out.append(model)
    return out
