"""Exports for police analysts: i2 Analyst's Notebook ANX XML and a documented CSV layout.

Both are built from a ``Network`` the caller has already read through the access layer; the
export itself is logged by ``access.export_record`` with its purpose (views do both).
The CSV layout and the steps to import it are in docs/intelligence.md.
"""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree as ET

from .choices import EntityKind, LinkKind
from .selectors import Network

ICON_TYPE: dict[str, str] = {
    EntityKind.ADULT: "Person",
    EntityKind.CHILD: "Person",
    EntityKind.PLACE: "Location",
    EntityKind.VEHICLE: "Vehicle",
    EntityKind.PHONE: "Telephone",
    EntityKind.ACCOUNT: "Internet",
    EntityKind.GROUP: "Organisation",
}
STRENGTH = {"confirmed": "Confirmed", "unconfirmed": "Unconfirmed"}
CSV_COLUMNS = (
    "link_id",
    "link_type",
    "link_label",
    "direction",
    "valid_from",
    "valid_to",
    "status",
    "grading",
    "source_evaluation",
    "intelligence_assessment",
    "handling_code",
    "source_agency",
    "source_record",
    "end1_id",
    "end1_type",
    "end1_label",
    "end2_id",
    "end2_type",
    "end2_label",
)


def _entity_type(kind: str) -> str:
    return {"adult": "Adult of concern", "child": "Child"}.get(kind, EntityKind(kind).label)


def anx_document(network: Network, *, title: str = "OpenMASH intelligence export") -> bytes:
    """An ANX chart (UTF-16, as Analyst's Notebook writes them): one ChartItem per entity and per
    link; confirmed links solid, unconfirmed dashed, through the chart's strengths."""
    chart = ET.Element("Chart", {"IdReferenceLinking": "false", "Rigorous": "true"})
    summary = ET.SubElement(chart, "Summary")
    ET.SubElement(summary, "Title").text = title
    strengths = ET.SubElement(chart, "StrengthCollection")
    ET.SubElement(
        strengths, "Strength", {"Id": "Confirmed", "Name": "Confirmed", "DotStyle": "DotStyleSolid"}
    )
    ET.SubElement(
        strengths, "Strength", {"Id": "Unconfirmed", "Name": "Unconfirmed", "DotStyle": "DotStyleDashed"}
    )
    items = ET.SubElement(chart, "ChartItemCollection")
    for node in network.nodes.values():
        item = ET.SubElement(items, "ChartItem", {"Label": node.label, "DateSet": "false"})
        ET.SubElement(item, "Description").text = f"{_entity_type(node.kind)}; {node.status}"
        end = ET.SubElement(item, "End")
        entity = ET.SubElement(
            end,
            "Entity",
            {"EntityId": str(node.id), "Identity": f"{node.kind}:{node.id}", "LabelIsIdentity": "false"},
        )
        icon = ET.SubElement(entity, "Icon")
        ET.SubElement(icon, "IconStyle", {"Type": ICON_TYPE.get(node.kind, "Unknown")})
    for edge in network.edges:
        if edge.source not in network.nodes or edge.target not in network.nodes:
            continue
        item = ET.SubElement(
            items,
            "ChartItem",
            {
                "Label": LinkKind(edge.kind).label,
                "DateSet": "true",
                "Dated": "true",
                "DateTime": f"{edge.valid_from.isoformat()}T00:00:00",
            },
        )
        ET.SubElement(item, "Description").text = (
            f"Grading {edge.grading}; {edge.status}; from {edge.valid_from.isoformat()}"
            + (f" to {edge.valid_to.isoformat()}" if edge.valid_to else "")
            + (f"; source {edge.source_agency} {edge.source_record}".rstrip() if edge.source_agency else "")
        )
        link = ET.SubElement(item, "Link", {"End1Id": str(edge.source), "End2Id": str(edge.target)})
        ET.SubElement(
            link,
            "LinkStyle",
            {
                "ArrowStyle": "ArrowOnHead",
                "Strength": STRENGTH.get(edge.status, "Unconfirmed"),
                "Type": edge.kind,
            },
        )
    return ET.tostring(chart, encoding="utf-16", xml_declaration=True)


def csv_document(network: Network) -> str:
    """One row per link, each end's id, type and label beside it (the layout in docs/intelligence.md)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for edge in network.edges:
        source, target = network.nodes.get(edge.source), network.nodes.get(edge.target)
        if source is None or target is None:
            continue
        source_evaluation, assessment, handling = edge.grading.split("/")
        writer.writerow(
            [
                edge.id,
                edge.kind,
                LinkKind(edge.kind).label,
                "end1_to_end2",
                edge.valid_from.isoformat(),
                edge.valid_to.isoformat() if edge.valid_to else "",
                edge.status,
                edge.grading,
                source_evaluation,
                assessment,
                handling,
                edge.source_agency,
                edge.source_record,
                source.id,
                _entity_type(source.kind),
                _safe(source.label),
                target.id,
                _entity_type(target.kind),
                _safe(target.label),
            ]
        )
    return out.getvalue()


def _safe(value: str) -> str:
    """A spreadsheet must not run a label as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
