"""``noai`` / ``noimageai`` in ``X-Robots-Tag`` and ``<meta name="robots">``.

DeviantArt's directives (Nov 2022), sent as robots meta values and as
``X-Robots-Tag``: ``noai`` reserves the content for AI training;
``noimageai`` reserves images, so it binds image responses only. The header
is read by the robots package's one parser of its syntax
(:func:`politecrawl.robots.page.directives_for`: ``<agent>:`` addresses the
directives after it to that agent); names are case-insensitive. ``<meta name="<our token>">`` binds us like
``<meta name="robots">``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..robots.page import directives_for
from .purposes import AI_TRAINING, Reservation

__all__ = ["ai_reservations", "robots_directives"]

#: The directives of X-Robots-Tag / meta robots values that bind us: the robots package's reading
#: of the syntax (:func:`politecrawl.robots.page.directives_for`), the one parser of it.
robots_directives = directives_for


def ai_reservations(
    header_values: Iterable[str],
    meta: Mapping[str, list[str]],
    product_token: str,
    is_image: bool,
) -> list[Reservation]:
    """Reservations from X-Robots-Tag values and the page's meta tags (by lower-case name)."""
    out = []
    header = robots_directives(header_values, product_token)
    meta_values = list(meta.get("robots", [])) + list(meta.get(product_token.lower(), []))
    page = robots_directives(meta_values, "")
    for source, directives in (("x-robots-tag", header), ("meta-robots", page)):
        if "noai" in directives:
            out.append(Reservation(AI_TRAINING, source, "noai"))
        elif "noimageai" in directives and is_image:
            out.append(Reservation(AI_TRAINING, source, "noimageai"))
    return out
