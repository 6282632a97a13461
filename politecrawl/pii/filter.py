"""PIIFilter: an item in, the item without personal data (or None) and a report of counts out.

The item is changed in place and returned (dict, scrapy.Item, dataclass, attrs, pydantic, and the dicts, lists,
tuples and items nested in them).  A personal field is removed from dicts and scrapy Items; typed items (dataclass,
attrs, pydantic) cannot lose a field, so it is set to None.  With `drop_item` the item is still scrubbed in place
(so that Scrapy's "Dropped:" log line shows no value) and None is returned.

The report holds counts by type and by top-level field name only, never a value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Mapping, MutableMapping
from typing import Any, NamedTuple

from itemadapter import ItemAdapter

from politecrawl.pii.config import DROP, DROP_ITEM, PSEUDONYMIZE, PIIConfig
from politecrawl.pii.detect import Detector, Unscannable
from politecrawl.pii import urls
from politecrawl.pii.fields import FieldNames
from politecrawl.pii.itembudget import ItemBudget, OverBudget
from politecrawl.pii.spans import VALUE_TYPES, Span

# Report types besides the value types: how a whole field or string was judged personal.
DECLARED = "declared"
FIELD_NAME = "field_name"
TOO_LONG = "too_long"
UNSCANNABLE = "unscannable"
TOO_DEEP = "too_deep"  # a value nested deeper than POLITECRAWL_PII_MAX_DEPTH: removed whole
OVER_BUDGET = "over_budget"  # an item past its work budget (itembudget.py): removed whole
REPORT_TYPES = (*VALUE_TYPES, DECLARED, FIELD_NAME, TOO_LONG, UNSCANNABLE, TOO_DEEP, OVER_BUDGET)
PII_KEY_FIELD = "[pii-key]"  # the report's field name for a dict key that itself holds personal data
ITEM_FIELD = "[item]"  # the report's field name for a whole item removed (over its budget)
URL_FIELD_MARKER = "[REMOVED]"  # the value of a URL query parameter with a personal name

_REMOVE = object()
_UNSCANNABLE = object()  # a string the detector gave up on, as remembered for the rest of its item


@dataclasses.dataclass
class PIIReport:
    by_type: Counter[str] = dataclasses.field(default_factory=Counter)
    by_field: Counter[str] = dataclasses.field(default_factory=Counter)
    # (dotted path of field names, list positions left out; type): what a researcher is told was removed
    removed: Counter[tuple[str, str]] = dataclasses.field(default_factory=Counter)
    dropped_item: bool = False
    over_budget: bool = False

    @property
    def total(self) -> int:
        return sum(self.by_type.values())

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, type_: str, field: str, path: tuple[str, ...] = ()) -> None:
        self.by_type[type_] += 1
        self.by_field[field] += 1
        self.removed[".".join(path) or field, type_] += 1


class PIIResult(NamedTuple):
    item: Any  # the cleaned item (same object), or None when the item is dropped
    report: PIIReport


def pseudonym(key: bytes, canonical: str) -> str:
    """Keyed HMAC-SHA256 of the canonical value, 128 bits in hex.  Stable for one key; still personal data."""
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _declared(adapter: ItemAdapter, key: Any) -> bool | str | None:
    """The field's `pii` metadata: True / a type name (personal), False (never personal), None (not declared)."""
    try:
        meta = adapter.get_field_meta(key)
    except Exception:  # noqa: BLE001 - undeclared keys of some item types
        return None
    value = meta.get("pii")
    if value is None:
        extra = meta.get("json_schema_extra")  # pydantic: Field(json_schema_extra={"pii": ...})
        if isinstance(extra, Mapping):
            value = extra.get("pii")
    if value is None:
        return None
    if isinstance(value, str):
        return value or True
    return bool(value)


class PIIFilter:
    def __init__(self, config: PIIConfig | None = None) -> None:
        self.config = config or PIIConfig()
        self.detector = Detector(self.config.regions, self.config.phone_leniency, self.config.work_budget)
        self.names = FieldNames(self.config.field_names)
        self._budget = ItemBudget()
        # The detector's answer for each string of the item being filtered: a string repeated in one item (a
        # byline on every review, a shop's boilerplate, the same URL in several fields) is scanned once.  The
        # answer depends on the string alone (`Detector` is stateless); kept for one item only, so that no
        # personal data outlives the item it came in.
        self._found: dict[str, list[Span] | object] = {}

    # ------------------------------------------------------------ public

    def filter(self, item: Any) -> PIIResult:
        report = PIIReport()
        cfg = self.config
        self._budget = ItemBudget(cfg.item_max_seconds, cfg.item_max_chars)
        self._found = {}
        try:
            if ItemAdapter.is_item(item) or isinstance(item, Mapping):
                self._mapping(item, (), None, report, 0)
                result = item
            else:
                result = self._value(item, (), "", report, 0)
                if result is _REMOVE:
                    result = None
        except OverBudget:
            empty(item)
            report.add(OVER_BUDGET, ITEM_FIELD)
            report.over_budget = report.dropped_item = True
        finally:
            self._found = {}
        if report.dropped_item:
            return PIIResult(None, report)
        return PIIResult(result, report)

    def clean_text(self, text: str) -> str:
        """`text` with personal data replaced by markers, URL parts percent-decoded as in items (for log lines and
        audit records); a text that cannot be scanned within its bounds becomes `[UNSCANNABLE]`."""
        self._budget = ItemBudget(self.config.item_max_seconds, self.config.item_max_chars)
        self._found = {}
        try:
            out = self._text(text, (), "", PIIReport())
        except OverBudget:
            return "[UNSCANNABLE]"
        finally:
            self._found = {}
        return "[UNSCANNABLE]" if out is _REMOVE else out

    # ------------------------------------------------------------ decisions

    def _action(self, path: tuple[str, ...], report: PIIReport) -> str:
        fa = self.config.field_actions
        act = self.config.action
        if fa:
            for k in (".".join(path), path[-1] if path else "", path[0] if path else ""):
                if k in fa:
                    act = fa[k]
                    break
        if act == DROP_ITEM:
            report.dropped_item = True
            return DROP  # the dropped item is still scrubbed
        return act

    def _allowed(self, path: tuple[str, ...]) -> bool:
        allow = self.config.allow
        return bool(allow) and (".".join(path) in allow or path[-1] in allow)

    def _spans(self, text: str, field: str, path: tuple[str, ...], report: PIIReport) -> list[Span] | None:
        """Spans in `text`, or None when the text must go whole (too long / unscannable)."""
        if len(text) > self.config.max_chars:
            report.add(TOO_LONG, field, path)
            return None
        self._budget.scan(len(text))  # charged for a repeat too: the item's characters bound it as before
        found = self._found.get(text)
        if found is None:
            try:
                found = self.detector.find(text)
            except Unscannable:
                found = _UNSCANNABLE
            self._found[text] = found
        if found is _UNSCANNABLE:
            report.add(UNSCANNABLE, field, path)
            return None
        return list(found)

    # ------------------------------------------------------------ walking

    def _mapping(self, obj: Any, path: tuple[str, ...], top: str | None, report: PIIReport, depth: int) -> None:
        adapter = ItemAdapter(obj)
        removable = isinstance(obj, MutableMapping)
        plain_dict = isinstance(obj, dict)

        def remove(key: Any) -> None:
            if removable:
                del adapter[key]
            else:
                adapter[key] = None

        for key in list(adapter.keys()):
            self._budget.visit()
            value = adapter[key]
            kstr = key if isinstance(key, str) else str(key)
            if plain_dict and not (isinstance(key, str) and key.isidentifier() and key.isascii()):
                # A dict key can itself be personal data ({"13800138000": ...}): the entry goes whole.
                kpath = path + (PII_KEY_FIELD,)
                kspans = self._spans(kstr, top or PII_KEY_FIELD, kpath, report)
                if kspans is None or kspans:
                    for sp in kspans or ():
                        report.add(sp.type, top or PII_KEY_FIELD, kpath)
                    self._action(kpath, report)
                    del obj[key]
                    continue
            field = top if top is not None else kstr
            kpath = path + (kstr,)
            declared = _declared(adapter, key)
            if declared is False or self._allowed(kpath):
                continue
            if declared is not None or self.names.matches(kstr):
                if value is None:
                    continue
                if declared is not None:
                    report.add(declared if declared in VALUE_TYPES else DECLARED, field, kpath)
                else:
                    report.add(FIELD_NAME, field, kpath)
                if self._action(kpath, report) == PSEUDONYMIZE:
                    adapter[key] = self._pseudonymize_whole(value)
                else:
                    remove(key)
                continue
            new = self._value(value, kpath, field, report, depth + 1)
            if new is _REMOVE:
                remove(key)
            elif new is not value:
                adapter[key] = new

    def _value(self, value: Any, path: tuple[str, ...], field: str, report: PIIReport, depth: int) -> Any:
        if isinstance(value, str):
            return self._text(value, path, field, report)
        if isinstance(value, bool) or value is None or isinstance(value, float):
            return value
        if isinstance(value, (int, bytes, bytearray)):
            text = value.decode("utf-8", "replace") if isinstance(value, (bytes, bytearray)) else str(value)
            spans = self._spans(text, field, path, report)
            if spans == []:
                return value
            for sp in spans or ():
                report.add(sp.type, field, path)
            if spans and self._action(path, report) == PSEUDONYMIZE:
                return self._pseudonymize_whole(text)
            self._action(path, report)
            return _REMOVE
        if depth >= self.config.max_depth and _container(value):
            report.add(TOO_DEEP, field, path)  # deeper than any page's data: removed whole, not walked
            self._action(path, report)
            return _REMOVE
        if isinstance(value, list):
            kept = []
            changed = False
            for el in value:
                self._budget.visit()
                new = self._value(el, path, field, report, depth + 1)
                if new is _REMOVE:
                    changed = True
                    continue
                changed |= new is not el
                kept.append(new)
            if changed:
                value[:] = kept
            return value
        if isinstance(value, (tuple, set, frozenset)):
            out = []
            for el in value:
                self._budget.visit()
                out.append(self._value(el, path, field, report, depth + 1))
            if all(n is o for n, o in zip(out, value)):
                return value
            return type(value)(n for n in out if n is not _REMOVE)
        if isinstance(value, Mapping) or ItemAdapter.is_item(value):
            self._mapping(value, path, field, report, depth + 1)
            return value
        return value

    def _text(self, text: str, path: tuple[str, ...], field: str, report: PIIReport) -> Any:
        pieces = urls.parts(text) if len(text) <= self.config.max_chars else None
        if pieces is not None:
            return self._url_text(text, pieces, path, field, report)
        spans = self._spans(text, field, path, report)
        if spans is None:
            self._action(path, report)
            return _REMOVE
        if not spans:
            return text
        act = self._action(path, report)
        out: list[str] = []
        pos = 0
        for sp in spans:
            report.add(sp.type, field, path)
            out.append(text[pos : sp.start])
            out.append(self._marker(sp, act))
            pos = sp.end
        out.append(text[pos:])
        return "".join(out)

    def _marker(self, sp: Span, act: str) -> str:
        tag = sp.type.upper()
        return f"[{tag}:{pseudonym(self.config.key, sp.canonical)}]" if act == PSEUDONYMIZE else f"[{tag}]"

    def _url_text(self, text: str, pieces: list[urls.Part], path: tuple[str, ...], field: str,
                  report: PIIReport) -> Any:
        """A string holding URLs: each URL part scanned percent-decoded, removals written back encoded."""
        cuts: list[tuple[int, int, int, str]] = []  # raw (start, -end, 0 for a name / 1 for a span, replacement)
        act = ""
        kept: list[tuple[int, int]] = []  # raw ranges of allowed query values: not scanned, as allowed fields
        for part in pieces:
            raw = text[part.start : part.end]
            if part.kind == "query":
                for name, vs, ve in urls.query_values(raw):
                    if self.config.allow and self._allowed(path + (name,)):
                        kept.append((part.start + vs, part.start + ve))
                        continue
                    if ve > vs and self.names.matches(name):
                        report.add(FIELD_NAME, field, path)
                        act = act or self._action(path, report)
                        value = urls.decode(raw[vs:ve], plus=True)[0]
                        cuts.append((part.start + vs, -(part.start + ve), 0, urls.encode(URL_FIELD_MARKER)
                                     if act != PSEUDONYMIZE else self._pseudonymize_whole(value)))
            decoded, offsets = urls.decode(raw, plus=part.kind == "query") if part.kind != "text" else (raw, None)
            spans = self._spans(decoded, field, path, report)
            if spans is None:
                self._action(path, report)
                return _REMOVE
            for sp in spans:
                if kept and offsets is not None and any(
                        ks <= part.start + offsets[sp.start] and part.start + offsets[sp.end] <= ke for ks, ke in kept):
                    continue  # inside an allowed query parameter's value
                report.add(sp.type, field, path)
                act = act or self._action(path, report)
                marker = self._marker(sp, act)
                if offsets is None:
                    cuts.append((part.start + sp.start, -(part.start + sp.end), 1, marker))
                else:
                    cuts.append((part.start + offsets[sp.start], -(part.start + offsets[sp.end]), 1,
                                 urls.encode(marker)))
        if not cuts:
            return text
        cuts.sort()
        out: list[str] = []
        pos = 0
        for start, neg_end, _, repl in cuts:
            if start < pos:  # a span inside a value already removed by its parameter's name
                continue
            out.append(text[pos:start])
            out.append(repl)
            pos = -neg_end
        out.append(text[pos:])
        return "".join(out)

    def _pseudonymize_whole(self, value: Any) -> str:
        if isinstance(value, (bytes, bytearray)):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str):
            canonical = value.strip()
            if len(canonical) <= self.config.max_chars:
                try:
                    spans = self.detector.find(canonical)
                except Unscannable:
                    spans = []
                if len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(canonical):
                    canonical = spans[0].canonical
        elif isinstance(value, int):
            canonical = str(value)
        else:
            try:
                canonical = json.dumps(ItemAdapter(value).asdict() if ItemAdapter.is_item(value) else value,
                                       sort_keys=True, ensure_ascii=False, default=str)
            except (TypeError, ValueError, RecursionError):
                try:
                    canonical = repr(value)
                except RecursionError:
                    canonical = type(value).__name__
        return pseudonym(self.config.key, canonical)


def _container(value: Any) -> bool:
    return isinstance(value, (list, tuple, set, frozenset, Mapping)) or ItemAdapter.is_item(value)


def empty(item: Any) -> None:
    """Remove every field of an item in place (set to None where a field cannot be removed): fail closed."""
    try:
        if isinstance(item, list):
            item.clear()
            return
        adapter = ItemAdapter(item)
        for key in list(adapter.keys()):
            if isinstance(item, MutableMapping):
                del adapter[key]
            else:
                adapter[key] = None
    except Exception:  # noqa: BLE001 - nothing more can be done; the item is dropped anyway
        pass
