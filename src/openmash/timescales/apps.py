from django.apps import AppConfig


class TimescalesConfig(AppConfig):
    name = "openmash.timescales"
    label = "timescales"
