from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "openmash.intelligence"
    label = "intelligence"
    verbose_name = "Exploitation intelligence"

    def ready(self) -> None:
        from openmash.accounts.roles import NAVIGATION, NavItem, Role
        from openmash.intake.services import register_concern_submitted
        from openmash.intake.services.feed_clients import feed_register_other
        from openmash.intelligence.access import child_network_visible
        from openmash.intelligence.concerns import concern_submitted
        from openmash.intelligence.feeds.spec import FEEDS
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
        register_concern_submitted(concern_submitted)
        for code, spec in FEEDS.items():
            feed_register_other(code, spec.agency_kinds)
        analyst = NAVIGATION.setdefault(Role.INTELLIGENCE_ANALYST, [])
        if not any(item.url_name == "intelligence:home" for item in analyst):
            analyst.insert(0, NavItem("Intelligence", "intelligence:home"))
