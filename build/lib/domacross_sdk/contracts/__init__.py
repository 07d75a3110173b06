"""Typed wrappers of the DomaCross contracts."""
