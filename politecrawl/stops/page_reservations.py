"""What a page's own headers and meta tags reserve: TDM, AI-use preferences, ``noai`` / ``noimageai``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .aipref import parse_content_usage, usage_reservation
from .purposes import TDM, Reservation
from .tdmrep import TDMRepRule, effective_tdm_reservation, parse_tdm_value
from .xrobots import ai_reservations

__all__ = ["page_reservations"]


def page_reservations(
    *,
    tdmrep_rule: TDMRepRule | None,
    tdm_header: str | bytes | None,
    content_usage: Sequence[str],
    x_robots_tag: Sequence[str],
    content_type: str,
    meta: Mapping[str, list[str]],
    bot_name: str,
) -> list[Reservation]:
    """Every reservation a page makes, for any purpose (the caller keeps those that bind it).

    *tdmrep_rule* is the origin's tdmrep.json rule for the page's path (a
    reservation by it alone is enforced before the request, so it counts here
    only as what the page's own ``tdm-reservation`` header or meta tag may
    override); *meta* holds the page's meta tags by lower-cased name.
    """
    found: list[Reservation] = []
    header_tdm = parse_tdm_value(tdm_header)
    meta_tdm = parse_tdm_value(meta["tdm-reservation"][0]) if meta.get("tdm-reservation") else None
    value, source = effective_tdm_reservation(tdmrep_rule, header_tdm, meta_tdm)
    if value == 1 and source != "tdmrep.json":
        found.append(Reservation(TDM, source, "tdm-reservation=1"))
    for text in content_usage:
        res = usage_reservation(parse_content_usage(text), "content-usage-header", text)
        if res is not None:
            found.append(res)
    found.extend(ai_reservations(x_robots_tag, meta, bot_name, content_type.lower().startswith("image/")))
    return found
