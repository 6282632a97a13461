"""Decision cases of Google's robots.txt reference parser tests, as data.

Ported from ``robots_test.cc`` of https://github.com/google/robotstxt
(Copyright 2019 Google LLC, Apache License 2.0): each ``EXPECT_TRUE`` /
``EXPECT_FALSE(IsUserAgentAllowed(robotstxt, agent, url))`` is one row
``(test, robotstxt, agent, url, allowed)``. Only the decisions are ported
(the parser-callback and helper tests have no decision to compare).

``RFC`` rows are where RFC 9309 §2.2.2 and the reference differ; the row holds
the RFC's answer, which politecrawl follows (docs/robots.md). ``NOT_APPLICABLE``
rows ask for a user agent politecrawl refuses as a bot name (empty, with a space)
or for an empty URL: they are kept for the count, not run.
"""

from __future__ import annotations

RFC = "rfc"
NOT_APPLICABLE = "n/a"

_LINE = "user-agent: FooBot\ndisallow: /\n"
_GROUPS = (
    "allow: /foo/bar/\n\nuser-agent: FooBot\ndisallow: /\nallow: /x/\nuser-agent: BarBot\n"
    "disallow: /\nallow: /y/\n\n\nallow: /w/\nuser-agent: BazBot\n\nuser-agent: FooBot\n"
    "allow: /z/\ndisallow: /\n"
)
_CASE = {
    "upper": "USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n",
    "lower": "user-agent: FooBot\nallow: /x/\ndisallow: /\n",
    "camel": "uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n",
}
_UA_CASE = {
    "upper": "User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n",
    "lower": "User-Agent: foo bar\nAllow: /x/\nDisallow: /\n",
    "camel": "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n",
}
_GLOBAL = "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n"
_ONLY_SPECIFIC = "user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\nuser-agent: BazBot\ndisallow: /\n"
_FOO = "user-agent: FooBot\n"
_DOC = _FOO + "disallow: /\n"

CASES: list[tuple[str, str, str, str, bool, str]] = [
    # GoogleOnly_SystemTest
    ("SystemTest", "", "FooBot", "", True, NOT_APPLICABLE),
    ("SystemTest", _LINE, "", "", True, NOT_APPLICABLE),
    ("SystemTest", _LINE, "FooBot", "", False, NOT_APPLICABLE),
    ("SystemTest", "", "", "", True, NOT_APPLICABLE),
    # ID_LineSyntax_Line
    ("LineSyntax_Line", _LINE, "FooBot", "http://foo.bar/x/y", False, ""),
    ("LineSyntax_Line", "foo: FooBot\nbar: /\n", "FooBot", "http://foo.bar/x/y", True, ""),
    ("LineSyntax_Line", "user-agent FooBot\ndisallow /\n", "FooBot", "http://foo.bar/x/y", False, ""),
    # ID_LineSyntax_Groups
    ("LineSyntax_Groups", _GROUPS, "FooBot", "http://foo.bar/x/b", True, ""),
    ("LineSyntax_Groups", _GROUPS, "FooBot", "http://foo.bar/z/d", True, ""),
    ("LineSyntax_Groups", _GROUPS, "FooBot", "http://foo.bar/y/c", False, ""),
    ("LineSyntax_Groups", _GROUPS, "BarBot", "http://foo.bar/y/c", True, ""),
    ("LineSyntax_Groups", _GROUPS, "BarBot", "http://foo.bar/w/a", True, ""),
    ("LineSyntax_Groups", _GROUPS, "BarBot", "http://foo.bar/z/d", False, ""),
    ("LineSyntax_Groups", _GROUPS, "BazBot", "http://foo.bar/z/d", True, ""),
    ("LineSyntax_Groups", _GROUPS, "FooBot", "http://foo.bar/foo/bar/", False, ""),
    ("LineSyntax_Groups", _GROUPS, "BarBot", "http://foo.bar/foo/bar/", False, ""),
    ("LineSyntax_Groups", _GROUPS, "BazBot", "http://foo.bar/foo/bar/", False, ""),
    # The case quoted in issue 15 (a newer robots_test.cc): an unknown line does not end a group
    ("LineSyntax_Groups_Unknown", "User-agent: FooBot\nInvalid-Unknown-Line: unknown\nUser-agent: *\n"
     "Disallow: /\n", "FooBot", "http://foo.bar/", False, ""),
    ("LineSyntax_Groups_Unknown", "User-agent: FooBot\nInvalid-Unknown-Line: unknown\nUser-agent: *\n"
     "Disallow: /\n", "BarBot", "http://foo.bar/", False, ""),
    # ID_REPLineNamesCaseInsensitive
    *[("REPLineNamesCaseInsensitive", text, "FooBot", url, allowed, "")
      for text in _CASE.values()
      for url, allowed in (("http://foo.bar/x/y", True), ("http://foo.bar/a/b", False))],
    # ID_UserAgentValueCaseInsensitive
    *[("UserAgentValueCaseInsensitive", text, agent, url, allowed, "")
      for agent in ("Foo", "foo")
      for text in _UA_CASE.values()
      for url, allowed in (("http://foo.bar/x/y", True), ("http://foo.bar/a/b", False))],
    # GoogleOnly_AcceptUserAgentUpToFirstSpace
    ("AcceptUserAgentUpToFirstSpace", "User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n",
     "Foo", "http://foo.bar/x/y", True, ""),
    ("AcceptUserAgentUpToFirstSpace", "User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n",
     "Foo Bar", "http://foo.bar/x/y", False, NOT_APPLICABLE),
    # ID_GlobalGroups_Secondary
    ("GlobalGroups_Secondary", "", "FooBot", "http://foo.bar/x/y", True, ""),
    ("GlobalGroups_Secondary", _GLOBAL, "FooBot", "http://foo.bar/x/y", False, ""),
    ("GlobalGroups_Secondary", _GLOBAL, "BarBot", "http://foo.bar/x/y", True, ""),
    ("GlobalGroups_Secondary", _ONLY_SPECIFIC, "QuxBot", "http://foo.bar/x/y", True, ""),
    # ID_AllowDisallow_Value_CaseSensitive
    ("AllowDisallow_Value_CaseSensitive", _FOO + "disallow: /x/\n", "FooBot", "http://foo.bar/x/y", False, ""),
    ("AllowDisallow_Value_CaseSensitive", _FOO + "disallow: /X/\n", "FooBot", "http://foo.bar/x/y", True, ""),
    # ID_LongestMatch
    ("LongestMatch", _FOO + "disallow: /x/page.html\nallow: /x/\n", "FooBot", "http://foo.bar/x/page.html", False, ""),
    ("LongestMatch", _FOO + "allow: /x/page.html\ndisallow: /x/\n", "FooBot", "http://foo.bar/x/page.html", True, ""),
    ("LongestMatch", _FOO + "allow: /x/page.html\ndisallow: /x/\n", "FooBot", "http://foo.bar/x/", False, ""),
    ("LongestMatch", _FOO + "disallow: \nallow: \n", "FooBot", "http://foo.bar/x/page.html", True, ""),
    ("LongestMatch", _FOO + "disallow: /\nallow: /\n", "FooBot", "http://foo.bar/x/page.html", True, ""),
    ("LongestMatch", _FOO + "disallow: /x\nallow: /x/\n", "FooBot", "http://foo.bar/x", False, ""),
    ("LongestMatch", _FOO + "disallow: /x\nallow: /x/\n", "FooBot", "http://foo.bar/x/", True, ""),
    ("LongestMatch", _FOO + "disallow: /x/page.html\nallow: /x/page.html\n", "FooBot",
     "http://foo.bar/x/page.html", True, ""),
    ("LongestMatch", _FOO + "allow: /page\ndisallow: /*.html\n", "FooBot", "http://foo.bar/page.html", False, ""),
    ("LongestMatch", _FOO + "allow: /page\ndisallow: /*.html\n", "FooBot", "http://foo.bar/page", True, ""),
    ("LongestMatch", _FOO + "allow: /x/page.\ndisallow: /*.html\n", "FooBot", "http://foo.bar/x/page.html", True, ""),
    ("LongestMatch", _FOO + "allow: /x/page.\ndisallow: /*.html\n", "FooBot", "http://foo.bar/x/y.html", False, ""),
    ("LongestMatch", "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", "FooBot",
     "http://foo.bar/x/page", True, ""),
    ("LongestMatch", "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", "FooBot",
     "http://foo.bar/y/page", False, ""),
    # ID_Encoding
    ("Encoding", _FOO + "Disallow: /\nAllow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n", "FooBot",
     "http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par", True, ""),
    ("Encoding", _FOO + "Disallow: /\nAllow: /foo/bar/ツ\n", "FooBot", "http://foo.bar/foo/bar/%E3%83%84", True, ""),
    # The reference expects the caller to percent-encode the URL; RFC 9309 §2.2.2 encodes
    # non-ASCII octets of the URI before comparing: the raw and encoded URL are one URL.
    ("Encoding", _FOO + "Disallow: /\nAllow: /foo/bar/ツ\n", "FooBot", "http://foo.bar/foo/bar/ツ", True, RFC),
    ("Encoding", _FOO + "Disallow: /\nAllow: /foo/bar/%E3%83%84\n", "FooBot",
     "http://foo.bar/foo/bar/%E3%83%84", True, ""),
    ("Encoding", _FOO + "Disallow: /\nAllow: /foo/bar/%E3%83%84\n", "FooBot", "http://foo.bar/foo/bar/ツ", True, RFC),
    # Percent-encoded unreserved characters: RFC 9309 §2.2.2 decodes them before comparing
    # (its table: /foo/bar/%62%61%7A matches as /foo/bar/baz).
    ("Encoding", _FOO + "Disallow: /\nAllow: /foo/bar/%62%61%7A\n", "FooBot", "http://foo.bar/foo/bar/baz", True, RFC),
    ("Encoding", _FOO + "Disallow: /\nAllow: /foo/bar/%62%61%7A\n", "FooBot",
     "http://foo.bar/foo/bar/%62%61%7A", True, ""),
    # ID_SpecialCharacters
    ("SpecialCharacters", _FOO + "Disallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot",
     "http://foo.bar/foo/bar/quz", False, ""),
    ("SpecialCharacters", _FOO + "Disallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", "http://foo.bar/foo/quz", True, ""),
    ("SpecialCharacters", _FOO + "Disallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", "http://foo.bar/foo//quz", True, ""),
    ("SpecialCharacters", _FOO + "Disallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot",
     "http://foo.bar/foo/bax/quz", True, ""),
    ("SpecialCharacters", _FOO + "Disallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot", "http://foo.bar/foo/bar", False, ""),
    ("SpecialCharacters", _FOO + "Disallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot",
     "http://foo.bar/foo/bar/qux", True, ""),
    ("SpecialCharacters", _FOO + "Disallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot", "http://foo.bar/foo/bar/", True, ""),
    ("SpecialCharacters", _FOO + "Disallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot",
     "http://foo.bar/foo/bar/baz", True, ""),
    ("SpecialCharacters", _FOO + "# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", "FooBot",
     "http://foo.bar/foo/bar", True, ""),
    ("SpecialCharacters", _FOO + "# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", "FooBot",
     "http://foo.bar/foo/quz", False, ""),
    # GoogleOnly_IndexHTMLisDirectory (Google-only: an allowed index.html allows its folder)
    ("IndexHTMLisDirectory", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot",
     "http://foo.com/allowed-slash/", True, ""),
    ("IndexHTMLisDirectory", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot",
     "http://foo.com/allowed-slash/index.htm", False, ""),
    ("IndexHTMLisDirectory", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot",
     "http://foo.com/allowed-slash/index.html", True, ""),
    ("IndexHTMLisDirectory", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot",
     "http://foo.com/anyother-url", False, ""),
]


def _long_line_cases() -> list[tuple[str, str, str, str, bool, str]]:
    """GoogleOnly_LineTooLong: lines are cut after 8 x 2083 bytes."""
    max_line = 2083 * 8
    out = []
    longline = "/x/"
    size = max_line - len(longline) - len("disallow: ") + 1
    longline += "a" * (size - len(longline))
    text = "user-agent: FooBot\n" + "disallow: " + longline + "/qux\n"
    out.append(("LineTooLong", text, "FooBot", "http://foo.bar/fux", True, ""))
    out.append(("LineTooLong", text, "FooBot", "http://foo.bar" + longline + "/fux", False, ""))
    size = max_line - len("/x/") - len("allow: ") + 1
    line_a = "/x/" + "a" * (size - 3)
    line_b = "/x/" + "b" * (size - 3)
    text = "user-agent: FooBot\ndisallow: /\n" + "allow: " + line_a + "/qux\n" + "allow: " + line_b + "/qux\n"
    out.append(("LineTooLong", text, "FooBot", "http://foo.bar/", False, ""))
    out.append(("LineTooLong", text, "FooBot", "http://foo.bar" + line_a + "/qux", True, ""))
    out.append(("LineTooLong", text, "FooBot", "http://foo.bar" + line_b + "/fux", True, ""))
    return out


def _documentation_cases() -> list[tuple[str, str, str, str, bool, str]]:
    """GoogleOnly_DocumentationChecks."""
    rows: list[tuple[str, str, list[str], list[str]]] = [
        (_DOC + "allow: /fish\n",
         ["/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fishheads/yummy.html", "/fish.html?id=anything"],
         ["/bar", "/Fish.asp", "/catfish", "/?id=fish"]),
        (_DOC + "allow: /fish*\n",
         ["/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fishheads/yummy.html", "/fish.html?id=anything"],
         ["/bar", "/Fish.bar", "/catfish", "/?id=fish"]),
        (_DOC + "allow: /fish/\n",
         ["/fish/", "/fish/salmon", "/fish/?salmon", "/fish/salmon.html", "/fish/?id=anything"],
         ["/bar", "/fish", "/fish.html", "/Fish/Salmon.html"]),
        (_DOC + "allow: /*.php\n",
         ["/filename.php", "/folder/filename.php", "/folder/filename.php?parameters", "//folder/any.php.file.html",
          "/filename.php/", "/index?f=filename.php/"],
         ["/bar", "/php/", "/index?php", "/windows.PHP"]),
        (_DOC + "allow: /*.php$\n",
         ["/filename.php", "/folder/filename.php"],
         ["/bar", "/filename.php?parameters", "/filename.php/", "/filename.php5", "/php/", "/filename?php",
          "/aaaphpaaa", "//windows.PHP"]),
        (_DOC + "allow: /fish*.php\n",
         ["/fish.php", "/fishheads/catfish.php?parameters"],
         ["/bar", "/Fish.PHP"]),
    ]
    out = []
    for text, allowed, disallowed in rows:
        out += [("DocumentationChecks", text, "FooBot", "http://foo.bar" + p, True, "") for p in allowed]
        out += [("DocumentationChecks", text, "FooBot", "http://foo.bar" + p, False, "") for p in disallowed]
    out += [
        ("DocumentationChecks", _FOO + "allow: /p\ndisallow: /\n", "FooBot", "http://example.com/page", True, ""),
        ("DocumentationChecks", _FOO + "allow: /folder\ndisallow: /folder\n", "FooBot",
         "http://example.com/folder/page", True, ""),
        ("DocumentationChecks", _FOO + "allow: /page\ndisallow: /*.htm\n", "FooBot",
         "http://example.com/page.htm", False, ""),
        ("DocumentationChecks", _FOO + "allow: /$\ndisallow: /\n", "FooBot", "http://example.com/", True, ""),
        ("DocumentationChecks", _FOO + "allow: /$\ndisallow: /\n", "FooBot", "http://example.com/page.html", False, ""),
    ]
    return out


CASES += _long_line_cases() + _documentation_cases()
