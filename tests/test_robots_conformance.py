"""robots.txt decisions against the decision cases of Google's reference parser tests.

The cases (tests/data/robots_google_cases.py) are run through politecrawl's
:class:`RobotsRules` (protego behind politecrawl's line layer). politecrawl
never allows where the reference disallows; where it disallows what the
reference allows, the case is listed below with the reason.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from politecrawl.robots.lines import MAX_LINE_BYTES, safe_robots_text
from politecrawl.robots.rules import RobotsRules

sys.path.insert(0, str(Path(__file__).parent / "data"))
from robots_google_cases import CASES, NOT_APPLICABLE  # noqa: E402

RUN = [c for c in CASES if c[5] != NOT_APPLICABLE]


def _stricter(case) -> bool:
    """Stricter than the reference, on purpose: a cut Allow line would allow more than the
    site wrote, so a too-long Allow line is dropped where the reference cuts it."""
    name, text, _, url, allowed, _ = case
    return name == "LineTooLong" and allowed and "\nallow: " in text and url != "http://foo.bar/"


@pytest.mark.parametrize("case", RUN, ids=[f"{c[0]}-{i}" for i, c in enumerate(RUN)])
def test_reference_case(case):
    name, text, agent, url, allowed, _ = case
    got = RobotsRules(text, agent).allowed(url).allowed
    if _stricter(case):
        assert got is False  # documented above: stricter, never more open
    else:
        assert got is allowed, (name, agent, url, text[:200])


def test_conformance_figures():
    """The counts quoted in docs/robots.md."""
    passed = sum(RobotsRules(c[1], c[2]).allowed(c[3]).allowed is c[4] for c in RUN)
    fail_open = [c for c in RUN if not c[4] and RobotsRules(c[1], c[2]).allowed(c[3]).allowed]
    assert (len(CASES), len(RUN), passed) == (143, 138, 136)
    assert fail_open == []


def test_the_line_layer():
    assert safe_robots_text("User-agent: FooBot\nInvalid-Unknown-Line: x\nUser-agent: *\nDisallow: /\n") == (
        "user-agent: FooBot\nuser-agent: *\ndisallow: /\n"
    )
    assert safe_robots_text("User-Agent: FOO BAR  # comment\nDisallow /x\n") == "user-agent: FOO\ndisallow: /x\n"
    assert safe_robots_text("Sitemap: http://a/s.xml\nCrawl-delay: 2\n") == "sitemap: http://a/s.xml\ncrawl-delay: 2\n"
    long_disallow = "Disallow: /" + "a" * MAX_LINE_BYTES
    assert len(safe_robots_text(long_disallow)) == MAX_LINE_BYTES + 1
    assert safe_robots_text("User-agent: *\nAllow: /" + "a" * MAX_LINE_BYTES) == "user-agent: *\n"
    assert safe_robots_text("") == "" and safe_robots_text("# only a comment\n\n") == ""
