from __future__ import annotations

import re

from django import forms

from openmash.access.models import AlertStatus, BreakGlassReason
from openmash.access.services import MIN_REASON_LENGTH


class BreakGlassForm(forms.Form):
    identifier = forms.CharField(
        max_length=20,
        error_messages={"required": "Enter the child's NHS number or unique pupil number"},
    )
    reason = forms.ChoiceField(
        choices=[("", ""), *BreakGlassReason.choices],
        error_messages={
            "required": "Select why you need emergency access",
            "invalid_choice": "Select why you need emergency access",
        },
    )
    reason_text = forms.CharField(
        max_length=2000,
        error_messages={
            "required": "Explain why you need access now",
            "max_length": "Explain in 2,000 characters or fewer",
        },
    )

    def clean_identifier(self) -> str:
        value = re.sub(r"[\s-]", "", str(self.cleaned_data["identifier"])).upper()
        if not (re.fullmatch(r"\d{10}", value) or re.fullmatch(r"[A-Z]\d{11}[0-9A-Z]", value)):
            raise forms.ValidationError("Enter a 10-digit NHS number or a 13-character unique pupil number")
        return value

    def clean_reason_text(self) -> str:
        value = str(self.cleaned_data["reason_text"]).strip()
        if len(value) < MIN_REASON_LENGTH:
            raise forms.ValidationError(
                f"Explain why you need access now, in at least {MIN_REASON_LENGTH} characters"
            )
        return value


class AlertReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(s.value, s.label) for s in AlertStatus if s != AlertStatus.OPEN],
        error_messages={"required": "Select the outcome of your review"},
    )
    notes = forms.CharField(max_length=4000, error_messages={"required": "Record what you found"})
