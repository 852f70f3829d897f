"""Headings as bookmarks: a document's own outline, and the record packet's under each document.

A heading paragraph marked with its title (``SharedLayoutParagraph.bookmark``) notes where it is
drawn; the canvas, which holds its pages until the end for "page x of y", adds the notes to the
outline as it writes each page (a destination named while pages are held pointed at page 1).
"""
from __future__ import annotations

from typing import Any, NamedTuple, Sequence

_NOTED = "_carthandout_bookmarks"


class Bookmark(NamedTuple):
    title: str
    page: int  # the page's index in its document, from 0
    top: float  # the heading's top, in points from the page's bottom edge


def note_drawn(canvas: Any, title: str, x: float, top: float) -> None:
    """Called as a marked heading is drawn, with its top-left corner in the canvas's current coordinates."""
    _, page_top = canvas.absolutePosition(x, top)
    canvas.__dict__.setdefault(_NOTED, []).append(Bookmark(title, canvas.getPageNumber() - 1, page_top))


def noted(canvas: Any) -> tuple[Bookmark, ...]:
    """Every heading noted on ``canvas`` so far, in the order drawn."""
    return tuple(canvas.__dict__.get(_NOTED, ()))


def add_to_outline(canvas: Any, bookmarks: Sequence[Bookmark]) -> None:
    """Bookmarks on the page ``canvas`` is about to write, each opening the page at its heading."""
    for bookmark in bookmarks:
        key = f"heading-{bookmark.page}-{bookmark.top:.2f}"
        canvas.bookmarkPage(key, fit="XYZ", top=round(bookmark.top, 2))
        canvas.addOutlineEntry(bookmark.title, key, level=0)
