# Donchian breakout with an ATR stop
#
# Turtle-style channel breakout: buy when the close exceeds the highest high of the previous
# `entry_n` bars (the Donchian channel, [1] excludes the current bar), sell when it falls below
# the lowest low of the previous `exit_n` bars. The stop sits `atr_mult` average true ranges
# below the entry price, so it adapts to how much the stock usually moves.

param entry_n = 55      # breakout channel, bars
param exit_n = 20       # exit channel, bars
param atr_n = 20        # ATR length, bars
param atr_mult = 2      # stop distance, ATRs below the entry

let channel_high = highest(high, entry_n)[1]
let channel_low  = lowest(low, exit_n)[1]
let atr_stop     = entry_price - atr_mult * atr(atr_n)

buy  when close > channel_high
sell when close < channel_low or close < atr_stop

size 50% equity
