// Strategies: the list, and the editor (line numbers, inline errors from the validator, examples).
import { api, ApiError } from '../api.js';
import { h, toast, confirmDialog, sortableTable, statusBadge, problemAlert } from '../ui.js';
import { createEditor } from '../editor.js';
import { activationCard } from './live.js';
import * as f from '../format.js';

const INTERVALS = ['1d', '60m', '30m', '15m', '5m', '1m'];

export async function strategiesPage() {
  const [list, examples] = await Promise.all([api.get('/api/strategies'), api.get('/api/strategies/examples')]);
  const rows = list.map((s) => ({ ...s, last_return: s.last_backtest?.total_return ?? null }));

  async function remove(s) {
    if (!await confirmDialog(`Delete “${s.name}”?`, 'Its backtests are kept and stay labelled with its name.')) return;
    try {
      await api.del(`/api/strategies/${s.id}`);
      toast('Strategy deleted', 'ok');
      location.hash = '#/strategies';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (e) { toast(e.message, 'error'); }
  }

  const table = sortableTable([
    { key: 'name', label: 'Name', class: 'wrap', render: (s) => h('div', null, h('a', { href: `#/strategies/${s.id}` }, s.name), s.description ? h('div', { class: 'small muted' }, s.description.length > 90 ? s.description.slice(0, 88) + '…' : s.description) : null) },
    { key: 'kind', label: 'Kind', render: (s) => h('span', { class: `badge ${s.kind}` }, s.kind === 'builtin' ? 'Built-in' : 'Script'), hideSm: true },
    { key: 'symbols', label: 'Symbols', value: (s) => s.symbols.join(','), render: (s) => h('span', { class: 'mono' }, s.symbols.join(', ')), hideSm: true },
    { key: 'interval', label: 'Bars', hideSm: true },
    { key: 'version', label: 'Ver.', align: 'r', render: (s) => `v${s.version}`, hideSm: true },
    { key: 'last_return', label: 'Last return', align: 'r', defaultDesc: true, render: (s) => s.last_backtest
        ? (s.last_backtest.status === 'done' ? h('a', { href: `#/backtests/${s.last_backtest.id}`, class: f.dir(s.last_return) }, f.pct(s.last_return, 2, true)) : statusBadge(s.last_backtest.status))
        : h('span', { class: 'muted' }, 'not run') },
    { key: 'updated_at', label: 'Updated', align: 'r', defaultDesc: true, render: (s) => h('span', { class: 'muted', title: f.dateTime(s.updated_at) }, f.ago(s.updated_at)), hideSm: true },
    { key: 'actions', label: '', sortable: false, class: 'actions', render: (s) => h('span', { class: 'row', style: { justifyContent: 'flex-end', gap: '6px', flexWrap: 'nowrap' } },
        h('a', { class: 'btn small', href: `#/backtests/new?strategy=${s.id}` }, 'Backtest'),
        h('a', { class: 'btn small hide-sm', href: `#/sweeps/new?strategy=${s.id}` }, 'Sweep'),
        h('button', { class: 'btn small ghost danger', title: 'Delete', onclick: () => remove(s) }, 'Delete')) },
  ], rows, { initial: { key: 'updated_at', desc: true }, empty: 'No strategies yet.' });

  const exampleCards = h('div', { class: 'examples' }, examples.map((ex) => h('a', { class: 'example', href: `#/strategies/new?example=${ex.key}` },
    h('div', { class: 'row', style: { justifyContent: 'space-between' } }, h('strong', null, ex.name), h('span', { class: `badge ${ex.script.startsWith('builtin:') ? 'builtin' : 'script'}` }, ex.script.startsWith('builtin:') ? 'Built-in' : 'Script')),
    h('span', { class: 'd' }, ex.description))));

  return {
    title: 'Strategies',
    el: h('div', null,
      h('div', { class: 'page-head' },
        h('div', null, h('h1', null, 'Strategies'), h('p', { class: 'sub' }, 'Rules that decide what to hold. Every edit makes a new version; backtests keep the exact code they ran.')),
        h('div', { class: 'actions' }, h('a', { class: 'btn primary', href: '#/strategies/new' }, '+ New strategy'))),
      list.length ? h('div', { class: 'card' }, table) : null,
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, list.length ? 'Start from an example' : 'No strategies yet — start from an example'), h('span', { class: 'hint' }, 'Opens in the editor; nothing is saved until you save.')),
        h('div', { class: 'card-body' }, exampleCards))),
  };
}

function parseSymbols(text) {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean))];
}

export async function strategyEditorPage(id, q) {
  const [examples, coverage, existing, backtests, live] = await Promise.all([
    api.get('/api/strategies/examples'),
    api.get('/api/bars'),
    id ? api.get(`/api/strategies/${id}`) : null,
    id ? api.get(`/api/backtests?strategy_id=${id}`) : [],
    id ? api.get('/api/live').catch(() => null) : null,  // null: this daemon runs no live service
  ]);
  const example = examples.find((e) => e.key === q.get('example'));
  const blank = {
    name: '', description: '', interval: '1d', params: {},
    symbols: coverage.length ? [coverage[0].symbol] : [],
    script: '# Buy when the fast average crosses above the slow one; sell on the opposite cross.\nparam fast = 20\nparam slow = 60\n\nlet f = sma(close, fast)\nlet s = sma(close, slow)\n\nbuy  when crossover(f, s)\nsell when crossunder(f, s)\n\nsize 100% equity\n',
  };
  const start = existing || (example ? { ...example, description: example.description } : blank);
  let params = { ...(start.params || {}) };
  let declared = [];

  // ---- the form ----
  const name = h('input', { type: 'text', id: 'name', value: existing ? existing.name : example ? example.name : '', placeholder: 'e.g. Golden cross 20/60', maxlength: 100 });
  const description = h('textarea', { id: 'description', rows: 3, placeholder: 'What it does, and why', style: { resize: 'vertical' } });
  description.value = start.description || '';
  const symbols = h('input', { type: 'text', id: 'symbols', value: (start.symbols || []).join(', '), placeholder: '005930, 000660', autocomplete: 'off' });
  const interval = h('select', { id: 'interval' }, INTERVALS.map((i) => h('option', { value: i, selected: i === (start.interval || '1d') }, i === '1d' ? '1d (daily)' : i)));
  const symbolChips = h('div', { class: 'chips' });
  const paramsBox = h('div', { class: 'stack' });
  const fieldErrors = {};
  const fieldError = (key) => (fieldErrors[key] = h('div', { class: 'field-error', hidden: true }));
  const formAlert = h('div');

  function renderChips() {
    const current = new Set(parseSymbols(symbols.value));
    const available = [...new Set(coverage.filter((c) => c.interval === interval.value || c.interval === '1m').map((c) => c.symbol))];
    symbolChips.replaceChildren(...available.map((s) => h('label', { class: `chip${current.has(s) ? ' on' : ''}` },
      h('input', { type: 'checkbox', checked: current.has(s), onchange: (e) => {
        const now = parseSymbols(symbols.value).filter((x) => x !== s);
        if (e.target.checked) now.push(s);
        symbols.value = now.join(', ');
        renderChips();
      } }), s)));
    if (!available.length) symbolChips.append(h('span', { class: 'small muted' }, 'No data stored at this interval yet — ', h('a', { href: '#/data' }, 'load some'), '.'));
  }
  symbols.addEventListener('input', renderChips);
  interval.addEventListener('change', renderChips);
  renderChips();

  function renderParams() {
    if (!declared.length) {
      paramsBox.replaceChildren(h('span', { class: 'small muted' }, 'This strategy declares no parameters.'));
      return;
    }
    paramsBox.replaceChildren(h('div', { class: 'form-grid', style: { gridTemplateColumns: 'repeat(auto-fill, minmax(120px, 1fr))', gap: '10px' } },
      declared.map((p) => h('div', { class: 'field' },
        h('label', { title: p.help || '' }, p.name),
        h('input', { type: 'number', step: 'any', class: 'num-input', 'data-param': p.name, placeholder: String(p.default),
          value: params[p.name] ?? '', oninput: (e) => {
            if (e.target.value === '') delete params[p.name]; else params[p.name] = Number(e.target.value);
            scheduleValidate();
          } }),
        p.help ? h('span', { class: 'help' }, p.help) : null))),
    h('div', { class: 'small muted' }, 'Empty fields use the default shown. A backtest can override them again.'));
  }

  // ---- the editor and live validation ----
  const status = h('span', { class: 'validation pending', id: 'validation' }, 'Checking…');
  const diagList = h('ul', { class: 'diagnostics', id: 'diagnostics' });
  const editor = createEditor({ value: start.script, onChange: () => scheduleValidate() });
  let timer = null, seq = 0, lastValid = false;

  function scheduleValidate() {
    clearTimeout(timer);
    status.className = 'validation pending';
    status.textContent = 'Checking…';
    timer = setTimeout(validate, 250);
  }

  async function validate() {
    const mine = ++seq;
    try {
      const r = await api.post('/api/strategies/validate', { script: editor.value, params });
      if (mine !== seq) return;
      // Values of params the script no longer declares would make it invalid: drop them.
      if (!r.errors.some((e) => e.field === 'script')) {
        const declaredNames = new Set((r.params || []).map((p) => p.name));
        const stale = Object.keys(params).filter((k) => !declaredNames.has(k));
        if (stale.length) {
          for (const k of stale) delete params[k];
          scheduleValidate();
          return;
        }
      }
      showProblems(r.errors);
      lastValid = r.valid;
      declared = r.params || [];
      renderParams();
      status.className = `validation ${r.valid ? 'ok' : 'bad'}`;
      status.textContent = r.valid ? `✓ Valid${r.warmup_bars ? ` · warm-up ${r.warmup_bars} bars` : ''}` : `✕ ${f.plural(r.errors.length, 'problem')}`;
    } catch (e) {
      if (mine !== seq) return;
      status.className = 'validation bad';
      status.textContent = e instanceof ApiError ? e.message : 'Cannot check the script';
    }
  }

  function showProblems(errors) {
    const scriptErrors = errors.filter((e) => e.field !== 'params');
    editor.setDiagnostics(scriptErrors);
    diagList.replaceChildren(...errors.map((e) => h('li', { onclick: () => e.line && editor.reveal(e.line, e.column) },
      h('span', { class: 'pos' }, e.line ? `${e.line}:${e.column}` : e.field),
      h('span', null, e.text || e.message))));
  }

  // ---- save ----
  function clearErrors() {
    formAlert.replaceChildren();
    for (const el of Object.values(fieldErrors)) { el.hidden = true; el.textContent = ''; }
    for (const el of [name, symbols, interval]) el.classList.remove('invalid');
  }

  async function save(thenBacktest) {
    clearErrors();
    const body = { name: name.value.trim(), description: description.value, script: editor.value, symbols: parseSymbols(symbols.value), interval: interval.value, params };
    try {
      const saved = existing ? await api.put(`/api/strategies/${existing.id}`, body) : await api.post('/api/strategies', body);
      toast(existing ? `Saved as version ${saved.version}` : 'Strategy created', 'ok');
      location.hash = thenBacktest ? `#/backtests/new?strategy=${saved.id}` : `#/strategies/${saved.id}`;
      if (existing && !thenBacktest) window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const scriptErrors = e.errors.filter((x) => x.field === 'script' || x.line);
      if (scriptErrors.length) showProblems(e.errors);
      for (const err of e.errors) {
        const key = (err.field || '').split(/[.[]/)[0];
        const el = fieldErrors[key];
        if (el && key !== 'script') { el.textContent = err.message; el.hidden = false; }
        ({ name, symbols, interval })[key]?.classList.add('invalid');
      }
      formAlert.replaceChildren(problemAlert(e, 'Not saved.'));
    }
  }

  const saveBtn = h('button', { class: 'btn primary', id: 'save', onclick: () => save(false) }, existing ? 'Save new version' : 'Save strategy');
  const saveRun = h('button', { class: 'btn', id: 'save-run', onclick: () => save(true) }, 'Save & backtest');

  const exampleGallery = existing ? null : h('div', { class: 'card' },
    h('div', { class: 'card-head' }, h('h2', null, 'Start from an example'), h('span', { class: 'hint' }, 'Replaces the script below')),
    h('div', { class: 'card-body' }, h('div', { class: 'examples' }, examples.map((ex) => h('button', { class: 'example', type: 'button', 'data-example': ex.key, onclick: () => {
      editor.value = ex.script;
      if (!name.value || examples.some((x) => x.name === name.value)) name.value = ex.name;
      description.value = ex.description;
      symbols.value = ex.symbols.join(', ');
      interval.value = ex.interval;
      params = { ...ex.params };
      renderChips();
      scheduleValidate();
    } },
      h('div', { class: 'row', style: { justifyContent: 'space-between' } }, h('strong', null, ex.name), h('span', { class: `badge ${ex.script.startsWith('builtin:') ? 'builtin' : 'script'}` }, ex.script.startsWith('builtin:') ? 'Built-in' : 'Script')),
      h('span', { class: 'd' }, ex.description))))));

  const help = h('details', { class: 'more' }, h('summary', null, 'Language quick reference'),
    h('div', { class: 'card-body small', style: { paddingTop: 0 } },
      h('p', null, h('code', null, 'param NAME = 20'), ' · ', h('code', null, 'let x = sma(close, 20)'), ' · ', h('code', null, 'buy when EXPR'), ' · ', h('code', null, 'sell when EXPR'), ' · ', h('code', null, 'size 20% equity'), ' · ', h('code', null, 'stop_loss 7%'), ' · ', h('code', null, 'take_profit 10%'), ' · ', h('code', null, 'trailing_stop 8%')),
      h('p', { style: { marginTop: '6px' } }, 'Functions: sma ema wma rma rsi macd macd_signal macd_hist bb_upper bb_middle bb_lower stdev tr atr stoch_k stoch_d obv highest lowest roc change crossover crossunder abs log min max. ',
        'Fields: open high low close volume position entry_price bars_held unrealized. ', h('code', null, 'x[1]'), ' is the previous bar. Built-ins: ', h('code', null, 'builtin:sma_cross'), ', ', h('code', null, 'builtin:buy_and_hold'), '.')));

  const runs = existing ? h('div', { class: 'card' },
    h('div', { class: 'card-head' }, h('h2', null, 'Backtests of this strategy'), h('div', { class: 'row', style: { gap: '6px' } },
      h('a', { class: 'btn small', id: 'sweep-params', href: `#/sweeps/new?strategy=${existing.id}` }, 'Sweep parameters'),
      h('a', { class: 'btn small', href: `#/backtests/new?strategy=${existing.id}` }, 'New backtest'))),
    sortableTable([
      { key: 'id', label: 'Run', render: (b) => h('a', { href: `#/backtests/${b.id}` }, `#${b.id}`) },
      { key: 'strategy_version', label: 'Version', render: (b) => `v${b.strategy_version}` },
      { key: 'status', label: 'Status', render: (b) => statusBadge(b.status, b.progress) },
      { key: 'ret', label: 'Return', align: 'r', value: (b) => b.metrics?.total_return ?? null, render: (b) => h('span', { class: f.dir(b.metrics?.total_return) }, f.pct(b.metrics?.total_return, 2, true)) },
      { key: 'dd', label: 'Max DD', align: 'r', value: (b) => b.metrics?.max_drawdown ?? null, render: (b) => f.pct(-b.metrics?.max_drawdown), hideSm: true },
      { key: 'created_at', label: 'Created', align: 'r', render: (b) => h('span', { class: 'muted' }, f.ago(b.created_at)) },
    ], backtests, { initial: { key: 'id', desc: true }, empty: 'Not backtested yet.' })) : null;

  const el = h('div', null,
    h('div', { class: 'crumbs' }, h('a', { href: '#/strategies' }, 'Strategies'), ' / ', existing ? existing.name : 'New'),
    h('div', { class: 'page-head' },
      h('div', null,
        h('h1', null, existing ? existing.name : 'New strategy'),
        h('p', { class: 'sub' }, existing ? `Version ${existing.version} · updated ${f.ago(existing.updated_at)}` : 'Write rules, or start from an example. Problems show up as you type.')),
      h('div', { class: 'actions' }, saveRun, saveBtn)),
    exampleGallery,
    formAlert,
    h('div', { class: 'editor-layout' },
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, 'Script'), status),
        h('div', { class: 'card-body' }, editor.el, diagList),
        help),
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, 'Details')),
        h('div', { class: 'card-body stack' },
          h('div', { class: 'field' }, h('label', { for: 'name' }, 'Name'), name, fieldError('name')),
          h('div', { class: 'field' }, h('label', { for: 'symbols' }, 'Symbols'), symbols, symbolChips, fieldError('symbols')),
          h('div', { class: 'field' }, h('label', { for: 'interval' }, 'Bar interval'), interval, fieldError('interval')),
          h('div', { class: 'field' }, h('span', { class: 'label' }, 'Parameters'), paramsBox, fieldError('params')),
          h('div', { class: 'field' }, h('label', { for: 'description' }, 'Description'), description, fieldError('description'))))),
    h('div', { style: { height: '20px' } }),
    runs,
    existing && live ? activationCard(existing, live.sessions.find((x) => x.strategy_id === existing.id && !['stopped', 'failed'].includes(x.state)), live.defaults) : null);

  validate();
  return { el, title: existing ? existing.name : 'New strategy', cleanup: () => clearTimeout(timer), lastValid: () => lastValid };
}
