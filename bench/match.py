"""Benchmark the rule engine against a naive baseline on the same articles, in one process.

The baseline searches every term of every rule separately with `re` over every field and
scores with the same rule semantics, so both must agree on the matched rules and scores
of every article; the script exits 1 when they do not. Both run in this one process, one
core, and are timed in CPU seconds (so other work on the machine does not count):

    python bench/match.py                      # (a) the shipped rules, (b) 1,000 generated
    python bench/match.py --data ../shared/data --rule-count 1000 --baseline-articles 40

The baseline is slow with many rules, so it runs on the first --baseline-articles
articles; the ratio compares both engines on those same articles.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.errors import RuleError  # noqa: E402
from monitor.model import FIELDS, Article, FieldName, Rule, SignalGroup  # noqa: E402
from monitor.rules.load import load_rules_strict  # noqa: E402
from monitor.rules.match import Matcher  # noqa: E402
from monitor.rules.terms import compile_term  # noqa: E402

Result = list[tuple[str, float]]  # (rule id, score) of each matched rule, sorted
Texts = dict[FieldName, str]
ARTICLE_CHARS = 4000
_WORD = re.compile(r"\w+")

# Real words, phrases and acronyms from news copy, by topic; `*` marks a word ending.
TOPICS = [topic.replace("\n", "").split("|") for topic in """
AI|artificial intelligence|machine learning|GPU*|chip*|semiconductor*|data centre*|
data center*|datacenter*|hyperscale*|supercomput*|inference|trained model*|Nvidia|AMD|TSMC|ASML|
OpenAI|Anthropic|exascale|petaflop*|GPU cluster*|accelerator*|wafer*|foundr*|AI factor*

gigafactor*|battery|batteries|lithium|electric vehicle*|EV*|Tesla|Northvolt|CATL|cell factor*|
car maker*|carmaker*|charging|Volkswagen|BMW|Renault|Stellantis|battery plant*

power grid|electricity|nuclear|reactor*|solar|wind farm*|natural gas|oil price*|energy|
megawatt*|gigawatt*|MW|GW|utility|utilities|emission*|climate change|carbon|renewable*|Ofgem|
National Grid|power station*

investment*|venture capital|IPO|shares|stock market*|profit*|revenue*|earnings|inflation|
interest rate*|central bank|GDP|economy|recession|Bank of England|Federal Reserve|FTSE|
Dow Jones|bond*|currenc*|dollar|euro

tax*|budget|deficit|debt|pension*|Chancellor|Gordon Brown|Treasury|spending|public finances|
council tax|VAT|income tax|borrowing|benefit*|welfare

trade|tariff*|export*|import*|WTO|trade deficit|free trade|customs|sanction*|supply chain*|
shipping|port*|steel

government|minister*|prime minister|president|election*|vote*|voter*|parliament|Labour|Tory|
Tories|Conservative*|Liberal Democrat*|MP|MPs|Tony Blair|Michael Howard|Downing Street|Commons|
Lords|campaign*|manifesto*

EU|European Commission|Brussels|Europe*|France|French|Germany|German|member state*|eurozone|
European Parliament|Ursula von der Leyen|EuroHPC|Council of the EU

China|Chinese|Beijing|Japan*|India*|Russia*|Moscow|Kremlin|Ukraine|Washington|White House|
Congress|Senate|Pentagon|NATO|United Nations|UN

court*|judge*|police|crime|criminal*|trial|jury|prison*|lawyer*|Home Office|terror*|arrest*|
convict*|sentence*|appeal*|High Court

security|cyber*|hack*|privacy|internet|broadband|mobile phone*|smartphone*|software|hardware|
Microsoft|Google|Apple|Amazon|Meta|Samsung|Huawei|virus*|spam|phishing|broadband

video game*|console*|PlayStation|Xbox|Nintendo|gamer*|gaming|graphics card*|GeForce|Radeon|
Steam|esports

film*|movie*|music|album*|singer*|band|award*|Oscar*|festival*|television|TV|BBC|ITV|Channel 4|
box office|actor*|actress*|director*|Hollywood|Bafta*|Grammy*|chart*

football|soccer|rugby|cricket|tennis|Olympic*|World Cup|Premier League|Champions League|coach*|
striker*|goal*|season|injur*|Chelsea|Arsenal|Manchester United|Liverpool|Wimbledon|Six Nations|
England|Wales|Ireland|Scotland

hospital*|NHS|doctor*|patient*|health|vaccine*|nurse*|cancer|disease*|drug*|medic*|surgery|
treatment*|GP|GPs|waiting list*

school*|universit*|student*|teacher*|tuition fee*|exam*|research*|scientist*|space|satellite*|
rocket*|NASA|ESA|telescope*|Mars

airline*|airport*|flight*|rail*|train station*|strike*|union*|worker*|job*|unemployment|wage*|
salary|salaries|chief executive|CEO|chairman|merger*|acquisition*|takeover*|deal*
""".strip().split("\n\n")]
REGEXES = [r"/\bH[12]00\b/", r"/\b(?:19|20)\d\d\b/", r"/\$\d+(?:\.\d+)? ?(?:bn|billion)\b/i",
           r"/\b\d+(?:\.\d+)? ?(?:MW|GW)\b/", r"/\bB[0-9]{3}\b/", r"/\bexa(?:flop|scale)s?\b/i"]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    corpus = build_corpus(Path(args.data), args.articles, random.Random(args.seed))
    print(f"corpus: {len(corpus)} articles, "
          f"{sum(_size(a) for a in corpus) / len(corpus):,.0f} characters each on average")
    ok = True
    shipped = _shipped_rules(Path(args.rules))
    if shipped:
        ok &= compare(f"(a) shipped rules ({len(shipped)})", shipped, corpus, len(corpus),
                      args.min_seconds)
    generated = generate_rules(args.rule_count, random.Random(args.seed))
    ok &= compare(f"(b) {len(generated)} generated rules", generated, corpus,
                  args.baseline_articles, args.min_seconds)
    return 0 if ok else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"),
                        help="directory with relevance-dev.jsonl and summaries-dev.jsonl")
    parser.add_argument("--rules", default=str(ROOT / "rules"), help="the shipped rules")
    parser.add_argument("--rule-count", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=600, help="corpus size")
    parser.add_argument("--baseline-articles", type=int, default=20,
                        help="articles the (slow) baseline runs on with generated rules")
    parser.add_argument("--min-seconds", type=float, default=2.0,
                        help="repeat our engine's pass over the corpus at least this long")
    parser.add_argument("--seed", type=int, default=7)
    return parser


def _size(article: Article) -> int:
    return len(article.title) + len(article.summary) + len(article.content)


def _shipped_rules(directory: Path) -> list[Rule]:
    try:
        rules = load_rules_strict(directory) if directory.is_dir() else []
    except RuleError as exc:
        print(f"the shipped rules do not load ({exc})")
        rules = []
    if not rules:
        print(f"no usable rules in {directory}; (a) uses the example rule of DESIGN.md")
        return [EXAMPLE_RULE]
    return rules


# The rule-file example of DESIGN.md, for when the shipped rule is not written yet.
EXAMPLE_RULE = Rule(
    "ai-infrastructure", 5.0, (
        SignalGroup(("AI gigafactor*", "AI factor*"), 5.0),
        SignalGroup(("data centre", "data center", "datacenter", "hyperscale*"), 2.0),
        SignalGroup(("GPU*", r"/\bH[12]00\b/", "accelerator*"), 2.0,
                    ("AI", "train*", "cluster*"), 12),
    ),
    require=(("AI", "artificial intelligence", "compute", "data cent*", "GPU*",
              "supercomput*"),),
    exclude=("battery gigafactor*", "Stargate SG-1"),
)


def compare(label: str, rules: list[Rule], corpus: list[Article], baseline_count: int,
            min_seconds: float) -> bool:
    """Time both engines, print articles/s and the ratio; False when results differ."""
    matcher, baseline = Matcher(rules), Baseline(rules)
    sample = corpus[:baseline_count]
    ours_rate, ours = _rate(lambda a: _ours(matcher, a), corpus, min_seconds)
    same_rate, _ = _rate(lambda a: _ours(matcher, a), sample, min_seconds / 2)
    base_rate, base = _rate(baseline.match, sample, 0.0)
    diffs = [i for i in range(len(sample)) if ours[i] != base[i]]
    per_article = sum(map(len, ours)) / len(ours)
    print(f"{label}: ours {ours_rate:,.0f} articles/s over {len(corpus)} articles "
          f"({per_article:.2f} matched rules per article)")
    print(f"    on the first {len(sample)}: ours {same_rate:,.0f} articles/s, "
          f"baseline {base_rate:,.1f} articles/s, ratio {same_rate / base_rate:,.1f}x, "
          f"results {'identical' if not diffs else 'DIFFERENT'}")
    for i in diffs[:5]:
        print(f"  DIFFERENT on {corpus[i].uid}: ours {ours[i]} baseline {base[i]}")
    if diffs:
        print(f"  {len(diffs)} of {len(sample)} articles differ")
    return not diffs


def _ours(matcher: Matcher, article: Article) -> Result:
    return sorted((m.rule_id, m.score) for m in matcher.match(article))


def _rate(run: Callable[[Article], Result], articles: list[Article],
          min_seconds: float) -> tuple[float, list[Result]]:
    """Articles per CPU second of the fastest pass (passes repeat for `min_seconds`).

    CPU time of this process, not wall time, so other work on the machine does not count.
    """
    best = float("inf")
    spent = 0.0
    results: list[Result] = []
    while not results or spent < min_seconds:
        start = time.process_time()
        results = [run(a) for a in articles]
        elapsed = time.process_time() - start
        best = min(best, elapsed)
        spent += elapsed
    return len(articles) / best, results


class Baseline:
    """Every term of every rule searched on its own with `re`, over every field."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.patterns = {t: compile_term(t).pattern for r in rules for t in _rule_terms(r)}

    def match(self, article: Article) -> Result:
        texts: Texts = {name: article.text(name) for name in FIELDS}
        out = []
        for rule in self.rules:
            score = round(sum(self._points(rule, g, texts) for g in rule.signals), 6)
            if score >= rule.threshold and self._required(rule, texts) \
                    and not self._any(rule.exclude, texts):
                out.append((rule.id, score))
        return sorted(out)

    def _points(self, rule: Rule, group: SignalGroup, texts: Texts) -> float:
        weights = rule.field_weights()
        best = max((weights[f] for f in FIELDS if self._group_hits(group, texts[f])), default=None)
        return 0.0 if best is None else group.weight * best

    def _group_hits(self, group: SignalGroup, text: str) -> bool:
        spans = [m.span() for t in group.terms for m in self.patterns[t].finditer(text)]
        if not group.near or not spans:
            return bool(spans)
        anchors = [m.span() for t in group.near for m in self.patterns[t].finditer(text)]
        return any(_near(s, a, text, group.within) for s in spans for a in anchors if s != a)

    def _required(self, rule: Rule, texts: Texts) -> bool:
        return all(self._any(alternatives, texts) for alternatives in rule.require)

    def _any(self, terms: Sequence[str], texts: Texts) -> bool:
        return any(self.patterns[t].search(texts[f]) for t in terms for f in FIELDS)


def _near(a: tuple[int, int], b: tuple[int, int], text: str, within: int) -> bool:
    """Spans overlap, or fewer than `within` words lie between them."""
    first, second = sorted([a, b])
    if first[1] > second[0]:
        return True
    return len(_WORD.findall(text[first[1]:second[0]])) < within


def _rule_terms(rule: Rule) -> list[str]:
    terms = [t for g in rule.signals for t in (*g.terms, *g.near)]
    return terms + [t for alts in rule.require for t in alts] + list(rule.exclude)


def generate_rules(count: int, rng: random.Random) -> list[Rule]:
    """`count` realistic rules: 3-6 groups of 2-8 terms, some near, require and exclude."""
    return [_rule(f"generated-{n}", rng) for n in range(count)]


class _Pool:
    """A rule's vocabulary: its topic first, then two other topics, each term used once.

    Real rules give each group its own concept; a term shared by several groups of one
    rule would count one word several times.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.topic = rng.choice(TOPICS)
        self.others = [t for t in TOPICS if t is not self.topic]
        others = [t for topic in rng.sample(self.others, 2) for t in topic]
        self.terms = rng.sample(self.topic, len(self.topic)) + rng.sample(others, len(others))

    def take(self, low: int, high: int) -> tuple[str, ...]:
        """Fresh terms, mostly from the topic; now and then a regex."""
        picked = []
        for _ in range(self.rng.randint(low, high)):
            regex = self.rng.random() < 0.02
            picked.append(self.rng.choice(REGEXES) if regex or not self.terms
                          else self.terms.pop(0 if self.rng.random() < 0.85 else -1))
        return tuple(dict.fromkeys(picked))


def _rule(rule_id: str, rng: random.Random) -> Rule:
    pool = _Pool(rng)
    groups = []
    for _ in range(rng.randint(3, 6)):
        weight = rng.choice([1, 2, 2, 3, 3, 4, 5]) * (-1 if rng.random() < 0.08 else 1)
        near = pool.take(2, 4) if rng.random() < 0.25 else ()
        groups.append(SignalGroup(pool.take(2, 8), float(weight), near,
                                  rng.randint(4, 15) if near else 0))
    # Required terms are the rule's core vocabulary, so they may repeat signal terms.
    require = tuple(tuple(rng.sample(pool.topic, rng.randint(3, 6)))
                    for _ in range(rng.randint(1, 2))) if rng.random() < 0.3 else ()
    exclude = tuple(rng.sample(rng.choice(pool.others), rng.randint(1, 3))) \
        if rng.random() < 0.3 else ()
    fields = {"title": 3.0, "content": 0.5} if rng.random() < 0.2 else {}
    # Most rules need two or three groups to agree: one stray word is not a story.
    threshold = float(sum(sorted(g.weight for g in groups)[-3:]) * rng.uniform(0.8, 1.2))
    return Rule(rule_id, round(max(threshold, 2.0)), tuple(groups), fields=fields,
                require=require, exclude=exclude)


def build_corpus(data: Path, count: int, rng: random.Random) -> list[Article]:
    """Articles of about 4 KB from the development data, or generated text without it."""
    relevance, bodies = data / "relevance-dev.jsonl", data / "summaries-dev.jsonl"
    if relevance.is_file() and bodies.is_file():
        articles = _from_data(_jsonl(relevance), [r["article"] for r in _jsonl(bodies)], rng)
    else:
        print(f"no development data in {data}; using generated text")
        articles = _generated(count, rng)
    return [articles[i % len(articles)] for i in range(count)]


def _jsonl(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _from_data(rows: list[dict[str, str]], bodies: list[str],
               rng: random.Random) -> list[Article]:
    out = []
    for row in rows:
        out.append(_padded(row["id"], row["title"], row.get("summary") or "",
                           row.get("content") or "", bodies, rng))
    for n, body in enumerate(bodies):
        sentences = re.split(r"(?<=[.!?])\s+", body)
        title = sentences[0][:120]
        summary = " ".join(sentences[1:3])
        # Summary and content are often the same text in real feeds.
        content = summary if n % 6 == 0 else body
        out.append(_padded(f"body-{n}", title, summary, content, bodies, rng))
    rng.shuffle(out)
    return out


def _padded(uid: str, title: str, summary: str, content: str, bodies: list[str],
            rng: random.Random) -> Article:
    """Pad the content with other articles' text until the whole is about 4 KB."""
    same = summary == content
    budget = ARTICLE_CHARS - len(title)
    target = max(budget // 2 if same else budget - len(summary), 0)
    while len(content) < target:
        content += "\n\n" + rng.choice(bodies)
    content = content[:target]
    return Article(uid, f"https://example.org/{uid}", title, content if same else summary, content)


def _generated(count: int, rng: random.Random) -> list[Article]:
    filler = ["the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "was",
              "by", "at", "from", "it", "said"]
    words = filler * 8 + [w.rstrip("*") for topic in TOPICS for w in topic]

    def text(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n)) + "."

    return [Article(f"gen-{i}", f"https://example.org/{i}", text(10), text(40), text(600))
            for i in range(min(count, 200))]


if __name__ == "__main__":
    sys.exit(main())
