"""Underneath everything: the clock, the database, settings, errors, translation, audit."""
