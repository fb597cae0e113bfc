# Golden cross with an RSI filter and a stop (the example of the language's specification)
#
# Like golden_cross.qs, but skips crosses that happen when the stock is already overbought
# (RSI 70 or more), and exits on the death cross or when the close falls `stop` below the
# entry price, checked at the close (unlike stop_loss, which is checked against each bar's low).

param fast = 20         # fast moving average, bars
param slow = 60         # slow moving average, bars
param stop = 7%         # exit this far below the entry, at the close

let f = sma(close, fast)
let s = sma(close, slow)

buy  when crossover(f, s) and rsi(close, 14) < 70
sell when crossunder(f, s) or close < entry_price * (1 - stop)

size 20% equity
