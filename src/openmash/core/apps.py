from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openmash.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from openmash.core import dbroles

        # Infrastructure, not domain logic: keep the application role's grants in step
        # with the schema after every migrate.
        post_migrate.connect(dbroles.grant_application_role, dispatch_uid="openmash-grants")
