"""The rank matrix (issue 16): nobody changes, unlocks, resets, deactivates or moves an
account whose current role in its current office they could not have created. Every admin
role × every account action × every target rank, through the services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from hotich.accounts.services import (
    user_reset_password,
    user_set_active,
    user_unlock,
    user_update,
)
from tests.factories import UserFactory


def _update(actor, user, **changes):
    values = {
        "full_name": user.full_name or "Tên",
        "email": user.email,
        "phone": user.phone,
        "role": user.role,
        "office": user.office,
        "contract_start": user.contract_start,
        "contract_end": user.contract_end,
        **changes,
    }
    return user_update(actor=actor, user=user, **values)


ACTIONS = {
    "rename": lambda actor, user, tree: _update(actor, user, full_name="Tên khác"),
    "demote": lambda actor, user, tree: _update(actor, user, role="operator"),
    "move": lambda actor, user, tree: _update(actor, user, office=tree["phong2"]),
    "unlock": lambda actor, user, tree: user_unlock(actor=actor, user=user),
    "reset": lambda actor, user, tree: user_reset_password(actor=actor, user=user),
    "deactivate": lambda actor, user, tree: user_set_active(actor=actor, user=user, active=False),
}


@pytest.fixture
def province_unit_admin(tree):
    """A unit administrator whose office is the province's own (the escalation found)."""
    return UserFactory(username="so.donvi", office=tree["so"], role="unit_admin")


@pytest.mark.parametrize("action", ACTIONS)
def test_a_unit_admin_in_the_province_office_cannot_touch_the_province_admin(
    action, users, tree, province_unit_admin
):
    target = users["province_admin"]
    before = (target.role, target.office_id, target.password, target.is_active)
    with pytest.raises(PermissionDenied):
        ACTIONS[action](province_unit_admin, target, tree)
    target.refresh_from_db()
    assert (target.role, target.office_id, target.password, target.is_active) == before


# (actor, target, allowed): a higher or equal rank within the actor's tree is manageable; a
# higher rank, another tree, or a higher office is not.
MATRIX = [
    ("province_admin", "unit_admin", True),
    ("province_admin", "operator", True),
    ("province_admin", "auditor", True),
    ("unit_admin", "operator", True),
    ("unit_admin", "reviewer", True),
    ("unit_admin", "province_admin", False),
    ("unit_admin", "auditor", False),  # in the province's office, above the district
    ("unit_admin", "other_operator", False),  # another district
    ("commune_admin", "unit_admin", False),  # the district above the commune
    ("commune_admin", "operator", False),
    ("other_admin", "operator", False),
    ("other_province", "operator", False),
]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(("actor", "target", "allowed"), MATRIX)
def test_every_account_action_follows_the_rank_and_the_tree(
    action, actor, target, allowed, users, tree
):
    run = ACTIONS[action]
    if action == "move" and allowed and users[actor].role != "province_admin":
        allowed = False  # the other district is outside a unit administrator's tree
    if action == "move" and users[target].role == "auditor":
        run = ACTIONS["rename"]  # an auditor belongs to the province's office
    if allowed:
        run(users[actor], users[target], tree)
    else:
        with pytest.raises(PermissionDenied):
            run(users[actor], users[target], tree)
