"""The figures and names an article states about AI infrastructure (DESIGN.md, "Facts").

Pure: text in, `Facts` out; no network, store, Slack or CLI. `extract.extract_facts` reads
them by rule; `llm` lets a configured model propose more, keeping only what the text
states; `merge.merge_facts` combines a story's articles; `totals` adds a week up; `render`
writes them as people read them. Nothing is imported here, so a renderer that only needs
`render` or `merge` does not load the extractor's word lists and patterns.
"""
