"""How the disk frontier writes a request down and reads it back.

A request with every field but its URL at Scrapy's default (a plain GET:
``Request(url)``, as start URLs and many links are) is stored as nothing
(``b""``): its URL is in the store's row beside it, and it reads back as
``Request(url)``. Any other :class:`scrapy.Request` (the class itself) is
pickled as one tuple of its non-default fields, callbacks by their spider
method's name, the URL left out (``None``: it is beside it too; files written
before hold it in the tuple, still read); any other request class is stored as Scrapy stores requests in
its own disk queues (``Request.to_dict``, then pickle; ``request_from_dict``
back). Both read back the same request: same class, URL, callbacks, method,
headers, body, cookies, meta, encoding, priority, flags, ``cb_kwargs`` and
``dont_filter``. A request neither can keep (a callback that is not a method
of the spider, a meta value pickle refuses) raises :class:`ValueError`, and
Scrapy's scheduler keeps it in memory.

Three costs of Scrapy's way are avoided for the plain request: ``to_dict``
finds a callback's name by listing every method of the spider
(``inspect.getmembers``), here it is the bound method's own name, checked;
``Request()`` quotes the URL again (``safe_url_string``, ~6 us) and normalises
every header name and value again (``Headers.update``), though the stored URL
and headers are the request's own, quoted and normalised when it was made: the
request is rebuilt from them as they are (``rebuild_request`` in
``middlewares/_scrapy_compat.py``, which fills ``Request``'s slots directly).

*omit* names one meta key left out of the stored request (the frontier's
stamp of the URL's keys, which it restores from the origin's names).
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.utils.request import request_from_dict

from politecrawl.middlewares._scrapy_compat import is_default_get, rebuild_request

if TYPE_CHECKING:
    from scrapy import Spider

__all__ = ["decode", "encode"]

_DEFAULT_ENCODING = "utf-8"


def _method_name(func: Any, spider: Spider | None) -> str | None:
    """The name of the spider method *func* is bound to, or ``None`` if it is not one (the slow path decides)."""
    if func is None:
        return None
    name = getattr(getattr(func, "__func__", None), "__name__", None)
    if name is None or getattr(func, "__self__", None) is not spider:
        return None
    own = getattr(spider, name, None)
    return name if getattr(own, "__func__", None) is func.__func__ else None


def encode(request: Request, spider: Spider | None, omit: str) -> bytes:
    """The request as bytes; :class:`ValueError` if it cannot be kept."""
    meta = request.meta
    if omit in meta:
        meta = {key: value for key, value in meta.items() if key != omit}
    if not meta and is_default_get(request):
        return b""  # Request(url): the URL is stored beside it
    callback, errback = request.callback, request.errback
    callback_name, errback_name = _method_name(callback, spider), _method_name(errback, spider)
    try:
        if type(request) is Request and (callback is None or callback_name) and (errback is None or errback_name):
            return pickle.dumps((
                None, callback_name, errback_name, request.method, dict(request.headers) or None,
                request.body or None, request.cookies or None, meta or None,
                None if request.encoding == _DEFAULT_ENCODING else request.encoding,
                request.priority, request.dont_filter, request.flags or None, request.cb_kwargs or None,
            ), protocol=4)
        fields = request.to_dict(spider=spider)
        fields["meta"] = meta
        return pickle.dumps(fields, protocol=4)
    except (pickle.PicklingError, AttributeError, TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from exc


def decode(body: bytes, spider: Spider | None, url: str | None = None) -> Request:
    """The request :func:`encode` wrote (or Scrapy's ``to_dict`` form, as older files hold); *url* is the
    request's URL as stored beside it (needed for ``b""``, a plain GET, and for a tuple written without it)."""
    if not body:
        if url is None:
            raise ValueError("a plain GET is stored without its URL: decode needs it")
        return rebuild_request(url, None, None, "GET", None, None, None, None, _DEFAULT_ENCODING, 0, False, None, None)
    fields = pickle.loads(body)  # noqa: S301 - the crawl's own file
    if isinstance(fields, dict):
        return request_from_dict(fields, spider=spider)
    (stored_url, callback, errback, method, headers, payload, cookies, meta, encoding, priority, dont_filter, flags,
     cb_kwargs) = fields
    if stored_url is None:  # written beside the tuple, not in it
        if url is None:
            raise ValueError("this request is stored without its URL: decode needs it")
        stored_url = url
    # the URL was quoted and the headers normalised when the request was made: not again
    return rebuild_request(
        stored_url, None if callback is None else _method(spider, callback),
        None if errback is None else _method(spider, errback), method, headers, payload, cookies, meta,
        encoding or _DEFAULT_ENCODING, priority, dont_filter, flags, cb_kwargs,
    )


def _method(spider: Spider | None, name: str) -> Any:
    try:
        return getattr(spider, name)
    except AttributeError:
        raise ValueError(f"Method {name!r} not found in: {spider}") from None
