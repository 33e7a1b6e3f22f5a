from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    name = "openmash.synthetic"
    label = "synthetic"
