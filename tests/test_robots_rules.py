"""rule_path: the path robots.txt rules are matched against, as protego normalises it."""

from __future__ import annotations

import random
import string

import pytest

from politecrawl.robots.rules import rule_path

CHARS = string.ascii_letters + string.digits + "/%?#=&;:@!$'()*+,.-_~ é\t\n[]"
ESCAPES = ["%2f", "%2F", "%25", "%41", "%e2%82%ac", "%zz", "%", "%3D", "%3d"]


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://shop.example/a/b", "/a/b"),
        ("https://shop.example", "/"),
        ("https://shop.example/a?", "/a%3F"),
        ("https://shop.example/a?x=1#frag", "/a%3Fx=1"),
        ("https://shop.example/%7Euser", "/~user"),
        ("https://shop.example/a%2Fb%2fc", "/a%2Fb%2Fc"),
        ("https://shop.example/caf%C3%A9", "/caf%C3%A9"),
        ("https://shop.example/café", "/caf%C3%A9"),
        ("https://shop.example/a%3Db", "/a=b"),
        ("relative/path", "/relative/path"),
    ],
)
def test_rule_path_examples(url: str, path: str) -> None:
    assert rule_path(url) == path


def test_rule_path_reads_as_protego_reads() -> None:
    """Random URLs with escapes, non-ASCII, tabs and fragments: same path as protego's own."""
    utils = pytest.importorskip("protego._utils")
    protego_path = getattr(utils, "_quote_path", None)
    if protego_path is None:
        pytest.skip("protego no longer has _quote_path")
    rnd = random.Random(17)
    for _ in range(20_000):
        tail = "".join(rnd.choice(CHARS) if rnd.random() < 0.8 else rnd.choice(ESCAPES) for _ in range(rnd.randint(0, 16)))
        for url in ("https://shop.example/" + tail, "https://shop.example" + tail, tail):
            assert _outcome(rule_path, url) == _outcome(protego_path, url), url


def _outcome(read, url: str) -> object:
    """The path, or the type of the error (both refuse a bracketed host that is no IPv6 address)."""
    try:
        return read(url)
    except ValueError as exc:
        return type(exc)
