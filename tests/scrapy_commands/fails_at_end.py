"""``scrapy fails_at_end``: a command whose run marks the command failed, as a crawl's end does."""

from __future__ import annotations

from scrapy.commands import ScrapyCommand

from politecrawl.middlewares._scrapy_compat import fail_scrapy_command


class Command(ScrapyCommand):
    requires_crawler_process = False
    found: bool | None = None

    def short_desc(self) -> str:
        return "mark this command failed from deep inside its run"

    def run(self, args, opts) -> None:
        def inside_the_reactor() -> bool:  # a crawl's spider_closed handler runs further down the stack
            return fail_scrapy_command(1)

        type(self).found = inside_the_reactor()
