// Daemon status page: reads /api/health and refreshes it every few seconds.
const $ = (id) => document.getElementById(id);

function formatUptime(seconds) {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

function seoul(iso) {
  return new Date(iso).toLocaleString('en-GB', { timeZone: 'Asia/Seoul', dateStyle: 'medium', timeStyle: 'short' }) + ' KST';
}

async function refresh() {
  try {
    const res = await fetch('/api/health');
    const h = await res.json();
    $('version').textContent = `v${h.version}`;
    $('status').textContent = h.status;
    $('status').className = h.status === 'ok' ? 'ok' : 'error';
    $('uptime').textContent = formatUptime(h.uptime_seconds);
    $('database').textContent = h.database.ok ? 'ok' : 'unavailable';
    $('backtest-queue').textContent = `${h.queues.backtest.depth} / ${h.queues.backtest.capacity} · ${h.workers.backtest.threads} worker(s)`;
    $('live-queue').textContent = `${h.queues.live.depth} / ${h.queues.live.capacity} · ${h.workers.live.threads} worker(s)`;
    $('next-tick').textContent = h.scheduler.enabled ? seoul(h.scheduler.next_wake) : 'scheduler off';
    $('error').hidden = true;
  } catch (e) {
    $('error').textContent = `Cannot reach the daemon: ${e.message}`;
    $('error').hidden = false;
  }
}

refresh();
setInterval(refresh, 5000);
