"""Nobody erases, demotes or changes an account with more rights than their own, nor gives
an account more rights than their own; the last active superuser always stays. Through the
erasure service, the invitations and the Django admin (the URL × role table for the erasure
page is in tests/test_permissions.py)."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts.authority import AccountProtectedError, account_rank, role_rank
from accounts.models import Invitation, Role, User
from accounts.services import (
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_resend,
)
from strategy.models import AuditEvent
from strategy.privacy import personal_data_erase
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _unchanged(user) -> tuple:
    """What an erasure or a refused change would alter."""
    fresh = User.objects.get(pk=user.pk)
    return (
        fresh.username,
        fresh.email,
        fresh.first_name,
        fresh.role,
        fresh.is_active,
        fresh.is_staff,
        fresh.is_superuser,
        fresh.password,
    )


def _erasures() -> int:
    return AuditEvent.objects.filter(summary="erased (pseudonymised)").count()


def test_every_role_has_a_rank_and_superusers_rank_highest():
    assert all(role_rank(role) > 0 for role in Role.values)
    superuser = User(role=Role.COUNCILLOR, is_superuser=True)
    ranks = {role: account_rank(User(role=role)) for role in Role.values}
    assert account_rank(superuser) > max(ranks.values())
    assert ranks[Role.ADMIN] > ranks[Role.DISTRICT_STAFF] > ranks[Role.CONSULTANT]
    assert ranks[Role.CONSULTANT] > ranks[Role.MUNICIPAL_REP] == ranks[Role.COUNCILLOR]


@pytest.mark.parametrize(
    ("actor_role", "actor_superuser", "target_role", "target_superuser"),
    [
        # The probe's finding: district staff pseudonymised the superuser.
        (Role.DISTRICT_STAFF, False, Role.ADMIN, True),
        (Role.DISTRICT_STAFF, False, Role.ADMIN, False),
        (Role.ADMIN, False, Role.ADMIN, True),
        (Role.ADMIN, False, Role.COUNCILLOR, True),
    ],
)
def test_the_service_refuses_to_erase_an_account_with_more_rights(
    reference, actor_role, actor_superuser, target_role, target_superuser
):
    # Another superuser exists: the refusal is about ranks, not about the last superuser.
    UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    actor = UserFactory(role=actor_role, is_superuser=actor_superuser)
    target = UserFactory(role=target_role, is_staff=True, is_superuser=target_superuser)
    before = _unchanged(target)
    with pytest.raises(AccountProtectedError) as refused:
        personal_data_erase(user=target, by=actor)
    assert (
        refused.value.message
        == "Sie können kein Konto löschen, das mehr Rechte hat als Ihr eigenes."
    )
    assert _unchanged(target) == before and _erasures() == 0


def test_the_service_erases_accounts_of_equal_or_lower_rank(reference):
    staff = UserFactory(role=Role.DISTRICT_STAFF)
    colleague = UserFactory(role=Role.DISTRICT_STAFF)
    consultant = UserFactory(role=Role.CONSULTANT)
    for target in (colleague, consultant):
        personal_data_erase(user=target, by=staff)
        target.refresh_from_db()
        assert not target.is_active and target.email == ""
    assert _erasures() == 2


def test_the_last_active_superuser_is_never_erased(reference):
    first = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    second = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    # Not by himself.
    with pytest.raises(AccountProtectedError):
        personal_data_erase(user=first, by=first)
    # Two superusers erase each other, one request after the other: the second request
    # still holds its actor as an active superuser, but the stored state decides.
    stale_first = User.objects.get(pk=first.pk)
    personal_data_erase(user=first, by=second)
    before = _unchanged(second)
    with pytest.raises(AccountProtectedError) as refused:
        personal_data_erase(user=second, by=stale_first)
    assert "letzte aktive Administrator" in refused.value.message
    assert _unchanged(second) == before
    assert User.objects.filter(is_superuser=True, is_active=True).get() == second


def test_the_erasure_page_says_why_and_the_user_list_offers_only_allowed_erasures(client, personas):
    staff, admin = personas["district_staff"], personas["admin"]
    colleague = UserFactory(role=Role.DISTRICT_STAFF)
    client.force_login(staff)
    response = client.post(reverse("strategy:person_data_erase", args=[admin.pk]))
    assert response.status_code == 403
    assert "mehr Rechte hat als Ihr eigenes" in response.content.decode()
    assert User.objects.get(pk=admin.pk).is_active
    html = client.get(reverse("accounts:user_list")).content.decode()
    erase = reverse("strategy:person_data_erase", args=[0]).replace("/0/", "/{}/")
    assert erase.format(colleague.pk) in html
    assert erase.format(personas["councillor"].pk) in html
    for protected in (admin, staff):
        assert erase.format(protected.pk) not in html
    client.force_login(admin)
    response = client.get(reverse("strategy:person_data_erase", args=[admin.pk]))
    assert response.status_code == 403
    assert "Ihr eigenes Konto" in response.content.decode()


# --- Invitations ---------------------------------------------------------------------------


def test_nobody_invites_into_a_role_with_more_rights(client, personas):
    staff = personas["district_staff"]
    with pytest.raises(InvitationError):
        invitation_create(invited_by=staff, email="chef@example.org", role=Role.ADMIN)
    client.force_login(staff)
    response = client.post(
        reverse("accounts:invitation_new"), {"email": "chef@example.org", "role": Role.ADMIN}
    )
    assert response.status_code == 200 and "Bitte eine gültige Auswahl treffen" in (
        response.content.decode()
    )
    assert not Invitation.objects.exists()
    # An invitation into the administrator role (made by an administrator) cannot be sent
    # again by district staff: the new link would create an account above their own.
    invitation = invitation_create(
        invited_by=personas["admin"], email="chef@example.org", role=Role.ADMIN
    )
    created = invitation.created_at
    with pytest.raises(InvitationError):
        invitation_resend(invitation=invitation, by=staff)
    invitation.refresh_from_db()
    assert invitation.created_at == created


def test_an_invitation_never_changes_an_existing_account(personas):
    admin = personas["admin"]
    User.objects.filter(pk=admin.pk).update(username=admin.email)
    before = _unchanged(admin)
    # An invitation for the administrator's address (it is no longer an active account's
    # address once the account is deactivated, so the form would let it through).
    invitation = Invitation.objects.create(email=admin.email.upper(), role=Role.COUNCILLOR)
    with pytest.raises(InvitationError):
        invitation_accept(
            invitation=invitation, first_name="A", last_name="B", password="Ein-Neues-2026!"
        )
    assert _unchanged(admin) == before


# --- Django admin ---------------------------------------------------------------------------


def _staff_with_user_permissions(role: str) -> User:
    """A person who reaches the Django admin and may view, change and delete accounts, but
    is no superuser."""
    user = UserFactory(role=role, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="accounts",
            codename__in=["view_user", "change_user", "delete_user", "add_invitation"],
        )
    )
    return user


def _admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _change_data(user, **changes) -> dict:
    """The Django admin's change form of ``user`` as a superuser would post it unchanged."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "municipality": user.municipality_id or "",
        "organisation": user.organisation,
        "date_joined_0": user.date_joined.strftime("%d.%m.%Y"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _change_url(user) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def test_admin_without_full_rights_cannot_touch_a_superuser(personas):
    superuser = personas["admin"]
    before = _unchanged(superuser)
    client = _admin_client(_staff_with_user_permissions(Role.ADMIN))
    response = client.post(_change_url(superuser), _change_data(superuser, is_active=None))
    assert response.status_code == 403
    assert client.get(_change_url(superuser)).status_code == 200  # read only
    password = reverse("admin:auth_user_password_change", args=[superuser.pk])
    response = client.post(
        password, {"password1": "Uebernommen-2026!", "password2": "Uebernommen-2026!"}
    )
    assert response.status_code == 403
    delete = reverse("admin:accounts_user_delete", args=[superuser.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert _unchanged(superuser) == before


def test_admin_without_full_rights_can_neither_grant_nor_remove_superuser(personas):
    councillor = personas["councillor"]
    client = _admin_client(_staff_with_user_permissions(Role.ADMIN))
    page = client.get(_change_url(councillor)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    response = client.post(
        _change_url(councillor),
        _change_data(councillor, is_superuser="on", is_staff="on", organisation="Kreistag"),
    )
    assert response.status_code == 302
    councillor.refresh_from_db()
    assert councillor.organisation == "Kreistag"
    assert not councillor.is_superuser and not councillor.is_staff
    # Nor take superuser rights from a second superuser (read only: no change at all).
    other = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    response = client.post(_change_url(other), _change_data(other, is_superuser=None))
    assert response.status_code == 403
    assert User.objects.get(pk=other.pk).is_superuser


def test_admin_offers_no_role_above_the_acting_persons_own(personas):
    councillor = personas["councillor"]
    before = _unchanged(councillor)
    client = _admin_client(_staff_with_user_permissions(Role.DISTRICT_STAFF))
    response = client.post(_change_url(councillor), _change_data(councillor, role=Role.ADMIN))
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen" in response.content.decode()
    assert _unchanged(councillor) == before
    # An administrator (equal rank) cannot be changed by district staff at all.
    admin_role = UserFactory(role=Role.ADMIN)
    response = client.post(_change_url(admin_role), _change_data(admin_role, role=Role.COUNCILLOR))
    assert response.status_code == 403
    assert User.objects.get(pk=admin_role.pk).role == Role.ADMIN


@pytest.mark.parametrize("change", ["is_superuser", "is_active"])
def test_the_last_superuser_cannot_demote_or_deactivate_himself(personas, change):
    superuser = personas["admin"]
    before = _unchanged(superuser)
    client = _admin_client(superuser)
    response = client.post(_change_url(superuser), _change_data(superuser, **{change: None}))
    assert response.status_code == 200
    assert "letzte aktive Administrator" in response.content.decode()
    assert _unchanged(superuser) == before
    # With a second superuser he may.
    UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    response = client.post(_change_url(superuser), _change_data(superuser, **{change: None}))
    assert response.status_code == 302
    assert getattr(User.objects.get(pk=superuser.pk), change) is False


def test_admin_has_no_bulk_deletion_of_accounts(personas):
    client = _admin_client(personas["admin"])
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "delete_selected" not in page
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [u.pk for u in personas.values()],
            "post": "yes",
        },
    )
    assert User.objects.filter(pk__in=[u.pk for u in personas.values()]).count() == 7
    assert response.status_code in (200, 302)
