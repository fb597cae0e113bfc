param stop = 5%
let e = entry_price * (1 - stop)
buy when position == 0 and close > highest(high, 20)[1] and not (volume < 10)
sell when close < e or bars_held >= 10 or unrealized > 20% or sma(unrealized, 3) < -1%
size 10 shares
trailing_stop 10%
