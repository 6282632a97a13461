import pytest
from scrapy.settings import Settings

from politecrawl import ConfigError, PolitecrawlConfig, __version__


def config(**values):
    return PolitecrawlConfig.from_settings(Settings(values))


def test_missing_contact_names_the_setting_and_shows_an_example():
    with pytest.raises(ConfigError) as info:
        config()
    message = str(info.value)
    assert "POLITECRAWL_CONTACT is not set" in message
    assert 'POLITECRAWL_CONTACT = "https://example.org/crawler"' in message


@pytest.mark.parametrize("contact", ["nobody", "ftp://x.org", "a b@c.d"])
def test_bad_contact(contact):
    with pytest.raises(ConfigError, match="must be an http"):
        config(POLITECRAWL_CONTACT=contact)


@pytest.mark.parametrize("contact", ["https://example.org/bot", "ops@example.org", "mailto:ops@example.org"])
def test_user_agent_carries_the_contact(contact):
    cfg = config(POLITECRAWL_CONTACT=contact)
    assert cfg.user_agent == f"politecrawl/{__version__} (+{contact})"
    assert cfg.bot_name == "politecrawl"
    assert cfg.purpose == "research"
    assert cfg.state_url == "sqlite:///.politecrawl/state.db"


def test_bot_name_is_a_product_token():
    ua = config(POLITECRAWL_CONTACT="a@b.org", POLITECRAWL_BOT_NAME="my-bot").user_agent
    assert ua == f"my-bot (+a@b.org; politecrawl/{__version__})"  # no version of politecrawl's for my-bot
    with pytest.raises(ConfigError, match="product token"):
        config(POLITECRAWL_CONTACT="a@b.org", POLITECRAWL_BOT_NAME="my bot/1.0")


def test_purpose_is_checked():
    with pytest.raises(ConfigError, match="POLITECRAWL_PURPOSE"):
        config(POLITECRAWL_CONTACT="a@b.org", POLITECRAWL_PURPOSE="scraping")


def test_number_setting_one_reader_for_every_number_setting():
    from politecrawl.config import number_setting  # noqa: PLC0415

    get = {"A": "2.5", "F": "1/3", "I": "7", "E": "", "B": True, "N": "nan", "INF": "inf",
           "W": "2.5", "NEG": "-1", "X": "soon"}.get
    assert number_setting(get, "UNSET", 4.0) == 4.0
    assert number_setting(get, "E", 4.0) == 4.0  # empty: the default
    assert number_setting(get, "A", 0.0) == 2.5
    assert number_setting(get, "F", 0.0, fractions=True) == pytest.approx(1 / 3)
    assert number_setting(get, "I", 0, integer=True) == 7
    assert isinstance(number_setting(get, "I", 0, integer=True), int)
    for name, kwargs in [("B", {}), ("N", {}), ("INF", {}), ("W", {"integer": True}),
                         ("F", {}), ("X", {}), ("NEG", {"ok": lambda v: v >= 0})]:
        with pytest.raises(ConfigError, match=rf"^{name} \(.+\) must be a number, 0 or more$"):
            number_setting(get, name, 0.0, "a number, 0 or more", **kwargs)
    with pytest.raises(ValueError) as info:
        number_setting(get, "X", 0.0, error=ValueError)
    assert type(info.value) is ValueError


# -- the settings registry of the pre-flight check ---------------------------------
def _source_setting_names():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    names = set()
    for folder in ("politecrawl", "middlewares", "spiders"):
        for path in (root / folder).rglob("*.py"):
            names.update(re.findall(r"POLITECRAWL_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    return names


def test_every_setting_the_code_reads_is_known_to_the_preflight_check():
    """A setting missing from politecrawl.preflight.SETTINGS would be refused as unknown: add it there
    (with the reader that checks it) and to the README table."""
    from politecrawl.preflight import SETTINGS

    missing = sorted(_source_setting_names() - set(SETTINGS))
    assert missing == [], f"add {missing} to politecrawl.preflight.SETTINGS"


def test_the_readme_documents_exactly_the_known_settings():
    import re
    from pathlib import Path

    from politecrawl.preflight import SETTINGS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `POLITECRAWL_")]
    in_tables = {name for row in rows for name in re.findall(r"`(POLITECRAWL_[A-Z0-9_]+)`", row)}
    in_tables |= {f"POLITECRAWL_ROBOTS{suffix}" for row in rows for suffix in re.findall(r"`(_RETRY_MAX)`", row)}
    assert sorted(in_tables - set(SETTINGS)) == [], "README documents settings the pre-flight check does not know"
    assert sorted(set(SETTINGS) - in_tables) == [], "settings without a README table row"
