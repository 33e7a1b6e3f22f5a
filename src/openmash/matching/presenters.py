"""What the review page shows: the weights chart (Vega-Lite) and the same figures as a table."""

from __future__ import annotations

from typing import Any


def weights_chart_spec(explanation: list[dict[str, Any]]) -> dict[str, Any]:
    values = [
        {
            "comparison": item["comparison"],
            "level": item["level"],
            "weight": item["weight"],
            "direction": "For the same child"
            if item["weight"] > 0
            else "Against"
            if item["weight"] < 0
            else "No evidence",
        }
        for item in explanation
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": "Match weight of each comparison, in bits",
        "width": "container",
        "height": {"step": 28},
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "comparison", "type": "nominal", "title": None, "sort": None},
            "x": {"field": "weight", "type": "quantitative", "title": "Match weight (bits)"},
            "color": {
                "field": "direction",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": ["For the same child", "Against", "No evidence"],
                    "range": ["#00703c", "#d4351c", "#505a5f"],
                },
            },
            "tooltip": [
                {"field": "comparison", "type": "nominal"},
                {"field": "level", "type": "nominal"},
                {"field": "weight", "type": "quantitative"},
            ],
        },
        "config": {"font": "Arial, sans-serif", "axis": {"labelFontSize": 14, "titleFontSize": 14}},
    }


def weights_table(
    explanation: list[dict[str, Any]],
) -> tuple[list[dict[str, str]], list[list[dict[str, Any]]]]:
    head = [
        {"text": "Comparison"},
        {"text": "What was found"},
        {"text": "Weight (bits)", "format": "numeric"},
    ]
    rows = [
        [
            {"text": item["comparison"]},
            {"text": item["level"]},
            {"text": f"{item['weight']:+.1f}", "format": "numeric"},
        ]
        for item in explanation
    ]
    return head, rows
