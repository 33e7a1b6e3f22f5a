"""Shaping the picture for pages: Cytoscape elements, accessible tables, the map's marks."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .analytics.communities import count_words as kind_count_words
from .choices import EntityKind, LinkKind, Status
from .selectors import Edge, Network, Node

KIND_LABEL = {k.value: k.label for k in EntityKind}


def node_label(node: Node) -> str:
    return node.label if node.kind != "child" else f"{node.label} (child)"


def cytoscape_elements(network: Network) -> list[dict[str, Any]]:
    """Nodes and edges for Cytoscape.js; the page draws confirmed links solid and unconfirmed dashed."""
    elements: list[dict[str, Any]] = [
        {"data": {"id": str(node.id), "label": node_label(node), "kind": node.kind, "status": node.status}}
        for node in network.nodes.values()
    ]
    for edge in network.edges:
        elements.append(
            {
                "data": {
                    "id": str(edge.id),
                    "source": str(edge.source),
                    "target": str(edge.target),
                    "label": LinkKind(edge.kind).label,
                    "status": edge.status,
                    "grading": edge.grading,
                }
            }
        )
    return elements


def node_rows(network: Network) -> list[list[dict[str, Any]]]:
    rows = []
    for node in sorted(network.nodes.values(), key=lambda n: (n.kind, n.label)):
        link = reverse("intelligence:entity", args=[node.id])
        rows.append(
            [
                {"html": f'<a class="govuk-link" href="{link}">{_escape(node_label(node))}</a>'},
                {"text": KIND_LABEL.get(node.kind, node.kind)},
                {"text": Status(node.status).label},
            ]
        )
    return rows


def edge_rows(network: Network) -> list[list[dict[str, Any]]]:
    rows = []
    for edge in network.edges:
        source, target = network.nodes.get(edge.source), network.nodes.get(edge.target)
        if source is None or target is None:
            continue
        rows.append(
            [
                {"text": node_label(source)},
                {"text": LinkKind(edge.kind).label},
                {"text": node_label(target)},
                {"text": _dates(edge)},
                {"text": edge.grading},
                {
                    "text": "Confirmed (solid line)"
                    if edge.status == "confirmed"
                    else "Unconfirmed (dashed line)"
                },
                {
                    "text": " ".join(part for part in (edge.source_agency, edge.source_record) if part)
                    or "Not recorded"
                },
            ]
        )
    return rows


def _dates(edge: Edge) -> str:
    start = f"{edge.valid_from:%d %b %Y}"
    return f"{start} to {edge.valid_to:%d %b %Y}" if edge.valid_to else f"from {start}"


def _escape(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def count_words(counts: dict[str, int]) -> str:
    return kind_count_words(counts)
