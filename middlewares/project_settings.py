"""Settings of the reference Scrapy project (``scrapy.cfg`` points here).

Your own project needs only the ``ADDONS`` line and a contact.
"""

BOT_NAME = "politecrawl"
SPIDER_MODULES = ["politecrawl.spiders"]
ADDONS = {"politecrawl.Addon": 100}
# POLITECRAWL_CONTACT = "https://example.org/crawler"   # required: where site owners reach you
CONCURRENT_ITEMS = 10
