"""factory-boy factories for the foundation's models. All data is synthetic.

Names are drawn from fixed lists with a zero-padded sequence in the surname, so a
test can search for one child's surname and know no other child matches it, and
no name contains characters that HTML escaping would change.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import factory
from django.utils import timezone

from openmash.access.models import BreakGlassGrant, BreakGlassReason, Relationship, RelationshipBasis
from openmash.accounts.models import Agency, AgencyKind, Membership, Team, TeamKind, User
from openmash.accounts.roles import Role
from openmash.people.models import Adult, AgencyIdentity, Child, FamilyLink, FamilyRelation, Sex

PASSWORD = "correct-horse-battery-staple-42"

FORENAMES = ["Amara", "Bailey", "Casey", "Dara", "Eden", "Frankie", "Harley", "Jordan", "Kai", "Logan"]
ADULT_FORENAMES = ["Alison", "Brian", "Carol", "Derek", "Elaine", "Graham", "Helen", "Ian"]


def _an_hour_ago() -> datetime:
    return timezone.now() - timedelta(hours=1)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Testshire Agency {n:04d}")
    kind = AgencyKind.CHILDRENS_SERVICES
    code = factory.Sequence(lambda n: f"agency-{n:04d}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n:04d}")
    kind = TeamKind.SOCIAL_WORK


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"worker{n:04d}")
    full_name = factory.Sequence(lambda n: f"Worker Number{n:04d}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A user acting in a role for an agency, in a team of that agency."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    team = factory.SubFactory(TeamFactory, agency=factory.SelfAttribute("..agency"))
    role = Role.SOCIAL_WORKER
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=400))
    ended_at = None


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    forename = factory.Sequence(lambda n: FORENAMES[n % len(FORENAMES)])
    surname = factory.Sequence(lambda n: f"Testwood{n:05d}")
    date_of_birth = factory.Sequence(lambda n: date(2010, 1, 1) + timedelta(days=37 * n % 3000))
    sex = Sex.NOT_KNOWN
    # 10 digits, never a valid-looking real NHS number range (999 prefix is reserved for testing).
    nhs_number = factory.Sequence(lambda n: f"999{n:07d}")
    unique_pupil_number = factory.Sequence(lambda n: f"T{n:011d}A")
    address = factory.Sequence(lambda n: f"{n % 200 + 1} Example Street, Testtown")
    postcode = "ZZ99 3AA"
    created_by_process = "test"


class AgencyIdentityFactory(factory.django.DjangoModelFactory):
    """One agency's own record of a child: by default the child's details as that agency holds them."""

    class Meta:
        model = AgencyIdentity

    child = factory.SubFactory(ChildFactory)
    agency = factory.SubFactory(AgencyFactory)
    agency_record_id = factory.Sequence(lambda n: f"REC-{n:06d}")
    forename = factory.LazyAttribute(lambda o: o.child.forename if o.child else "Unmatched")
    surname = factory.LazyAttribute(lambda o: o.child.surname if o.child else "Person")
    date_of_birth = factory.LazyAttribute(lambda o: o.child.date_of_birth if o.child else None)
    nhs_number = factory.LazyAttribute(lambda o: o.child.nhs_number if o.child else "")
    recorded_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=400))


class AdultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adult

    forename = factory.Sequence(lambda n: ADULT_FORENAMES[n % len(ADULT_FORENAMES)])
    surname = factory.Sequence(lambda n: f"Grownup{n:05d}")
    date_of_birth = date(1985, 6, 15)


class FamilyLinkFactory(factory.django.DjangoModelFactory):
    """An adult related to a child (pass adult=None, related_child=<child> for a sibling)."""

    class Meta:
        model = FamilyLink

    child = factory.SubFactory(ChildFactory)
    adult = factory.SubFactory(AdultFactory)
    related_child = None
    relation = FamilyRelation.MOTHER
    parental_responsibility = True
    lives_with = True
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3000))


class RelationshipFactory(factory.django.DjangoModelFactory):
    """A legitimate relationship, by default the allocated worker's, active since an hour ago."""

    class Meta:
        model = Relationship

    child = factory.SubFactory(ChildFactory)
    holder_user = factory.SubFactory(UserFactory)
    holder_team = None
    holder_agency = None
    basis = RelationshipBasis.ALLOCATED_WORKER
    valid_from = factory.LazyFunction(_an_hour_ago)
    valid_to = None
    created_by_process = "test"


class BreakGlassGrantFactory(factory.django.DjangoModelFactory):
    """An emergency-access grant made directly (the service also raises the privacy alert)."""

    class Meta:
        model = BreakGlassGrant

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.SOCIAL_WORKER
    child = factory.SubFactory(ChildFactory)
    reason = BreakGlassReason.IMMINENT_RISK
    reason_text = "Police report the child is with an adult of concern right now"
    granted_at = factory.LazyFunction(_an_hour_ago)
    expires_at = factory.LazyAttribute(lambda grant: grant.granted_at + timedelta(hours=4))
    ended_at = None
