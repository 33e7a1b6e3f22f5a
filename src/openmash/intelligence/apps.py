from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "openmash.intelligence"
    label = "intelligence"
    verbose_name = "Exploitation intelligence"

    def ready(self) -> None:
        from openmash.people.extensions import ChildTab, register_child_tab

        register_child_tab(
            ChildTab(key="network", label="Network", url_name="intelligence:child-network", order=60)
        )
