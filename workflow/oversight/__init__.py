"""Watching the work: the accountability report, the overdue board, progress, trends."""
