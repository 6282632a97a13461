"""Scrapy extensions: the crawl's core (PolitecrawlCore) and the audit trail."""
