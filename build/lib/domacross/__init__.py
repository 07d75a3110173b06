"""DomaCross services: the indexer (chain events into a database) and the read API.

Layers (each imports only the ones before it):
    domacross_sdk      typed contracts, events and errors (no database)
    domacross.db       SQLAlchemy models, settings, Alembic migrations
    domacross.indexer  follows chains with the SDK and writes domacross.db
    domacross.api      serves domacross.db over HTTP (never talks to a chain)
    domacross.cli      `domacross index`, `domacross serve`
"""
