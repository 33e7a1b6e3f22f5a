"""How many of each kind of child and agency a borough of a given size has.

The default is calibrated to published figures for a real English town of about 227,000
people (ARCHITECTURE.md, "The synthetic borough"): about 49,000 children, about 230 on
child protection plans, about 400 looked after, and 70 identified as at risk of sexual
exploitation (45 low, 9 medium, 16 high). Other sizes scale every count in proportion.
Figures not given there are typical English rates for a borough of that size.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

DEFAULT_CHILDREN = 49_000

_AT_DEFAULT = {
    "cp_plans": 230,
    "looked_after": 400,
    # 16- and 17-year-olds who left care after their 16th birthday ("relevant children").
    "care_leavers": 30,
    # Children in need other than those on plans or looked after (about 330 per 10,000 in all).
    "children_in_need": 1_300,
    # Children whose earlier contacts or referrals were closed: known, but not open now.
    "past_contacts": 2_600,
    "gp_practices": 20,
    "primary_schools": 50,
    "secondary_schools": 10,
    "takeaways": 30,
    "parks": 12,
    "hotels": 6,
    "taxi_offices": 4,
    "shopping_centres": 2,
    "background_vehicles": 800,
}
_CSE_AT_DEFAULT = {"high": 16, "medium": 9, "low": 45}
# Fewer of these would make a borough without the agencies the service needs.
_FLOORS = {
    "gp_practices": 2,
    "primary_schools": 2,
    "secondary_schools": 1,
    "takeaways": 3,
    "parks": 2,
    "hotels": 2,
    "taxi_offices": 1,
    "shopping_centres": 1,
}


def _scaled(value: int, scale: float) -> int:
    return int(value * scale + 0.5)


@dataclass(frozen=True)
class BoroughSize:
    children: int
    cp_plans: int
    looked_after: int
    care_leavers: int
    children_in_need: int
    past_contacts: int
    cse_high: int
    cse_medium: int
    cse_low: int
    gp_practices: int
    primary_schools: int
    secondary_schools: int
    takeaways: int
    parks: int
    hotels: int
    taxi_offices: int
    shopping_centres: int
    background_vehicles: int

    @property
    def cse_total(self) -> int:
        return self.cse_high + self.cse_medium + self.cse_low

    @property
    def exploitation_groups(self) -> int:
        grouped = int(self.cse_total * 0.85 + 0.5)
        if grouped < 2:
            return 0
        return max(1, int(self.cse_total / 9 + 0.5))

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def for_children(cls, children: int) -> BoroughSize:
        if children < 1:
            raise ValueError("A borough needs at least one child")
        scale = children / DEFAULT_CHILDREN
        counts = {
            name: max(_FLOORS.get(name, 0), _scaled(value, scale)) for name, value in _AT_DEFAULT.items()
        }
        # The exploitation total is rounded once and shared out by largest remainder, so the
        # levels always add up to it and keep the published proportions.
        cse_total = _scaled(sum(_CSE_AT_DEFAULT.values()), scale)
        exact = {level: n * cse_total / sum(_CSE_AT_DEFAULT.values()) for level, n in _CSE_AT_DEFAULT.items()}
        levels = {level: int(value) for level, value in exact.items()}
        by_remainder = sorted(exact, key=lambda level: exact[level] - levels[level], reverse=True)
        for level in by_remainder[: cse_total - sum(levels.values())]:
            levels[level] += 1
        return cls(
            children=children,
            cse_high=levels["high"],
            cse_medium=levels["medium"],
            cse_low=levels["low"],
            **counts,
        )
