"""mkdocs-postmortems: incident post-mortems as code, checked and published with MkDocs."""
