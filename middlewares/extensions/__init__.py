"""Scrapy extensions: the crawl's life cycle, the stops component's extension, the audit trail, progress, presence."""
