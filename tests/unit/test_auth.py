"""The permission matrix: role × action × own/other project or party."""

from __future__ import annotations

import pytest

from portfolio.auth import PARTY_ACTIONS, PROJECT_ACTIONS, Action, Role, User, can, require
from portfolio.errors import PermissionDeniedError

LINK2, OTHER = 1, 2
NAMND = User(id=1, email="l@x.se", name="Ledamot", role=Role.NAMND)
CHEF = User(id=2, email="k@x.se", name="Kommunchef", role=Role.KOMMUNCHEF, party="BRACKE")
LEADER = User(
    id=3, email="p@x.se", name="Projektledare", role=Role.PROJEKTLEDARE, projects=frozenset({LINK2})
)
ADMIN = User(id=4, email="a@x.se", name="E-strateg", role=Role.ADMIN)
ADMIN_ACTIONS = set(Action) - PROJECT_ACTIONS - PARTY_ACTIONS


@pytest.mark.parametrize("action", sorted(PROJECT_ACTIONS))
def test_project_actions_belong_to_the_projects_leaders_and_admin(action):
    assert can(LEADER, action, project_id=LINK2)
    assert not can(LEADER, action, project_id=OTHER)
    assert can(ADMIN, action, project_id=OTHER)
    assert not can(NAMND, action, project_id=LINK2)
    assert not can(CHEF, action, project_id=LINK2)


def test_a_project_leader_writing_to_another_project_is_refused_with_a_reason():
    with pytest.raises(PermissionDeniedError, match="inte projektledare för det här projektet"):
        require(LEADER, Action.EDIT_RISKS, project_id=OTHER)


def test_a_municipal_ceo_reviews_only_for_their_own_party():
    assert can(CHEF, Action.REVIEW_TERTIAL, party="BRACKE")
    assert not can(CHEF, Action.REVIEW_TERTIAL, party="KROKOM")
    with pytest.raises(PermissionDeniedError, match="kommunchefen för parten"):
        require(CHEF, Action.REVIEW_TERTIAL, party="KROKOM")


@pytest.mark.parametrize("user", [NAMND, LEADER, ADMIN])
def test_nobody_but_the_partys_ceo_reviews_its_report(user):
    assert not can(user, Action.REVIEW_TERTIAL, party="BRACKE")


@pytest.mark.parametrize("action", sorted(ADMIN_ACTIONS))
@pytest.mark.parametrize("user", [NAMND, CHEF, LEADER])
def test_administration_is_for_admin_only(action, user):
    assert can(ADMIN, action)
    assert not can(user, action, project_id=LINK2, party="BRACKE")
    with pytest.raises(PermissionDeniedError):
        require(user, action, project_id=LINK2, party="BRACKE")


def test_the_committee_changes_nothing():
    assert not any(can(NAMND, a, project_id=LINK2, party="BRACKE") for a in Action)


def test_a_disabled_account_can_do_nothing():
    disabled = ADMIN.model_copy(update={"active": False})
    assert not any(can(disabled, a, project_id=LINK2) for a in Action)
    with pytest.raises(PermissionDeniedError, match="avstängt"):
        require(disabled, Action.MANAGE_USERS)


def test_role_bindings_are_checked():
    with pytest.raises(ValueError, match="kommunchef måste knytas till en part"):
        User(id=9, email="x@x.se", name="X", role=Role.KOMMUNCHEF)
    with pytest.raises(ValueError, match="Endast projektledare"):
        User(id=9, email="x@x.se", name="X", role=Role.ADMIN, projects=frozenset({1}))
