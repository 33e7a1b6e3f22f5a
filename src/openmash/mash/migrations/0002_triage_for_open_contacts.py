"""Contacts already open when the hub's triage arrived get a first rating and deadlines (no clocks)."""

from django.db import migrations
from django.utils import timezone

URGENCY_RAG = {"immediate": "red", "same_day": "amber", "routine": "green"}


def forwards(apps, schema_editor):
    from openmash.timescales.calendar import ENGLAND
    from openmash.timescales.rules import due_at, rule_for

    Contact = apps.get_model("intake", "Contact")
    Triage = apps.get_model("mash", "Triage")
    RagRating = apps.get_model("mash", "RagRating")
    now = timezone.now()
    pending = Contact.objects.filter(status="open", triage__isnull=True).only("pk", "urgency", "received_at")
    for contact in pending.iterator(chunk_size=2000):
        rag = URGENCY_RAG.get(contact.urgency, "green")
        day = timezone.localdate(contact.received_at)
        rag_rule = rule_for(f"rag_{rag}", on=day)
        rag_at = due_at(rag_rule, contact.received_at, ENGLAND)
        decide_at = due_at(rule_for("mash_decision", on=day), contact.received_at, ENGLAND)
        Triage.objects.create(
            contact_id=contact.pk, rag=rag, rag_due_at=rag_at, decision_due_at=decide_at,
            next_due_at=min(rag_at, decide_at),
        )
        RagRating.objects.create(
            contact_id=contact.pk, rag=rag, due_at=rag_at, rule_description=rag_rule.describe(),
            recorded_at=now, recorded_by_name="system:migration",
            reason="First rating from the urgency given (contact open before triage existed)",
        )


class Migration(migrations.Migration):
    dependencies = [("mash", "0001_initial"), ("intake", "0002_sign_outbox_error")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
