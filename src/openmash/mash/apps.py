from django.apps import AppConfig


class MashConfig(AppConfig):
    name = "openmash.mash"
    label = "mash"
    verbose_name = "MASH triage"

    def ready(self) -> None:
        from openmash.intake.models import Contact
        from openmash.intake.services import (
            register_contact_closed,
            register_contacts_matched,
            register_contacts_opened,
        )
        from openmash.mash.services import contact_closed, contacts_matched, triage_open

        def contacts_opened(contacts: list[Contact]) -> None:
            triage_open(contacts)

        register_contacts_opened(contacts_opened)
        register_contact_closed(contact_closed)
        register_contacts_matched(contacts_matched)
