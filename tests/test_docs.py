"""The documentation holds together: every relative link (and image) in README.md and docs/*.md reaches a
file, and every `#anchor` a heading of its target page, by GitHub's slug rules; the README stays short
enough to be read to the end; docs/commands.md documents every option of every command, and no option
that does not exist."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from newsmon.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMANDS_PAGE = ROOT / "docs" / "commands.md"
README_MAX_LINES = 160

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")  # [text](t), ![alt](t)
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?")  # [name]: target
HTML_TARGET = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    lines, fence = [], None
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * 3
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None:
            lines.append((number, line))
    return lines


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text (links and images by their text, no inline HTML),
    lowercased, punctuation other than hyphens and underscores removed, each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading's anchor on a page; a repeated heading gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for _, line in prose_lines(page.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if not match:
            continue
        slug = github_slug(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def link_targets(page: Path) -> list[tuple[int, str]]:
    """(line number, target) of every link, image, reference definition and HTML src/href on a page, code
    blocks and code spans left out."""
    targets = []
    for number, line in prose_lines(page.read_text(encoding="utf-8")):
        line = CODE_SPAN.sub("", line)
        for pattern in (LINK_TARGET, REFERENCE, HTML_TARGET):
            targets.extend((number, target) for target in pattern.findall(line))
    return targets


def broken_links(page: Path) -> list[str]:
    """What is wrong with the relative links of a page, one line each."""
    problems = []
    for number, target in link_targets(page):
        if SCHEME.match(target) or target.startswith("//"):
            continue  # https:, mailto:, ...: not checked here (no network in tests)
        where = f"{page.relative_to(ROOT) if page.is_relative_to(ROOT) else page.name}:{number}"
        path, _, fragment = target.partition("#")
        dest = (page.parent / unquote(path)).resolve() if path else page
        if not target:
            problems.append(f"{where}: empty link target")
            continue
        if not dest.exists():
            problems.append(f"{where}: {target}: no such file {dest}")
            continue
        if fragment:
            if dest.suffix != ".md":
                problems.append(f"{where}: {target}: an anchor into a file that is not markdown")
            elif unquote(fragment) not in anchors(dest):
                problems.append(f"{where}: {target}: no heading with that anchor in {dest.name}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    assert link_targets(page) or page.name != "README.md", "the link check found no links at all"
    problems = broken_links(page)
    assert not problems, "\n".join(problems)


def test_the_readme_is_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; reference material goes in docs/"


def test_the_readme_links_every_docs_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = {target.partition("#")[0] for _, target in link_targets(ROOT / "README.md")}
    missing = [p.name for p in PAGES[1:] if f"docs/{p.name}" not in linked]
    assert not missing, f"README.md does not link {missing}"
    assert "make demo" in readme.split("\n## ")[0] and "make test" in readme.split("\n## ")[0]


def test_the_link_check_finds_what_is_broken(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "screenshots").mkdir()
    (tmp_path / "docs" / "screenshots" / "a.png").write_bytes(b"")
    target = tmp_path / "docs" / "target.md"
    target.write_text("# Target page\n\n## `newsmon run`: one pass\n\n## Same\n\n## Same\n\n```\n# not a heading\n```\n")
    page = tmp_path / "README.md"
    good = [
        "[t](docs/target.md)", "[t](docs/target.md#target-page)", "[t](docs/target.md#newsmon-run-one-pass)",
        "[t](docs/target.md#same-1)", "![a](docs/screenshots/a.png)", "[s](#readme)", "[w](https://x.invalid/y)",
        "`[not a link](nowhere.md)`",
    ]
    page.write_text("# README\n\n" + "\n".join(good) + "\n")
    assert broken_links(page) == []
    bad = [
        "[t](docs/missing.md)", "[t](docs/target.md#no-such)", "[t](docs/target.md#not-a-heading)",
        "![a](docs/screenshots/b.png)", "[s](#nowhere)", "[t](docs/target.md#Target-Page)", "[see][ref]",
        "[ref]: docs/gone.md", '<img src="docs/gone.png">',
    ]
    page.write_text("# README\n\n" + "\n".join(bad) + "\n")
    assert len(broken_links(page)) == len(bad) - 1  # "[see][ref]" itself is not a target; its definition is


@pytest.mark.parametrize(
    "heading, slug",
    [
        ("Growing beyond one machine", "growing-beyond-one-machine"),
        ("Crashes (`kill -9`)", "crashes-kill--9"),
        ("Actors, topics, quotes and relevance", "actors-topics-quotes-and-relevance"),
        ("`newsmon sql`", "newsmon-sql"),
        ("What `newsmon sql` refuses", "what-newsmon-sql-refuses"),
        ("Prefect: servers, deployments and reports", "prefect-servers-deployments-and-reports"),
        ("snake_case and [a link](x.md)", "snake_case-and-a-link"),
    ],
)
def test_slugs_follow_github(heading, slug):
    assert github_slug(heading) == slug


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """Each command's parser by name; a command with actions of its own ("actors suggest") by both words."""
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    commands = {}
    for name, sub in action.choices.items():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        commands.update({f"{name} {n}": p for n, p in nested[0].choices.items()} if nested else {name: sub})
    return commands


def command_sections() -> dict[str, str]:
    """docs/commands.md's text under each `## \\`newsmon NAME\\`` heading, by NAME."""
    text = COMMANDS_PAGE.read_text(encoding="utf-8")
    parts = re.split(r"^## `newsmon (\w+(?: \w+)?)`[^\n]*$", text, flags=re.M)
    return {name: body.split("\n## ")[0] for name, body in zip(parts[1::2], parts[2::2])}


def test_every_command_has_a_section_in_docs_commands():
    assert set(command_sections()) == set(subcommands())


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_option_of_every_command_is_in_docs_commands(name):
    """Each option of `newsmon NAME --help` (and each of its choices, and each positional by its name) is in
    the command's section; each option in the first column of the section's tables exists."""
    section = command_sections()[name]
    missing, options = [], set()
    for action in subcommands()[name]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if action.option_strings:
            options.update(action.option_strings)
            words = [f"`{s}" for s in action.option_strings]
        else:
            words = [f"`{action.metavar or action.dest.upper()}`"]
        words += [str(choice) for choice in action.choices or ()]
        for word in words:
            if not re.search(re.escape(word) + r"(?![\w-])", section):
                missing.append(word.strip("`"))
    assert not missing, f"docs/commands.md, `newsmon {name}`: not documented: {missing}"
    documented = set(re.findall(r"^\| `(--[\w-]+)", section, flags=re.M))
    assert documented <= options, f"docs/commands.md, `newsmon {name}`: no such option: {documented - options}"
