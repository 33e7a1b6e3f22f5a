from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "openmash.casework"
    label = "casework"

    def ready(self) -> None:
        from openmash.casework.selectors import CHRONOLOGY_KINDS, chronology_counts, chronology_entries
        from openmash.people.extensions import (
            ChildTab,
            ChronologyProvider,
            register_child_tab,
            register_chronology_provider,
        )

        register_child_tab(ChildTab(key="casework", label="Casework", url_name="casework:child", order=20))
        register_chronology_provider(
            ChronologyProvider(
                name="casework",
                kinds=CHRONOLOGY_KINDS,
                entries=chronology_entries,
                counts=chronology_counts,
            )
        )
