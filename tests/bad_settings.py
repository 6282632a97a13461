"""Bad settings, one a row: (name, value, a fragment of the one line that rejects it).

Shared by the pre-flight unit tests and the CLI suite (the real command, in a subprocess).
``{tmp}`` in a value is a scratch folder of the test.
"""

from __future__ import annotations

BAD_SETTINGS: list[tuple[str, str, str]] = [
    ("POLITECRAWL_CONTACT", "nobody", "must be an http(s) URL or an e-mail"),
    ("POLITECRAWL_BOT_NAME", "my bot/1", "product token"),
    ("POLITECRAWL_PURPOSE", "fun", "must be one of"),
    ("POLITECRAWL_LEDGER_BATCH", "-1", "whole number"),
    ("POLITECRAWL_GC_FREEZE", "maybe", "True or False"),
    ("POLITECRAWL_GC_THRESHOLD", "-1", "whole number from 0"),
    ("POLITECRAWL_BUDGET_ENABLED", "2", "True or False"),
    ("POLITECRAWL_LOAD_SHARE", "2", "at most 1"),
    ("POLITECRAWL_LOAD_SHARE", "1/0", "more than 0"),
    ("POLITECRAWL_DEFAULT_DAILY_REQUESTS", "0", "more than 0"),
    ("POLITECRAWL_MAX_SITE_RATE", "fast", "more than 0"),
    ("POLITECRAWL_BURST", "abc", "more than 0"),
    ("POLITECRAWL_BURST", "1e9", "at most 10000"),
    ("POLITECRAWL_LEDGER_BATCH", "1000000000000", "from 0 to 1000000"),
    ("POLITECRAWL_PII_MAX_CHARS", "1000000000000", "at most 1073741824"),
    ("POLITECRAWL_MAX_SITE_RATE", "1e6", "at most 10000"),
    ("POLITECRAWL_MAX_IP_RATE", "0", "more than 0"),
    ("POLITECRAWL_MAX_IP_RATE", "lots", "more than 0"),
    ("POLITECRAWL_SANDBOX_ADDRESSES", '{"shop-a.com": "10.0.0.1"}', "'10.0.0.1' is not"),
    ("POLITECRAWL_DEFAULT_DAILY_REQUESTS", "1e13", "at most 1e+12"),
    ("POLITECRAWL_ROBOTS_MAX_WAIT", "40000000", "at most 31536000 seconds"),
    ("POLITECRAWL_TDMREP_MAX_BYTES", "1e12", "<= 67108864"),
    ("POLITECRAWL_MAX_RETRY_AFTER", "1e12", "<= a year"),
    ("POLITECRAWL_SITE_TRAFFIC", '{"shop-a.com": true}', "requests_per_day (True) is not a number"),
    ("POLITECRAWL_SITE_TRAFFIC", '{"not a site!": 5}', "is not a host name"),
    ("POLITECRAWL_PACE_MARGIN", "60", "under 60"),
    ("POLITECRAWL_SITE_TRAFFIC", "{tmp}/missing.csv", "there is no file"),
    ("POLITECRAWL_SITE_TRAFFIC", "{tmp}/bad.json", "not valid JSON"),
    ("POLITECRAWL_SITE_TRAFFIC", "{tmp}/bad.csv", "is not a number"),
    ("POLITECRAWL_SITE_TRAFFIC", '{"shop-a.com": -1}', "requests_per_day (-1) must be a positive number"),
    ("POLITECRAWL_ROBOTS_TTL", "0", "more than 0"),
    ("POLITECRAWL_MAX_CRAWL_DELAY", "soon", "number of seconds"),
    ("POLITECRAWL_ROBOTS_LAST_GOOD_MAX_AGE", "-5", "0 or more"),
    ("POLITECRAWL_ROBOTS_RETRY_BASE", "nan", "number of seconds"),
    ("POLITECRAWL_ROBOTS_RETRY_MAX", "10", "at least POLITECRAWL_ROBOTS_RETRY_BASE"),
    ("POLITECRAWL_MAX_RETRY_AFTER", "0", "> 0"),
    ("POLITECRAWL_THROTTLE_STOP_AFTER", "0", ">= 1"),
    ("POLITECRAWL_THROTTLE_BACKOFF_MIN", "-1", "> 0"),
    ("POLITECRAWL_THROTTLE_BACKOFF_MAX", "0.5", ">= POLITECRAWL_THROTTLE_BACKOFF_MIN"),
    ("POLITECRAWL_BLOCK_AUTH_URLS", "1.5", "whole number"),
    ("POLITECRAWL_BLOCK_CHALLENGE_URLS", "x", "whole number"),
    ("POLITECRAWL_STOPS_POLL_INTERVAL", "5", "between 0.05 and 1"),
    ("POLITECRAWL_TDMREP_MAX_BYTES", "10", ">= 1024"),
    ("POLITECRAWL_PII_ENABLED", "perhaps", "True or False"),
    ("POLITECRAWL_PII_ACTION", "shred", "must be one of"),
    ("POLITECRAWL_PII_FIELD_ACTIONS", "{not json", "JSON object"),
    ("POLITECRAWL_PII_REGIONS", "XX", "region codes"),
    ("POLITECRAWL_PII_PHONE_LENIENCY", "loose", "must be one of"),
    ("POLITECRAWL_PII_MAX_CHARS", "lots", "positive integer"),
    ("POLITECRAWL_AUDIT_FLUSH_INTERVAL", "0", "more than 0"),
    ("POLITECRAWL_AUDIT_BUCKET", "7", "must be one of"),
    ("POLITECRAWL_AUDIT_PER_REQUEST", "sometimes", "True or False"),
    ("POLITECRAWL_CLUSTER_LOCAL_QUEUE", "0", ">= 1"),
    ("POLITECRAWL_CLUSTER_POLL_INTERVAL", "0", ">= 0.01"),
    ("POLITECRAWL_CLUSTER_IDLE_CLOSE", "-1", ">= 0"),
    ("POLITECRAWL_CLUSTER_LEASE_TIMEOUT", "1", "> 2 x POLITECRAWL_CLUSTER_POLL_INTERVAL"),
    ("POLITECRAWL_SANDBOX", "example.org:80", "127.0.0.1:<port>"),
    ("POLITECRAWL_BURTS", "3", "did you mean POLITECRAWL_BURST?"),
    ("JOBDIR", "{tmp}/a-file", "is a file"),
]


def write_scratch_files(folder) -> None:
    """The files some rows name: a bad JSON and a bad CSV traffic file, a file where a folder goes."""
    (folder / "bad.json").write_text('{"shop-a.com": ', encoding="utf-8")
    (folder / "bad.csv").write_text("site,requests_per_day\nshop-a.com,lots\n", encoding="utf-8")
    (folder / "a-file").write_text("not a folder\n", encoding="utf-8")
