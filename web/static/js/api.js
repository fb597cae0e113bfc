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
  upload: (path, file, onProgress) => uploadFile(path, file, onProgress),
};

// Sends a File (or Blob) as a text/csv body with XMLHttpRequest, which, unlike fetch, reports
// upload progress: onProgress(sentBytes, totalBytes) as the bytes leave. The browser reads the
// file from disk as it sends, so a file of any size never sits in the page's memory; the server
// spools it to disk (server.upload_limit_bytes). Resolves with the JSON answer; rejects with an
// ApiError like request().
function uploadFile(path, file, onProgress, retried = false) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', 'text/csv');
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    if (onProgress) {
      xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    }
    xhr.onerror = () => reject(new ApiError(0, { title: 'Network error', detail: 'Cannot reach the quantd server, or it closed the connection during the upload.' }));
    xhr.onload = async () => {
      if (xhr.status === 401 && !retried && askAuth) {
        if (await askAuth()) { uploadFile(path, file, onProgress, true).then(resolve, reject); return; }
      }
      const type = xhr.getResponseHeader('Content-Type') || '';
      let data = null;
      if (type.includes('json')) {
        try { data = JSON.parse(xhr.responseText); } catch { /* keep null */ }
      }
      if (xhr.status >= 200 && xhr.status < 300) { resolve(data); return; }
      const problem = data || { title: xhr.statusText, detail: `The server answered ${xhr.status}.` };
      const retry = xhr.getResponseHeader('Retry-After');
      if (retry) problem.retryAfter = Number(retry);
      reject(new ApiError(xhr.status, problem));
    };
    xhr.send(file);
  });
}

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
