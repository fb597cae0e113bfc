// Security: how this browser is signed in, the login sessions (each revocable), and the audit log
// of every change made through the API, newest first, older pages on demand.
import { api, ApiError } from '../api.js';
import { h, confirmDialog, toast, problemAlert } from '../ui.js';
import * as f from '../format.js';

const VIA = {
  session: 'with the password (a login session)',
  token: 'with the API token',
  loopback: 'without credentials: none are configured, so only this machine can connect',
};

function sessionsCard(auth, sessions, reload) {
  if (!auth.password_set) {
    return h('div', { class: 'card', id: 'sessions' },
      h('div', { class: 'card-head' }, h('h2', null, 'Login sessions')),
      h('div', { class: 'card-body' }, h('p', { class: 'muted' },
        'No password is set. Run ', h('code', null, 'quantd passwd'), ' on the server to make the UI ask for one (required to listen beyond loopback without a token).')));
  }
  const revoke = async (s) => {
    if (!await confirmDialog('Revoke this session?', `The browser at ${s.client} (${s.user_agent || 'unknown browser'}) is logged out at once.`, 'Revoke')) return;
    try {
      await api.del(`/api/auth/sessions/${s.id}`);
      toast('Session revoked.');
      if (s.current) { location.reload(); return; }
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      toast(e.message, 'error');
    }
    reload();
  };
  return h('div', { class: 'card', id: 'sessions' },
    h('div', { class: 'card-head' }, h('h2', null, 'Login sessions'), h('span', { class: 'hint' }, 'A session ends 30 days after login, or after 7 days unused.')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', null, h('tr', null, h('th', null, 'Session'), h('th', null, 'Client'), h('th', { class: 'hide-sm' }, 'Browser'), h('th', null, 'Logged in'), h('th', null, 'Last seen'), h('th', { class: 'hide-sm' }, 'Ends'), h('th', null, ''))),
      h('tbody', null, sessions.length === 0
        ? h('tr', null, h('td', { colspan: 7, class: 'empty' }, 'Nobody is logged in.'))
        : sessions.map((s) => h('tr', { 'data-session': s.id },
          h('td', null, `#${s.id}`, s.current ? h('span', { class: 'badge done', style: { marginLeft: '6px' } }, 'this browser') : null),
          h('td', { class: 'mono small' }, s.client),
          h('td', { class: 'small hide-sm user-agent', title: s.user_agent }, s.user_agent || f.DASH),
          h('td', { class: 'small' }, f.dateTime(s.created_at)),
          h('td', { class: 'small' }, f.ago(s.last_seen_at)),
          h('td', { class: 'small hide-sm' }, f.date(s.expires_at)),
          h('td', { class: 'r' }, h('button', { class: 'btn small danger', 'data-revoke': s.id, onclick: () => revoke(s) }, 'Revoke'))))))));
}

function auditCard(first) {
  const tbody = h('tbody');
  const more = h('button', { class: 'btn small', id: 'audit-more' }, 'Load older');
  const moreRow = h('div', { class: 'table-more' }, more);
  let before = null;
  const add = (page) => {
    for (const e of page.entries) {
      tbody.append(h('tr', { 'data-audit': e.id },
        h('td', { class: 'small' }, f.dateTime(e.ts)),
        h('td', { class: 'small' }, e.actor),
        h('td', { class: 'mono small hide-sm' }, e.client),
        h('td', { class: 'mono small' }, e.method),
        h('td', { class: 'mono small' }, e.path),
        h('td', { class: `r num ${e.status >= 400 ? 'status-error' : ''}` }, String(e.status)),
        h('td', { class: 'small hide-sm' }, e.summary)));
    }
    if (tbody.children.length === 0) tbody.append(h('tr', null, h('td', { colspan: 7, class: 'empty' }, 'No changes recorded yet.')));
    before = page.next_before;
    moreRow.style.display = before === null ? 'none' : '';
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try { add(await api.get(`/api/audit?limit=100&before=${before}`)); } catch (e) { toast(e.message, 'error'); } finally { more.disabled = false; }
  });
  add(first);
  return h('div', { class: 'card', id: 'audit' },
    h('div', { class: 'card-head' }, h('h2', null, 'Audit log'), h('span', { class: 'hint' }, 'Every change made through the API, allowed or refused: who, from where, and the answer.')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', null, h('tr', null, h('th', null, 'Time'), h('th', null, 'Who'), h('th', { class: 'hide-sm' }, 'Client'), h('th', null, 'Method'), h('th', null, 'Path'), h('th', { class: 'r' }, 'Status'), h('th', { class: 'hide-sm' }, 'Summary'))),
      tbody)),
    moreRow);
}

export async function securityPage() {
  const el = h('div');
  async function load() {
    try {
      const [auth, sessions, audit] = await Promise.all([
        api.get('/api/auth'),
        api.get('/api/auth/sessions'),
        api.get('/api/audit?limit=100'),
      ]);
      el.replaceChildren(
        h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Security'),
          h('p', { class: 'sub', id: 'signed-in' }, `This browser is signed in ${VIA[auth.via] || auth.via}.`))),
        sessionsCard(auth, sessions, load),
        auditCard(audit));
    } catch (e) {
      el.replaceChildren(problemAlert(e, 'Could not load the security page'));
    }
  }
  await load();
  return { title: 'Security', el };
}
