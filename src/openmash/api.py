"""The one django-ninja API: OpenAPI 3 at /api/openapi.json, docs at /api/docs, routes under /api/v1/.

Each app adds its router here (``api.add_router("/v1/<area>", router)``). The API is for
agency systems, not people: it authenticates with a bearer token per agency system, so
its views are exempt from the sign-in middleware and from CSRF (no cookies are used).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ninja
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path, reverse
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

_SWAGGER_ASSETS = Path(ninja.__file__).resolve().parent / "static" / "ninja"
_ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "swagger-ui.css": "text/css",
}


class SwaggerWithoutCdn(DocsBase):
    """Swagger UI from django-ninja's own bundled files (no CDN, no inline script: CSP-safe)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        return render(
            request,
            "intake/api_docs.html",
            {"api": api, "swagger_settings": json.dumps(settings), "asset": _asset_url},
        )


def _asset_url(name: str) -> str:
    return reverse("api:docs-asset", args=[name])


@login_not_required
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in _ASSET_TYPES:
        raise Http404("No such file")
    response = FileResponse((_SWAGGER_ASSETS / name).open("rb"), content_type=_ASSET_TYPES[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response


api = NinjaAPI(
    title="OpenMASH API",
    version="1",
    description=(
        "For agency systems sending feeds to the hub. Authenticate with the bearer token issued "
        "for your system (`openmash feed_client_create`); each token may send only the feeds "
        "it was issued for. Formats: docs/feeds/."
    ),
    urls_namespace="api",
    docs=SwaggerWithoutCdn(),
    docs_decorator=login_not_required,
)


def _register_routers() -> None:
    from openmash.intake.api import router as feeds_router
    from openmash.intelligence.api import router as intelligence_router

    api.add_router("/v1/feeds", feeds_router)
    api.add_router("/v1/intelligence", intelligence_router)


_register_routers()


def _public(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """Token-authenticated API views must not be redirected to the sign-in page."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback.login_required = False  # type: ignore[attr-defined]
        else:
            _public(pattern.url_patterns)
    return patterns


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    patterns, app_name, namespace = api.urls
    return (
        [
            path("docs/assets/<str:name>", docs_asset, name="docs-asset"),
            *_public(list(patterns)),
        ],
        app_name,
        namespace,
    )
