"""Forms for the hub's pages. They parse and check shape; the services check the rules."""

from __future__ import annotations

from django import forms

from openmash.accounts.models import Agency, Team, TeamKind
from openmash.exploitation.language.forms import LanguageCheckedField, LanguageCheckMixin

from .models import LawfulBasis, Outcome, Rag

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d", "%d-%m-%Y"]


class RagForm(forms.Form):
    rag = forms.ChoiceField(choices=Rag.choices, error_messages={"required": "Choose red, amber or green."})
    reason = forms.CharField(
        max_length=2000, error_messages={"required": "Say why you are giving this rating."}
    )


class RequestForm(forms.Form):
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        error_messages={"required": "Choose at least one agency to ask."},
    )
    question = forms.CharField(
        max_length=4000, error_messages={"required": "Say what you want them to check."}
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agencies"].queryset = Agency.objects.order_by("name")  # type: ignore[attr-defined]


class AnswerForm(LanguageCheckMixin, forms.Form):
    holds_information = forms.ChoiceField(
        choices=[
            ("yes", "Yes, we hold information"),
            ("no", "No, we hold nothing on this child or household"),
        ],
        error_messages={"required": "Say whether your agency holds information."},
    )
    shared = LanguageCheckedField(max_length=10000, required=False)
    withheld = forms.CharField(max_length=4000, required=False)
    reason = forms.CharField(
        max_length=4000, error_messages={"required": "Say why sharing this is necessary and proportionate."}
    )
    lawful_basis = forms.ChoiceField(
        choices=LawfulBasis.choices, error_messages={"required": "Choose the lawful basis for sharing."}
    )


class DecisionForm(LanguageCheckMixin, forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices, error_messages={"required": "Choose a decision."})
    rationale = LanguageCheckedField(
        max_length=10000, required=True, error_messages={"required": "Explain the decision."}
    )
    receiving_team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    strategy_discussion_on = forms.DateField(
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": "Enter the date as day/month/year, for example 27/3/2026."},
    )
    late_reason = forms.CharField(max_length=4000, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["receiving_team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Team.objects.filter(
                kind__in=(TeamKind.SOCIAL_WORK, TeamKind.EXPLOITATION, TeamKind.SAFEGUARDING, TeamKind.OTHER)
            )
            .select_related("agency")
            .order_by("agency__name", "name")
        )


class SignOffForm(forms.Form):
    note = forms.CharField(max_length=2000, required=False)


class ReturnForm(LanguageCheckMixin, forms.Form):
    # Not "reason": the RAG form on the same page has a field of that name (ids must be unique).
    return_reason = LanguageCheckedField(
        max_length=4000,
        required=True,
        error_messages={"required": "Say what the officer should look at again."},
    )


def _date_of_birth_field() -> forms.DateField:
    return forms.DateField(
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": "Enter the date of birth as day/month/year, for example 27/3/2012."},
    )


def _age_field() -> forms.IntegerField:
    message = "Enter an age between 0 and 25."
    return forms.IntegerField(
        required=False,
        min_value=0,
        max_value=25,
        error_messages={
            "invalid": "Enter the age as a number, for example 14.",
            "min_value": message,
            "max_value": message,
        },
    )


class IdentifySearchForm(forms.Form):
    """Find the child a contact is about. At least one detail; the access rule refuses none too."""

    name = forms.CharField(max_length=200, required=False)
    date_of_birth = _date_of_birth_field()
    age = _age_field()
    postcode = forms.CharField(max_length=10, required=False)
    nhs_number = forms.RegexField(
        regex=r"^\s*(\d\s*){10}$",
        required=False,
        error_messages={"invalid": "Enter the NHS number as 10 digits."},
    )
    pupil_number = forms.CharField(max_length=13, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not self.errors and not any(data.get(name) not in (None, "") for name in self.fields):
            raise forms.ValidationError(
                "Enter at least one detail: a name, a date of birth or age, a postcode, an NHS number "
                "or a pupil number."
            )
        return data


class IdentifyConfirmForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        error_messages={"required": "Say why you are sure this is the child."},
    )


class ChildDescribedForm(forms.Form):
    forename = forms.CharField(max_length=100, required=False)
    surname = forms.CharField(max_length=100, required=False)
    known_as = forms.CharField(max_length=100, required=False)
    date_of_birth = _date_of_birth_field()
    approximate_age = _age_field()
    postcode = forms.CharField(max_length=10, required=False)
    reason = forms.CharField(
        max_length=2000,
        error_messages={"required": "Say why none of the children found is this child."},
    )


class UndoIdentificationForm(forms.Form):
    undo_reason = forms.CharField(
        max_length=2000,
        error_messages={"required": "Say why the child was wrongly identified."},
    )
