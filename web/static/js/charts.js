// Charts with TradingView's lightweight-charts (window.LightweightCharts, embedded from npm).
// Times are shifted to Seoul wall time (see format.chartTime); prices in KRW.
import { chartTime, krw, krwCompact, pct, price } from './format.js';
import { h } from './ui.js';

const LWC = () => window.LightweightCharts;
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export const SERIES_COLORS = ['#2563eb', '#d97706', '#7c3aed', '#059669', '#db2777', '#0891b2', '#65a30d', '#dc2626', '#4b5563', '#9333ea'];

export function chartsAvailable() { return !!LWC(); }

function baseOptions(interval, priceFormatter) {
  return {
    autoSize: true,
    layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#475569', fontSize: 11,
      fontFamily: getComputedStyle(document.body).fontFamily, attributionLogo: false },
    grid: { vertLines: { color: '#f1f5f9' }, horzLines: { color: '#f1f5f9' } },
    rightPriceScale: { borderColor: '#e2e8f0' },
    timeScale: { borderColor: '#e2e8f0', timeVisible: interval && interval !== '1d', secondsVisible: false, fixLeftEdge: true, fixRightEdge: true },
    crosshair: { mode: 0 },
    localization: { priceFormatter, locale: 'en-US' },
    handleScroll: { vertTouchDrag: false },
  };
}

// Creates a chart in `container` (which must be in the document). Returns { chart, remove }.
function make(container, interval, priceFormatter) {
  container.replaceChildren();
  if (!LWC()) {
    container.append(h('div', { class: 'chart-empty' }, 'Charts are unavailable: the chart library was not embedded (run scripts/install-deps, then rebuild).'));
    return null;
  }
  return LWC().createChart(container, baseOptions(interval, priceFormatter));
}

function markDrawn(container, n) { container.dataset.points = String(n); }

// Equity curve and the buy-and-hold benchmark. `curves`: [{name, color, points: [{ts, value}], dashed}]
export function lineChart(container, curves, { interval = '1d', format = krwCompact } = {}) {
  const chart = make(container, interval, format);
  if (!chart) return () => {};
  let n = 0;
  for (const c of curves) {
    const s = chart.addSeries(LWC().LineSeries, {
      color: c.color, lineWidth: c.width || 2, lineStyle: c.dashed ? 2 : 0,
      priceLineVisible: false, lastValueVisible: true, title: '',
      crosshairMarkerRadius: 3,
    });
    const data = dedupe(c.points.map((p) => ({ time: chartTime(p.ts), value: p.value })));
    s.setData(data);
    n += data.length;
  }
  chart.timeScale().fitContent();
  markDrawn(container, n);
  return () => chart.remove();
}

// Drawdown as a filled area below zero, in percent.
export function drawdownChart(container, points, { interval = '1d' } = {}) {
  const chart = make(container, interval, (v) => pct(v / 100, 1));
  if (!chart) return () => {};
  const down = css('--down') || '#1f5fd6';
  const s = chart.addSeries(LWC().AreaSeries, {
    lineColor: down, topColor: hexAlpha(down, 0.05), bottomColor: hexAlpha(down, 0.35), lineWidth: 1.5,
    priceLineVisible: false, invertFilledArea: true,
  });
  const data = dedupe(points.map((p) => ({ time: chartTime(p.ts), value: -p.drawdown * 100 })));
  s.setData(data);
  chart.timeScale().fitContent();
  markDrawn(container, data.length);
  return () => chart.remove();
}

// Candles with buy/sell markers. orders: [{side, fill: {ts, price, quantity}}]
export function candleChart(container, bars, orders, { interval = '1d' } = {}) {
  const chart = make(container, interval, (v) => price(Math.round(v)));
  if (!chart) return () => {};
  const up = css('--up') || '#d92d20', down = css('--down') || '#1f5fd6';
  const candles = chart.addSeries(LWC().CandlestickSeries, {
    upColor: up, downColor: down, borderUpColor: up, borderDownColor: down, wickUpColor: up, wickDownColor: down,
    priceLineVisible: false,
  });
  const data = dedupe(bars.map((b) => ({ time: chartTime(b.ts), open: b.open, high: b.high, low: b.low, close: b.close })));
  candles.setData(data);
  const volume = chart.addSeries(LWC().HistogramSeries, { priceScaleId: 'vol', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
  chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
  volume.setData(dedupe(bars.map((b) => ({ time: chartTime(b.ts), value: b.volume, color: b.close >= b.open ? hexAlpha(up, 0.25) : hexAlpha(down, 0.25) }))));
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.06, bottom: 0.22 } });
  // A marker sits on the candle holding its fill (candles may be daily summaries of minute bars).
  const times = data.map((d) => d.time);
  const snap = (t) => {
    let lo = 0, hi = times.length - 1;
    if (hi < 0 || t < times[0]) return times[0];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid] <= t) lo = mid; else hi = mid - 1;
    }
    return times[lo];
  };
  const markers = orders.filter((o) => o.fill && times.length).map((o) => ({
    time: snap(chartTime(o.fill.ts)),
    position: o.side === 'buy' ? 'belowBar' : 'aboveBar',
    color: o.side === 'buy' ? up : down,
    shape: o.side === 'buy' ? 'arrowUp' : 'arrowDown',
    text: o.side === 'buy' ? 'B' : 'S',
    size: 1,
  })).sort((a, b) => a.time - b.time);
  LWC().createSeriesMarkers(candles, markers);
  chart.timeScale().fitContent();
  markDrawn(container, data.length);
  container.dataset.markers = String(markers.length);
  return () => chart.remove();
}

// lightweight-charts requires strictly increasing times.
function dedupe(points) {
  const out = [];
  for (const p of points) {
    if (out.length && out[out.length - 1].time >= p.time) out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

function hexAlpha(hex, a) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) return hex;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

export { krw };
