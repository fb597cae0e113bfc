// The REST client and the live event stream. Errors are RFC 9457 problem documents; an ApiError
// carries the problem (title, detail, errors[]) so forms can show each field's message.
// Credentials: a login session's cookie (HttpOnly: set and sent by the browser, never seen here),
// or an API token kept in sessionStorage (this tab only, gone when it closes; never localStorage).
const TOKEN_KEY = 'quantd.token';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }
}

let askAuth = null;  // set by the app: asks for a login or a token, resolves true once it has one
export function onAuthNeeded(fn) { askAuth = fn; }
export function setToken(token) { sessionStorage.setItem(TOKEN_KEY, token); }

async function request(method, path, { body, json, headers = {}, raw = false } = {}, retried = false) {
  const h = { Accept: 'application/json', ...headers };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h.Authorization = `Bearer ${token}`;
  let payload = body;
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(json);
  }
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload });
  } catch (e) {
    throw new ApiError(0, { title: 'Network error', detail: 'Cannot reach the quantd server. Is it running?' });
  }
  // A wrong password is the login form's to show, and an ended session needs no login to log
  // out; anything else asks for credentials once.
  if (res.status === 401 && !retried && askAuth && path !== '/api/login' && path !== '/api/logout') {
    if (await askAuth()) return request(method, path, { body, json, headers, raw }, true);
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  if (!res.ok) {
    let problem = null;
    if (type.includes('json')) {
      try { problem = await res.json(); } catch { /* keep null */ }
    }
    if (!problem) problem = { title: res.statusText, detail: `The server answered ${res.status}.` };
    const retry = res.headers.get('Retry-After');
    if (retry) problem.retryAfter = Number(retry);
    throw new ApiError(res.status, problem);
  }
  if (raw) return res.text();
  return type.includes('json') ? res.json() : res.text();
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, json) => request('POST', path, { json }),
  put: (path, json) => request('PUT', path, { json }),
  patch: (path, json) => request('PATCH', path, { json }),
  del: (path) => request('DELETE', path),
  upload: (path, text) => request('POST', path, { body: text, headers: { 'Content-Type': 'text/csv' } }),
};

// ---- server-sent events: one EventSource for the whole app ----
const listeners = new Map();  // event name -> Set(fn)
let source = null;
let statusFn = () => {};

export function onLiveStatus(fn) { statusFn = fn; }

export function subscribe(event, fn) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(fn);
  return () => listeners.get(event)?.delete(fn);
}

function dispatch(event, data) {
  for (const fn of listeners.get(event) || []) {
    try { fn(data); } catch (e) { console.error(e); }
  }
}

// (Re)opens the stream: after a login, since EventSource gives up for good on a 401.
export function connectEvents() {
  if (source && source.readyState !== EventSource.CLOSED) return;
  source = new EventSource('/api/events');
  source.onopen = () => { statusFn(true); dispatch('reconnected', {}); };
  source.onerror = () => statusFn(false);  // EventSource reconnects by itself
  for (const name of ['backtest', 'sweep', 'bars', 'bars.download', 'strategies', 'live.session', 'live.order', 'live.fill', 'live.cycle', 'live.account', 'live.reconciliation']) {
    source.addEventListener(name, (e) => {
      let data = {};
      try { data = JSON.parse(e.data); } catch { return; }
      dispatch(name, data);
    });
  }
}
