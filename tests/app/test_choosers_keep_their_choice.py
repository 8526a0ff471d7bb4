"""A select box tells the browser its chosen value as its default too.

Streamlit sends a keyed select box's value to the browser only in the run that sets it. When the
browser later draws the box afresh without that value, it shows the box's declared default, and
sends that back on the next run. With the default left at the first option, a loaded browser once
switched the Riskregister and the Nyttoregister from LINK2 to the first project, 6663 Serverdrift
Åre, under a form the user was filling in (browser tests, 2026-12-04). So every keyed select box
that holds a value declares that value as its default.
"""

from __future__ import annotations

import pytest

from dashboard.navigation import pages_for
from portfolio.auth import Role
from tests.app.conftest import ROLES

ROLE_NAMES = {
    "namnd": "nämnd",
    "kommunchef": "kommunchef",
    "projektledare": "projektledare",
    "admin": "admin",
}


def _default_is_value(at) -> list[str]:
    """The keyed select boxes and multiselects whose declared default is not what they hold."""
    wrong = []
    for box in at.selectbox:
        if box.key is None or box.value is None:
            continue
        if box.proto.default != box.index:
            wrong.append(f"{box.key}: håller {box.options[box.index]!r}, förval {box.proto.default}")
    for many in at.multiselect:
        if many.key is None:
            continue
        held = sorted(many.options.index(many.format_func(v)) for v in many.value)
        if sorted(many.proto.default) != held:
            wrong.append(f"{many.key}: håller {many.value!r}, förval {list(many.proto.default)}")
    return wrong


@pytest.mark.parametrize(
    ("page", "key"),
    [
        ("app_pages/risks.py", "risks_project"),
        ("app_pages/benefits.py", "benefits_project"),
        ("app_pages/project.py", "project_select"),
    ],
)
def test_a_project_chooser_declares_the_chosen_project_as_its_default(app_as, page, key):
    at = app_as("projektledare", page)
    box = at.selectbox(key=key)
    assert box.value == "GNS/8/2018"  # LINK2, not the first option
    assert box.options[0].startswith("6663")
    assert box.options[box.proto.default].startswith("GNS/8/2018")

    box.set_value("GNS/11/2018").run()  # the user chooses another project
    box = at.selectbox(key=key)
    assert box.value == "GNS/11/2018"
    assert box.options[box.proto.default].startswith("GNS/11/2018")


@pytest.mark.parametrize("role", ROLES)
def test_every_keyed_select_box_declares_its_value_as_its_default(app_as, role):
    wrong = {}
    for spec in pages_for(Role(ROLE_NAMES[role])):
        at = app_as(role, spec.path)
        assert not at.exception, [e.value for e in at.exception]
        if found := _default_is_value(at):
            wrong[spec.title] = found
    assert not wrong


def test_a_filter_of_several_choices_declares_what_the_user_chose(app_as):
    at = app_as("admin", "app_pages/bruttolista.py")
    areas = at.multiselect(key="bruttolista_areas")
    chosen = areas.options[1]
    areas.set_value([chosen]).run()
    areas = at.multiselect(key="bruttolista_areas")
    assert [areas.options[i] for i in areas.proto.default] == [chosen]
    assert not _default_is_value(at)
