# Buy and hold
#
# The benchmark every other strategy has to beat: all in on the first bar (filled at the second
# bar's open) and hold to the end. The language asks every script for a way out; this one can
# never be true, since prices are positive, which is exactly the point. Same trades as the native
# builtin:buy_and_hold.

buy  when close > 0
sell when close < 0
