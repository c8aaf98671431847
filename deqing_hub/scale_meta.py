"""The loadscale version and the table that records it: importable before Django is set up
(`make bench` reads them to decide whether its database must be loaded again)."""

# Bump when the generated data changes: `make bench` reloads a database of another version.
VERSION = 4
# Written by loadscale in the database it filled (not a model: only loaded databases have it).
META_TABLE = "loadscale_meta"
