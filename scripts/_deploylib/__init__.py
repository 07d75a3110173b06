"""Helpers of the deploy and admin scripts (Ape skips `scripts/_*`, so none is a command).

- `session`: the network pre-check, account choice, the record store and the sending of
  journaled transactions (shared by every script).
- `suite`: what the suite is (contracts, constructor arguments, roles) and the
  plan/execute loop of `ape run deploy`.
- `verify`: the checks of `ape run verify-deployment`.
"""
