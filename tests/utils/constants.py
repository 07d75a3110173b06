"""Values shared by the tests."""

DAY = 86_400
ETH = 10**18
MAX_AGE = DAY
MAX_CHANGE_BPS = 2_000  # 20 % per capped update
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
HOUR = 3_600
FEE = ETH // 10
RAKE_BPS = 500
PAYOUT_BPS = [6_000, 3_000, 1_000]
DISPUTE_WINDOW = HOUR
MIN_CLAIM_PERIOD = DAY
# minDuration, maxDuration, disputeWindow, minClaimPeriod, minEntryFee, maxEntryFee,
# maxRakeBps, maxPayoutRanks
LIMITS = (HOUR, 30 * DAY, DISPUTE_WINDOW, MIN_CLAIM_PERIOD, 0, 100 * ETH, 1_000, 10)
