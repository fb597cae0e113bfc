# MACD trend with a trailing stop
#
# Buys when the MACD line (12/26 EMA difference) crosses above its 9-bar signal line while the
# close is above its 100-bar EMA (trade only with the larger trend). Exits when the MACD
# histogram turns negative below the zero line, or through the trailing stop: 10% below the
# highest close since the entry, which lets winners run and locks in part of the gain.

param fast = 12         # fast EMA, bars
param slow = 26         # slow EMA, bars
param signal = 9        # signal EMA, bars
param trail = 10%       # trailing stop below the highest close

let line = macd(close, fast, slow, signal)
let sig  = macd_signal(close, fast, slow, signal)

buy  when crossover(line, sig) and close > ema(close, 100)
sell when crossunder(line, sig) and line < 0

trailing_stop trail
