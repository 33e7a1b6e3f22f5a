from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "openmash.intelligence"
    label = "intelligence"
    verbose_name = "Exploitation intelligence"

    def ready(self) -> None:
        from openmash.accounts.roles import NAVIGATION, NavItem, Role
        from openmash.intelligence.access import child_network_visible
        from openmash.people.extensions import ChildTab, register_child_tab

        register_child_tab(
            ChildTab(
                key="network",
                label="Network",
                url_name="intelligence:child-network",
                order=60,
                visible=lambda access, actor: child_network_visible(actor),
            )
        )
        analyst = NAVIGATION.setdefault(Role.INTELLIGENCE_ANALYST, [])
        if not any(item.url_name == "intelligence:home" for item in analyst):
            analyst.insert(0, NavItem("Intelligence", "intelligence:home"))
