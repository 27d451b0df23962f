"""Renderers: each turns a check result into one output format."""
