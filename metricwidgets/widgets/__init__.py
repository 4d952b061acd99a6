"""Notebook widgets, composed from small parts over the core. No AWS or parsing logic here."""
