// Live trading: every session at a glance, and one session's equity, orders, fills and
// evaluation log, all kept current over server-sent events (live.session, live.order,
// live.fill, live.cycle, live.account) without a reload.
import { api, ApiError, subscribe } from '../api.js';
import { h, toast, confirmDialog, sortableTable, problemAlert, moneyInput, progressBar } from '../ui.js';
import { lineChart, drawdownChart, candleChart, SERIES_COLORS } from '../charts.js';
import * as f from '../format.js';

const STATE_LABELS = {
  warming: 'Warming up', active: 'Active', reducing: 'Reducing', halted: 'Halted', stopping: 'Stopping',
  stopped: 'Stopped', failed: 'Failed',
};
const RUNNING = new Set(['warming', 'active', 'reducing', 'halted', 'stopping']);

export function sessionBadge(state) {
  return h('span', { class: `badge live-${state}`, 'data-state': state }, STATE_LABELS[state] || state);
}

const orderBadge = (o) => h('span', { class: `badge order-${o.state}${o.attention ? ' attention' : ''}` }, o.state.replace(/_/g, ' '));

// Calls `refresh` at most every `ms` while live events arrive; returns the unsubscribe function.
function onLiveEvents(refresh, accept = () => true, ms = 300) {
  let timer = null;
  const later = (e) => {
    if (!accept(e)) return;
    if (!timer) timer = setTimeout(() => { timer = null; refresh(); }, ms);
  };
  const offs = ['live.session', 'live.order', 'live.fill', 'live.cycle', 'live.account', 'live.reconciliation', 'live.replay', 'reconnected']
    .map((name) => subscribe(name, later));
  return () => { clearTimeout(timer); offs.forEach((off) => off()); };
}

function positionsText(s) {
  if (!s.positions.length) return h('span', { class: 'muted' }, 'flat');
  return s.positions.map((p) => `${p.symbol} ${f.int(p.quantity)}`).join(', ');
}

// replaceChildren, skipping the nulls that conditional parts leave (the DOM would print "null").
const put = (el, ...children) => el.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));

const pnl = (v) => h('span', { class: f.dir(v) }, f.krwSigned(v));

// The account views (broker holdings against the ledgers), one request per account.
const accountViews = (overview) => Promise.all(overview.accounts.map((a) => api.get(`/api/live/accounts/${a.id}`).catch(() => null)));

// The KIS WebSocket: an accelerator, so its state is information, never an alarm.
function pushLine(p) {
  const hhmmss = (t) => `${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}`;
  const trades = p.last_trades.map((t) => `${t.symbol} ${f.int(t.price)} at ${hhmmss(t.time)}`).join(', ');
  const state = p.state === 'up'
    ? `up${p.since ? `, connected ${f.ago(p.since)}` : ''}: ${f.int(p.notices)} notice(s), ${f.int(p.trades)} trade(s)${trades ? `; last ${trades}` : ''}`
    : `${p.state}${p.reason ? `: ${p.reason}` : ''} (orders and fills go on over REST)`;
  return h('p', { class: 'small muted', 'data-push': p.state }, `KIS WebSocket ${state}.`);
}

function accountCard(v) {
  const mismatches = v.holdings.filter((x) => x.status === 'mismatch').length;
  return h('div', { class: 'card', id: `account-${v.id}` },
    h('div', { class: 'card-head' }, h('h2', null, `Account: ${v.label || v.broker}`),
      h('span', { class: 'muted small' }, `${v.broker} · ${v.environment}`),
      h('span', { class: 'spacer' }),
      mismatches ? h('span', { class: 'badge live-halted' }, `${mismatches} mismatch${mismatches > 1 ? 'es' : ''}`) : h('span', { class: 'badge live-active' }, 'reconciled')),
    h('div', { class: 'card-body stack' },
      h('p', { class: 'small' }, v.broker_view
        ? `The broker reports ${f.krw(v.broker_view.cash)} cash (${f.krw(v.broker_view.orderable)} orderable); ${f.krw(v.allocated_capital)} is allocated to running sessions.`
        : `The broker could not be read: ${v.broker_error}.`,
        v.last_reconciliation ? ` Last reconciliation (${v.last_reconciliation.kind}) ${f.ago(v.last_reconciliation.ts)}: ${v.last_reconciliation.result}.` : ''),
      v.push && v.push.enabled ? pushLine(v.push) : null,
      sortableTable([
        { key: 'symbol', label: 'Symbol' },
        { key: 'broker', label: 'Broker', align: 'r', render: (x) => (x.broker === null ? f.DASH : f.int(x.broker)) },
        { key: 'session_total', label: 'Sessions', align: 'r', render: (x) => h('span', { title: x.sessions.map((q) => `#${q.session_id} ${q.strategy_name}: ${q.quantity}`).join('\n') }, f.int(x.session_total)) },
        { key: 'baseline', label: 'Baseline', align: 'r', render: (x) => h('span', { title: x.baseline_note || '' }, f.int(x.baseline)) },
        { key: 'difference', label: 'Difference', align: 'r', render: (x) => (x.difference ? h('strong', { class: 'down' }, f.int(x.difference)) : f.DASH) },
        { key: 'explanation', label: 'What it means', sortable: false, render: (x) => h('span', { class: 'small' }, x.explanation) },
      ], v.holdings, { empty: 'The account holds no shares, and no session owns any.', rowAttrs: (x) => ({ 'data-status': x.status, class: x.status === 'mismatch' ? 'attention' : '' }) })));
}

// "Try it without a broker": a replay of the sample data on the demo's own clock.
function demoCard(demo) {
  const running = demo?.running;
  const speed = h('select', { id: 'demo-speed', 'aria-label': 'Replay speed' },
    h('option', { value: '400' }, 'a day every 0.4 s'),
    h('option', { value: '100' }, 'a day every 0.1 s'),
    h('option', { value: '1000' }, 'a day every second'));
  const start = async (e) => {
    e.target.disabled = true;
    try {
      const r = await api.post('/api/live/demo', { pace_ms: Number(speed.value) });
      location.hash = `#/live/${r.session_id}`;
    } catch (err) { toast(err.message, 'error'); e.target.disabled = false; }
  };
  return h('div', { class: 'card', id: 'demo-card' },
    h('div', { class: 'card-head' }, h('h2', null, 'Try it without a broker'), h('span', { class: 'badge replay' }, 'replay')),
    h('div', { class: 'card-body stack' },
      h('p', { class: 'small' }, 'Watch the live path trade in about a minute: a golden cross on the synthetic sample data (SAMPLE-A), replayed bar by bar on a simulated clock (120 trading days), through quantd\'s paper broker. Orders, fills, the equity curve and the evaluation log appear as they happen, on the same pages a real session uses. No broker, no real money; your paper account is not touched.'),
      h('div', null, running
        ? h('a', { class: 'btn', href: `#/live/${demo.session_id}`, id: 'demo-open' }, `Watch the replay (bar ${f.int(demo.bar)} of ${f.int(demo.bars)})`)
        : h('div', { class: 'actions' }, h('button', { class: 'btn primary', type: 'button', id: 'demo-run', onclick: start }, 'Run a demo live session'), speed))));
}

export async function livePage() {
  let overview = await api.get('/api/live');
  let accounts = await accountViews(overview);
  const body = h('div');

  function render() {
    const halted = overview.accounts.filter((a) => a.trading_state === 'halted');
    const running = overview.sessions.filter((s) => RUNNING.has(s.state) && !s.replay);
    const equity = running.reduce((sum, s) => sum + s.equity, 0);
    const today = running.reduce((sum, s) => sum + s.today_pnl, 0);
    put(body,
      halted.length ? h('div', { class: 'alert warn', id: 'kill-banner' }, h('strong', null, 'Trading is paused. '),
        `${halted.map((a) => a.label || `account ${a.id}`).join(', ')}: ${halted[0].state_reason || 'kill switch'}. `,
        'Sessions keep evaluating every minute and record what they would do; no order is sent until you resume.') : null,
      h('div', { class: 'metrics' },
        metricCard('Live sessions', f.int(running.length)),
        metricCard('Equity of live sessions', f.krw(equity)),
        metricCard("Today's P&L", pnl(today)),
        metricCard('Last cycle', overview.cycle ? f.dateTime(overview.cycle.minute_ms) : f.DASH,
          overview.cycle ? `${f.int(overview.cycle.sessions)} sessions, ${f.int(overview.cycle.orders_sent)} orders, ${f.int(overview.cycle.wall_ms)} ms` : 'no minute yet')),
      h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Sessions')),
        overview.sessions.length ? sortableTable([
          { key: 'id', label: 'Session', render: (s) => h('a', { href: `#/live/${s.id}` }, `#${s.id}`) },
          { key: 'strategy_name', label: 'Strategy', render: (s) => h('span', null, s.strategy_name, s.strategy_version ? h('span', { class: 'muted small' }, ` v${s.strategy_version}`) : null, s.replay ? h('span', { class: 'badge replay' }, 'replay') : null) },
          { key: 'state', label: 'State', render: (s) => h('span', { class: 'stack-xs' }, sessionBadge(s.state), s.state_reason ? h('span', { class: 'small muted' }, s.state_reason) : null) },
          { key: 'broker', label: 'Broker', hideSm: true },
          { key: 'capital', label: 'Capital', align: 'r', hideSm: true, render: (s) => f.krw(s.capital) },
          { key: 'equity', label: 'Equity', align: 'r', render: (s) => f.krw(s.equity) },
          { key: 'today_pnl', label: 'Today', align: 'r', render: (s) => pnl(s.today_pnl) },
          { key: 'pnl', label: 'P&L', align: 'r', hideSm: true, render: (s) => pnl(s.pnl) },
          { key: 'positions', label: 'Positions', sortable: false, hideSm: true, render: positionsText },
          { key: 'last_bar', label: 'Last bar', align: 'r', hideSm: true, render: (s) => h('span', { class: 'muted' }, f.barTime(s.last_bar, s.interval)) },
        ], overview.sessions, { initial: { key: 'id', desc: true }, rowAttrs: (s) => ({ 'data-session': s.id }) })
          : h('div', { class: 'empty' }, h('h3', null, 'Nothing is live yet'),
            h('p', null, 'Open a strategy and press "Go live" to trade it on the paper account: the same rules as its backtest, evaluated every minute of the KRX session.'),
            h('a', { class: 'btn primary', href: '#/strategies' }, 'Choose a strategy'))),
      demoCard(overview.demo),
      ...accounts.filter(Boolean).map(accountCard));
  }
  render();
  const off = onLiveEvents(async () => {
    try { overview = await api.get('/api/live'); accounts = await accountViews(overview); render(); } catch { /* the next event retries */ }
  });
  return {
    title: 'Live',
    el: h('div', null,
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Live trading'),
        h('p', { class: 'sub' }, 'Sessions trade the pinned version of their strategy every minute of the KRX session. Updated as it happens.'))),
      body),
    cleanup: off,
  };
}

function metricCard(label, value, sub) {
  return h('div', { class: 'metric' }, h('div', { class: 'k' }, label), h('div', { class: 'v' }, value), sub ? h('div', { class: 's' }, sub) : null);
}

// Asks keep or flatten, then deactivates. Resolves true when the request was accepted.
export async function deactivateDialog(sessionId) {
  const choice = await new Promise((resolve) => {
    const back = h('div', { class: 'modal-back' });
    const close = (v) => { back.remove(); resolve(v); };
    back.append(h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true', id: 'deactivate-dialog' },
      h('h2', null, 'Stop this session?'),
      h('p', null, 'Keep: the session stops at once and its shares stay in the account (moved to the account\'s baseline). Flatten: it sells what it holds first, then stops.'),
      h('div', { class: 'form-actions' },
        h('button', { class: 'btn', type: 'button', onclick: () => close(null) }, 'Cancel'),
        h('button', { class: 'btn', type: 'button', id: 'deactivate-keep', onclick: () => close('keep') }, 'Keep positions'),
        h('button', { class: 'btn danger', type: 'button', id: 'deactivate-flatten', onclick: () => close('flatten') }, 'Flatten and stop'))));
    document.body.append(back);
  });
  if (!choice) return false;
  try {
    await api.post(`/api/live/sessions/${sessionId}/deactivate`, { positions: choice });
    toast(choice === 'flatten' ? 'Selling out, then stopping.' : 'Stopped; positions kept.');
    return true;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    toast(err.message, 'error');
    return false;
  }
}

// The broker's "HHMMSS" order time as "HH:MM:SS".
const hhmmss = (t) => (/^\d{6}$/.test(t || '') ? `${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4)}` : (t || '?'));

// An order that needs attention: the operator says which broker order is quantd's, or that none
// is. Resolves true when an answer was recorded.
export async function answerDialog(orderId) {
  let order;
  try { order = await api.get(`/api/live/orders/${orderId}`); } catch (err) { toast(err.message, 'error'); return false; }
  const candidates = order.candidates || [];
  let chosen = null;
  const note = h('input', { type: 'text', id: 'answer-note', maxlength: '500', placeholder: 'optional: how you checked (kept in the journal)' });
  const bindButton = h('button', { class: 'btn primary', type: 'button', id: 'answer-bind', disabled: true }, 'This one is quantd\'s');
  const rows = candidates.map((c) => h('label', { class: 'candidate', 'data-order-no': c.order_no },
    h('input', { type: 'radio', name: 'candidate', value: c.order_no, onchange: () => { chosen = c.order_no; bindButton.disabled = false; } }),
    h('span', null, h('strong', null, `#${c.order_no}`), ` at ${hhmmss(c.order_time)} · ${c.side} ${f.int(c.quantity)} ${c.symbol} ${c.type}`,
      c.type === 'limit' ? ` @ ${f.price(c.limit_price)}` : '', ` · ${f.int(c.filled_qty)} filled, ${f.int(c.remaining_qty)} open`)));
  const answer = await new Promise((resolve) => {
    const back = h('div', { class: 'modal-back' });
    const close = (v) => { back.remove(); resolve(v); };
    bindButton.onclick = () => close({ bind_to: chosen });
    back.append(h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true', id: 'answer-dialog' },
      h('h2', null, `Which order is quantd's order #${order.id}?`),
      h('p', null, `quantd sent ${order.side} ${f.int(order.quantity)} ${order.symbol} (${order.type}) at ${f.dateTime(order.sent_at)}, and its answer was lost. The broker shows ${candidates.length} unclaimed orders with the same terms, so quantd will not guess. Compare them with your broker's order history (HTS/MTS), then say which one quantd sent.`),
      h('div', { class: 'stack-xs', id: 'answer-candidates' }, rows),
      note,
      h('p', { class: 'small muted' }, 'Not placed: quantd takes your word that none of these is its order and plans the trade again, so it may send a new order. Choose it only when your broker confirms.'),
      h('div', { class: 'form-actions' },
        h('button', { class: 'btn', type: 'button', onclick: () => close(null) }, 'Cancel'),
        h('button', { class: 'btn danger', type: 'button', id: 'answer-not-placed', onclick: () => close({ not_placed: true }) }, 'None: not placed'),
        bindButton)));
    document.body.append(back);
  });
  if (!answer) return false;
  if (note.value.trim()) answer.note = note.value.trim();
  try {
    const done = await api.post(`/api/live/orders/${orderId}/answer`, answer);
    toast(answer.bind_to ? `Order #${orderId} bound to broker order ${answer.bind_to}: ${done.state.replace(/_/g, ' ')}.` : `Order #${orderId} marked not placed; the strategy's target is planned again.`);
    return true;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    toast(err.message, 'error');
    return false;
  }
}

export async function liveSessionPage(id) {
  const load = async () => {
    const s = await api.get(`/api/live/sessions/${id}`);
    const from = s.trade_from || s.created_at;
    const [overview, equity, orders, fills, evaluations, bars] = await Promise.all([
      api.get('/api/live'),
      api.get(`/api/live/sessions/${id}/equity`),
      api.get(`/api/live/sessions/${id}/orders?limit=1000`),
      api.get(`/api/live/sessions/${id}/fills?limit=1000`),
      api.get(`/api/live/sessions/${id}/evaluations?limit=100000${from ? `&from=${encodeURIComponent(from)}` : ''}`),
      s.last_bar ? api.get(`/api/bars/${encodeURIComponent(s.symbols[0])}?interval=${s.interval}&to=${encodeURIComponent(s.last_bar)}&limit=${s.interval === '1d' ? 120 : 390}`).catch(() => []) : Promise.resolve([]),
    ]);
    const account = overview.accounts.find((a) => a.id === s.account_id);
    const demo = overview.demo?.session_id === s.id ? overview.demo : null;
    return { s, account, demo, equity, orders, fills, evaluations, bars };
  };
  let data = await load();
  const removers = [];
  const head = h('div');
  const charts = h('div');
  const tables = h('div');
  let chartsKey = '';

  function drawCharts() {
    const { s, equity, fills, bars } = data;
    const key = `${equity.length}:${fills.length}:${bars.length}`;
    if (key === chartsKey) return;  // nothing new: keep the charts (and the user's zoom)
    chartsKey = key;
    removers.splice(0).forEach((r) => r());
    const eq = h('div', { class: 'chart', id: 'live-equity-chart' });
    const dd = h('div', { class: 'chart short', id: 'live-drawdown-chart' });
    const px = h('div', { class: 'chart', id: 'live-price-chart' });
    put(charts,
      h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Equity'), h('span', { class: 'muted small' }, `${f.int(equity.length)} bars since trading began`)),
        h('div', { class: 'card-body' }, equity.length ? eq : h('div', { class: 'chart-empty' }, 'The curve starts with the first traded bar.'))),
      equity.length ? h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Drawdown')), h('div', { class: 'card-body' }, dd)) : null,
      h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, `${s.symbols[0]} with this session's fills`)),
        h('div', { class: 'card-body' }, bars.length ? px : h('div', { class: 'chart-empty' }, 'No bars yet.'))));
    if (equity.length) {
      removers.push(lineChart(eq, [{ name: 'Equity', color: SERIES_COLORS[0], points: equity.map((p) => ({ ts: p.ts, value: p.equity })) }], { interval: s.interval }));
      removers.push(drawdownChart(dd, equity, { interval: s.interval }));
    }
    if (bars.length) {
      const marks = fills.filter((x) => x.symbol === s.symbols[0]).map((x) => ({ side: x.side, fill: { ts: Date.parse(x.ts), price: x.price, quantity: x.quantity } }));
      removers.push(candleChart(px, bars, marks, { interval: s.interval }));
    }
  }

  function render() {
    const { s, orders, fills, evaluations } = data;
    const running = RUNNING.has(s.state);
    const replayRunning = s.replay && data.demo?.running;
    const actions = s.replay ? h('div', { class: 'actions' },
      replayRunning && s.state !== 'stopping' ? h('button', { class: 'btn danger', type: 'button', id: 'replay-stop', onclick: async () => {
        try { await api.post('/api/live/demo/stop', {}); toast('Stopping the replay: it sells on the next bar.'); } catch (e) { toast(e.message, 'error'); }
      } }, 'Stop replay') : null,
      !replayRunning ? h('a', { class: 'btn', href: '#/live' }, 'Run another') : null)
    : h('div', { class: 'actions' },
      s.strategy_id ? h('a', { class: 'btn', href: `#/strategies/${s.strategy_id}` }, 'Strategy') : null,
      running && s.state !== 'halted' ? h('button', { class: 'btn', type: 'button', id: 'session-pause', onclick: async () => {
        try { await api.post('/api/live/kill', { scope: 'session', id: s.id, reason: 'paused from the browser' }); toast('Session paused: evaluating, sending nothing.'); } catch (e) { toast(e.message, 'error'); }
      } }, 'Pause') : null,
      s.state === 'halted' ? h('button', { class: 'btn', type: 'button', id: 'session-resume', onclick: async () => {
        try { await api.post('/api/live/resume', { scope: 'session', id: s.id }); toast('Reconciled; the session trades again.'); } catch (e) { toast(e.message, 'error'); }
      } }, 'Resume') : null,
      running && s.state !== 'stopping' ? h('button', { class: 'btn danger', type: 'button', id: 'session-deactivate', onclick: () => deactivateDialog(s.id) }, 'Deactivate') : null);
    const attention = orders.filter((o) => o.attention);
    put(head,
      h('div', { class: 'crumbs' }, h('a', { href: '#/live' }, 'Live'), ` / Session #${s.id}`),
      h('div', { class: 'page-head' },
        h('div', null, h('h1', null, s.strategy_name, ' ', sessionBadge(s.state)),
          h('p', { class: 'sub' }, `${s.strategy_version ? `v${s.strategy_version}` : 'demo strategy'} · ${s.symbols.join(', ')} · ${s.interval} bars · ${s.broker} broker · trading since ${f.barTime(s.trade_from, s.interval)}`,
            s.state_reason ? h('span', null, ' · ', h('strong', null, s.state_reason)) : null)),
        actions),
      data.account?.trading_state === 'halted' && running ? h('div', { class: 'alert warn', id: 'paused-banner' }, h('strong', null, 'Trading is paused. '),
        `${data.account.state_reason || 'kill switch'}: this session keeps evaluating every bar and records what it would do; it sends nothing until trading resumes.`) : null,
      s.replay ? h('div', { class: 'alert info', id: 'replay-banner' }, h('strong', null, 'A replay, not live trading. '),
        `Stored bars of ${s.symbols.join(', ')} on a simulated clock, through quantd's paper broker: the live path (evaluation, orders, journal, fills) exactly as a real session runs it, faster. No broker and no real money are involved.`,
        data.demo ? h('div', { class: 'replay-progress' }, progressBar(data.demo.bars ? data.demo.bar / data.demo.bars : 0),
          h('span', { class: 'small muted' }, data.demo.running ? `bar ${f.int(data.demo.bar)} of ${f.int(data.demo.bars)} · clock ${f.dateTime(data.demo.clock)}` : `finished after ${f.int(data.demo.bar)} of ${f.int(data.demo.bars)} bars`)) : null) : null,
      s.data_note && !s.replay ? h('div', { class: 'alert warn' }, s.data_note) : null,
      attention.length ? h('div', { class: 'alert error', id: 'attention' }, h('strong', null, `${attention.length} order${attention.length > 1 ? 's need' : ' needs'} a look. `),
        attention[0].what_quantd_does,
        attention.filter((o) => o.state === 'needs_attention').map((o) => h('div', null, h('button', { class: 'btn', type: 'button', 'data-answer': o.id, onclick: () => answerDialog(o.id) }, `Decide order #${o.id}`)))) : null,
      h('div', { class: 'metrics' },
        metricCard('Equity', f.krw(s.equity), `capital ${f.krw(s.capital)}`),
        metricCard('P&L', pnl(s.pnl), f.pct(s.pnl / s.capital, 2, true)),
        metricCard("Today's P&L", pnl(s.today_pnl)),
        metricCard('Cash', f.krw(s.cash)),
        metricCard('Last bar', f.barTime(s.last_bar, s.interval), `${f.int(data.evaluations.length)} evaluations`)));
    drawCharts();
    const evalRows = evaluations.slice(-300).reverse();
    put(tables,
      h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Positions')),
        sortableTable([
          { key: 'symbol', label: 'Symbol' },
          { key: 'quantity', label: 'Shares', align: 'r', render: (p) => f.int(p.quantity) },
          { key: 'avg_price', label: 'Avg price', align: 'r', render: (p) => f.price(p.avg_price) },
          { key: 'last_close', label: 'Last', align: 'r', render: (p) => f.price(p.last_close) },
          { key: 'market_value', label: 'Value', align: 'r', render: (p) => f.krw(p.market_value) },
          { key: 'unrealized_pnl', label: 'Unrealized', align: 'r', render: (p) => pnl(p.unrealized_pnl) },
          { key: 'entry_ts', label: 'Since', align: 'r', hideSm: true, render: (p) => f.dateTime(p.entry_ts) },
        ], s.positions, { empty: 'Flat: no shares held.' })),
      h('div', { class: 'card', id: 'live-orders' }, h('div', { class: 'card-head' }, h('h2', null, 'Orders'), h('span', { class: 'muted small' }, 'journaled before they are sent; every state change kept')),
        sortableTable([
          { key: 'id', label: 'Order', render: (o) => `#${o.id}` },
          { key: 'decided_ts', label: 'Decided', render: (o) => f.barTime(o.decided_ts, s.interval) },
          { key: 'symbol', label: 'Symbol', hideSm: true },
          { key: 'side', label: 'Side', render: (o) => h('span', { class: o.side === 'buy' ? 'up' : 'down' }, o.side) },
          { key: 'quantity', label: 'Qty', align: 'r', render: (o) => f.int(o.quantity) },
          { key: 'type', label: 'Type', hideSm: true },
          { key: 'state', label: 'State', render: (o) => h('span', { class: 'stack-xs' }, orderBadge(o), o.reject_message ? h('span', { class: 'small muted' }, o.reject_message) : null, o.attention ? h('span', { class: 'small' }, o.what_quantd_does) : null,
            o.state === 'needs_attention' ? h('button', { class: 'btn small', type: 'button', onclick: () => answerDialog(o.id) }, 'Decide') : null) },
          { key: 'avg_price', label: 'Fill price', align: 'r', render: (o) => (o.avg_price ? f.price(o.avg_price) : f.DASH) },
          { key: 'reason', label: 'Reason', hideSm: true },
        ], orders, { initial: { key: 'id', desc: true }, pageSize: 50, empty: 'No orders yet.', rowAttrs: (o) => ({ class: o.attention ? 'attention' : '', 'data-order-state': o.state }) })),
      h('div', { class: 'card', id: 'live-fills' }, h('div', { class: 'card-head' }, h('h2', null, 'Fills')),
        sortableTable([
          { key: 'ts', label: 'Time', render: (x) => f.barTime(x.ts, s.interval) },
          { key: 'symbol', label: 'Symbol' },
          { key: 'side', label: 'Side', render: (x) => h('span', { class: x.side === 'buy' ? 'up' : 'down' }, x.side) },
          { key: 'quantity', label: 'Qty', align: 'r', render: (x) => f.int(x.quantity) },
          { key: 'price', label: 'Price', align: 'r', render: (x) => f.price(x.price) },
          { key: 'notional', label: 'Amount', align: 'r', hideSm: true, render: (x) => f.krw(x.notional) },
          { key: 'commission', label: 'Fees + tax', align: 'r', hideSm: true, render: (x) => f.krw(x.commission + x.tax) },
        ], fills, { initial: { key: 'ts', desc: true }, pageSize: 50, empty: 'No fills yet.' })),
      h('div', { class: 'card', id: 'live-evaluations' }, h('div', { class: 'card-head' }, h('h2', null, 'Evaluation log'), h('span', { class: 'muted small' }, 'each bar: what the strategy saw, and what it decided')),
        sortableTable([
          { key: 'bar_ts', label: 'Bar', render: (e) => f.barTime(e.bar_ts, s.interval) },
          { key: 'symbol', label: 'Symbol', hideSm: true },
          { key: 'close', label: 'Close', align: 'r', render: (e) => f.price(e.close) },
          { key: 'position', label: 'Held', align: 'r', render: (e) => f.int(e.position) },
          { key: 'equity', label: 'Equity', align: 'r', hideSm: true, render: (e) => f.krw(e.equity) },
          { key: 'intent', label: 'Decision', sortable: false, render: (e) => (e.intent ? h('strong', null, intentText(e.intent)) : h('span', { class: 'muted' }, 'hold')) },
        ], evalRows, { pageSize: 30, empty: 'No bar evaluated yet.' })));
  }
  render();
  const off = onLiveEvents(async () => {
    try { data = await load(); render(); } catch { /* the next event retries */ }
  }, (e) => (e.session_id !== undefined ? e.session_id === id  // live.order, live.fill
    : e.id === undefined || e.id === id || e.minute !== undefined || e.trading_state !== undefined));
  const diff = diffCard(data.s);
  return {
    title: `Session #${id}`,
    el: h('div', null, head, charts, diff.el, tables),
    cleanup: () => { off(); removers.forEach((r) => r()); diff.cleanup(); },
  };
}

const DIFF_LABELS = {
  match: 'Same', fill_price: 'Other fill price', quantity: 'Other quantity', not_filled: 'Not filled live',
  missing_in_live: 'Not sent live', extra_in_live: 'Only live',
};
const CAUSE_TEXT = {
  fill_price: 'the broker filled at another price than the next open', partial_fill: 'the broker filled part of it',
  rejected: 'the broker rejected it', risk_denied: "quantd's risk checks refused it", unknown_delay: 'its outcome was unknown for a while',
  halted: 'trading was paused (kill switch or a halt) when it was due', missing_bar: 'live never received that bar',
  pending: 'still open at the broker', bar_revision: 'the stored bar differs from what live saw',
};

// Backtest vs live for one day: the day replayed through the backtest, each divergence explained.
// Returns { el, cleanup }; the card owns its chart.
function diffCard(s) {
  const day = h('input', { type: 'date', id: 'diff-day', value: s.last_bar ? f.isoDate(Date.parse(s.last_bar)) : '' });
  const out = h('div', { id: 'diff-result' });
  let removeChart = null;
  async function run() {
    out.replaceChildren(h('span', { class: 'muted small' }, 'Replaying the day through the backtest…'));
    try {
      const d = await api.get(`/api/live/sessions/${s.id}/diff?day=${day.value}`);
      const chart = h('div', { class: 'chart short', id: 'diff-chart' });
      const sum = d.summary;
      put(out,
        h('p', { id: 'diff-summary', class: sum.diverged ? '' : 'ok-text' }, sum.diverged
          ? `${f.plural(sum.diverged, 'difference')} on ${d.day}: the backtest made ${f.plural(sum.backtest_orders, 'order')}, live ${f.int(sum.live_orders)}; ${f.int(sum.matched)} the same.`
          : `${d.day}: live did exactly what the backtest did (${f.plural(sum.backtest_orders, 'order')}).`),
        chart,
        sortableTable([
          { key: 'decided_ts', label: 'Bar', render: (r) => f.barTime(r.decided_ts, s.interval) },
          { key: 'symbol', label: 'Symbol', hideSm: true },
          { key: 'side', label: 'Side', render: (r) => h('span', { class: r.side === 'buy' ? 'up' : 'down' }, r.side) },
          { key: 'kind', label: 'Result', render: (r) => h('span', { class: `badge diff-${r.kind}` }, DIFF_LABELS[r.kind] || r.kind) },
          { key: 'bt', label: 'Backtest', sortable: false, render: (r) => orderSide(r.backtest) },
          { key: 'live', label: 'Live', sortable: false, render: (r) => orderSide(r.live) },
          { key: 'cause', label: 'Why', sortable: false, render: (r) => (r.cause ? h('span', { class: 'small' }, CAUSE_TEXT[r.cause] || r.cause) : h('span', { class: 'muted' }, f.DASH)) },
        ], d.rows, { empty: 'Neither side ordered anything that day.', rowAttrs: (r) => ({ 'data-kind': r.kind }) }));
      removeChart?.();
      removeChart = null;
      removeChart = lineChart(chart, [
        { name: 'Backtest', color: SERIES_COLORS[1], dashed: true, points: d.equity.backtest.map((p) => ({ ts: p.ts, value: p.equity })) },
        { name: 'Live', color: SERIES_COLORS[0], points: d.equity.live.map((p) => ({ ts: p.ts, value: p.equity })) },
      ], { interval: s.interval });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      out.replaceChildren(problemAlert(err, 'Cannot compare that day.'));
    }
  }
  const el = h('div', { class: 'card', id: 'live-diff' },
    h('div', { class: 'card-head' }, h('h2', null, 'Backtest vs live'),
      h('span', { style: { display: 'flex', gap: '8px', alignItems: 'center' } }, day, h('button', { class: 'btn small', type: 'button', id: 'diff-run', onclick: run }, 'Compare'))),
    h('div', { class: 'card-body stack' },
      h('p', { class: 'small muted' }, "The day's bars replayed through the backtest with this session's warm-up, capital and costs, order for order against what live did. The equity curves: backtest dashed, live solid."),
      out));
  return { el, cleanup: () => { removeChart?.(); removeChart = null; } };
}

function orderSide(o) {
  if (!o) return h('span', { class: 'muted' }, 'nothing');
  const what = `${f.int(o.quantity)} · ${o.state}`;
  return h('span', { class: 'stack-xs' }, what, o.price ? h('span', { class: 'small muted' }, `at ${f.price(o.price)}`) : null);
}

function intentText(i) {
  if (i.flat) return 'sell all';
  const what = { percent: `${f.num(i.value * 100, 2)}% of equity`, krw: f.krw(i.value), shares: `${f.int(i.value)} shares` }[i.kind] || `${i.kind} ${i.value}`;
  return `buy: ${what}`;
}

// Real money: the user types the masked account number to confirm. Resolves true when typed.
function realMoneyDialog(text, account) {
  return new Promise((resolve) => {
    const input = h('input', { type: 'text', id: 'real-money-account', autocomplete: 'off', placeholder: account });
    const go = h('button', { class: 'btn danger', type: 'button', id: 'real-money-go', disabled: true }, 'Trade with real money');
    const back = h('div', { class: 'modal-back' });
    const close = (v) => { back.remove(); resolve(v); };
    input.addEventListener('input', () => { go.disabled = input.value.trim() !== account; });
    go.onclick = () => close(true);
    back.append(h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true', id: 'real-money-dialog' },
      h('h2', null, 'Real money'),
      h('p', null, text),
      h('p', null, `Type the account number as shown, ${account}, to confirm.`),
      input,
      h('div', { class: 'form-actions' }, h('button', { class: 'btn', type: 'button', onclick: () => close(false) }, 'Cancel'), go)));
    document.body.append(back);
    input.focus();
  });
}

// The activation form on a strategy's page: broker, capital, risk limits with their defaults.
export function activationCard(strategy, session, defaults = {}) {
  const alert = h('div');
  if (session && RUNNING.has(session.state)) {
    return h('div', { class: 'card', id: 'live-card' }, h('div', { class: 'card-head' }, h('h2', null, 'Live'), sessionBadge(session.state)),
      h('div', { class: 'card-body stack' },
        h('p', null, `Session #${session.id} trades v${session.strategy_version} of this strategy on the ${session.broker} account. Equity ${f.krw(session.equity)}, P&L `, pnl(session.pnl), '.'),
        h('div', { class: 'row' }, h('a', { class: 'btn primary', href: `#/live/${session.id}` }, 'Open the session'),
          h('button', { class: 'btn danger', type: 'button', id: 'strategy-deactivate', onclick: async () => { if (await deactivateDialog(session.id)) setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 300); } }, 'Deactivate'))));
  }
  const capital = moneyInput('live-capital', Math.min(10_000_000, defaults.paper_cash || 10_000_000));
  // The configured defaults ([risk] in the config file), shown as placeholders: empty keeps them.
  const d = defaults.risk || {};
  const off = (v, text) => (v ? text(v) : 'off');
  const limits = [
    ['max_order_qty', 'Shares per order', off(d.max_order_qty, f.int)],
    ['max_order_notional', 'Largest order (₩)', d.max_order_notional ? f.int(d.max_order_notional) : 'the capital'],
    ['max_position_pct', 'Largest position (% of equity)', String(d.max_position_pct ?? 100)],
    ['max_orders_per_min', 'Orders per minute', String(d.max_orders_per_min ?? 6)],
    ['max_orders_per_symbol_day', 'Orders per symbol a day', String(d.max_orders_per_symbol_day ?? 40)],
    ['max_rejects_in_row', 'Rejections in a row that halt it', String(d.max_rejects_in_row ?? 3)],
    ['daily_loss_pct', 'Daily loss that pauses buying (%)', off(d.daily_loss_pct, String)],
  ];
  const inputs = Object.fromEntries(limits.map(([k, , placeholder]) => [k, h('input', { type: 'number', step: 'any', min: '0', class: 'num-input', 'data-risk': k, placeholder })]));
  const brokers = defaults.brokers || [{ name: 'paper', environment: 'sim' }];
  const brokerLabel = (b) => (b.name === 'paper' ? 'Paper (quantd\'s simulator)' : `KIS ${b.environment === 'real' ? 'real account — real money' : 'paper account (모의투자)'} ${b.account}`);
  const broker = h('select', { id: 'live-broker' }, brokers.map((b, i) => h('option', { value: String(i) }, brokerLabel(b))));
  const chosen = () => brokers[Number(broker.value)] || brokers[0];
  const submit = h('button', { class: 'btn primary', type: 'submit', id: 'activate' }, 'Go live on paper');
  broker.addEventListener('change', () => {
    const b = chosen();
    submit.textContent = b.name === 'paper' ? 'Go live on paper' : b.environment === 'real' ? 'Go live with real money' : 'Go live on KIS paper';
    submit.classList.toggle('danger', b.environment === 'real');
  });
  async function activate(e) {
    e.preventDefault();
    alert.replaceChildren();
    const risk = {};
    for (const [k] of limits) {
      if (inputs[k].value === '') continue;
      risk[k] = Number(inputs[k].value);
    }
    const b = chosen();
    const body = { broker: b.name, capital: capital.value() };
    if (Object.keys(risk).length) body.risk = risk;
    const where = b.name === 'paper' ? 'the paper account (simulated fills, no real money)'
      : b.environment === 'real' ? `your KIS account ${b.account} (REAL MONEY: real orders on KRX)` : `your KIS paper account ${b.account} (모의투자, no real money)`;
    const text = `Version ${strategy.version} of "${strategy.name}" will be evaluated every minute of the KRX session and its orders sent to ${where}, with ${f.krw(body.capital)} of capital. Later edits of the strategy do not change a running session.`;
    const ok = b.environment === 'real' ? await realMoneyDialog(text, b.account) : await confirmDialog('Trade this strategy live?', text, 'Go live');
    if (!ok) return;
    submit.disabled = true;
    try {
      const s = await api.post(`/api/strategies/${strategy.id}/activate`, body);
      location.hash = `#/live/${s.id}`;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      alert.replaceChildren(problemAlert(err, 'Cannot go live.'));
      submit.disabled = false;
    }
  }
  return h('div', { class: 'card', id: 'live-card' }, h('div', { class: 'card-head' }, h('h2', null, 'Go live')),
    h('form', { class: 'card-body stack', onsubmit: activate },
      h('p', { class: 'small muted' }, 'Trades the saved version of this strategy on the paper broker: the live path end to end (journal, risk checks, fills at the next bar\'s open), without real money.'),
      h('div', { class: 'form-grid' },
        brokers.length > 1 ? h('div', { class: 'field' }, h('label', { for: 'live-broker' }, 'Broker'), broker) : null,
        h('div', { class: 'field' }, h('label', { for: 'live-capital' }, 'Capital (₩)'), capital.input, h('span', { class: 'help' }, `What this session may use (its sizing works on this, not on the account); the paper account has ${f.krw(defaults.paper_cash)}.`)),
        ...limits.map(([k, label]) => h('div', { class: 'field' }, h('label', null, label), inputs[k]))),
      h('span', { class: 'help' }, 'Empty limits keep their defaults (shown).'),
      alert,
      h('div', { class: 'form-actions' }, submit)));
}
