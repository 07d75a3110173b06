"""The read API: serves the indexer's database over HTTP (FastAPI), never a chain.

`domacross.api.main.create_app()` builds the app; `domacross serve` runs it with uvicorn.
"""
