// Small DOM helpers: h() to build elements, toasts, a confirm dialog, sortable tables.
import { int } from './format.js';
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'html') el.innerHTML = v;
      else if (k in el && typeof v !== 'string') el[k] = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

export function toast(message, kind = '') {
  const el = h('div', { class: `toast ${kind}` }, message);
  document.getElementById('toasts').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 7000 : 3500);
}

// Resolves true when the user confirms.
export function confirmDialog(title, message, action = 'Delete') {
  return new Promise((resolve) => {
    const close = (v) => { back.remove(); resolve(v); };
    const back = h('div', { class: 'modal-back', onclick: (e) => { if (e.target === back) close(false); } },
      h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true' },
        h('h2', null, title),
        h('p', null, message),
        h('div', { class: 'form-actions' },
          h('button', { class: 'btn', onclick: () => close(false) }, 'Cancel'),
          h('button', { class: 'btn primary', onclick: () => close(true) }, action))));
    document.body.append(back);
    back.querySelector('.btn.primary').focus();
  });
}

// The login form: a password, checked by POST /api/login. Resolves true once logged in, false
// when cancelled (`cancellable`). Wrong passwords and the rate limit are shown inline.
export function loginDialog(login, { cancellable = true } = {}) {
  return new Promise((resolve) => {
    const input = h('input', { type: 'password', id: 'login-password', placeholder: 'Password', autocomplete: 'current-password', required: true });
    const error = h('div', { class: 'alert error', id: 'login-error', hidden: true });
    const submit = h('button', { class: 'btn primary', type: 'submit', id: 'login-submit' }, 'Log in');
    const close = (v) => { back.remove(); resolve(v); };
    const back = h('div', { class: 'modal-back' },
      h('form', { class: 'modal', id: 'login-form', onsubmit: async (e) => {
        e.preventDefault();
        submit.disabled = true;
        error.hidden = true;
        try {
          await login(input.value);
          close(true);
        } catch (err) {
          error.textContent = err.status === 429 ? `Too many wrong passwords. Try again in ${err.problem.retryAfter ?? 60} s.` : err.status === 401 ? 'Wrong password.' : err.message;
          error.hidden = false;
          input.select();
        } finally {
          submit.disabled = false;
        }
      } },
        h('h2', null, 'Log in to quantd'),
        h('p', null, 'This server asks for its password (set with quantd passwd).'),
        input, error,
        h('div', { class: 'form-actions' },
          cancellable ? h('button', { class: 'btn', type: 'button', onclick: () => close(false) }, 'Cancel') : null,
          submit)));
    document.body.append(back);
    input.focus();
  });
}

// Asks for the API token (a server with server.auth_token and no password).
export function tokenDialog() {
  return new Promise((resolve) => {
    const input = h('input', { type: 'password', placeholder: 'API token', autocomplete: 'off' });
    const close = (v) => { back.remove(); resolve(v); };
    const back = h('div', { class: 'modal-back' },
      h('form', { class: 'modal', onsubmit: (e) => { e.preventDefault(); close(input.value.trim() || null); } },
        h('h2', null, 'API token required'),
        h('p', null, 'This server requires a token (server.auth_token in its config). It is kept in this tab only, until the tab closes.'),
        input,
        h('div', { class: 'form-actions' },
          h('button', { class: 'btn', type: 'button', onclick: () => close(null) }, 'Cancel'),
          h('button', { class: 'btn primary', type: 'submit' }, 'Continue'))));
    document.body.append(back);
    input.focus();
  });
}

// A table whose columns sort on click. columns: [{key, label, align, render(row), value(row), sortable}]
// With pageSize, rows are shown that many at a time behind a "Show more" button.
export function sortableTable(columns, rows, { initial, rowAttrs, empty = 'Nothing here yet.', pageSize = 0 } = {}) {
  let sortKey = initial?.key ?? null;
  let desc = initial?.desc ?? false;
  let shown = pageSize || Infinity;
  const more = h('div', { class: 'table-more' });
  const tbody = h('tbody');
  const heads = columns.map((c) => {
    const th = h('th', { class: [c.align === 'r' ? 'r' : '', c.sortable !== false ? 'sortable' : '', c.hideSm ? 'hide-sm' : ''].join(' ') }, c.label);
    if (c.sortable !== false) {
      th.addEventListener('click', () => {
        if (sortKey === c.key) desc = !desc; else { sortKey = c.key; desc = c.defaultDesc ?? false; }
        render();
      });
    }
    th.dataset.key = c.key;
    return th;
  });
  const value = (c, r) => (c.value ? c.value(r) : r[c.key]);
  function render() {
    const col = columns.find((c) => c.key === sortKey);
    const sorted = [...rows];
    if (col) {
      sorted.sort((a, b) => {
        const x = value(col, a), y = value(col, b);
        if (x === y) return 0;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        const cmp = typeof x === 'string' ? x.localeCompare(y) : x - y;
        return desc ? -cmp : cmp;
      });
    }
    for (const th of heads) {
      th.classList.toggle('sorted', th.dataset.key === sortKey);
      th.classList.toggle('desc', th.dataset.key === sortKey && desc);
    }
    tbody.replaceChildren(...(sorted.length === 0
      ? [h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, empty))]
      : sorted.slice(0, shown).map((r) => h('tr', rowAttrs ? rowAttrs(r) : null,
          columns.map((c) => h('td', { class: [c.align === 'r' ? 'r num' : '', c.hideSm ? 'hide-sm' : '', c.class || ''].join(' ') }, c.render ? c.render(r) : r[c.key]))))));
    const left = sorted.length - shown;
    more.replaceChildren(...(left > 0 ? [
      h('span', { class: 'muted small' }, `Showing ${Math.min(shown, sorted.length).toLocaleString('en-US')} of ${sorted.length.toLocaleString('en-US')}`),
      h('button', { class: 'btn small', type: 'button', onclick: () => { shown += pageSize; render(); } }, `Show ${Math.min(pageSize, left).toLocaleString('en-US')} more`),
      h('button', { class: 'btn small ghost', type: 'button', onclick: () => { shown = Infinity; render(); } }, 'Show all'),
    ] : []));
  }
  render();
  const table = h('table', { class: 'table' }, h('thead', null, h('tr', null, heads)), tbody);
  const el = h('div', null, h('div', { class: 'table-wrap' }, table), more);
  el.refresh = render;  // after `rows` changed in place (rows arriving live), keeping the sort
  return el;
}

export function statusBadge(status, progress) {
  const label = { queued: 'Queued', running: 'Running', done: 'Done', failed: 'Failed', canceled: 'Canceled' }[status] || status;
  const text = status === 'running' && typeof progress === 'number' ? `${label} ${Math.floor(progress * 100)}%` : label;
  return h('span', { class: `badge ${status}` }, text);
}

export function progressBar(fraction, big = false) {
  const pct = Math.max(0, Math.min(1, fraction || 0)) * 100;
  return h('div', { class: `progress${big ? ' big' : ''}`, role: 'progressbar', 'aria-valuenow': String(Math.floor(pct)), 'aria-valuemin': '0', 'aria-valuemax': '100' },
    h('div', { style: { width: `${pct}%` } }));
}

// Problem → readable lines for an alert.
export function problemAlert(err, title) {
  const errors = err.errors || [];
  return h('div', { class: 'alert error', role: 'alert' },
    h('strong', null, title || err.problem?.title || 'Something went wrong'), ' ',
    err.problem?.detail || err.message,
    errors.length > 1 ? h('ul', null, errors.map((e) => h('li', null, e.field ? `${e.field}: ${e.message}` : e.message))) : null);
}

export function download(name, text, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function csv(rows) {
  const esc = (v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(esc).join(',')).join('\n') + '\n';
}

// A text input that shows KRW with thousands separators while typing.
export function moneyInput(id, value) {
  const input = h('input', { type: 'text', id, inputmode: 'numeric', class: 'num-input', value: int(value), autocomplete: 'off' });
  input.addEventListener('input', () => {
    const digits = input.value.replace(/[^0-9]/g, '');
    const pos = input.value.length - input.selectionStart;
    input.value = digits ? int(Number(digits)) : '';
    const p = Math.max(0, input.value.length - pos);
    input.setSelectionRange(p, p);
  });
  return { input, value: () => Number(input.value.replace(/[^0-9]/g, '')) };
}

// The "Costs and execution" inputs of the backtest and sweep forms: the same fields, defaults and
// request shape for both. `field(label, control, help, id, errKey)` is the form's own field maker.
export function costInputs() {
  const commission = h('input', { type: 'number', id: 'commission', step: '0.1', min: '0', value: '1.5', class: 'num-input' });
  const slippage = h('input', { type: 'number', id: 'slippage', step: '0.5', min: '0', value: '0', class: 'num-input' });
  const ticks = h('input', { type: 'number', id: 'ticks', step: '1', min: '0', value: '0', class: 'num-input' });
  const taxAuto = h('input', { type: 'checkbox', checked: true, id: 'tax-auto' });
  const tax = h('input', { type: 'number', id: 'tax', step: '1', min: '0', value: '18', class: 'num-input', disabled: true });
  taxAuto.addEventListener('change', () => { tax.disabled = taxAuto.checked; });
  const market = h('select', { id: 'market' }, [['kospi', 'KOSPI'], ['kosdaq', 'KOSDAQ'], ['konex', 'KONEX'], ['etf', 'ETF / ETN']].map(([v, l]) => h('option', { value: v }, l)));
  const closeAtEnd = h('input', { type: 'checkbox', id: 'close-at-end' });
  return {
    commission, slippage, ticks, taxAuto, tax, market, closeAtEnd,
    // The grid of inputs, each under its label.
    fields: (field) => [
      field('Commission (bp per side)', commission, '1.5 bp = 0.015%', 'commission', 'costs.commission_bps'),
      h('div', { class: 'field' }, h('label', { for: 'tax' }, 'Sell tax (bp)'), tax, h('label', { class: 'checkbox small' }, taxAuto, 'KRX schedule by date')),
      field('Slippage (bp)', slippage, 'Against you, on each fill', 'slippage', 'costs.slippage_bps'),
      field('Slippage (ticks)', ticks, 'Whole KRX ticks', 'ticks', 'costs.slippage_ticks'),
      field('Market', market, 'Tick and tax tables', 'market', 'market'),
      h('div', { class: 'field' }, h('span', { class: 'label' }, 'At the end'), h('label', { class: 'checkbox' }, closeAtEnd, 'Sell open positions at the last close'))],
    // The request fields: costs (tax only when not the KRX schedule), market, close_at_end.
    request() {
      const costs = { commission_bps: Number(commission.value), slippage_bps: Number(slippage.value), slippage_ticks: Number(ticks.value) };
      if (!taxAuto.checked) costs.tax_bps = Number(tax.value);
      return { costs, market: market.value, close_at_end: closeAtEnd.checked };
    },
  };
}
