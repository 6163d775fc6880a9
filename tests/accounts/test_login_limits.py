"""Login lockout: per user name and address (five failures), and per address across user
names against password spraying (thirty failures within the cool-off), against PostgreSQL
through django-axes' database handler."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SPRAYED = "Sommer2026!"
ADDRESS_LOCKED = "Zu viele fehlgeschlagene Anmeldungen aus Ihrem Netzwerk"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.fixture
def staff_accounts(db):
    """Forty accounts, as in a town hall."""
    return [UserFactory(role=Role.COUNCILLOR) for _ in range(40)]


def test_spraying_one_password_over_many_names_locks_the_address(staff_accounts):
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    codes = [_login(attacker, user.username, SPRAYED).status_code for user in staff_accounts]
    # Thirty failures are counted; the thirtieth locks the address.
    assert codes == [200] * 29 + [429] * 11
    response = _login(attacker, staff_accounts[0].username, SPRAYED)
    assert response.status_code == 429 and ADDRESS_LOCKED in response.content.decode()
    assert "15 Minuten" in response.content.decode()
    assert response["Retry-After"] == str(15 * 60)
    # The right password does not get through from that address either...
    assert _login(attacker, staff_accounts[1].username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in attacker.session
    # ...but another address is not affected.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert _login(elsewhere, staff_accounts[1].username, PASSWORD).status_code == 302


def test_a_successful_login_in_between_does_not_reset_the_address_count(staff_accounts):
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    own, *others = staff_accounts
    for user in others[:29]:
        assert _login(attacker, user.username, SPRAYED).status_code == 200
    # The attacker logs into his own account: that resets only his own name's failures.
    assert _login(attacker, own.username, PASSWORD).status_code == 302
    attacker.post(reverse("accounts:logout"))
    assert _login(attacker, others[29].username, SPRAYED).status_code == 429


def test_the_typos_of_a_whole_town_hall_behind_one_address_lock_nobody(staff_accounts):
    """Forty people behind one NAT address each mistype once, then log in."""
    for user in staff_accounts:
        client = Client(REMOTE_ADDR="192.0.2.50")
        assert _login(client, user.username, "vertippt").status_code == 200
        assert _login(client, user.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_the_lockout_of_one_name_still_works_and_stays_with_its_address(staff_accounts):
    user, colleague = staff_accounts[:2]
    client = Client(REMOTE_ADDR="192.0.2.50")
    codes = [_login(client, user.username, "falsch").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "mit diesem Benutzernamen" in response.content.decode()
    # Colleagues at the same address, and the same name elsewhere, log in.
    assert _login(Client(REMOTE_ADDR="192.0.2.50"), colleague.username, PASSWORD).status_code == 302
    assert _login(Client(REMOTE_ADDR="203.0.113.9"), user.username, PASSWORD).status_code == 302


def test_the_address_lock_ends_after_the_cool_off(staff_accounts, settings):
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for user in staff_accounts[:30]:
        _login(attacker, user.username, SPRAYED)
    assert _login(attacker, staff_accounts[30].username, PASSWORD).status_code == 429
    # The failures happened longer ago than the cool-off (constructed, not waited for).
    latest = AccessAttempt.objects.order_by("-attempt_time").first().attempt_time
    AccessAttempt.objects.update(
        attempt_time=latest - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert _login(attacker, staff_accounts[30].username, PASSWORD).status_code == 302
