from django.apps import AppConfig


class MashConfig(AppConfig):
    name = "openmash.mash"
    label = "mash"
