"""The operator's identity: product token, version, contact, and politecrawl as a comment."""

from __future__ import annotations

import types

import pytest
from scrapy.settings import Settings

from politecrawl import ConfigError, PolitecrawlConfig, __version__
from politecrawl.identity import replaced_user_agent_reason

CONTACT = "mailto:ops@example.org"
QUOTESBOT = {"SCRAPY_SETTINGS_MODULE": "quotesbot.settings"}


def config(environ=None, modules=None, **values):
    return PolitecrawlConfig.from_settings(Settings({"POLITECRAWL_CONTACT": CONTACT, **values}),
                                           environ=environ or {}, modules=modules or {})


def package(version=None):
    module = types.ModuleType("quotesbot")
    if version is not None:
        module.__version__ = version
    return {"quotesbot": module}


@pytest.mark.parametrize(("settings", "environ", "modules", "token", "ua"), [
    # no project (Scrapy's default BOT_NAME): politecrawl itself
    ({}, {}, {}, "politecrawl", f"politecrawl/{__version__} (+{CONTACT})"),
    ({"BOT_NAME": "scrapybot"}, {}, {}, "politecrawl", f"politecrawl/{__version__} (+{CONTACT})"),
    # a project's BOT_NAME, with the version its package declares
    ({"BOT_NAME": "quotesbot"}, QUOTESBOT, package("1.0"), "quotesbot",
     f"quotesbot/1.0 (+{CONTACT}; politecrawl/{__version__})"),
    # ... without one: the token alone (never politecrawl's version)
    ({"BOT_NAME": "quotesbot"}, QUOTESBOT, package(), "quotesbot", f"quotesbot (+{CONTACT}; politecrawl/{__version__})"),
    ({"BOT_NAME": "quotesbot"}, {}, package("1.0"), "quotesbot", f"quotesbot (+{CONTACT}; politecrawl/{__version__})"),
    # a version that is not a product version is left out
    ({"BOT_NAME": "quotesbot"}, QUOTESBOT, package("1.0 beta"), "quotesbot",
     f"quotesbot (+{CONTACT}; politecrawl/{__version__})"),
    # POLITECRAWL_BOT_VERSION wins over the package's
    ({"BOT_NAME": "quotesbot", "POLITECRAWL_BOT_VERSION": "2.3.1"}, QUOTESBOT, package("1.0"), "quotesbot",
     f"quotesbot/2.3.1 (+{CONTACT}; politecrawl/{__version__})"),
    # POLITECRAWL_BOT_NAME wins over BOT_NAME
    ({"BOT_NAME": "quotesbot", "POLITECRAWL_BOT_NAME": "shopwatch"}, QUOTESBOT, package("1.0"), "shopwatch",
     f"shopwatch/1.0 (+{CONTACT}; politecrawl/{__version__})"),
    # the reference project (politecrawl.middlewares.project_settings) is politecrawl
    ({"BOT_NAME": "politecrawl"}, {"SCRAPY_SETTINGS_MODULE": "politecrawl.middlewares.project_settings"}, {},
     "politecrawl", f"politecrawl/{__version__} (+{CONTACT})"),
])
def test_identity(settings, environ, modules, token, ua):
    cfg = config(environ, modules, **settings)
    assert (cfg.bot_name, cfg.user_agent) == (token, ua)


@pytest.mark.parametrize(("settings", "named"), [
    ({"BOT_NAME": "quotes bot"}, "BOT_NAME ('quotes bot') must be a robots.txt product token"),
    ({"POLITECRAWL_BOT_NAME": "a/b"}, "POLITECRAWL_BOT_NAME ('a/b') must be a robots.txt product token"),
    ({"POLITECRAWL_BOT_VERSION": "1.0 (beta)"}, "POLITECRAWL_BOT_VERSION ('1.0 (beta)') must be a product version"),
])
def test_bad_identity_names_the_setting(settings, named):
    with pytest.raises(ConfigError) as info:
        config(**settings)
    assert named in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(("project_ua", "why"), [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36", "poses as a web browser"),
    ("curl/8.0", "does not name the crawler (quotesbot)"),
    ("quotesbot (+http://www.yourdomain.com)", "writes the User-Agent itself"),
])
def test_why_a_project_user_agent_is_replaced(project_ua, why):
    assert why in replaced_user_agent_reason(project_ua, "quotesbot")
