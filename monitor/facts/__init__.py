"""The figures and names an article states about AI infrastructure (DESIGN.md, "Facts").

Pure: text in, `Facts` out; no network, store, Slack or CLI. `extract_facts` reads them
by rule; `monitor.facts.llm` lets a configured model propose more, keeping only what the
text states; `merge_facts` combines a story's articles.
"""

from monitor.facts.extract import extract_facts
from monitor.facts.merge import merge_facts

__all__ = ["extract_facts", "merge_facts"]
