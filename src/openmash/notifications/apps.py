from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "openmash.notifications"
    label = "notifications"
