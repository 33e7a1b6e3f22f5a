from __future__ import annotations

from typing import Any

from django import forms


class ChildSearchForm(forms.Form):
    q = forms.CharField(
        label="Name, NHS number, pupil number or postcode",
        max_length=100,
        required=False,
        error_messages={"max_length": "Search for 100 characters or fewer"},
    )

    def clean_q(self) -> str:
        value = " ".join(str(self.cleaned_data.get("q", "")).split())
        if any(ord(ch) < 32 for ch in value):
            raise forms.ValidationError("Search using letters, numbers and spaces")
        return value


DATE = forms.DateInput(
    attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d"
)


class ChronologyFilterForm(forms.Form):
    agency = forms.CharField(max_length=200, required=False)
    kind = forms.ChoiceField(required=False, error_messages={"invalid_choice": "Choose a kind from the list"})
    date_from = forms.DateField(
        required=False, widget=DATE, error_messages={"invalid": "Enter the 'from' date as a real date"}
    )
    date_to = forms.DateField(
        required=False, widget=DATE, error_messages={"invalid": "Enter the 'to' date as a real date"}
    )

    def __init__(self, *args: object, kinds: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "All kinds"), *kinds.items()]

    def clean_agency(self) -> str:
        value = " ".join(str(self.cleaned_data.get("agency", "")).split())
        if any(ord(ch) < 32 for ch in value):
            raise forms.ValidationError("Choose an agency from the list")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("date_from"), data.get("date_to")
        if since and until and until < since:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is left out, and its error shown)."""
        data = getattr(self, "cleaned_data", {})
        return {
            "agency": data.get("agency") or "",
            "kind": data.get("kind") or "",
            "since": data.get("date_from"),
            "until": data.get("date_to"),
        }


PRINT_PURPOSES = {
    "conference": "Child protection conference",
    "core_group": "Core group or review meeting",
    "strategy": "Strategy discussion",
    "court": "Court or legal proceedings",
    "supervision": "Supervision or case audit",
    "transfer": "Transfer to another authority or team",
}


class ChronologyPrintForm(forms.Form):
    purpose = forms.ChoiceField(
        choices=list(PRINT_PURPOSES.items()),
        error_messages={
            "required": "Say why you are printing this chronology",
            "invalid_choice": "Say why you are printing this chronology",
        },
    )
