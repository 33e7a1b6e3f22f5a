"""Forms of the intelligence pages: network filters, a date window, reviews and exports."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from .choices import EntityKind, IntelligenceAssessment, LinkKind, SourceEvaluation
from .selectors import NetworkFilters

DEFAULT_WINDOW_DAYS = 365


class NetworkFilterForm(forms.Form):
    entity_kinds = forms.MultipleChoiceField(choices=EntityKind.choices, required=False)
    link_kinds = forms.MultipleChoiceField(choices=LinkKind.choices, required=False)
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)
    source_evaluations = forms.MultipleChoiceField(choices=SourceEvaluation.choices, required=False)
    worst_assessment = forms.ChoiceField(choices=IntelligenceAssessment.choices, required=False, initial="E")
    confirmed_only = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end of the window must be on or after its start.")
        return data

    def filters(self) -> NetworkFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return NetworkFilters(
            entity_kinds=frozenset(data.get("entity_kinds") or ()),
            link_kinds=frozenset(data.get("link_kinds") or ()),
            since=data.get("since"),
            until=data.get("until"),
            source_evaluations=frozenset(data.get("source_evaluations") or ()),
            worst_assessment=data.get("worst_assessment") or "E",
            confirmed_only=bool(data.get("confirmed_only")),
        )


class WindowForm(forms.Form):
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end of the window must be on or after its start.")
        if until and until > timezone.localdate():
            self.add_error("until", "The window cannot end in the future.")
        return data

    def window(self) -> tuple[date, date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        until = data.get("until") or today
        since = data.get("since") or until - timedelta(days=DEFAULT_WINDOW_DAYS)
        return since, until


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", "Confirm the link"), ("reject", "Reject the link")],
        error_messages={"required": "Choose whether to confirm or reject the link."},
    )
    reason = forms.CharField(
        max_length=500,
        error_messages={"required": "Say why: what confirms the link, or why it is wrong."},
    )


class ExportForm(forms.Form):
    file_format = forms.ChoiceField(
        choices=[("anx", "i2 Analyst's Notebook chart (ANX XML)"), ("csv", "CSV (entities and links)")],
        error_messages={"required": "Choose a format."},
    )
    purpose = forms.CharField(
        min_length=10,
        max_length=200,
        error_messages={
            "required": "Say what the export is for (it is written to the read log).",
            "min_length": "Say what the export is for in at least 10 characters.",
        },
    )
    recipient = forms.CharField(max_length=150, required=False)
