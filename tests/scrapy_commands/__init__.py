"""Scrapy commands for tests of how politecrawl sets the exit code of Scrapy's command line."""
