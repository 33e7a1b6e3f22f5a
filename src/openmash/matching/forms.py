"""The reviewer's decision: same child, different children, or not sure, always with a reason."""

from __future__ import annotations

from django import forms

from .models import Decision


def _reason(required: str) -> forms.CharField:
    return forms.CharField(
        min_length=10,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": required, "min_length": "Give a reason of at least 10 characters"},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether these records are the same child"},
    )
    reason = _reason("Give the reason for your decision")


class UnmergeForm(forms.Form):
    reason = _reason("Give the reason for separating these records")
