"""Facilis project package: settings, URL configurations and entry points."""
