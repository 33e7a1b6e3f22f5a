"""Forms for the concern question pages and the public report. Error messages follow the GOV.UK style."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

from openmash.exploitation.language.forms import LanguageCheckedField, LanguageCheckMixin
from openmash.intake.identifiers import nhs_number_is_valid, upn_is_valid
from openmash.intake.indicators import IndicatorChoice
from openmash.intake.models import FamilyKnows, SharingBasis, Urgency

_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LONG_TEXT = 10_000
MAX_LIST_LINES = 50


def _text(label: str, max_length: int, *, required: bool = False, message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        strip=True,
        error_messages={
            "required": message or f"Enter {label.lower()}",
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


def _no_control_characters(form: forms.Form) -> None:
    for name, value in list(form.cleaned_data.items()):
        if isinstance(value, str) and _CONTROL.search(value):
            form.add_error(name, "Remove the unusual characters from this answer (it was probably pasted)")


class DateParts:
    """Day, month and year boxes of a GOV.UK date input, combined into one date."""

    def __init__(self, form: forms.Form, prefix: str, label: str) -> None:
        self.form, self.prefix, self.label = form, prefix, label

    def clean(self, *, past_only: bool = True) -> date | None:
        data = self.form.cleaned_data
        parts = [data.get(f"{self.prefix}_{part}") for part in ("day", "month", "year")]
        if all(part in (None, "") for part in parts):
            return None
        first = f"{self.prefix}_day"
        if any(part in (None, "") for part in parts):
            self.form.add_error(first, f"{self.label} must include a day, month and year")
            return None
        try:
            day, month, year = (int(part) for part in parts)  # type: ignore[arg-type]
            value = date(year, month, day)
        except (TypeError, ValueError):
            self.form.add_error(first, f"{self.label} must be a real date")
            return None
        if value.year < 1900:
            self.form.add_error(first, f"{self.label} must be after 1900")
            return None
        if past_only and value > date.today():
            self.form.add_error(first, f"{self.label} must be today or in the past")
            return None
        return value


def _part() -> forms.CharField:
    """One box of a date input; DateParts checks the three together."""
    return forms.CharField(required=False, max_length=4, strip=True)


class StepForm(forms.Form):
    """A question page. ``answers()`` is what the draft keeps: the submitted values, as typed."""

    def answers(self) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        for name in self.fields:
            if isinstance(self.fields[name], forms.MultipleChoiceField):
                kept[name] = (
                    self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name, [])
                )
            else:
                kept[name] = self.data.get(name, "")
        return kept


class ChildForm(StepForm):
    forename = _text("First name", 100)
    surname = _text("Last name", 100)
    known_as = _text("Name they are known by", 100)
    dob_day, dob_month, dob_year = _part(), _part(), _part()
    age = _text("Age, if you do not know their date of birth", 50)
    nhs_number = _text("NHS number", 12)
    upn = _text("Unique pupil number", 13)
    address = _text("Address", 300)
    postcode = _text("Postcode", 10)
    school = _text("School, college or setting", 200)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _no_control_characters(self)
        if not (data.get("forename") or data.get("surname") or data.get("known_as")):
            self.add_error(
                "forename",
                "Enter the child's first name, last name or the name they are known by. "
                "If you do not know it, write how you would describe them",
            )
        data["date_of_birth"] = DateParts(self, "dob", "Date of birth").clean()
        nhs = (data.get("nhs_number") or "").replace(" ", "")
        if nhs and not nhs_number_is_valid(nhs):
            self.add_error(
                "nhs_number", "Enter a real 10-digit NHS number, like 999 123 4567, or leave it blank"
            )
        data["nhs_number"] = nhs
        upn = (data.get("upn") or "").replace(" ", "").upper()
        if upn and not upn_is_valid(upn):
            self.add_error("upn", "Enter a real 13-character unique pupil number, or leave it blank")
        data["upn"] = upn
        postcode = (data.get("postcode") or "").upper().replace(" ", "")
        if postcode:
            if not _POSTCODE.match(postcode):
                self.add_error("postcode", "Enter a real postcode, like OM1 2AB, or leave it blank")
            else:
                data["postcode"] = f"{postcode[:-3]} {postcode[-3:]}"
        return data


class WhatHappenedForm(LanguageCheckMixin, StepForm):
    what_happened = LanguageCheckedField(
        label="What happened",
        max_length=MAX_LONG_TEXT,
        required=True,
        error_messages={"required": "Enter what happened"},
    )
    happened_day, happened_month, happened_year = _part(), _part(), _part()
    happened_when_text = _text("When it happened, if you do not know the date", 200)
    where = _text("Where it happened", 300)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _no_control_characters(self)
        data["happened_on"] = DateParts(self, "happened", "The date it happened").clean()
        if (
            data["happened_on"] is None
            and not data.get("happened_when_text")
            and not self.has_error("happened_day")
        ):
            self.add_error("happened_day", "Enter the date it happened, or say roughly when")
        return data


class SeenOrToldForm(LanguageCheckMixin, StepForm):
    what_seen_or_told = LanguageCheckedField(
        label="What you saw or were told",
        max_length=MAX_LONG_TEXT,
        required=True,
        error_messages={"required": "Enter what you saw or were told"},
    )
    # The child's own words are kept verbatim and never checked: they are the child's, not ours.
    child_said = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages={"required": "Select yes if the child told you anything themselves"},
    )
    child_words = _text("What the child said, in their own words", MAX_LONG_TEXT)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _no_control_characters(self)
        if data.get("child_said") == "yes" and not data.get("child_words"):
            self.add_error("child_words", "Write down what the child said, in their own words")
        if data.get("child_said") == "no":
            data["child_words"] = ""
        return data


class WarningSignsForm(StepForm):
    indicators = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, choices: list[IndicatorChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        field = self.fields["indicators"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(choice.code, choice.wording) for choice in choices]
        self.fields["indicators"].error_messages["invalid_choice"] = "Select warning signs from the list"


def _lines(value: str) -> list[str]:
    return [" ".join(line.split()) for line in value.splitlines() if line.strip()]


class PeopleAndPlacesForm(StepForm):
    adults = _text("Adults", 5000)
    places = _text("Places", 5000)
    vehicles = _text("Vehicles", 5000)
    phones = _text("Phone numbers, usernames or accounts", 5000)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _no_control_characters(self)
        for name in ("adults", "places", "vehicles", "phones"):
            lines = _lines(data.get(name) or "")
            if len(lines) > MAX_LIST_LINES:
                self.add_error(name, f"Enter {MAX_LIST_LINES} lines or fewer")
            data[f"{name}_list"] = lines[:MAX_LIST_LINES]
        return data


class UrgencyForm(StepForm):
    urgency = forms.ChoiceField(
        choices=Urgency.choices, error_messages={"required": "Select how urgent this is"}
    )


class SharingForm(StepForm):
    family_knows = forms.ChoiceField(
        choices=FamilyKnows.choices,
        error_messages={"required": "Select whether the family knows you are reporting this"},
    )
    family_not_told_reason = _text("Why the family has not been told", 2000)
    sharing_basis = forms.ChoiceField(
        choices=SharingBasis.choices,
        error_messages={"required": "Select why you may share this information"},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _no_control_characters(self)
        if data.get("family_knows") == FamilyKnows.NO and not data.get("family_not_told_reason"):
            self.add_error("family_not_told_reason", "Say why the family has not been told")
        if data.get("family_knows") != FamilyKnows.NO:
            data["family_not_told_reason"] = ""
        return data


class ReferrerForm(StepForm):
    name = _text("Your name", 200, required=True, message="Enter your name")
    role = _text("Your role", 200, required=True, message="Enter your role")
    agency_name = _text("Your organisation", 200, required=True, message="Enter your organisation")
    phone = _text("Phone number", 40)
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.org"},
    )
    sealed = forms.ChoiceField(
        choices=[
            ("yes", "Yes, keep my details from the family"),
            ("no", "No, the family may know it was me"),
        ],
        error_messages={"required": "Select whether to keep your details from the family"},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _no_control_characters(self)
        if not data.get("phone") and not data.get("email") and not self.has_error("email"):
            self.add_error("phone", "Enter a phone number or an email address so the hub can contact you")
        return data


class PublicReportForm(forms.Form):
    worry = _text(
        "What are you worried about?", 5000, required=True, message="Tell us what you are worried about"
    )
    child_description = _text("Who is the child?", 500)
    location = _text("Where does this happen?", 500)
    when = _text("When did this happen?", 200)
    reporter_contact = _text("How can we contact you?", 300)
    # A honeypot: hidden from people (and from screen readers); only robots fill it in.
    website = forms.CharField(required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _no_control_characters(self)
        return data


class ReferrerOverrideForm(forms.Form):
    """Opening a sealed referrer's details (ADR 25): the written reason the privacy officer reviews."""

    reason_text = _text(
        "Why do you need to know who made this report?",
        2000,
        required=True,
        message="Explain why you need to see who made this report",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _no_control_characters(self)
        return data
