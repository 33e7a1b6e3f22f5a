from __future__ import annotations

from datetime import datetime

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from openmash.accounts.models import Agency, Membership, Team, User


@transaction.atomic
def agency_create(*, name: str, kind: str, code: str) -> Agency:
    agency = Agency(name=name, kind=kind, code=code)
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def team_create(*, agency: Agency, name: str, kind: str) -> Team:
    team = Team(agency=agency, name=name, kind=kind)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def user_create(*, username: str, full_name: str, password: str | None, email: str = "") -> User:
    user = User(username=username, full_name=full_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def membership_start(
    *, user: User, agency: Agency, role: str, team: Team | None = None, started_at: datetime | None = None
) -> Membership:
    membership = Membership(
        user=user, agency=agency, team=team, role=role, started_at=started_at or timezone.now()
    )
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, ended_at: datetime | None = None) -> Membership:
    """End a membership. It stops working on the user's next request (ASVS 8.3.2)."""
    membership.ended_at = ended_at or timezone.now()
    membership.full_clean()
    membership.save(update_fields=["ended_at", "updated_at"])
    return membership


@transaction.atomic
def user_disable(*, user: User) -> int:
    """Disable an account and end every session it holds (ASVS 7.4.2). Returns sessions ended."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended
