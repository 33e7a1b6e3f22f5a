from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "openmash.intake"
    label = "intake"

    def ready(self) -> None:
        from openmash.intake.selectors import CHRONOLOGY_KINDS, chronology_counts, chronology_entries
        from openmash.people.extensions import ChronologyProvider, register_chronology_provider

        register_chronology_provider(
            ChronologyProvider(
                name="intake",
                kinds=CHRONOLOGY_KINDS,
                entries=chronology_entries,
                counts=chronology_counts,
            )
        )

        from django.urls import reverse

        from openmash.exploitation.extensions import register_sign_source
        from openmash.intake.feeds.signs import SOURCE_TYPE

        # A warning sign raised by a feed links back to the record that raised it.
        register_sign_source(
            SOURCE_TYPE,
            "Agency record",
            url=lambda source_id: reverse("intake:feed-record", args=[source_id]),
        )
