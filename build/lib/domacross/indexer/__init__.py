"""The indexer: follows the contracts of one or more chains into the database."""

from domacross.indexer.follower import ChainConfig, ChainFollower
from domacross.indexer.service import Indexer

__all__ = ["ChainConfig", "ChainFollower", "Indexer"]
