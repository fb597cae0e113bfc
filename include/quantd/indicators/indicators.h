// quantd::indicators — incremental technical indicators for the strategy
// language (shared/design/STRATEGY_LANGUAGE.md), matching R's TTR 0.24.3 to
// 1e-9 under the conventions of shared/oracle/README.md.
//
// Design note
// -----------
// * Shape. Every indicator is a small value type (no virtual calls, no
//   std::function) fed one bar at a time: `double update(x)` (or
//   `update(high, low, close)`, `update(close, volume)`, `update(a, b)`)
//   returns the value for that bar, `value()` repeats the last result,
//   `warmup()` is the number of bars before the first value for an input
//   without NAs (the first value is at bar warmup()). Updates are O(1)
//   (highest/lowest amortised O(1)), inline, noexcept, and never allocate:
//   every buffer is sized once in the constructor.
// * NA is a quiet NaN (kNa, is_na()). Warm-up results are NA.
// * NA inputs. Stateful indicators (moving averages, stdev, Bollinger, RSI,
//   MACD, TR/ATR, stochastics, OBV, highest/lowest) skip a missing input
//   (NaN, and also +-inf, which could otherwise poison running sums
//   forever): that bar's result is NA and the state is left exactly as it
//   was, as if the bar did not exist. For leading NAs this is TTR's rule: the
//   window / seed starts at the first non-NA input, so warm-ups add up when
//   indicators are chained (macd signal over macd, %D over %K). A mid-series
//   NA shortens nothing: the window is the last n accepted values.
//   History/Lag/Change/Roc/RocLog count bars instead (x[n] is the value n bars
//   ago, NA or not), and Crossover/Crossunder return NA for an NA bar without
//   changing state.
// * Preconditions. Lengths must lie in [1, kMaxLength] (lags in
//   [0, kMaxLength]); constructors abort otherwise (a bug in the caller: the
//   strategy compiler validates user input first). No exceptions.
// * Threading. No shared or global state: one instance is used by one thread
//   at a time; distinct instances are independent.
// * Numerics. Each value is computed with the references' order of
//   floating-point operations wherever that order is exact: a mean is
//   (window sum) / n, never sum * (1 / n), which rounds twice and breaks
//   exact ties (a 10-bar and a 30-bar average that are equal in exact
//   arithmetic must compare equal, or a crossover fires a bar early). Where
//   TTR and Backtrader differ, the order that is exact for whole-won prices
//   wins (roc, the EMA seed). Window sums of whole numbers (prices in won,
//   as_small_whole) are exact without compensation (Sma: a plain running
//   sum; MovingMoments: 64-bit integer moments), which is cheaper and pays
//   for the divisions; other inputs switch an instance to compensated sums
//   (CompensatedSum) or sums recomputed every n bars, so long series do not
//   drift; the windowed variance is rebased when cancellation threatens
//   (MovingMoments). docs/indicators.md lists, per indicator, what is
//   exact and what may differ from TTR / Backtrader in the last bits. Build without -ffast-math and
//   without FMA contraction (-ffp-contract=off, set for every quantd target): a fused a * b + c
//   rounds once where the references round twice.
#pragma once

#include "quantd/indicators/bollinger.h"
#include "quantd/indicators/common.h"
#include "quantd/indicators/compensated_sum.h"
#include "quantd/indicators/cross.h"
#include "quantd/indicators/lag.h"
#include "quantd/indicators/macd.h"
#include "quantd/indicators/moving_average.h"
#include "quantd/indicators/obv.h"
#include "quantd/indicators/rsi.h"
#include "quantd/indicators/stdev.h"
#include "quantd/indicators/stochastic.h"
#include "quantd/indicators/true_range.h"
#include "quantd/indicators/window_extremes.h"
