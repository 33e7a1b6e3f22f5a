"""Casework forms. Free text about the child goes through the language check (visit records,
plans, minutes); the child's own words are exempt: they are kept verbatim as quoted speech."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from openmash.access.models import RelationshipBasis
from openmash.casework.models import (
    ActionStatusValue,
    CareCouncilTheme,
    CPCategory,
    ExploitationType,
    LegalStatusCode,
    MeetingKind,
    MissingKind,
    PlacementChangeReason,
    PlacementProvider,
    PlacementType,
    PlanKind,
    VisitRegime,
)
from openmash.exploitation.language.forms import LanguageCheckedField, LanguageCheckMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
YES_NO = [("yes", "Yes"), ("no", "No")]
CHILD_WORDS_HINT = (
    "Write exactly what the child said, in their words. It is kept as a quotation and never reworded."
)


def _yes(value: str) -> bool:
    return value == "yes"


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class AllocateForm(forms.Form):
    worker = forms.ChoiceField(label="Worker", error_messages={"required": "Choose a worker."})
    basis = forms.ChoiceField(
        choices=[
            (RelationshipBasis.ALLOCATED_WORKER, "Key worker (allocated social worker)"),
            (RelationshipBasis.SUPPORTING_WORKER, "Supporting worker"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose key worker or supporting worker."},
    )

    def __init__(self, *args: Any, workers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "worker", [("", "Choose a worker"), *workers])


class EndAllocationForm(forms.Form):
    reason = forms.CharField(max_length=200, error_messages={"required": "Say why the allocation is ending."})


class VisitForm(LanguageCheckMixin, forms.Form):
    visited_at = forms.DateTimeField(
        label="When was the visit?", widget=DATETIME, error_messages={"required": "Enter when the visit was."}
    )
    location = forms.CharField(max_length=200, error_messages={"required": "Say where the visit was."})
    child_seen = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the child was seen."},
    )
    seen_alone = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the child was seen alone."},
    )
    not_seen_alone_reason = forms.CharField(required=False, widget=forms.Textarea, max_length=2000)
    bedroom_seen = forms.ChoiceField(
        choices=[*YES_NO, ("na", "Not applicable")], widget=forms.RadioSelect, required=False
    )
    statutory = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="yes",
        error_messages={"required": "Say whether this was a statutory visit."},
    )
    child_words = forms.CharField(strip=False, required=False, widget=forms.Textarea, max_length=10000)
    observations = LanguageCheckedField(label="What you observed", max_length=10000)
    late_reason = forms.CharField(required=False, widget=forms.Textarea, max_length=2000)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        bedroom = data.get("bedroom_seen") or "na"
        return {
            "visited_at": data["visited_at"],
            "location": data["location"],
            "child_seen": _yes(data["child_seen"]),
            "seen_alone": _yes(data["seen_alone"]),
            "not_seen_alone_reason": data["not_seen_alone_reason"],
            "bedroom_seen": None if bedroom == "na" else _yes(bedroom),
            "statutory": _yes(data["statutory"]),
            "child_words": data["child_words"],
            "observations": data["observations"],
            "late_reason": data["late_reason"],
        }


class PlanForm(LanguageCheckMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=PlanKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of plan."},
    )
    started_on = forms.DateField(widget=DATE, error_messages={"required": "Enter when the plan started."})
    cp_category = forms.ChoiceField(
        choices=[("", "Not a child protection plan"), *CPCategory.choices], required=False
    )
    exploitation_type = forms.ChoiceField(
        choices=[("", "Not an exploitation plan"), *ExploitationType.choices], required=False
    )
    legal_status = forms.ChoiceField(
        choices=[("", "Not looked after"), *LegalStatusCode.choices], required=False
    )
    place = forms.ChoiceField(choices=[("", "Not looked after"), *PlacementType.choices], required=False)
    provider = forms.ChoiceField(
        choices=[("", "Not looked after"), *PlacementProvider.choices], required=False
    )
    carer_or_setting = forms.CharField(max_length=200, required=False)
    personal_adviser = forms.ChoiceField(required=False)
    summary = LanguageCheckedField(label="What the plan is for", max_length=10000)
    child_views = forms.CharField(strip=False, required=False, widget=forms.Textarea, max_length=10000)

    def __init__(self, *args: Any, advisers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "personal_adviser", [("", "Not a pathway plan"), *advisers])


class ActionForm(forms.Form):
    what = forms.CharField(
        max_length=2000, widget=forms.Textarea, error_messages={"required": "Say what will be done."}
    )
    owner_name = forms.CharField(max_length=200, error_messages={"required": "Say who will do it."})
    due_on = forms.DateField(widget=DATE, error_messages={"required": "Enter when it is due."})


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(
        choices=ActionStatusValue.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what is happening with the action."},
    )
    note = forms.CharField(max_length=500, required=False, widget=forms.Textarea)
    owner_name = forms.CharField(max_length=200, required=False)
    due_on = forms.DateField(
        widget=DATE, required=False, error_messages={"invalid": "Enter the due date as a real date."}
    )


class LegalStatusForm(forms.Form):
    code = forms.ChoiceField(
        choices=[("", "Choose a legal status"), *LegalStatusCode.choices],
        error_messages={"required": "Choose the new legal status."},
    )
    effective_on = forms.DateField(
        widget=DATE,
        error_messages={"required": "Enter the date it took effect.", "invalid": "Enter a real date."},
    )


class AdviserChangeForm(forms.Form):
    adviser = forms.ChoiceField(error_messages={"required": "Choose the new personal adviser."})
    effective_on = forms.DateField(
        widget=DATE,
        error_messages={
            "required": "Enter the date the new adviser took over.",
            "invalid": "Enter a real date.",
        },
    )
    reason = forms.CharField(
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Say why the adviser is changing."},
    )

    def __init__(self, *args: Any, advisers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "adviser", [("", "Choose an adviser"), *advisers])


class PlacementForm(forms.Form):
    started_on = forms.DateField(
        widget=DATE,
        error_messages={"required": "Enter the date the child moved.", "invalid": "Enter a real date."},
    )
    reason_for_change = forms.ChoiceField(
        choices=[("", "Choose a reason"), *PlacementChangeReason.choices],
        error_messages={"required": "Choose the reason the placement changed."},
    )
    place = forms.ChoiceField(
        choices=[("", "Choose a placement type"), *PlacementType.choices],
        error_messages={"required": "Choose the placement type."},
    )
    provider = forms.ChoiceField(
        choices=[("", "Choose a provider"), *PlacementProvider.choices],
        error_messages={"required": "Choose who provides the placement."},
    )
    carer_or_setting = forms.CharField(
        max_length=200, error_messages={"required": "Name the carer or setting."}
    )
    postcode = forms.CharField(max_length=10, required=False)
    visit_regime = forms.ChoiceField(
        choices=[("", "Work it out from the placement type and legal status"), *VisitRegime.choices],
        widget=forms.RadioSelect,
        required=False,
    )
    intended_until_18 = forms.ChoiceField(
        choices=[("", "Yes for long-term fostering (U1, U4), otherwise no"), *YES_NO],
        widget=forms.RadioSelect,
        required=False,
    )


class LongTermVisitsForm(forms.Form):
    agreed_on = forms.DateField(
        widget=DATE,
        error_messages={"required": "Enter the date it was agreed.", "invalid": "Enter a real date."},
    )
    child_agrees = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the child agrees."},
    )
    iro_consulted = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the independent reviewing officer was consulted."},
    )
    child_words = forms.CharField(strip=False, required=False, widget=forms.Textarea, max_length=10000)


class PathwayEntryForm(forms.Form):
    needs = forms.CharField(
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": "Say what the young person needs."},
    )
    goals = forms.CharField(widget=forms.Textarea, max_length=10000, required=False)
    young_persons_words = forms.CharField(
        strip=False, required=False, widget=forms.Textarea, max_length=10000
    )


class MeetingForm(LanguageCheckMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=MeetingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of meeting."},
    )
    held_at = forms.DateTimeField(
        widget=DATETIME, error_messages={"required": "Enter when the meeting was held."}
    )
    chair = forms.CharField(max_length=200, required=False)
    cp_category = forms.ChoiceField(
        choices=[("", "No plan (or not an initial conference)"), *CPCategory.choices], required=False
    )
    decisions = LanguageCheckedField(label="Decisions", max_length=20000)
    child_views = forms.CharField(strip=False, required=False, widget=forms.Textarea, max_length=10000)
    attended = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    invited = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    action_what = forms.CharField(required=False, widget=forms.Textarea, max_length=2000)
    action_owner = forms.CharField(required=False, max_length=200)
    action_due = forms.DateField(required=False, widget=DATE)
    late_reason = forms.CharField(required=False, widget=forms.Textarea, max_length=2000)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "attended", agencies)
        _set_choices(self, "invited", agencies)


class MissingForm(forms.Form):
    kind = forms.ChoiceField(
        choices=MissingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose missing or away."},
    )
    started_at = forms.DateTimeField(
        widget=DATETIME, error_messages={"required": "Enter when the episode began."}
    )
    ended_at = forms.DateTimeField(widget=DATETIME, required=False)
    reported_by = forms.CharField(max_length=200, required=False)
    where_found = forms.CharField(max_length=300, required=False)
    found_with = forms.CharField(max_length=300, required=False)
    condition_on_return = forms.CharField(required=False, widget=forms.Textarea, max_length=5000)


class ReturnForm(forms.Form):
    ended_at = forms.DateTimeField(
        widget=DATETIME, error_messages={"required": "Enter when the child returned."}
    )
    where_found = forms.CharField(max_length=300, required=False)
    found_with = forms.CharField(max_length=300, required=False)
    condition_on_return = forms.CharField(required=False, widget=forms.Textarea, max_length=5000)


class ReturnInterviewForm(forms.Form):
    offered_at = forms.DateTimeField(
        widget=DATETIME, error_messages={"required": "Enter when it was offered."}
    )
    accepted = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the child accepted."},
    )
    held_at = forms.DateTimeField(widget=DATETIME, required=False)
    interviewer = forms.CharField(max_length=200, required=False)
    outcome = forms.CharField(required=False, widget=forms.Textarea, max_length=10000)
    child_words = forms.CharField(strip=False, required=False, widget=forms.Textarea, max_length=10000)
    late_reason = forms.CharField(required=False, widget=forms.Textarea, max_length=2000)


class CareCouncilForm(forms.Form):
    given_on = forms.DateField(widget=DATE, error_messages={"required": "Enter when the child said it."})
    theme = forms.ChoiceField(
        choices=CareCouncilTheme.choices, error_messages={"required": "Choose a theme."}
    )
    child_words = forms.CharField(
        strip=False,
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": "Write what the child said."},
    )
    share_with_council = forms.BooleanField(required=False, initial=True)


class ClosureRequestForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, max_length=5000, error_messages={"required": "Say why."})


class ClosureSignOffForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea, max_length=5000, error_messages={"required": "Record why."})
