"""OpenMASH: a multi-agency safeguarding hub."""
