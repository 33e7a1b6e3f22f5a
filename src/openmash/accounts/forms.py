from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter your username"})
    password = forms.CharField(
        max_length=200,
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your password"},
    )

    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account has been switched off. Ask your administrator.",
    }


class ChooseRoleForm(forms.Form):
    membership = forms.ChoiceField(error_messages={"required": "Select the role you are working in today"})

    def __init__(self, *args: Any, memberships: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["membership"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(str(m.pk), str(m)) for m in memberships]


class TokenForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={
            "required": "Enter the 6-digit code from your app",
            "invalid": "Enter the 6-digit code from your app, numbers only",
        },
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip()
