from __future__ import annotations

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


class ChronologyFilterForm(forms.Form):
    agency = forms.CharField(max_length=200, required=False)
    kind = forms.ChoiceField(required=False)

    def __init__(self, *args: object, kinds: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "All kinds"), *kinds.items()]
