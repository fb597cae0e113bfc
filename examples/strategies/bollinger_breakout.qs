# Bollinger breakout
#
# Volatility breakout: buy when the close breaks above the upper Bollinger band (20 bars, 2
# standard deviations) on above-average volume, i.e. when a quiet range resolves upwards. Sell
# when the close falls back below the middle band (the 20-bar average): the move is over.

param n = 20            # band length, bars
param k = 2             # band width, standard deviations

let upper  = bb_upper(close, n, k)
let middle = bb_middle(close, n, k)

buy  when crossover(close, upper) and volume > sma(volume, n)
sell when close < middle

take_profit 25%
