"""Errors that stop a run before any file is checked: the configuration, not the content."""


class ConfigurationError(Exception):
    """A bad option, a missing folder, an unreadable schema or rules file (exit status 2)."""
