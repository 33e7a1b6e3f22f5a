"""Missing episodes, returns and return interviews; the child's voice to the Children in Care Council."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmash.access.selectors import ChildAccess
from openmash.accounts.actor import Actor
from openmash.casework.models import (
    CareCouncilFeedback,
    MissingEpisode,
    PlanKind,
    ReturnInterview,
)
from openmash.casework.services._common import (
    REPEAT_MISSING_COUNT,
    REPEAT_MISSING_WINDOW,
    _complete,
    _person,
    _running,
    _start,
    live_plans,
)

# -- missing episodes -------------------------------------------------------------------------


@transaction.atomic
def missing_episode_record(
    *,
    actor: Actor,
    access: ChildAccess,
    kind: str,
    started_at: datetime,
    ended_at: datetime | None = None,
    reported_by: str = "",
    where_found: str = "",
    found_with: str = "",
    condition_on_return: str = "",
) -> MissingEpisode:
    """Record a missing (or away) episode. On return a 72-hour return interview clock starts.
    The third episode in 90 days raises the "missing_repeated" warning sign for the exploitation
    screening and starts the repeat-missing strategy meeting clock."""
    user_id, agency_id = _person(actor)
    if started_at > timezone.now() or (ended_at and ended_at > timezone.now()):
        raise ValidationError({"started_at": "An episode cannot be recorded in the future."})
    episode = MissingEpisode(
        child_id=access.child.pk,
        kind=kind,
        started_at=started_at,
        ended_at=ended_at,
        reported_by=reported_by.strip(),
        where_found=where_found.strip(),
        found_with=found_with.strip(),
        condition_on_return=condition_on_return.strip(),
        agency_id=agency_id,
        recorded_by_id=user_id,
    )
    episode.full_clean()
    episode.save()
    if ended_at is not None:
        _return_started(actor, episode)
    _repeat_missing_check(actor, episode)
    return episode


def _return_started(actor: Actor, episode: MissingEpisode) -> None:
    assert episode.ended_at is not None
    _start(
        "return_interview",
        child_id=episode.child_id,
        subject=episode,
        event="Child returned",
        at=episode.ended_at,
        team_id=actor.team_id,
    )


def _repeat_missing_check(actor: Actor, episode: MissingEpisode) -> None:
    from openmash.exploitation.services import sign_raise

    window_start = episode.started_at - REPEAT_MISSING_WINDOW
    recent = MissingEpisode.objects.filter(
        child_id=episode.child_id, started_at__gt=window_start, started_at__lte=episode.started_at
    ).count()
    if recent < REPEAT_MISSING_COUNT:
        return
    sign_raise(
        child_id=episode.child_id,
        indicator_code="missing_repeated",
        observed_on=min(timezone.localdate(episode.started_at), timezone.localdate()),
        source_agency_id=episode.agency_id,
        source_type="casework.MissingEpisode",
        source_id=str(episode.pk),
        summary=f"{recent} missing or away episodes in 90 days",
        raised_by_process="casework.missing_episode",
    )
    if not _running(episode.child_id, ("repeat_missing_meeting",)):
        _start(
            "repeat_missing_meeting",
            child_id=episode.child_id,
            subject=episode,
            event="Third missing episode in 90 days",
            at=episode.started_at,
            team_id=actor.team_id,
        )


@transaction.atomic
def missing_episode_return(
    *,
    actor: Actor,
    access: ChildAccess,
    episode: MissingEpisode,
    ended_at: datetime,
    where_found: str = "",
    found_with: str = "",
    condition_on_return: str = "",
) -> MissingEpisode:
    """The child is back: the end is recorded once; the 72-hour return interview clock starts."""
    _person(actor)
    if episode.child_id != access.child.pk:
        raise ValidationError("That episode is not this child's.")
    if episode.ended_at is not None:
        raise ValidationError("The return has already been recorded.")
    if ended_at < episode.started_at or ended_at > timezone.now():
        raise ValidationError({"ended_at": "The return must be after the start, and not in the future."})
    episode.ended_at = ended_at
    episode.where_found = where_found.strip()
    episode.found_with = found_with.strip()
    episode.condition_on_return = condition_on_return.strip()
    episode.save(update_fields=["ended_at", "where_found", "found_with", "condition_on_return", "updated_at"])
    _return_started(actor, episode)
    return episode


@transaction.atomic
def return_interview_record(
    *,
    actor: Actor,
    access: ChildAccess,
    episode: MissingEpisode,
    offered_at: datetime,
    accepted: bool,
    held_at: datetime | None = None,
    interviewer: str = "",
    outcome: str = "",
    child_words: str = "",
    late_reason: str = "",
) -> ReturnInterview:
    """An interview offered on return (and held, or declined by the child). Holding it, or the
    child declining the offer, meets the 72-hour clock."""
    user_id, agency_id = _person(actor)
    if episode.child_id != access.child.pk or episode.ended_at is None:
        raise ValidationError("Record the child's return first.")
    if accepted and held_at is None:
        raise ValidationError({"held_at": "Say when the interview was held."})
    row = ReturnInterview(
        episode=episode,
        offered_at=offered_at,
        accepted=accepted,
        held_at=held_at if accepted else None,
        interviewer=interviewer.strip(),
        outcome=outcome.strip(),
        child_words=child_words,
        late_reason=late_reason.strip(),
        agency_id=agency_id,
        recorded_by_id=user_id,
    )
    row.full_clean()
    row.save()
    met_at = held_at if accepted and held_at else offered_at
    _complete(
        _running(episode.child_id, ("return_interview",), subject_id=str(episode.pk)), met_at, late_reason
    )
    return row


# -- the child's voice ------------------------------------------------------------------------


@transaction.atomic
def care_council_feedback_record(
    *,
    actor: Actor,
    access: ChildAccess,
    given_on: date,
    theme: str,
    child_words: str,
    share_with_council: bool = True,
) -> CareCouncilFeedback:
    user_id, agency_id = _person(actor)
    if not any(p.kind == PlanKind.LOOKED_AFTER for p in live_plans(access.child.pk)):
        raise ValidationError("Feedback to the Children in Care Council is from looked-after children.")
    if not child_words.strip():
        raise ValidationError({"child_words": "Write what the child said, in their words."})
    row = CareCouncilFeedback(
        child=access.child,
        given_on=given_on,
        theme=theme,
        child_words=child_words,
        share_with_council=share_with_council,
        agency_id=agency_id,
        recorded_by_id=user_id,
    )
    row.full_clean()
    row.save()
    return row
