"""The contracts' units (`contracts/libraries/Units.sol`), defined once for Python."""

from __future__ import annotations

BPS = 10_000
"""The whole in basis points: weights, payout schedules, rakes and caps are parts of it."""
WAD = 10**18
"""One in 18-decimal fixed point: a fungible price is per WAD base units, a basket's values
are wei times WAD, and WAD claim units make a whole NFT."""
