// Number and time formatting: KRW with thousands separators, signed percentages, Seoul times.
const SEOUL = 'Asia/Seoul';
const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dateFmt = new Intl.DateTimeFormat('en-CA', { timeZone: SEOUL, year: 'numeric', month: '2-digit', day: '2-digit' });
const timeFmt = new Intl.DateTimeFormat('en-GB', { timeZone: SEOUL, hour: '2-digit', minute: '2-digit', hour12: false });

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
export const DASH = '—';

// ₩123,456,789 (negative: −₩1,234). Whole won.
export function krw(v) {
  if (!isNum(v)) return DASH;
  const s = intFmt.format(Math.abs(Math.round(v)));
  return (Math.round(v) < 0 ? '−₩' : '₩') + s;
}

// Compact KRW for axes and small spaces: ₩226M, ₩2.26B, ₩45.7K (three significant digits).
export function krwCompact(v) {
  if (!isNum(v)) return DASH;
  const a = Math.abs(v), sign = v < 0 ? '−' : '';
  const units = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (const [size, unit] of units) {
    if (a >= size) {
      const x = a / size;
      return `${sign}₩${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}${unit}`;
    }
  }
  return `${sign}₩${intFmt.format(Math.round(a))}`;
}

// Signed P&L in KRW: +₩12,345 / −₩12,345.
export function krwSigned(v) {
  if (!isNum(v)) return DASH;
  if (Math.round(v) === 0) return '₩0';
  return (v > 0 ? '+' : '') + krw(v);
}

// A fraction as a percentage: 0.1234 → "12.34%"; with sign: "+12.34%".
export function pct(v, digits = 2, signed = false) {
  if (!isNum(v)) return DASH;
  const x = v * 100;
  const s = Math.abs(x).toFixed(digits);
  if (Number(s) === 0) return `${(0).toFixed(digits)}%`;
  return `${x < 0 ? '−' : signed ? '+' : ''}${s}%`;
}

export function num(v, digits = 2) {
  if (!isNum(v)) return DASH;
  const s = Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return (v < 0 ? '−' : '') + s;
}

export function int(v) {
  if (!isNum(v)) return DASH;
  return (v < 0 ? '−' : '') + intFmt.format(Math.abs(Math.round(v)));
}

// A price: whole won with separators, decimals kept when the price has them.
export function price(v) {
  if (!isNum(v)) return DASH;
  return Number.isInteger(v) ? intFmt.format(v) : v.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

// The CSS class for a signed value: up (gain) / down (loss).
export function dir(v) {
  if (!isNum(v) || v === 0) return '';
  return v > 0 ? 'up' : 'down';
}

const toDate = (t) => (typeof t === 'string' ? new Date(t) : new Date(t));

// "2024-01-31" in Seoul.
export function date(t) {
  if (t === null || t === undefined) return DASH;
  return dateFmt.format(toDate(t));
}

// "2024-01-31 09:05" in Seoul.
export function dateTime(t) {
  if (t === null || t === undefined) return DASH;
  const d = toDate(t);
  return `${dateFmt.format(d)} ${timeFmt.format(d)}`;
}

// A bar time: the date for daily bars, date and time otherwise.
export function barTime(ts, interval) {
  return interval === '1d' ? date(ts) : dateTime(ts);
}

// "3 min ago", "2 days ago".
export function ago(t) {
  if (!t) return DASH;
  const s = Math.max(0, (Date.now() - toDate(t).getTime()) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 86400 * 30) return `${Math.round(s / 86400)} days ago`;
  return date(t);
}

// Seoul calendar date of epoch ms as "YYYY-MM-DD" (for <input type=date>).
export const isoDate = (ts) => dateFmt.format(new Date(ts));

// Seconds on the chart's time axis: lightweight-charts shows UTC, so shift to Seoul wall time.
export const chartTime = (ts) => Math.floor((ts + 9 * 3600 * 1000) / 1000);

export function plural(n, one, many = one + 's') {
  return `${int(n)} ${n === 1 ? one : many}`;
}
