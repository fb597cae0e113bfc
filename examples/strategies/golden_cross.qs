# Golden cross
#
# Trend following with two simple moving averages of the close: buy when the fast average
# crosses above the slow one (a "golden cross"), sell when it crosses back below (a "death
# cross"). A stop loss caps the damage of a cross that fails right away.
#
# Tune: fast/slow (bars). Shorter averages trade more often and react sooner; the classic daily
# pair is 50/200, 20/60 is common on KRX.

param fast = 20         # fast moving average, bars
param slow = 60         # slow moving average, bars
param stop = 8%         # stop loss below the entry

let f = sma(close, fast)
let s = sma(close, slow)

buy  when crossover(f, s)
sell when crossunder(f, s)

stop_loss stop
size 100% equity
