"""Fetch and parse sources (RSS/Atom feeds, filings) into `Item` values. No Prefect here."""

from sources.item import Item, item_id_for

__all__ = ["Item", "item_id_for"]
