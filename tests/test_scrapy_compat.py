"""Scrapy internals politecrawl relies on (middlewares/_scrapy_compat.py): these fail when Scrapy changes them."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from politecrawl.middlewares._scrapy_compat import fail_scrapy_command


def test_a_crawl_marks_scrapy_s_command_line_failed_and_it_exits_1():
    """``scrapy.cmdline.execute`` exits with its command's ``exitcode``, which a component deep in the
    run can set (how an all-unreachable crawl makes ``scrapy crawl`` exit 1)."""
    from scrapy.cmdline import execute
    from scrapy_commands.fails_at_end import Command

    with pytest.raises(SystemExit) as exited:
        execute(["scrapy", "fails_at_end"], Settings({"COMMANDS_MODULE": "scrapy_commands"}))
    assert Command.found is True
    assert exited.value.code == 1


def test_outside_scrapy_s_command_line_nothing_is_marked():
    assert fail_scrapy_command(1) is False
