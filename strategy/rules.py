"""Who may do what in the strategy spine. All permission decisions live here (django-rules)."""

import rules

from accounts.authority import erase_refusal
from accounts.models import Role

from .editions import edition_is_read_only, process_of


def _has_role(*roles):
    @rules.predicate(name=f"has_role_{'_'.join(roles)}")
    def predicate(user) -> bool:
        return bool(user and user.is_authenticated and user.is_active and user.role in roles)

    return predicate


is_superuser = rules.is_superuser
is_admin = _has_role(Role.ADMIN) | is_superuser
is_district_staff = _has_role(Role.DISTRICT_STAFF)
is_consultant = _has_role(Role.CONSULTANT)
is_municipal_rep = _has_role(Role.MUNICIPAL_REP)
is_working_group_member = _has_role(Role.WORKING_GROUP)
is_councillor = _has_role(Role.COUNCILLOR)


@rules.predicate
def is_participant(user) -> bool:
    """Any active, logged-in account: reading the strategy is open to all of them."""
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def represents_municipality(user, obj) -> bool:
    """The user represents the municipality that ``obj`` is, or belongs to."""
    if obj is None or not user.is_authenticated or user.role != Role.MUNICIPAL_REP:
        return False
    municipality_id = getattr(obj, "municipality_id", None)
    if municipality_id is None and obj.__class__.__name__ == "Municipality":
        municipality_id = obj.pk
    return municipality_id is not None and municipality_id == user.municipality_id


@rules.predicate
def edition_is_open(user, obj) -> bool:
    """The edition ``obj`` belongs to may still change: it is not archived (an update was
    started from it). Objects outside any edition, and no object, count as open. Every write
    permission on an edition's content is composed with this predicate."""
    process = process_of(obj)
    return process is None or not edition_is_read_only(process)


@rules.predicate
def may_erase_account(user, target) -> bool:
    """``target`` carries no more rights than ``user``, is not ``user`` and is not the last
    active superuser (see accounts/authority.py)."""
    return target is not None and erase_refusal(actor=user, target=target) is None


# Running the process: district staff and consultants (and administrators).
runs_process = is_district_staff | is_consultant | is_admin
# Managing accounts: district staff and administrators, not consultants.
manages_users = is_district_staff | is_admin
# Writing a municipality's own contributions.
edits_municipality_content = runs_process | (is_municipal_rep & represents_municipality)

rules.add_perm("strategy.view_process", is_participant)
rules.add_perm("strategy.add_process", runs_process)
rules.add_perm("strategy.change_process", runs_process & edition_is_open)
rules.add_perm("strategy.move_process", runs_process & edition_is_open)
rules.add_perm("strategy.view_reference", is_participant)
rules.add_perm("strategy.change_themefield", runs_process)
rules.add_perm("strategy.change_actorgroup", runs_process)
rules.add_perm("strategy.edit_municipality_content", edits_municipality_content)
rules.add_perm("strategy.view_audit", is_district_staff | is_admin)
rules.add_perm("strategy.change_contentpage", is_district_staff | is_admin)
rules.add_perm("accounts.manage_personal_data", manages_users)
rules.add_perm("accounts.erase_person", manages_users & may_erase_account)
rules.add_perm("accounts.invite_user", manages_users)
rules.add_perm("accounts.view_user_list", manages_users)
