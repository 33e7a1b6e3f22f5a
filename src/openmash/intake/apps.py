from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "openmash.intake"
    label = "intake"

    def ready(self) -> None:
        from openmash.intake.selectors import CHRONOLOGY_KINDS, chronology_entries
        from openmash.people.extensions import ChronologyProvider, register_chronology_provider

        register_chronology_provider(
            ChronologyProvider(name="intake", kinds=CHRONOLOGY_KINDS, entries=chronology_entries)
        )
