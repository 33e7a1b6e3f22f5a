"""The Jinja2 environment for every OpenMASH page.

GOV.UK Frontend macros come from the `govuk-frontend-jinja` package under the
`govuk_frontend_jinja/` prefix; each app's own templates live in `<app>/jinja2/<app>/`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from openmash.core import formatting


def url(viewname: str, *args: Any, **kwargs: Any) -> str:
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    app_loader = options.pop("loader", None)
    loaders = [PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")})]
    if app_loader is not None:
        loaders.insert(0, app_loader)
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(loader=ChoiceLoader(loaders), **options)  # noqa: S701 - autoescape is on in settings
    env.globals.update(
        {
            "url": url,
            "static": static,
            "settings": settings,
            "get_messages": messages.get_messages,
            "now": timezone.now,
            "service_name": settings.SERVICE_NAME,
        }
    )
    env.filters.update(
        {
            "date": formatting.govuk_date,
            "datetime": formatting.govuk_datetime,
            "age": formatting.age_in_years,
        }
    )
    return env
