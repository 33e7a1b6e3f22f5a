from django.apps import AppConfig


class MashConfig(AppConfig):
    name = "openmash.mash"
    label = "mash"
    verbose_name = "MASH triage"

    def ready(self) -> None:
        from openmash.intake.services import register_contact_closed, register_contacts_opened
        from openmash.mash.services import contact_closed, triage_open

        register_contacts_opened(triage_open)
        register_contact_closed(contact_closed)
