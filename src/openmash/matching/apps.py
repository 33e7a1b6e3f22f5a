from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "openmash.matching"
    label = "matching"
    verbose_name = "Record matching"
    default_auto_field = "django.db.models.BigAutoField"
