"""Scrapy glue: thin middlewares and extensions that move data between Scrapy and the policies."""
