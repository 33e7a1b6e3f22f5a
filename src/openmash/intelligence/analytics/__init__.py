"""Analysis of the intelligence picture with python-igraph: groups, centrality, alerts, hotspots.

Every result carries its explanation in words (why this group, why this alert). Scores are
leads for people to review, never a classification of a person (practice reference §10).
"""
