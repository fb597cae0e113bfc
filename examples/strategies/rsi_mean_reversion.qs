# RSI mean reversion
#
# Buys a short-term oversold dip (RSI below `oversold`) but only while the long-term trend is up
# (the close above its 200-bar average), betting that the dip reverts. Sells once the RSI has
# recovered above `exit_level`, or after `max_hold` bars if it never does, with a stop loss
# for the dips that keep dipping.

param period = 14       # RSI length, bars
param oversold = 30     # buy below this RSI
param exit_level = 55   # sell above this RSI
param max_hold = 20     # sell after this many bars at the latest
param stop = 7%         # stop loss below the entry

let r = rsi(close, period)
let uptrend = close > sma(close, 200)

buy  when r < oversold and uptrend
sell when r > exit_level or bars_held >= max_hold

stop_loss stop
size 50% equity
