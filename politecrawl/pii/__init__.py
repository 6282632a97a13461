"""Personal data found and removed from items: declared fields, field names, and values in every string.

Pure core: no Scrapy, no I/O.  The Scrapy glue is `politecrawl.middlewares.items.pii`.
"""

from politecrawl.pii.config import ACTIONS, DROP, DROP_ITEM, PSEUDONYMIZE, PIIConfig, PIIConfigError
from politecrawl.pii.detect import Detector, Unscannable
from politecrawl.pii.fields import DEFAULT_PII_FIELD_NAMES, FieldNames
from politecrawl.pii.filter import REPORT_TYPES, PIIFilter, PIIReport, PIIResult, pseudonym
from politecrawl.pii.spans import VALUE_TYPES, Span

__all__ = [
    "ACTIONS",
    "DEFAULT_PII_FIELD_NAMES",
    "DROP",
    "DROP_ITEM",
    "PSEUDONYMIZE",
    "REPORT_TYPES",
    "VALUE_TYPES",
    "Detector",
    "FieldNames",
    "PIIConfig",
    "PIIConfigError",
    "PIIFilter",
    "PIIReport",
    "PIIResult",
    "Span",
    "Unscannable",
    "pseudonym",
]
