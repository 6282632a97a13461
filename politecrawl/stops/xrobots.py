"""``noai`` / ``noimageai`` in ``X-Robots-Tag`` and ``<meta name="robots">``.

DeviantArt's directives (Nov 2022), sent as robots meta values and as
``X-Robots-Tag``: ``noai`` reserves the content for AI training;
``noimageai`` reserves images, so it binds image responses only. The header
may repeat, values are comma-separated and may start with ``<agent>:``, in
which case they bind only that agent (Google's X-Robots-Tag convention);
names are case-insensitive. ``<meta name="<our token>">`` binds us like
``<meta name="robots">``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .purposes import AI_TRAINING, Reservation

__all__ = ["ai_reservations", "robots_directives"]

# Directives whose value holds a colon, so "name: ..." is not an agent prefix.
_VALUED = {"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"}


def robots_directives(values: Iterable[str], product_token: str) -> set[str]:
    """The directives (lower-case) of X-Robots-Tag / meta robots values that bind us."""
    token = product_token.strip().lower()
    found: set[str] = set()
    for value in values:
        text = value.strip()
        head, sep, rest = text.partition(":")
        agent = head.strip().lower()
        if sep and "," not in head and agent not in _VALUED and " " not in agent:
            if agent != token:
                continue
            text = rest
        for part in text.split(","):
            directive = part.strip().lower()
            if directive:
                found.add(directive.split(":", 1)[0].strip())
    return found


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
