# RSI mean reversion
#
# Buys a short-term oversold dip (RSI below `oversold`) but only while the long-term trend is up
# (the close above its 200-bar average), betting that the dip reverts. Sells once the RSI has
# recovered above `exit_level`, or after `max_hold` bars if it never does, with a stop loss
# for the dips that keep dipping.

param period = 14
param oversold = 30
param exit_level = 55
param max_hold = 20
param stop = 7%

let r = rsi(close, period)
let uptrend = close > sma(close, 200)

buy  when r < oversold and uptrend
sell when r > exit_level or bars_held >= max_hold

stop_loss stop
size 50% equity
