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
    assert config(POLITECRAWL_CONTACT="a@b.org", POLITECRAWL_BOT_NAME="my-bot").user_agent.startswith("my-bot/")
    with pytest.raises(ConfigError, match="product token"):
        config(POLITECRAWL_CONTACT="a@b.org", POLITECRAWL_BOT_NAME="my bot/1.0")


def test_purpose_is_checked():
    with pytest.raises(ConfigError, match="POLITECRAWL_PURPOSE"):
        config(POLITECRAWL_CONTACT="a@b.org", POLITECRAWL_PURPOSE="scraping")
