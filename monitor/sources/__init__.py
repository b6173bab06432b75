"""Getting articles in: fetch feeds and pages, parse them, and give them identity."""
