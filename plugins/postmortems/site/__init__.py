"""The published site: rollups, charts, pages and exports computed from the checked collection.

Only :mod:`.wiring` imports MkDocs: it is what :mod:`postmortems.plugin` delegates to.
"""
