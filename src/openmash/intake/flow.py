"""The concern question pages: their order, their forms, and turning a draft's answers into a concern."""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict

from openmash.exploitation.language.forms import LanguageCheckMixin
from openmash.exploitation.language.forms import child_age as language_child_age
from openmash.intake import forms as f
from openmash.intake.indicators import IndicatorChoice
from openmash.intake.services import ConcernAnswers


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form: type[f.StepForm]
    template: str


STEPS: tuple[Step, ...] = (
    Step("child", "Who is the child?", f.ChildForm, "intake/steps/child.html"),
    Step("what-happened", "What happened?", f.WhatHappenedForm, "intake/steps/what_happened.html"),
    Step("seen-or-told", "What did you see or hear?", f.SeenOrToldForm, "intake/steps/seen_or_told.html"),
    Step("warning-signs", "Have you noticed any of these warning signs?", f.WarningSignsForm,
         "intake/steps/warning_signs.html"),
    Step("people-and-places", "Were any adults, places, vehicles or phones mentioned?", f.PeopleAndPlacesForm,
         "intake/steps/people_and_places.html"),
    Step("urgency", "How urgent is this?", f.UrgencyForm, "intake/steps/urgency.html"),
    Step("sharing", "Does the family know, and why may you share this?", f.SharingForm,
         "intake/steps/sharing.html"),
    Step("your-details", "Your details", f.ReferrerForm, "intake/steps/your_details.html"),
)  # fmt: skip
STEP_BY_SLUG = {step.slug: step for step in STEPS}
CHOSEN_CHILD = "chosen_child_id"


def step_after(slug: str) -> str | None:
    slugs = [step.slug for step in STEPS]
    index = slugs.index(slug)
    return slugs[index + 1] if index + 1 < len(slugs) else None


def step_before(slug: str) -> str | None:
    slugs = [step.slug for step in STEPS]
    index = slugs.index(slug)
    return slugs[index - 1] if index > 0 else None


def _bound_data(saved: dict[str, Any]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in saved.items():
        if isinstance(value, list):
            data.setlist(name, [str(item) for item in value])
        else:
            data[name] = str(value)
    return data


def make_form(
    step: Step,
    *,
    data: Any = None,
    indicators: list[IndicatorChoice],
    initial: Any = None,
    child_age: int | None = None,
) -> forms.Form:
    kwargs: dict[str, Any] = {"data": data, "initial": initial}
    if step.form is f.WarningSignsForm:
        kwargs["choices"] = indicators
    if issubclass(step.form, LanguageCheckMixin):
        kwargs["language_age"] = child_age
    return step.form(**kwargs)


def saved_form(
    step: Step, answers: dict[str, Any], indicators: list[IndicatorChoice], child_age: int | None = None
) -> forms.Form | None:
    saved = answers.get(step.slug)
    if saved is None:
        return None
    return make_form(step, data=_bound_data(saved), indicators=indicators, child_age=child_age)


def child_age_from_answers(answers: dict[str, Any], today: datetime.date | None = None) -> int | None:
    """The child's age as the reporter gave it (date of birth, or an age such as "about 14"), so the
    language check fits its suggestions to the child; None when not given."""
    child = answers.get("child") or {}
    try:
        born = datetime.date(int(child["dob_year"]), int(child["dob_month"]), int(child["dob_day"]))
    except (KeyError, TypeError, ValueError):
        born = None
    if born is not None:
        return language_child_age(born, today)
    match = re.search(r"\d{1,2}", str(child.get("age") or ""))
    return int(match.group()) if match and int(match.group()) < 26 else None


def chosen_child_id(answers: dict[str, Any]) -> uuid.UUID | None:
    value = (answers.get("child") or {}).get(CHOSEN_CHILD)
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def first_unanswered(answers: dict[str, Any], indicators: list[IndicatorChoice]) -> str | None:
    """The first step with no valid answer yet (the child step counts as answered when a child was chosen)."""
    for step in STEPS:
        if step.slug == "child" and chosen_child_id(answers):
            continue
        form = saved_form(step, answers, indicators)
        if form is None or not form.is_valid():
            return step.slug
    return None


def concern_answers(answers: dict[str, Any], indicators: list[IndicatorChoice]) -> ConcernAnswers:
    """The validated concern. Call only when ``first_unanswered`` is None."""
    cleaned: dict[str, dict[str, Any]] = {}
    for step in STEPS:
        if step.slug == "child" and chosen_child_id(answers):
            cleaned["child"] = {}
            continue
        form = saved_form(step, answers, indicators)
        assert form is not None and form.is_valid()
        cleaned[step.slug] = form.cleaned_data
    child = cleaned["child"]
    what = cleaned["what-happened"]
    seen = cleaned["seen-or-told"]
    people = cleaned["people-and-places"]
    sharing = cleaned["sharing"]
    referrer = cleaned["your-details"]
    return ConcernAnswers(
        child_id=chosen_child_id(answers),
        child=child,
        what_happened=what["what_happened"],
        happened_on=what["happened_on"],
        happened_when_text=what.get("happened_when_text") or "",
        where=what.get("where") or "",
        what_seen_or_told=seen["what_seen_or_told"],
        child_words=seen.get("child_words") or "",
        indicator_codes=list(cleaned["warning-signs"].get("indicators") or []),
        adults=people["adults_list"],
        places=people["places_list"],
        vehicles=people["vehicles_list"],
        phones=people["phones_list"],
        urgency=cleaned["urgency"]["urgency"],
        family_knows=sharing["family_knows"],
        family_not_told_reason=sharing.get("family_not_told_reason") or "",
        sharing_basis=sharing["sharing_basis"],
        referrer={
            "name": referrer["name"],
            "role": referrer["role"],
            "agency_name": referrer["agency_name"],
            "phone": referrer.get("phone") or "",
            "email": referrer.get("email") or "",
            "sealed": referrer["sealed"] == "yes",
        },
    )
