param fast = 10
let f = smaa(close, fast)
let s = sma(close, 30
buy when crossover(f, s) and rsi(close, 0) < 70 && x
sell when crossunder(f, s) or clsoe < 1 ; y
size 20 equity
stop_loss 150%
