"""`monitor rules`: check, test, explain, seed and replay watch rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.cli.common import (
    config_option,
    get_config,
    now,
    open_store,
    plural,
    since_option,
    stdout_console,
)

if TYPE_CHECKING:
    from monitor.cli.inputs import Input
    from monitor.model import Article
    from monitor.rules.lint import Diagnostic
    from monitor.rules.replay import Change, RuleDiff
    from monitor.rules.testing import Outcome


@click.group()
def rules() -> None:
    """Check, test, explain, seed and replay the watch rules.

    Example:

        monitor rules check && monitor rules test
    """


def _rules_dir(directory: str | None, config_path: str | None = None) -> Path:
    config = get_config(config_path)  # checked whole, like for every command
    return Path(directory) if directory else config.rules


def check_directory(directory: Path) -> tuple[int, list[Diagnostic]]:
    """The number of rules that load, and every problem in a rules directory: file errors,
    warnings, bad cases, failing examples."""
    from monitor.rules.lint import Diagnostic
    from monitor.rules.load import load_rules
    from monitor.rules.testing import failure_message, load_case_files, rule_cases, run_cases

    result = load_rules(directory)
    cases, bad_cases = load_case_files(directory)
    problems = result.diagnostics + bad_cases
    for outcome in run_cases(result.rules, rule_cases(result.rules) + cases):
        if not outcome.passed:
            example = outcome.case.example
            problems.append(Diagnostic(example.path, example.line,
                                       f"example {example.title[:60]!r} failed: "
                                       f"{failure_message(outcome)}"))
    return len(result.rules), sorted(problems, key=lambda d: (d.path, d.line))


@rules.command()
@click.argument("directory", required=False)
@config_option
def check(directory: str | None, config_path: str | None) -> None:
    """Validate every rule file; list all errors and warnings as file:line: message.

    Checks YAML, keys and types, empty groups, regexes (must compile and never match the
    empty string), duplicate ids, unreachable thresholds and failing examples. Like a
    linter, it prints its findings, errors and warnings alike, on standard output, then
    a count. Exits 1 when there is any error; warnings alone exit 0.

    Example:

        monitor rules check rules/
    """
    root = _rules_dir(directory, config_path)
    rules_count, problems = check_directory(root)
    for problem in problems:
        click.echo(str(problem))
    errors = sum(p.level == "error" for p in problems)
    shipped = " (the shipped rules; `monitor init` copies them to edit)" \
        if directory is None and _is_shipped(root) else ""
    click.echo(f"{plural(rules_count, 'rule')}, {plural(errors, 'error')}, "
               f"{plural(len(problems) - errors, 'warning')}{shipped}")
    if errors:
        raise click.exceptions.Exit(1)


def _is_shipped(root: Path) -> bool:
    from monitor.shipped import RULES

    return root == RULES


@rules.command("test")
@click.argument("directory", required=False)
@config_option
def test_rules(directory: str | None, config_path: str | None) -> None:
    """Run every rule's examples and the rules/tests/*.yaml cases like unit tests.

    Prints PASS or FAIL per case; a failure shows the score and the hits. Exits 1 when
    any case fails.

    Example:

        monitor rules test
    """
    from monitor.rules.load import load_rules_strict
    from monitor.rules.testing import load_case_files, rule_cases, run_cases

    root = _rules_dir(directory, config_path)
    loaded = load_rules_strict(root)
    cases, problems = load_case_files(root)
    for problem in problems:
        click.echo(str(problem), err=True)
    outcomes = run_cases(loaded, rule_cases(loaded) + cases)
    for outcome in outcomes:
        _print_outcome(outcome)
    failed = sum(not o.passed for o in outcomes) + len(problems)
    click.echo(f"{len(outcomes) - failed} passed, {failed} failed")
    if failed:
        raise click.exceptions.Exit(1)


def _print_outcome(outcome: Outcome) -> None:
    from monitor.rules.testing import failure_message

    example = outcome.case.example
    want = "match" if example.expect else "no_match"
    label = example.title or example.summary or example.content
    where = f"{example.path}:{example.line}"
    if outcome.passed:
        click.echo(f"PASS {outcome.case.rule_id} {want}: {label[:90]}")
    else:
        click.echo(f"FAIL {outcome.case.rule_id} {want}: {label[:90]} ({where})")
        click.echo(f"     {failure_message(outcome)}")
        if outcome.case.why:
            click.echo(f"     why this case: {outcome.case.why}")


@rules.command()
@click.argument("rule_id")
@click.option("--text", help="Text to explain: the first line is the title.")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False),
              help="An HTML page or a text file.")
@click.option("--url", help="An article page to fetch.")
@click.option("--rules", "directory", metavar="DIR", help="Rules directory (default: rules/).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True)
@config_option
def explain(rule_id: str, text: str | None, path: str | None, url: str | None,
            directory: str | None, fmt: str, config_path: str | None) -> None:
    """Show how RULE scores an article: every group, hit, field and weight, highlighted.

    Example:

        monitor rules explain ai-infrastructure --text "EU plans five AI gigafactories"
    """
    from monitor.errors import RuleError
    from monitor.rules.explain import to_json, to_markdown, to_rich
    from monitor.rules.load import load_rules_strict
    from monitor.rules.match import Matcher

    if sum(x is not None for x in (text, path, url)) != 1:
        raise click.UsageError("give exactly one of --text, --file or --url")
    config = get_config(config_path)
    loaded = load_rules_strict(Path(directory) if directory else config.rules)
    if rule_id not in {r.id for r in loaded}:
        known = ", ".join(sorted(r.id for r in loaded))
        raise RuleError(f"no rule with id {rule_id!r}; the rules are: {known}")
    article = _article(text, path, url, config_path)
    evaluation = Matcher(loaded).explain(rule_id, article)
    if fmt == "json":
        click.echo(json.dumps(to_json(evaluation, article), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(to_markdown(evaluation, article))
    else:
        stdout_console().print(to_rich(evaluation, article))


def _article(text: str | None, path: str | None, url: str | None,
             config_path: str | None) -> Article:
    from monitor.cli.inputs import read_input
    from monitor.model import Article

    if text is not None:
        title, _, rest = text.strip().partition("\n")
        return Article("text", "", title.strip(), "", rest.strip())
    page = _usable(read_input(path or url or "", get_config(config_path)))
    return Article(page.url or page.input, page.url, page.title, "", page.text,
                   page.published, page.source)


def _usable(page: Input) -> Input:
    from monitor.errors import InputError

    if page.error:
        raise InputError(f"{page.input}: {page.error}")
    return page


@rules.command()
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False),
              help="An HTML page or a text file (first line: the title).")
@click.option("--url", help="An article page to fetch.")
@click.option("--id", "rule_id", default="draft", show_default=True,
              help="The id for the drafted rule.")
@config_option
def seed(path: str | None, url: str | None, rule_id: str, config_path: str | None) -> None:
    """Draft a rule from one article: ranked key phrases, acronyms, weights, a require group.

    Prints commented YAML in the rule-file format for a maintainer to edit.

    Example:

        monitor rules seed --file article.txt --id eu-ai-gigafactories > rules/draft.yaml
    """
    from monitor.cli.inputs import read_input
    from monitor.rules.seed import draft_rule

    if (path is None) == (url is None):
        raise click.UsageError("give exactly one of --file or --url")
    page = _usable(read_input(path or url or "", get_config(config_path)))
    click.echo(draft_rule(page.title, page.text, rule_id=rule_id, source=page.source),
               nl=False)


@rules.command()
@click.option("--since", default="30d", show_default=True, metavar="30d|all",
              help="Replay articles first seen or published within this window.")
@click.option("--rules", "directory", metavar="DIR",
              help="The rules to try (default: the working copy, rules/).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@config_option
def replay(since: str, directory: str | None, fmt: str, config_path: str | None) -> None:
    """Re-run rules over stored articles; list what they would add and drop, per rule.

    Compares with the matches in the store, so a maintainer sees what a rules change
    does before it ships.

    Example:

        monitor rules replay --since 7d --rules ../branch/rules
    """
    from rich.text import Text

    from monitor.rules.load import load_rules_strict
    from monitor.rules.match import Matcher
    from monitor.rules.replay import diff_matches

    window = since_option(since)
    config = get_config(config_path)
    loaded = load_rules_strict(Path(directory) if directory else config.rules)
    store = open_store(config)
    try:
        articles = store.articles_since(now() - window if window else None)
        stored = store.matches([a.uid for a in articles])
    finally:
        store.close()
    matcher = Matcher(loaded)
    fresh = {a.uid: matcher.match(a) for a in articles}
    diffs = diff_matches(articles, stored, fresh)
    if fmt == "json":
        click.echo(json.dumps([_diff_json(d) for d in diffs], ensure_ascii=False, indent=2))
        return
    console = stdout_console()
    console.print(f"{plural(len(articles), 'stored article')} replayed against "
                  f"{plural(len(loaded), 'rule')}")
    for diff in diffs:
        console.print(Text(f"\n{diff.rule_id}: +{len(diff.added)} added, -{len(diff.dropped)} "
                           f"dropped, {len(diff.rescored)} rescored, {diff.unchanged} unchanged",
                           style="bold"))
        for change in diff.added:
            console.print(Text(f"  + {change.new:>5g}  {change.article.title}", style="green"))
        for change in diff.dropped:
            console.print(Text(f"  - {change.old:>5g}  {change.article.title}", style="red"))
        for change in diff.rescored:
            console.print(Text(f"  ~ {change.old:g} -> {change.new:g}  {change.article.title}"))


def _diff_json(diff: RuleDiff) -> dict[str, object]:
    def row(c: Change) -> dict[str, object]:
        return {"uid": c.article.uid, "title": c.article.title, "url": c.article.url,
                "old": c.old, "new": c.new}

    return {"rule": diff.rule_id, "added": [row(c) for c in diff.added],
            "dropped": [row(c) for c in diff.dropped],
            "rescored": [row(c) for c in diff.rescored], "unchanged": diff.unchanged}
