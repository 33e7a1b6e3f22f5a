from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "openmash.matching"
    label = "matching"
    verbose_name = "Record matching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from openmash.accounts.roles import NAVIGATION, NavItem, Role

        # The hub's officers and managers are the clerical reviewers (ADR 0030).
        for role in (Role.MASH_OFFICER, Role.MASH_MANAGER):
            items = NAVIGATION.setdefault(role, [])
            if not any(item.url_name == "matching:reviews" for item in items):
                items.append(NavItem("Possible matches", "matching:reviews"))
