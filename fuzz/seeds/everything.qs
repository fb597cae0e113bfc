let a = sma(close, 5) + ema(close, 5) - wma(close, 5) * rma(close, 5) / 2
let b = rsi(close, 14) + macd(close, 12, 26, 9) + macd_signal(close, 12, 26, 9)
let c = macd_hist(close, 5, 13, 4) + bb_upper(close, 20, 2) + bb_middle(close, 20, -1.5)
let d = bb_lower(close, 10, 2) + stdev(close, 20) + tr() + atr(14) + stoch_k(14, 3)
let e = stoch_d(14, 3, 3) + obv() + highest(high, 20) + lowest(low, 20) + roc(close, 10)
let f = change(close, 10) + abs(open - close) + log(volume + 1) + min(a, b) + max(c, d)
buy when crossover(a, b) or crossunder(c, d) and not (e >= f) or e[3] == f[0]
sell when -a != .5 or 7% <= b
take_profit 20%
