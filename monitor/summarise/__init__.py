"""Summaries of matched articles: extractive by default, an LLM when configured."""

from monitor.summarise.extractive import ExtractiveSummariser, Weights
from monitor.summarise.llm import LLMSummariser
from monitor.summarise.sentences import Sentence, split_sentences
from monitor.summarise.summary import Method, Summariser, Summary

__all__ = [
    "ExtractiveSummariser",
    "LLMSummariser",
    "Method",
    "Sentence",
    "Summariser",
    "Summary",
    "Weights",
    "split_sentences",
]
