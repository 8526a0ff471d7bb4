"""Downloads on the pages: a file is made when its button is pressed, and the page stays as it is."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("kommunchef", "app_pages/tertial.py"),
        ("projektledare", "app_pages/risks.py"),
        ("admin", "app_pages/audit.py"),
        ("namnd", "app_pages/meetings.py"),
    ],
)
def test_a_download_leaves_the_page_as_it_is(app_as, role, page):
    """A download changes nothing, so it does not run the page again: a second button clicked
    while that run redrew the page was lost on a busy machine (the party view's PDF after its
    Excel file, browser tests 2026-12-04)."""
    at = app_as(role, page)
    buttons = at.get("download_button")
    assert buttons
    assert [b.proto.label for b in buttons if not b.proto.ignore_rerun] == []
