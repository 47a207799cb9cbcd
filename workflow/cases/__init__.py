"""回头帮: a gap's case from plan to acceptance, its evidence, escalation and results tables."""
