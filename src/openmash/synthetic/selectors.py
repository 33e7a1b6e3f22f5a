"""Reads of the synthetic borough's truth: for the demo, the benchmarks and the tests.

The truth is generated data about nobody, so these take no actor; no page shows it.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from openmash.accounts.models import Agency, Team, TeamKind

from .models import Borough, BoroughAgency, RiskLevel, Service, TrueChild


def borough_current() -> Borough | None:
    return Borough.objects.order_by("-generated_at").first()


def agency_for_service(*, service: str) -> Agency:
    return Agency.objects.get(pk=BoroughAgency.objects.filter(service=service).values("agency_id")[:1])


def team_named(*, agency: Agency, name: str) -> Team:
    return Team.objects.get(agency=agency, name=name)


def hub_children_truth() -> QuerySet[TrueChild]:
    """True children that the hub holds a record for, in the borough's own order."""
    return TrueChild.objects.filter(hub_child__isnull=False).order_by("number")


def school_with_most_hub_children() -> tuple[Agency, Team] | None:
    """The school with a safeguarding team whose pupils include the most children known to the hub."""
    schools = BoroughAgency.objects.filter(
        service__in=[Service.PRIMARY_SCHOOL, Service.SECONDARY_SCHOOL]
    ).values("agency_id")
    teams = list(
        Team.objects.filter(agency_id__in=schools, kind=TeamKind.SAFEGUARDING)
        .select_related("agency")
        .order_by("agency__name")
    )
    pupils = dict(
        hub_children_truth()
        .filter(school_id__in=[team.agency_id for team in teams])
        .order_by()
        .values_list("school_id")
        .annotate(n=Count("id"))
    )
    best = max(teams, key=lambda team: pupils.get(team.agency_id, 0), default=None)
    return (best.agency, best) if best else None


def exploited_hub_children(*, levels: tuple[str, ...] = (RiskLevel.HIGH,)) -> QuerySet[TrueChild]:
    return hub_children_truth().filter(exploitation_risk__in=levels)
