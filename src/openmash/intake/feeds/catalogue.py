"""The feeds the hub takes, each declared once. docs/feeds/ is generated from this file."""

from __future__ import annotations

from typing import Any

from openmash.intake.feeds.spec import COMMON_FIELDS, FeedSpec, FieldSpec
from openmash.intake.models import Urgency

POLICE = ("police",)
HEALTH = ("nhs_trust",)
EDUCATION = ("school", "childrens_services")
LOCAL_AUTHORITY = ("childrens_services",)

# Warning-sign rules (docs/feeds/README.md explains them; practice reference §3).
MISSING_EPISODES = 3
MISSING_WINDOW_DAYS = 90
SEXUAL_HEALTH_PRESENTATIONS = 2
SEXUAL_HEALTH_WINDOW_DAYS = 365
PERSISTENT_ABSENCE_BELOW = 0.90
PERSISTENT_ABSENCE_MIN_SESSIONS = 20


def _never(values: dict[str, Any]) -> bool:
    return False


def _always(values: dict[str, Any]) -> bool:
    return True


def _routine(values: dict[str, Any]) -> str:
    return Urgency.ROUTINE


def _same_day(values: dict[str, Any]) -> str:
    return Urgency.SAME_DAY


def _flag(name: str) -> Any:
    def check(values: dict[str, Any]) -> bool:
        return bool(values.get(name))

    return check


def _summary(text: str, detail_field: str | None = None) -> Any:
    def build(values: dict[str, Any]) -> str:
        detail = values.get(detail_field) if detail_field else None
        return f"{text}: {detail}"[:300] if detail else text

    return build


def _after(first: str, second: str) -> Any:
    def check(values: dict[str, Any]) -> list[tuple[str, str]]:
        start, end = values.get(first), values.get(second)
        if start is not None and end is not None and end < start:
            return [(second, f"{second} is before {first}")]
        return []

    return check


def _attended_within_possible(values: dict[str, Any]) -> list[tuple[str, str]]:
    possible, attended = values["sessions_possible"], values["sessions_attended"]
    if attended > possible:
        return [
            (
                "sessions_attended",
                f"sessions_attended ({attended}) is more than sessions_possible ({possible})",
            )
        ]
    return []


def _intelligence_subject(values: dict[str, Any]) -> list[tuple[str, str]]:
    subject = values["subject_type"]
    needed = {
        "adult": "adult_name",
        "vehicle": "vehicle_registration",
        "phone": "phone_number",
        "place": "location",
    }
    if not values.get(needed[subject]):
        return [(needed[subject], f"{needed[subject]} is required when subject_type is {subject}")]
    return []


def _missing_urgency(values: dict[str, Any]) -> str:
    return Urgency.IMMEDIATE if values.get("risk_grade") == "high" else Urgency.SAME_DAY


def _da_urgency(values: dict[str, Any]) -> str:
    return Urgency.SAME_DAY if values.get("risk_level") == "high" else Urgency.ROUTINE


def _la_urgency(values: dict[str, Any]) -> str:
    return values.get("urgency") or Urgency.ROUTINE


def _summary_text(field: str) -> FieldSpec:
    return FieldSpec(field, "text", "What happened, in a few sentences.", max_length=2000)


URGENCY_CHOICES = tuple(code for code, _ in Urgency.choices)

FEEDS: dict[str, FeedSpec] = {}


def _register(spec: FeedSpec) -> FeedSpec:
    FEEDS[spec.code] = spec
    return spec


_register(
    FeedSpec(
        code="police_missing",
        title="Police: missing-person reports and returns",
        agency_kinds=POLICE,
        description="One row per report that a child is missing, and one per return. "
        "A report and its return share an `episode_id`.",
        fields=(
            *COMMON_FIELDS,
            FieldSpec(
                "event",
                "choice",
                "`missing` for the report, `returned` for the return.",
                required=True,
                choices=("missing", "returned"),
            ),
            FieldSpec(
                "episode_id",
                "text",
                "Your id for the missing episode.",
                required=True,
                max_length=100,
                example="EP-2026-0042",
            ),
            FieldSpec(
                "occurred_at",
                "datetime",
                "When the child was reported missing, or returned.",
                required=True,
                example="2026-03-14T21:30",
            ),
            FieldSpec(
                "risk_grade",
                "choice",
                "Police risk grading at the report (kept apart from the SSDA903 missing/away distinction).",
                choices=("absent", "low", "medium", "high"),
            ),
            FieldSpec("from_care_placement", "bool", "The child went missing from a care placement."),
            FieldSpec("found_location", "text", "Where the child was found (returns).", max_length=300),
            _summary_text("summary"),
        ),
        event_date_field="occurred_at",
        event_type=lambda v: v["event"],
        creates_contact=lambda v: v["event"] == "missing",
        contact_summary=_summary("Reported missing to police", "risk_grade"),
        contact_urgency=_missing_urgency,
        contact_rule="Each missing report (not the return) becomes a contact. High risk is urgent.",
        signs_doc=f"`missing_repeated` on the report that makes {MISSING_EPISODES} or more missing episodes "
        f"within {MISSING_WINDOW_DAYS} days.",
    )
)

_register(
    FeedSpec(
        code="police_domestic_abuse",
        title="Police: domestic abuse incidents with children present",
        agency_kinds=POLICE,
        description="One row per child present at (or living in the household of) a domestic abuse incident.",
        fields=(
            *COMMON_FIELDS,
            FieldSpec("occurred_at", "datetime", "When the incident happened.", required=True),
            FieldSpec("children_present", "bool", "The child was present at the incident.", required=True),
            FieldSpec(
                "child_relationship",
                "text",
                "How the child is related to the people involved.",
                max_length=200,
                example="child of the victim",
            ),
            FieldSpec("risk_level", "choice", "DASH risk level.", choices=("standard", "medium", "high")),
            FieldSpec("incident_postcode", "postcode", "Postcode of the incident."),
            _summary_text("summary"),
        ),
        event_date_field="occurred_at",
        event_type=lambda v: "incident",
        creates_contact=_always,
        contact_summary=_summary("Domestic abuse incident", "risk_level"),
        contact_urgency=_da_urgency,
        contact_rule="Every row becomes a contact (Operation Encompass-style notification).",
    )
)

_register(
    FeedSpec(
        code="police_protection",
        title="Police: police protection (Children Act 1989 s46)",
        agency_kinds=POLICE,
        description="One row each time police take a child into police protection.",
        fields=(
            *COMMON_FIELDS,
            FieldSpec("started_at", "datetime", "When police protection started.", required=True),
            FieldSpec("ended_at", "datetime", "When it ended, if it has."),
            FieldSpec("reason", "text", "Why police protection was used.", required=True, max_length=2000),
            FieldSpec("placed_with", "text", "Where the child was taken.", max_length=300),
        ),
        event_date_field="started_at",
        event_type=lambda v: "police_protection",
        creates_contact=_always,
        contact_summary=_summary("Police protection used"),
        contact_urgency=lambda v: Urgency.IMMEDIATE,
        contact_rule="Every row becomes an immediate contact.",
        checks=(_after("started_at", "ended_at"),),
    )
)

_register(
    FeedSpec(
        code="police_intelligence",
        title="Police: intelligence about adults, vehicles, phones and places linked to a child",
        agency_kinds=POLICE,
        description="One row per piece of intelligence, graded 3x5x2, about something linked to a child.",
        fields=(
            *COMMON_FIELDS,
            FieldSpec("recorded_on", "date", "When the intelligence was recorded.", required=True),
            FieldSpec(
                "subject_type",
                "choice",
                "What the intelligence is about.",
                required=True,
                choices=("adult", "vehicle", "phone", "place"),
            ),
            FieldSpec("adult_name", "text", "The adult's name (subject adult).", max_length=200),
            FieldSpec("adult_date_of_birth", "date", "The adult's date of birth, if known."),
            FieldSpec(
                "vehicle_registration", "vrm", "Vehicle registration (subject vehicle).", example="ZA71 KXT"
            ),
            FieldSpec(
                "phone_number", "text", "Phone number (subject phone).", max_length=30, example="07700 900123"
            ),
            FieldSpec("location", "text", "Place or address (subject place).", max_length=300),
            FieldSpec(
                "source_evaluation",
                "choice",
                "3x5x2 source evaluation.",
                required=True,
                choices=("reliable", "untested", "not_reliable"),
            ),
            FieldSpec(
                "intelligence_assessment",
                "choice",
                "3x5x2 intelligence assessment.",
                required=True,
                choices=("A", "B", "C", "D", "E"),
            ),
            FieldSpec("handling_code", "choice", "3x5x2 handling code.", required=True, choices=("P", "C")),
            FieldSpec("summary", "text", "The sanitised intelligence.", required=True, max_length=2000),
        ),
        event_date_field="recorded_on",
        event_type=lambda v: v["subject_type"],
        creates_contact=_never,
        contact_summary=_summary("Police intelligence"),
        contact_urgency=_routine,
        contact_rule="Kept on file for the child and for intelligence analysis; not a contact by itself.",
        checks=(_intelligence_subject,),
    )
)

_register(
    FeedSpec(
        code="health_ae",
        title="Health: A&E attendances",
        agency_kinds=HEALTH,
        description="One row per attendance at an emergency department by a child.",
        fields=(
            *COMMON_FIELDS,
            FieldSpec("arrived_at", "datetime", "When the child arrived.", required=True),
            FieldSpec(
                "attendance_reason",
                "text",
                "Presenting complaint.",
                required=True,
                max_length=200,
                example="fall",
            ),
            FieldSpec("injury", "bool", "The attendance was for an injury.", required=True),
            FieldSpec("injury_type", "text", "Kind of injury, if any.", max_length=200),
            FieldSpec("self_harm", "bool", "The attendance followed self-harm."),
            FieldSpec("alcohol_or_drugs", "bool", "Alcohol or drugs were involved."),
            FieldSpec("safeguarding_concern", "bool", "The clinician recorded a safeguarding concern."),
            FieldSpec("discharged_to", "text", "Where the child went afterwards.", max_length=200),
        ),
        event_date_field="arrived_at",
        event_type=lambda v: "injury" if v["injury"] else "attendance",
        creates_contact=_flag("safeguarding_concern"),
        contact_summary=_summary("A&E attendance with a safeguarding concern", "attendance_reason"),
        contact_urgency=_same_day,
        contact_rule="A row with `safeguarding_concern` = Y becomes a contact.",
        signs_doc="`ae_injury` on every attendance with `injury` = Y.",
    )
)

_register(
    FeedSpec(
        code="health_sexual_health",
        title="Health: sexual health clinic presentations",
        agency_kinds=HEALTH,
        description="One row per presentation of a child at a sexual health service.",
        fields=(
            *COMMON_FIELDS,
            FieldSpec("attended_on", "date", "Date of the presentation.", required=True),
            FieldSpec(
                "reason",
                "choice",
                "Main reason.",
                required=True,
                choices=(
                    "sti_test",
                    "sti_treatment",
                    "contraception",
                    "emergency_contraception",
                    "pregnancy_test",
                    "other",
                ),
            ),
            FieldSpec("clinic", "text", "Clinic name.", max_length=200),
            FieldSpec("safeguarding_concern", "bool", "The clinician recorded a safeguarding concern."),
        ),
        event_date_field="attended_on",
        event_type=lambda v: v["reason"],
        creates_contact=_flag("safeguarding_concern"),
        contact_summary=_summary("Sexual health presentation with a safeguarding concern"),
        contact_urgency=_same_day,
        contact_rule="A row with `safeguarding_concern` = Y becomes a contact.",
        signs_doc="`sexual_health_repeat` on a presentation that is the second or later "
        f"within {SEXUAL_HEALTH_WINDOW_DAYS} days.",
    )
)

_register(
    FeedSpec(
        code="health_maternity",
        title="Health: maternity and termination where the patient is a child",
        agency_kinds=HEALTH,
        description="One row per maternity booking, birth, miscarriage or termination "
        "for a patient under 18.",
        fields=(
            *COMMON_FIELDS,
            FieldSpec(
                "event",
                "choice",
                "What happened.",
                required=True,
                choices=("booking", "birth", "miscarriage", "termination"),
            ),
            FieldSpec("event_date", "date", "When.", required=True),
            FieldSpec("gestation_weeks", "int", "Weeks of gestation.", range=(0, 45)),
        ),
        event_date_field="event_date",
        event_type=lambda v: v["event"],
        creates_contact=_always,
        contact_summary=_summary("Maternity or termination for a child", "event"),
        contact_urgency=_same_day,
        contact_rule="Every row becomes a contact: a child's pregnancy always reaches the hub.",
    )
)

_register(
    FeedSpec(
        code="education_attendance",
        title="Education: attendance and absence",
        agency_kinds=EDUCATION,
        description="One row per pupil per reporting period (a week, half-term or year to date).",
        fields=(
            *COMMON_FIELDS,
            FieldSpec("period_start", "date", "First day of the period.", required=True),
            FieldSpec("period_end", "date", "Last day of the period.", required=True),
            FieldSpec(
                "sessions_possible",
                "int",
                "Sessions the pupil could have attended.",
                required=True,
                range=(0, 500),
            ),
            FieldSpec("sessions_attended", "int", "Sessions attended.", required=True, range=(0, 500)),
            FieldSpec("sessions_authorised_absence", "int", "Authorised absences.", range=(0, 500)),
            FieldSpec("sessions_unauthorised_absence", "int", "Unauthorised absences.", range=(0, 500)),
        ),
        event_date_field="period_end",
        event_type=lambda v: "attendance",
        creates_contact=_never,
        contact_summary=_summary("Attendance"),
        contact_urgency=_routine,
        contact_rule="Kept on file; not a contact by itself.",
        signs_doc="`absence_persistent` on a period of at least "
        f"{PERSISTENT_ABSENCE_MIN_SESSIONS} possible sessions with attendance below "
        f"{PERSISTENT_ABSENCE_BELOW:.0%} (the DfE persistent-absence line): one sign per child per school "
        "year (September to August), on the first such period to arrive.",
        checks=(_after("period_start", "period_end"), _attended_within_possible),
    )
)

_register(
    FeedSpec(
        code="education_exclusions",
        title="Education: suspensions and permanent exclusions",
        agency_kinds=EDUCATION,
        description="One row per suspension or permanent exclusion.",
        fields=(
            *COMMON_FIELDS,
            FieldSpec(
                "exclusion_type",
                "choice",
                "Suspension (fixed period) or permanent exclusion.",
                required=True,
                choices=("suspension", "permanent"),
            ),
            FieldSpec("start_date", "date", "First day.", required=True),
            FieldSpec("sessions", "int", "Length in sessions (suspensions).", range=(0, 500)),
            FieldSpec("reason", "text", "Reason, as your system records it.", required=True, max_length=200),
        ),
        event_date_field="start_date",
        event_type=lambda v: v["exclusion_type"],
        creates_contact=_never,
        contact_summary=_summary("Exclusion"),
        contact_urgency=_routine,
        contact_rule="Kept on file; not a contact by itself.",
    )
)

_register(
    FeedSpec(
        code="education_cme",
        title="Education: children missing education",
        agency_kinds=EDUCATION,
        description="One row each time a child is identified as missing education.",
        fields=(
            *COMMON_FIELDS,
            FieldSpec(
                "reported_on", "date", "When the child was identified as missing education.", required=True
            ),
            FieldSpec(
                "reason",
                "choice",
                "Why.",
                required=True,
                choices=(
                    "not_on_roll",
                    "left_without_destination",
                    "failed_to_start",
                    "removed_from_roll",
                    "other",
                ),
            ),
            FieldSpec("last_school", "text", "Last known school.", max_length=200),
        ),
        event_date_field="reported_on",
        event_type=lambda v: v["reason"],
        creates_contact=_never,
        contact_summary=_summary("Child missing education"),
        contact_urgency=_routine,
        contact_rule="Kept on file; not a contact by itself (the warning sign reaches the child's record).",
        signs_doc="`missing_education` on every row.",
    )
)

_register(
    FeedSpec(
        code="la_contacts",
        title="Local authority: the council's own contacts",
        agency_kinds=LOCAL_AUTHORITY,
        description="One row per contact recorded in the council's case-management system.",
        fields=(
            *COMMON_FIELDS,
            FieldSpec("received_at", "datetime", "When the contact was received.", required=True),
            FieldSpec(
                "source_code",
                "choice",
                "CIN referral source code.",
                required=True,
                choices=(
                    "1A",
                    "1B",
                    "1C",
                    "1D",
                    "2A",
                    "2B",
                    "3A",
                    "3B",
                    "3C",
                    "3D",
                    "3E",
                    "3F",
                    "4",
                    "5A",
                    "5B",
                    "5C",
                    "5D",
                    "6",
                    "7",
                    "8",
                    "9",
                    "10",
                ),
            ),
            FieldSpec("reason", "text", "What the contact is about.", required=True, max_length=2000),
            FieldSpec("urgency", "choice", "How soon a decision is needed.", choices=URGENCY_CHOICES),
        ),
        event_date_field="received_at",
        event_type=lambda v: "contact",
        creates_contact=_always,
        contact_summary=_summary("Council contact", "reason"),
        contact_urgency=_la_urgency,
        contact_rule="Every row becomes a contact.",
    )
)


def feed_get(code: str) -> FeedSpec | None:
    return FEEDS.get(code)
