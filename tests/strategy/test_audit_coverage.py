"""The audit log covers invitations from creation to acceptance, and permissions granted
through groups or single permissions (the Django admin), next to logins, role changes,
exports and phase transitions (tests/strategy/test_trust.py)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import Invitation, Role
from accounts.services import invitation_accept, invitation_create
from strategy.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(action):
    return list(
        AuditEvent.objects.filter(action=action)
        .order_by("pk")
        .values_list("actor_name", "summary", "details")
    )


def test_invitations_are_audited_when_sent_again_revoked_and_accepted(client, personas):
    admin = personas["admin"]
    client.force_login(admin)
    first = invitation_create(invited_by=admin, email="neu@example.org", role=Role.COUNCILLOR)
    second = invitation_create(invited_by=admin, email="zwei@example.org", role=Role.CONSULTANT)
    AuditEvent.objects.all().delete()

    client.post(reverse("accounts:invitation_resend", args=[first.pk]))
    client.post(reverse("accounts:invitation_revoke", args=[second.pk]))
    # Revoking twice records it once.
    client.post(reverse("accounts:invitation_revoke", args=[second.pk]))
    user = invitation_accept(
        invitation=Invitation.objects.get(pk=first.pk),
        first_name="Nina",
        last_name="Neu",
        password="ein-langes-Passwort-2027",
    )
    events = _events("invitation")
    assert [(e[0], e[2]["event"]) for e in events] == [
        (str(admin), "resent"),
        (str(admin), "revoked"),
        (str(user), "accepted"),
    ]
    assert events[1][1] == "zwei@example.org (consultant): revoked"
    # The new account itself appears as a permission change (role given).
    change = AuditEvent.objects.get(action="permission_change", target_id=str(user.pk))
    assert change.details["changes"]["role"] == [None, "councillor"]


def test_refused_invitation_changes_are_not_audited(client, personas):
    client.force_login(personas["consultant"])
    invitation = invitation_create(
        invited_by=personas["admin"], email="neu@example.org", role=Role.COUNCILLOR
    )
    AuditEvent.objects.all().delete()
    assert (
        client.post(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 403
    )
    assert not AuditEvent.objects.filter(action="invitation").exists()


def test_groups_and_single_permissions_are_audited(personas):
    user = personas["working_group"]
    group = Group.objects.create(name="Redaktion")
    permission = Permission.objects.get(codename="change_contentpage")
    AuditEvent.objects.all().delete()

    user.groups.add(group)
    user.user_permissions.add(permission)
    user.user_permissions.remove(permission)
    group.user_set.clear()
    summaries = [e[1] for e in _events("permission_change")]
    assert summaries == [
        "groups added: Redaktion",
        f"user_permissions added: {permission}",
        f"user_permissions removed: {permission}",
        "groups removed: Redaktion",
    ]
    assert set(
        AuditEvent.objects.filter(action="permission_change").values_list("target_id", flat=True)
    ) == {str(user.pk)}


def test_changing_the_facilitators_of_a_workshop_is_audited(personas, process):
    from tests.workshops import make_workshop
    from workshops.planning_services import workshop_update

    staff, consultant = personas["district_staff"], personas["consultant"]
    # As the form gives them: loaded from the database.
    staff.refresh_from_db()
    consultant.refresh_from_db()
    workshop = make_workshop(process, user=staff, facilitators=[staff])
    mine = AuditEvent.objects.filter(
        action="permission_change", target_type="workshops.Workshop", target_id=str(workshop.pk)
    ).order_by("pk")
    created = mine.get()
    assert created.details == {"facilitators_added": [str(staff)], "facilitators_removed": []}
    values = {
        "step": workshop.step,
        "kind": workshop.kind,
        "title": workshop.title,
        "location": workshop.location,
    }
    workshop_update(workshop=workshop, user=staff, facilitators=[consultant], **values)
    # The same facilitators again: nothing to record.
    workshop_update(workshop=workshop, user=staff, facilitators=[consultant], **values)
    assert mine.count() == 2
    change = mine.last()
    assert change.actor == staff
    assert change.details == {
        "facilitators_added": [str(consultant)],
        "facilitators_removed": [str(staff)],
    }
