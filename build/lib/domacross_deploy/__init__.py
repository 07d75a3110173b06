"""Deploying and administering the DomaCross suite with Ape (what `scripts/*.py` run).

The scripts of `scripts/` are thin `ape run` entry points (options, output); the logic
lives here, typed and importable from tests and tools:

- `session`: the network pre-check, account choice, the record store and the sending of
  journaled transactions (shared by every script).
- `suite`: constructor arguments, and the plan/execute loop of `ape run deploy`; which
  contracts, roles and links make up the suite is `domacross_sdk.suite`.
- `verify`: the checks of `ape run verify-deployment`.
- `admin`, `specs`: the admin scripts' SDK client and their input files.

Needs Ape (`pip install 'domacross[deploy]'`); the SDK never imports this package.
"""
