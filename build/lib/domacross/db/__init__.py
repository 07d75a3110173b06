"""The database of the indexer and the API: models, engine and session helpers."""

from domacross.db import basket_models  # noqa: F401 - registers the basket tables
from domacross.db.engine import make_engine, session_factory
from domacross.db.models import Base

__all__ = ["Base", "make_engine", "session_factory"]
