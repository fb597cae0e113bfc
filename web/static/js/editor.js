// A small code editor for the strategy language: line numbers, highlighting, and the validator's
// errors drawn inline (a wavy underline at line:column, the line tinted, the message at the line's
// end). A transparent <textarea> sits on a highlighted <pre> with identical metrics; both grow with
// the text so one scroll container moves gutter, text and highlights together.
import { h } from './ui.js';

const KEYWORDS = new Set(['param', 'let', 'buy', 'sell', 'when', 'size', 'stop_loss', 'take_profit', 'trailing_stop',
  'and', 'or', 'not', 'equity', 'krw', 'shares', 'builtin']);
const FIELDS = new Set(['open', 'high', 'low', 'close', 'volume', 'position', 'entry_price', 'bars_held', 'unrealized']);

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Token classes per character of one line.
function classify(line) {
  const cls = new Array(line.length).fill('');
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '#') { cls.fill('tok-comment', i); break; }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(line[i + 1] || ''))) {
      let j = i + 1;
      while (j < line.length && /[0-9.]/.test(line[j])) j++;
      if (line[j] === '%') j++;
      cls.fill('tok-num', i, j);
      i = j;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < line.length && /[A-Za-z0-9_]/.test(line[j])) j++;
      const word = line.slice(i, j);
      let k = j;
      while (line[k] === ' ') k++;
      const kind = KEYWORDS.has(word) ? 'tok-kw' : line[k] === '(' ? 'tok-fn' : FIELDS.has(word) ? 'tok-field' : '';
      cls.fill(kind, i, j);
      i = j;
      continue;
    }
    i++;
  }
  return cls;
}

// The [start, end) character range an error covers on its line.
function errorRange(line, column, length) {
  const start = Math.max(0, column - 1);
  if (length > 0) return [start, start + length];
  if (start < line.length && /[A-Za-z0-9_.%]/.test(line[start])) {
    let end = start;
    while (end < line.length && /[A-Za-z0-9_.%]/.test(line[end])) end++;
    return [start, end];
  }
  return [start, start + 1];
}

function renderLine(line, errs) {
  const cls = classify(line);
  const err = new Array(Math.max(line.length, 0)).fill(false);
  let text = line;
  for (const e of errs) {
    if (!e.column) continue;
    const [s, t] = errorRange(line, e.column, e.length || 0);
    while (text.length < t) { text += ' '; cls.push(''); err.push(false); }
    for (let i = s; i < t; i++) err[i] = true;
  }
  let out = '';
  let i = 0;
  while (i < text.length) {
    let j = i + 1;
    while (j < text.length && cls[j] === cls[i] && err[j] === err[i]) j++;
    const classes = [cls[i], err[i] ? 'tok-err' : ''].filter(Boolean).join(' ');
    const chunk = esc(text.slice(i, j));
    out += classes ? `<span class="${classes}">${chunk}</span>` : chunk;
    i = j;
  }
  if (errs.length) {
    const msg = errs[0].text || errs[0].message;
    out += `<span class="lens">● ${esc(msg.length > 110 ? msg.slice(0, 107) + '…' : msg)}</span>`;
  }
  return out;
}

export function createEditor({ value = '', onChange, placeholder = '' } = {}) {
  const gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' });
  const pre = h('pre', { 'aria-hidden': 'true' });
  const textarea = h('textarea', { spellcheck: false, autocapitalize: 'off', autocomplete: 'off', wrap: 'off', 'aria-label': 'Strategy script', placeholder });
  textarea.setAttribute('autocorrect', 'off');
  const root = h('div', { class: 'editor' }, gutter, h('div', { class: 'code' }, pre, textarea));
  let diagnostics = [];

  function render() {
    const lines = textarea.value.split('\n');
    const byLine = new Map();
    for (const d of diagnostics) {
      if (!d.line) continue;
      if (!byLine.has(d.line)) byLine.set(d.line, []);
      byLine.get(d.line).push(d);
    }
    pre.innerHTML = lines.map((l, i) => {
      const errs = byLine.get(i + 1) || [];
      return `<span class="ln${errs.length ? ' err' : ''}">${renderLine(l, errs) || ' '}</span>`;
    }).join('');
    gutter.replaceChildren(...lines.map((_, i) => h('div', { class: byLine.has(i + 1) ? 'err' : '', title: byLine.get(i + 1)?.map((e) => e.message).join('\n') }, String(i + 1))));
    const cols = Math.max(...lines.map((l) => l.length), 20);
    textarea.style.height = `${Math.max(lines.length, 12) * 20 + 20}px`;
    textarea.style.width = `max(100%, calc(${cols + 2}ch + 24px))`;
    root.dataset.errors = String(diagnostics.length);
  }

  textarea.addEventListener('input', () => { render(); onChange?.(textarea.value); });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      const { selectionStart: s, selectionEnd: t } = textarea;
      textarea.setRangeText('  ', s, t, 'end');
      render();
      onChange?.(textarea.value);
    }
  });

  textarea.value = value;
  render();

  return {
    el: root,
    textarea,
    get value() { return textarea.value; },
    set value(v) { textarea.value = v; render(); },
    setDiagnostics(list) { diagnostics = list || []; render(); },
    // Puts the caret at line:column and scrolls it into view.
    reveal(line, column = 1) {
      const lines = textarea.value.split('\n');
      let pos = 0;
      for (let i = 0; i < Math.min(line - 1, lines.length); i++) pos += lines[i].length + 1;
      pos += Math.max(0, column - 1);
      textarea.focus();
      textarea.setSelectionRange(pos, pos);
      const top = (line - 1) * 20;
      if (top < root.scrollTop || top > root.scrollTop + root.clientHeight - 40) root.scrollTop = Math.max(0, top - 60);
    },
  };
}
