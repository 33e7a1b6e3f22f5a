from django.urls import include, path

from openmash import api
from openmash.accounts.views import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("openmash.core.urls")),
    path("account/", include("openmash.accounts.urls")),
    path("children/", include("openmash.people.urls")),
    path("access/", include("openmash.access.urls")),
    path("audit/", include("openmash.audit.urls")),
    path("notifications/", include("openmash.notifications.urls")),
    path("due/", include("openmash.timescales.urls")),
    path("concerns/", include("openmash.intake.urls")),
    path("administration/", include("openmash.intake.onboarding_urls")),
    path("report-a-worry/", include("openmash.intake.public_urls")),
    path("api/", api.urls()),
    path("exploitation/", include("openmash.exploitation.urls")),
    path("matching/", include("openmash.matching.urls")),
    path("hub/", include("openmash.mash.urls")),
    path("casework/", include("openmash.casework.urls")),
    path("intelligence/", include("openmash.intelligence.urls")),
]

handler404 = "openmash.core.views.not_found"
handler500 = "openmash.core.views.server_error"
handler403 = "openmash.core.views.forbidden"
handler400 = "openmash.core.views.bad_request"
