"""Watch rules: the term syntax, loading and checking rule files, and matching."""
