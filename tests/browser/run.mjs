// The UI end to end in headless Chromium: write a strategy with an error and see it inline, fix
// it, load the sample data (and see a bad CSV's rows listed), run a backtest and watch its
// progress reach 100%, see the metrics and the charts drawn, sort the trades, export CSV, run a
// second backtest and compare the two; then the main pages at phone width. Then a sweep of two
// parameters (heatmap, sorted runs, the best opened as a backtest) and a walk-forward analysis.
//
// Then "Download from KIS" on the Data page against kis-mock: progress, stop, resume, done.
// Last, the login: a password set with `quantd passwd`, the form, a wrong and a right password,
// live updates over the session cookie, the Security page's sessions and audit log, and logout.
//
// usage: node run.mjs QUANTD_BINARY SCREENSHOT_DIR [KIS_MOCK_BINARY]
// (QUANTD_STATIC_DIR=web/static serves the UI from disk instead of the binary's embedded copy.)
// Starts its own quantd on 127.0.0.1 (port 0) with a temporary database; exits non-zero on the
// first failed check, naming it. Screenshots (PNG) are written to SCREENSHOT_DIR.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'package.json'));
const { chromium } = require('playwright-core');

const [binary, shots, kisMockBinary] = process.argv.slice(2);
if (!binary || !shots) {
  console.error('usage: node run.mjs QUANTD_BINARY SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'quantd-browser-'));
const CHROMIUM = process.env.QUANTD_CHROMIUM || '/usr/bin/chromium';
const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

let daemon = null;
let kisMock = null;
let context = null;
let step = 'start';
const pageErrors = [];

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

// QUANTD_STATIC_DIR: serve the UI from that folder (server.static_dir) instead of the copy the
// binary embeds, to test UI edits without a rebuild. CI leaves it unset.
const STATIC_DIR = process.env.QUANTD_STATIC_DIR || '';
const staticToml = () => (STATIC_DIR ? `[server]\nstatic_dir = ${JSON.stringify(STATIC_DIR)}\n` : '');

async function startDaemon(db = 'quantd.db', extra = [], env = {}) {
  if (STATIC_DIR && !extra.includes('--config')) {
    writeFileSync(join(work, 'static.toml'), staticToml());
    extra = [...extra, '--config', join(work, 'static.toml')];
  }
  const proc = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--db', join(work, db), ...extra], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`quantd did not start:\n${log}`)), 20000);
    proc.stderr.on('data', (d) => {
      log += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`quantd exited with ${code}:\n${log}`)); });
  });
  const daemonLog = { text: log };
  proc.stderr.on('data', (d) => { daemonLog.text = (daemonLog.text + d).slice(-20000); });  // keep draining
  return { proc, port, log: daemonLog };
}

async function shot(page, name, fullPage = true) {
  await page.waitForTimeout(250);  // let charts finish their animation frame
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
  console.log(`  screenshot ${name}.png`);
}

async function run() {
  step = 'start quantd';
  daemon = await startDaemon();
  const base = `http://127.0.0.1:${daemon.port}`;
  console.log(`quantd on ${base}`);

  step = 'launch chromium';
  check(existsSync(CHROMIUM), `${CHROMIUM} exists (Debian package chromium)`);
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: LAPTOP,
    acceptDownloads: true,
    timezoneId: 'America/New_York',  // the UI must show Seoul time whatever the browser's zone
  });
  context.setDefaultTimeout(20000);
  const page = context.pages()[0] || await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // 4xx answers the test provokes on purpose are logged by Chromium as "Failed to load resource".
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });

  step = 'welcome page';
  await page.goto(base);
  await page.getByRole('heading', { name: 'Welcome to quantd' }).waitFor();
  await page.locator('.live.on').waitFor();  // the SSE stream is connected
  await shot(page, '01-welcome', false);

  step = 'write a strategy with an error and see it inline';
  await page.click('text=Strategies');
  await page.click('text=+ New strategy');
  await page.locator('.editor textarea').waitFor();
  await page.locator('#validation.ok').waitFor();  // the starting script is valid
  const broken = [
    '# Golden cross, with a typo on line 5',
    'param fast = 20',
    'param slow = 60',
    '',
    'let f = smaa(close, fast)',
    'let s = sma(close, slow)',
    '',
    'buy  when crossover(f, s)',
    'sell when crossunder(f, s)',
    '',
  ].join('\n');
  await page.fill('.editor textarea', broken);
  await page.locator('#validation.bad').waitFor();
  const diag = await page.locator('#diagnostics li').first().innerText();
  check(diag.includes('5:9') && diag.includes("did you mean 'sma'"), `the error names 5:9 and suggests sma (got "${diag}")`);
  check(await page.locator('.editor pre .ln.err').count() === 1, 'one line is marked as erroneous');
  const marked = await page.locator('.editor pre .tok-err').first().innerText();
  check(marked === 'smaa', `the misspelled name is underlined (got "${marked}")`);
  const lens = await page.locator('.editor pre .lens').first().innerText();
  check(lens.includes('unknown function'), 'the message shows at the end of the line');
  check(await page.locator('.editor .gutter div.err').innerText() === '5', 'the gutter marks line 5');
  await page.fill('#name', 'Golden cross 20/60');
  await page.fill('#symbols', 'SAMPLE-A');
  await shot(page, '02-editor-inline-error');
  // Saving is refused with the same error.
  await page.click('#save');
  await page.locator('.alert.error').waitFor();
  check(page.url().endsWith('#/strategies/new'), 'an invalid strategy is not saved');

  step = 'fix the error and save';
  await page.fill('.editor textarea', broken.replace('smaa', 'sma'));
  await page.locator('#validation.ok').waitFor();
  check(await page.locator('.editor pre .tok-err').count() === 0, 'no underline once fixed');
  check(await page.locator('input[data-param="fast"]').count() === 1, 'declared params become inputs');
  await page.click('#save');
  await page.waitForURL(/#\/strategies\/\d+$/);
  await page.getByRole('heading', { name: 'Golden cross 20/60' }).waitFor();
  const strategyId = Number(page.url().split('/').pop());

  step = 'load sample data; a bad CSV lists its rows';
  await page.click('nav >> text=Data');
  await page.locator('#load-sample').click();
  await page.locator('#coverage tbody tr', { hasText: 'SAMPLE-C' }).waitFor();
  check(await page.locator('#coverage .badge.synthetic').count() === 3, 'three series labelled synthetic');
  const badCsv = 'date,open,high,low,close,volume\n2024-01-02,100,110,95,105,1000\n2024-01-03,105,100,101,110,1200\n2024-01-04,110,111,100,102,-5\n';
  await page.fill('#import-symbol', 'MYCSV');
  await page.setInputFiles('#import-file', { name: 'prices.csv', mimeType: 'text/csv', buffer: Buffer.from(badCsv) });
  await page.click('#import');
  await page.locator('#row-errors tbody tr').nth(1).waitFor();
  const rows = await page.locator('#row-errors tbody tr td:first-child').allInnerTexts();
  check(rows.join(',') === '3,4', `bad rows 3 and 4 listed (got ${rows})`);
  check(await page.locator('#coverage tbody tr', { hasText: 'MYCSV' }).count() === 0, 'nothing was imported');
  check((await page.locator('#kis-unavailable').innerText()).includes('KIS is not configured'), 'without KIS keys the download card says what to set');
  await shot(page, '03-data');

  step = 'run a backtest and watch the progress reach 100%';
  await page.goto(`${base}/#/backtests/new?strategy=${strategyId}`);
  await page.locator('#run').waitFor();
  check(await page.inputValue('#cash') === '100,000,000', 'capital defaults to ₩100,000,000 with separators');
  check((await page.inputValue('#from')).startsWith('2019-01-0'), 'the period defaults to the data available');
  await page.evaluate(() => {
    // Record every percentage the progress bar shows.
    window.__progress = [];
    new MutationObserver(() => {
      const el = document.querySelector('#launch-pct');
      if (el) window.__progress.push(el.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.click('#run');
  await page.locator('#launch-pct', { hasText: '100%' }).waitFor();
  await shot(page, '04-backtest-progress', false);
  const seen = await page.evaluate(() => window.__progress);
  check(seen.includes('100%'), `progress reached 100% (saw ${[...new Set(seen)].join(' ')})`);

  step = 'see the metrics and the charts drawn';
  await page.waitForURL(/#\/backtests\/\d+$/);
  const firstRun = Number(page.url().split('/').pop());
  await page.locator('#metrics').waitFor();
  const totalReturn = await page.locator('[data-metric="total_return"] .v').innerText();
  check(/^[+−]\d+\.\d\d%$/.test(totalReturn), `total return is a signed percentage (got "${totalReturn}")`);
  const equity = await page.locator('[data-metric="final_equity"] .v').innerText();
  check(/^₩\d{1,3}(,\d{3})+$/.test(equity), `final equity is KRW with separators (got "${equity}")`);
  for (const id of ['#equity-chart', '#drawdown-chart', '#candle-chart']) {
    await page.locator(`${id}[data-points]`).waitFor();
    const points = Number(await page.getAttribute(id, 'data-points'));
    check(points > 1000, `${id} drew ${points} points`);
    check(await page.locator(`${id} canvas`).count() > 0, `${id} has a canvas`);
  }
  const markers = Number(await page.getAttribute('#candle-chart', 'data-markers'));
  check(markers > 0, `buy/sell markers on the candles (${markers})`);
  const tradeCount = await page.locator('#trades tbody tr').count();
  check(tradeCount > 0, 'trades listed');
  await shot(page, '05-result');

  step = 'pin the run so retention keeps it';
  await page.click('#pin');
  await page.locator('#pin', { hasText: 'Unpin' }).waitFor();
  const pinned = await page.evaluate(async (id) => (await fetch(`/api/backtests/${id}`)).json(), firstRun);
  check(pinned.pinned === true, `the run is pinned on the server (pinned=${pinned.pinned})`);

  step = 'sort the trades and export CSV';
  await page.click('#trades th[data-key="pnl"]');
  const pnls = (await page.locator('#trades tbody tr td:nth-child(8)').allInnerTexts())
    .map((t) => Number(t.replace(/[₩,+]/g, '').replace('−', '-')));
  check(pnls.every((v, i) => i === 0 || pnls[i - 1] >= v), `P&L sorted descending (${pnls.join(' ')})`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-trades')]);
  const csvText = readFileSync(await download.path(), 'utf8');
  check(csvText.startsWith('entry_time_kst,exit_time_kst,symbol'), 'trades CSV has its header');
  check(csvText.trim().split('\n').length === tradeCount + 1, 'one CSV row per trade');

  step = 'run a second backtest with other parameters';
  await page.goto(`${base}/#/backtests/new?strategy=${strategyId}`);
  await page.locator('input[data-param="fast"]').fill('10');
  await page.locator('input[data-param="slow"]').fill('30');
  await page.click('#run');
  await page.waitForURL((u) => /#\/backtests\/\d+$/.test(u.hash) && !u.hash.endsWith(`/${firstRun}`));
  await page.locator('#metrics').waitFor();

  step = 'compare the two runs';
  await page.click('nav >> text=Backtests');
  await page.locator('#backtests tbody tr').nth(1).waitFor();
  const boxes = page.locator('#backtests input.select');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.click('#compare');
  await page.locator('#compare-chart[data-points]').waitFor();
  check(Number(await page.getAttribute('#compare-chart', 'data-points')) > 1000, 'both equity curves drawn');
  check(await page.locator('#compare-table thead th').count() === 3, 'two run columns');
  check(await page.locator('#compare-table .compare-best').count() > 0, 'best values marked');
  await shot(page, '06-compare');

  step = 'phone width';
  await page.setViewportSize(PHONE);
  await page.goto(`${base}/#/backtests/${firstRun}`);
  await page.locator('#equity-chart[data-points]').waitFor();
  const fitsPhone = async (what) => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `no sideways scrolling on the ${what} page at 390 px (overflow ${overflow}px)`);
  };
  await fitsPhone('result');
  await shot(page, '07-phone-result');
  await page.goto(`${base}/#/strategies/${strategyId}`);
  await page.locator('#validation.ok').waitFor();
  await fitsPhone('editor');
  await shot(page, '08-phone-editor', false);
  await page.goto(`${base}/#/data`);
  await page.locator('#coverage tbody tr').first().waitFor();
  await fitsPhone('data');
  await shot(page, '09-phone-data', false);
  await page.goto(`${base}/#/compare?ids=${firstRun},${firstRun + 1}`);
  await page.locator('#compare-chart[data-points]').waitFor();
  await fitsPhone('compare');

  await runSweeps(page, base, strategyId, fitsPhone);
  await runLive(page, fitsPhone);
  await runDemo(page, fitsPhone);
  await runAttention(page);
  if (kisMockBinary) await runKisDownload(page);
  else console.log('  (no kis-mock binary given: the KIS download part is skipped)');
  await runLogin(page);
  check(pageErrors.length === 0, `no errors in the page: ${pageErrors.join(' | ')}`);
}

// Sweeps from the browser: vary `fast` over a list and `slow` over a range, watch the heatmap
// fill in, sort the runs by Sharpe, open the best as a backtest; then a walk-forward analysis
// with its out-of-sample curve, PBO and walk-forward efficiency. Laptop and phone.
async function runSweeps(page, base, strategyId, fitsPhone) {
  const getJson = async (path) => (await fetch(`${base}${path}`)).json();
  // Sets the varying parameters of the new-sweep form: fast as a list, slow as a range.
  const fillGrid = async (fast, [from, to, stepBy]) => {
    await page.locator('[data-param-mode="fast"]').waitFor();
    await page.selectOption('[data-param-mode="fast"]', 'list');
    await page.fill('[data-param-list="fast"]', fast);
    await page.selectOption('[data-param-mode="slow"]', 'range');
    await page.fill('[data-param-from="slow"]', String(from));
    await page.fill('[data-param-to="slow"]', String(to));
    await page.fill('[data-param-step="slow"]', String(stepBy));
  };

  step = 'sweeps: a grid of two parameters, with its run count before submitting';
  await page.setViewportSize(LAPTOP);
  await page.goto(`${base}/#/sweeps/new?strategy=${strategyId}`);
  await fillGrid('5, 10, 20', [30, 90, 10]);
  await page.locator('#run-count[data-runs="21"]').waitFor();
  check((await page.locator('#run-count').innerText()).includes('3 × 7'), 'the run count shows the grid as 3 × 7');
  await page.selectOption('#metric', 'sharpe');
  await shot(page, '24-sweep-form');
  await page.evaluate(() => {
    // Record every count of filled cells the heatmap shows, to see it fill in live.
    window.__filled = [];
    new MutationObserver(() => {
      const el = document.querySelector('#heatmap');
      if (el) window.__filled.push(Number(el.dataset.filled));
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.click('#sweep-run');
  await page.waitForURL(/#\/sweeps\/\d+$/);
  const sweepId = Number(page.url().split('/').pop());

  step = 'sweeps: the heatmap fills in and the sweep is done';
  await page.locator('#heatmap[data-filled="21"]').waitFor({ timeout: 60000 });
  await page.locator('#sweep-status[data-status="done"]').waitFor({ timeout: 60000 });
  check(await page.getAttribute('#heatmap', 'data-cells') === '21', 'one cell per (fast, slow) combination');
  check(await page.locator('#heatmap .heat-cell[data-state="done"][data-value]').count() === 21, 'all 21 cells are colored by a value');
  check((await page.locator('#sweep-pct').innerText()) === '100%', 'the progress bar reached 100%');
  const filledSeen = [...new Set(await page.evaluate(() => window.__filled))];
  console.log(`  heatmap filled counts seen: ${filledSeen.join(' ')}`);
  check(filledSeen.includes(21), 'the heatmap reached 21 filled cells');
  const legend = [await page.locator('#legend-min').innerText(), await page.locator('#legend-max').innerText()];
  check(legend.every((t) => /^−?\d+\.\d\d$/.test(t)), `the legend shows the Sharpe min and max (${legend.join(', ')})`);
  await page.locator('#heatmap .heat-cell[data-x="60"][data-y="10"]').hover();
  await page.locator('#heat-tip:not([hidden])').waitFor();
  const tip = await page.locator('#heat-tip').innerText();
  check(tip.includes('fast=10') && tip.includes('slow=60') && tip.includes('Sharpe'), `hovering a cell shows its parameters and metric (${tip.replace(/\n/g, ' / ')})`);
  const pbo = await page.locator('#pbo').innerText();
  check(/^\d+\.\d%$/.test(pbo), `PBO shown as a percentage (${pbo})`);
  check((await page.locator('#pbo-text').innerText()).includes('no better than the median out of sample'), 'PBO is explained in a sentence');
  check(await page.locator('#pbo-histogram svg rect').count() > 0, 'the logit histogram is drawn');

  step = 'sweeps: sort the runs by Sharpe';
  const api = await getJson(`/api/sweeps/${sweepId}`);
  check(api.status === 'done' && api.runs.length === 21, `the server stored 21 runs (${api.runs.length})`);
  await page.click('#sweep-runs th[data-key="sharpe"]');
  const heads = await page.locator('#sweep-runs thead th').allInnerTexts();
  const col = heads.findIndex((t) => t.trim().toUpperCase().startsWith('SHARPE')) + 1;
  check(col > 0, `a Sharpe column (${heads.join('|')})`);
  const sharpes = (await page.locator(`#sweep-runs tbody tr td:nth-child(${col})`).allInnerTexts()).map((t) => Number(t.replace('−', '-')));
  check(sharpes.length === 21 && sharpes.every((v, i) => i === 0 || sharpes[i - 1] >= v), `Sharpe sorted descending (${sharpes.join(' ')})`);
  const bestRun = api.runs.find((r) => r.task === api.summary.best.task);
  check(await page.locator('#sweep-runs tbody tr').first().getAttribute('data-run') === String(bestRun.run), `the best run (#${bestRun.run}) is on top`);
  await shot(page, '25-sweep-heatmap');

  step = 'sweeps: open the best run as a backtest';
  await page.click('#open-best');
  await page.waitForURL(/#\/backtests\/\d+$/);
  await page.locator('#metrics').waitFor({ timeout: 60000 });
  const sharpeShown = await page.locator('[data-metric="sharpe"] .v').innerText();
  check(Number(sharpeShown.replace('−', '-')) === sharpes[0], `the backtest has the best run's Sharpe (${sharpeShown} vs ${sharpes[0]})`);
  check(await page.locator('#notice').count() === 0, 'no notice: the bars are the ones the sweep saw');
  const backtestId = Number(page.url().split('/').pop());
  const bt = await getJson(`/api/backtests/${backtestId}`);
  check(bt.params.fast === bestRun.params.fast && bt.params.slow === bestRun.params.slow, 'the backtest ran with the best parameters');

  step = 'sweeps: the sweep page at phone width';
  await page.setViewportSize(PHONE);
  await page.goto(`${base}/#/sweeps/${sweepId}`);
  await page.locator('#heatmap[data-filled="21"]').waitFor();
  await fitsPhone('sweep');
  await shot(page, '26-phone-sweep');

  step = 'sweeps: a refused walk-forward names its field';
  await page.setViewportSize(LAPTOP);
  await page.goto(`${base}/#/sweeps/new?strategy=${strategyId}`);
  await fillGrid('5, 10, 20', [30, 90, 30]);
  await page.check('#wf-on');
  await page.fill('#wf-in', '5000');
  await page.click('#sweep-run');
  await page.locator('[data-error-for="walk_forward.in_sample_days"]:not([hidden])').waitFor();
  check((await page.locator('[data-error-for="walk_forward.in_sample_days"]').innerText()).includes('longer than the data'), 'the error is next to the in-sample field');

  step = 'sweeps: a walk-forward analysis';
  await page.fill('#wf-in', '730');
  await page.fill('#wf-out', '365');
  await page.locator('#run-count[data-runs="49"]').waitFor();  // 9 sets + 4 windows × (9 + 1)
  await page.click('#sweep-run');
  await page.waitForURL((u) => /#\/sweeps\/\d+$/.test(u.hash) && !u.hash.endsWith(`/${sweepId}`));
  await page.locator('#sweep-status[data-status="done"]').waitFor({ timeout: 60000 });
  await page.locator('#wf-chart[data-points]').waitFor();
  check(Number(await page.getAttribute('#wf-chart', 'data-points')) > 100, 'the out-of-sample and in-sample curves are drawn');
  const efficiency = await page.locator('#wf-efficiency').innerText();
  check(/^(−?\d+\.\d\d|n\/a)$/.test(efficiency), `walk-forward efficiency shown (${efficiency})`);
  check(/^[+−]?\d+\.\d\d%$/.test(await page.locator('#wf-oos-return').innerText()), 'out-of-sample total return shown');
  check(/^[+−]?\d+\.\d\d%$/.test(await page.locator('#wf-oos-annualized').innerText()), 'out-of-sample annualized return shown');
  check(/^\d+\.\d%$/.test(await page.locator('#pbo').innerText()), 'PBO shown for the walk-forward');
  check((await page.locator('#wf-text').innerText()).includes('out-of-sample return'), 'the efficiency is explained in a sentence');
  check(await page.locator('#wf-windows tbody tr').count() === 4, 'four walk-forward windows listed');
  check(await page.locator('#sweep-runs thead th[data-key="phase"]').count() === 1, 'the run table has a phase column');
  await shot(page, '27-walk-forward');
  await page.setViewportSize(PHONE);
  await fitsPhone('walk-forward');
  await shot(page, '28-phone-walk-forward');

  step = 'sweeps: the list';
  await page.goto(`${base}/#/sweeps`);
  await page.locator('#sweeps tbody tr[data-status="done"]').nth(1).waitFor();
  await fitsPhone('sweeps list');
  await page.setViewportSize(LAPTOP);
  await page.locator(`#sweeps tbody tr[data-id="${sweepId}"] td:nth-child(6)`, { hasText: 'Sharpe' }).waitFor();
  await shot(page, '29-sweeps-list', false);
}

// Live trading on the paper broker over the sample data, with the daemon's debug clock: a second
// daemon, since the clock is the daemon's. Activate from the strategy page, step the clock a
// trading day at a time, see orders and fills arrive without a reload, pause everything with the
// header's kill switch (evaluations go on, orders stop), resume, deactivate with flatten.
async function runLive(page, fitsPhone) {
  step = 'live: start a daemon with a debug clock';
  daemon.proc.kill('SIGKILL');
  daemon = await startDaemon('live.db', ['--debug-clock=2024-11-04T08:50:00+09:00']);
  const base = `http://127.0.0.1:${daemon.port}`;
  const post = async (path, body) => {
    const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    check(r.ok, `POST ${path} answered ${r.status}`);
    return r.json();
  };
  const get = async (path) => (await fetch(`${base}${path}`)).json();
  await post('/api/sample-data');
  const strategy = await post('/api/strategies', {
    name: 'Day momentum', interval: '1d', symbols: ['SAMPLE-A'],
    script: 'buy  when close > close[1]\nsell when close < close[1]\nsize 90% equity\n',
  });
  // Moves the daemon's clock to 15:32 KST of `day` and waits until that minute's cycle finished.
  const stepTo = async (day) => {
    await post('/api/debug/clock', { ts: `${day} 15:32` });
    const want = Date.parse(`${day}T15:30:00+09:00`);  // the minute that ends at 15:31
    for (let i = 0; i < 200; i++) {
      const r = await fetch(`${base}/api/live/cycles/latest`);
      if (r.ok && (await r.json()).minute_ms >= want) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`the live cycle of ${day} 15:30 did not finish`);
  };
  const rows = (sel) => page.locator(`${sel} tbody tr:not(:has(td.empty))`).count();

  step = 'live: activate from the strategy page';
  await page.setViewportSize(LAPTOP);
  await page.goto(`${base}/#/strategies/${strategy.id}`);
  await page.locator('#live-card #activate').waitFor();
  check(await page.getAttribute('[data-risk="max_orders_per_min"]', 'placeholder') === '6', 'risk limits show their defaults');
  await page.fill('#live-capital', '10000000');
  await page.locator('#live-card').scrollIntoViewIfNeeded();
  await shot(page, '10-go-live', false);
  await page.click('#activate');
  await page.click('.modal .btn.primary');  // the confirmation names the version and the capital
  await page.waitForURL(/#\/live\/\d+$/);
  const sessionId = Number(page.url().split('/').pop());
  await page.locator('.page-head [data-state]').waitFor();
  await page.locator('#kill:not([hidden])').waitFor();  // something is live: the kill switch shows

  step = 'live: orders and fills appear without a reload';
  const days = ['2024-11-04', '2024-11-05', '2024-11-06', '2024-11-07', '2024-11-08', '2024-11-11', '2024-11-12'];
  await page.evaluate(() => { window.__sameDocument = true; });
  for (const day of days) await stepTo(day);
  await page.waitForFunction(() => document.querySelectorAll('#live-fills tbody tr:not(:has(td.empty))').length >= 2, null, { timeout: 20000 });
  check(await page.evaluate(() => window.__sameDocument === true), 'the page was not reloaded');
  check(await rows('#live-orders') >= 2, 'orders listed');
  await page.locator('#live-equity-chart[data-points]').waitFor();
  await page.locator('#live-price-chart[data-markers]').waitFor();
  check(Number(await page.getAttribute('#live-price-chart', 'data-markers')) >= 2, 'fills marked on the price chart');
  await shot(page, '11-live-session');

  step = 'live: the kill switch stops orders, evaluations continue';
  const otherTab = await context.newPage();  // every open tab shows the switch's state
  await otherTab.goto(`${base}/#/live`);
  await otherTab.locator('#kill[data-engaged="false"]').waitFor();
  await page.click('#kill');
  await page.click('.modal .btn.primary');
  await page.locator('#kill[data-engaged="true"]').waitFor();
  check((await get('/api/live')).kill_switch.engaged === true, 'the server says trading is paused');
  await otherTab.locator('#kill[data-engaged="true"]').waitFor();  // over live.account, no reload
  await otherTab.locator('#kill-banner').waitFor();
  await otherTab.close();
  const ordersBefore = (await get(`/api/live/sessions/${sessionId}/orders`)).length;
  const evalsBefore = (await get(`/api/live/sessions/${sessionId}/evaluations?limit=100000`)).length;
  for (const day of ['2024-11-13', '2024-11-14', '2024-11-15', '2024-11-18']) await stepTo(day);
  const evalsAfter = (await get(`/api/live/sessions/${sessionId}/evaluations?limit=100000`)).length;
  check(evalsAfter >= evalsBefore + 4, `evaluations continued while paused (${evalsBefore} → ${evalsAfter})`);
  check((await get(`/api/live/sessions/${sessionId}/orders`)).length === ordersBefore, 'no order was sent while paused');
  await page.waitForFunction((n) => document.querySelectorAll('#live-evaluations tbody tr').length >= Math.min(n, 30), evalsAfter);
  await page.locator('#paused-banner').waitFor();
  await shot(page, '12-live-paused', false);

  step = 'live: resume';
  await page.click('#kill');
  await page.locator('#kill[data-engaged="false"]').waitFor();
  check((await get('/api/live')).kill_switch.engaged === false, 'trading resumed');

  step = "live: the day's backtest-vs-live diff";
  await page.fill('#diff-day', '2024-11-04');
  await page.click('#diff-run');
  await page.locator('#diff-summary', { hasText: 'exactly what the backtest did' }).waitFor();
  check(await page.locator('#diff-result tr[data-kind="match"]').count() >= 1, 'a day before the pause: every order the same');
  await page.fill('#diff-day', '2024-11-13');
  await page.click('#diff-run');
  await page.locator('#diff-result tr[data-kind="missing_in_live"]').first().waitFor();
  check((await page.locator('#diff-result tr[data-kind="missing_in_live"]').first().innerText()).includes('paused'),
    'a paused day: the backtest order live did not send is explained by the pause');
  await page.locator('#diff-chart[data-points]').waitFor();
  await page.locator('#live-diff').scrollIntoViewIfNeeded();
  await shot(page, '13-live-diff', false);

  step = 'live: the live page lists the session';
  await page.click('nav >> text=Live');
  await page.locator(`#view tr[data-session="${sessionId}"]`).waitFor();
  await page.locator('#account-1 .badge', { hasText: 'reconciled' }).waitFor();  // the account view
  check(await page.locator('#account-1 tr[data-status="mismatch"]').count() === 0, 'the paper account matches the ledgers');
  await shot(page, '14-live-list', false);

  step = 'live: phone width';
  await page.setViewportSize(PHONE);
  await fitsPhone('live');
  await page.goto(`${base}/#/live/${sessionId}`);
  await page.locator('#live-equity-chart[data-points]').waitFor();
  await fitsPhone('live session');
  await shot(page, '15-phone-live-session', false);
  await page.setViewportSize(LAPTOP);

  step = 'live: deactivate with flatten';
  await page.click('#session-deactivate');
  await page.click('#deactivate-flatten');
  // The sale is decided at the next bar and filled at the open after it; then the session stops.
  for (const day of ['2024-11-19', '2024-11-20', '2024-11-21', '2024-11-22']) {
    if ((await get(`/api/live/sessions/${sessionId}`)).state === 'stopped') break;
    await stepTo(day);
  }
  await page.locator('.page-head [data-state="stopped"]').waitFor();
  const final = await get(`/api/live/sessions/${sessionId}`);
  check(final.state === 'stopped' && final.positions.length === 0, `stopped flat (state ${final.state}, ${final.positions.length} positions)`);
  await page.locator('#kill[hidden]').waitFor({ state: 'attached' });
  await shot(page, '16-live-stopped', false);
}

// "Try it without a broker": the replay demo from the Live page, watched to its end.
async function runDemo(page, fitsPhone) {
  step = 'demo: run a replay from the Live page';
  const base = `http://127.0.0.1:${daemon.port}`;
  const get = async (path) => (await fetch(`${base}${path}`)).json();
  await page.setViewportSize(LAPTOP);
  await page.goto(`${base}/#/live`);
  await page.locator('#demo-card #demo-run').waitFor();
  await page.selectOption('#demo-speed', '100');
  await page.click('#demo-run');
  await page.waitForURL(/#\/live\/\d+$/);
  const sessionId = Number(page.url().split('/').pop());
  await page.locator('#replay-banner').waitFor();
  check((await page.textContent('#replay-banner')).includes('not live trading'), 'the replay says it is not live trading');
  check(await page.locator('#session-pause').count() === 0, 'a replay has no Pause (the kill switch is real trading\'s)');
  check(await page.locator('#kill[hidden]').count() === 1, 'the kill switch stays hidden: a replay is not trading');
  step = 'demo: orders arrive as the replay runs';
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.locator('#live-orders tbody tr[data-order-state="filled"]').first().waitFor({ timeout: 30000 });
  await shot(page, '17-demo-replay', false);
  step = 'demo: the replay ends flat';
  await page.locator('#replay-banner', { hasText: 'finished after 120 of 120 bars' }).waitFor({ timeout: 60000 });
  check(await page.evaluate(() => window.__sameDocument === true), 'the replay page updated without a reload');
  const s = await get(`/api/live/sessions/${sessionId}`);
  check(s.replay === true && s.state === 'stopped' && s.positions.length === 0, `replay stopped flat (state ${s.state})`);
  const orders = await get(`/api/live/sessions/${sessionId}/orders`);
  check(orders.length >= 4, `the replay traded (${orders.length} orders)`);
  const shown = await page.locator('#live-orders tbody tr[data-order-state]').count();
  check(shown === Math.min(orders.length, 50), `every order is listed (${shown} of ${orders.length})`);
  await page.setViewportSize(PHONE);
  await fitsPhone('replay');
  await shot(page, '18-phone-demo', false);
  await page.setViewportSize(LAPTOP);
}

// An order whose answer was lost while the broker shows two matching orders: quantd waits for
// the operator, who binds it from the session page; the session then resumes.
async function runAttention(page) {
  step = 'attention: the daemon dies between send and answer';
  daemon.proc.kill('SIGKILL');
  const clock = '--debug-clock=2024-11-04T08:50:00+09:00';
  daemon = await startDaemon('attention.db', [clock, '--debug-crash'], { QUANTD_CRASH_AT: 'after_send' });
  let base = `http://127.0.0.1:${daemon.port}`;
  const post = async (path, body) => fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const get = async (path) => (await fetch(`${base}${path}`)).json();
  await post('/api/sample-data');
  const strategy = await (await post('/api/strategies', {
    name: 'Day momentum', interval: '1d', symbols: ['SAMPLE-A'],
    script: 'buy  when close > close[1]\nsell when close < close[1]\nsize 90% equity\n',
  })).json();
  check((await post(`/api/strategies/${strategy.id}/activate`, { broker: 'paper', capital: 10000000 })).status === 202, 'activated');
  const exited = new Promise((res) => daemon.proc.on('exit', res));
  let died = false;
  for (const day of ['2024-11-04', '2024-11-05', '2024-11-06', '2024-11-07', '2024-11-08', '2024-11-11']) {
    try { await post('/api/debug/clock', { ts: `${day} 15:32` }); } catch { died = true; break; }
    const gone = await Promise.race([exited.then(() => true), new Promise((res) => setTimeout(() => res(false), 1500))]);
    if (gone) { died = true; break; }
  }
  check(died, 'the armed crash point aborted the daemon after sending');
  step = 'attention: someone placed the same order by hand';
  const db = join(work, 'attention.db');
  const ours = execFileSync('sqlite3', [db, 'SELECT order_no FROM paper_orders ORDER BY order_no DESC LIMIT 1']).toString().trim();
  execFileSync('sqlite3', [db, "INSERT INTO paper_orders(account_id, order_no, order_date, order_ts, symbol, market, side, order_type, quantity, limit_price, trigger_price, bar_ts, bar_interval, cancelled_qty, status) " +
    `SELECT account_id, '0000009999', order_date, order_ts, symbol, market, side, order_type, quantity, limit_price, trigger_price, bar_ts, bar_interval, quantity, 'cancelled' FROM paper_orders WHERE order_no = '${ours}'`]);
  const last = execFileSync('sqlite3', [db, "SELECT strftime('%Y-%m-%dT%H:%M:%S+09:00', max(ts) / 1000 + 9 * 3600, 'unixepoch') FROM journal"]).toString().trim();
  daemon = await startDaemon('attention.db', [`--debug-clock=${last}`]);
  base = `http://127.0.0.1:${daemon.port}`;
  const waiting = await get('/api/live/orders?state=needs_attention');
  check(waiting.length === 1, `one order needs attention (${waiting.length})`);

  step = 'attention: the operator binds it from the session page';
  await page.goto(`${base}/#/live/${waiting[0].session_id}`);
  await page.locator(`#attention [data-answer="${waiting[0].id}"]`).waitFor();
  await page.click(`#attention [data-answer="${waiting[0].id}"]`);
  await page.locator('#answer-dialog').waitFor();
  check(await page.locator('#answer-candidates label.candidate').count() === 2, 'the dialog lists both candidates');
  await page.check(`label.candidate[data-order-no="${ours}"] input`);
  await page.fill('#answer-note', 'the earlier one in the MTS is quantd\'s');
  await shot(page, '19-needs-attention', false);
  await page.click('#answer-bind');
  await page.locator('#attention').waitFor({ state: 'detached' });  // over live.order, no reload
  const bound = await get(`/api/live/orders/${waiting[0].id}`);
  check(bound.broker_order_no === ours && bound.history.some((e) => e.source === 'operator'), 'bound to the chosen broker order, by the operator');
  await page.click('#session-resume');
  await page.locator('.page-head [data-state="active"]').waitFor();
}

// Starts kis-mock (KIS paper) on `prices` (CODE=FILE); resolves to { proc, port }.
async function startKisMock(args) {
  const proc = spawn(kisMockBinary, ['--env', 'virtual', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kis-mock did not start:\n${log}`)), 20000);
    proc.stderr.on('data', (d) => {
      log += d;
      const m = /kis-mock listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`kis-mock exited with ${code}:\n${log}`)); });
  });
  return { proc, port };
}

// Five days of 1-minute bars (09:00-15:19 and the 15:30 closing print), a seeded walk.
function kisMinuteCsv() {
  let seed = 20261203;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
  let price = 70000;
  const lines = ['ts,open,high,low,close,volume'];
  for (const day of ['2026-07-03', '2026-07-06', '2026-07-07', '2026-07-08', '2026-07-09']) {
    for (let m = 9 * 60; m <= 15 * 60 + 30; ++m) {
      if (m >= 15 * 60 + 20 && m < 15 * 60 + 30) continue;
      const open = price;
      price = Math.max(1000, price + 100 * ((next() % 9) - 4));
      const hi = Math.max(open, price) + 100 * (next() % 3);
      const lo = Math.min(open, price) - 100 * (next() % 3);
      const hh = String(Math.floor(m / 60)).padStart(2, '0');
      const mm = String(m % 60).padStart(2, '0');
      lines.push(`${day}T${hh}:${mm}:00,${open},${hi},${lo},${price},${100 + (next() % 900)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// The Data page's "Download from KIS" against kis-mock after the close of 2026-07-09: eleven and a
// half years of daily history is about 30 chart windows, paced by a 2-per-second rate limit, so
// the progress is seen moving; stop it, then download again: it resumes and completes.
async function runKisDownload(page) {
  step = 'kis download: start kis-mock and a daemon with KIS keys';
  writeFileSync(join(work, '005930.csv'), kisMinuteCsv());
  kisMock = await startKisMock(['--prices', `005930=${join(work, '005930.csv')}`, '--clock', '2026-07-09T15:40:00', '--rate-limit', '2']);
  writeFileSync(join(work, 'kis.toml'), `[kis]\nenvironment = "paper"\nrest_url = "http://127.0.0.1:${kisMock.port}"\nrate_limit_per_s = 2\n${staticToml()}`);
  daemon.proc.kill('SIGKILL');
  daemon = await startDaemon('kis.db', ['--config', join(work, 'kis.toml'), '--debug-clock=2026-07-09T15:40:00+09:00'], {
    QUANTD_KIS_APP_KEY: 'PSmockAppKey000000000000000000000000',
    QUANTD_KIS_APP_SECRET: `mockAppSecret${'x'.repeat(167)}`,
    QUANTD_KIS_ACCOUNT: '50123456-01',
  });
  const base = `http://127.0.0.1:${daemon.port}`;
  await page.setViewportSize(LAPTOP);
  await page.goto(`${base}/#/data`);
  await page.locator('#kis-download form').waitFor();
  check((await page.locator('#kis-download .card-head').innerText()).includes('KIS paper'), 'the card names the environment');

  step = 'kis download: a bad range is refused before anything is sent';
  await page.fill('#download-symbol', '005930');
  await page.fill('#download-from', '2026-07-09');
  await page.fill('#download-to', '2026-07-01');
  await page.click('#download');
  await page.locator('#download-state .alert.error', { hasText: 'is after' }).waitFor();

  step = 'kis download: progress moves, then stop';
  await page.fill('#download-from', '2015-01-01');
  await page.fill('#download-to', '');
  await page.click('#download');
  await page.locator('#download-pct').waitFor();
  const pct = async () => Number((await page.locator('#download-pct').innerText()).replace('%', ''));
  const first = await pct();
  await page.waitForFunction((p) => Number(document.querySelector('#download-pct')?.textContent.replace('%', '')) > p, first);
  await shot(page, '20-kis-download');
  await page.click('#download-cancel');
  await page.locator('#download-state .alert', { hasText: 'Stopped' }).waitFor();
  check(!(await page.locator('#download').isDisabled()), 'the form is usable again after stopping');

  step = 'kis download: again, it completes';
  await page.click('#download');
  await page.locator('#download-state .alert.ok', { hasText: 'Downloaded 5 bars' }).waitFor({ timeout: 60000 });
  const row = page.locator('#coverage tbody tr', { hasText: '005930' });
  await row.waitFor();  // over the bars event, no reload
  check((await row.innerText()).includes('KIS daily chart (paper)'), 'the stored series is labelled as downloaded from KIS');
  const stored = (await (await fetch(`${base}/api/bars`)).json()).find((c) => c.symbol === '005930');
  check(stored && stored.interval === '1d' && stored.count === 5 && stored.source === 'kis', `five daily bars from KIS stored (got ${JSON.stringify(stored)})`);
  await shot(page, '21-kis-downloaded');
}

async function runLogin(page) {
  step = 'login: set a password and start a daemon on that database';
  const password = 'correct horse battery';
  const db = join(work, 'login.db');
  execFileSync(binary, ['passwd', '--db', db], { input: `${password}\n${password}\n` });
  daemon.proc.kill('SIGKILL');
  daemon = await startDaemon('login.db');
  const base = `http://127.0.0.1:${daemon.port}`;
  await page.setViewportSize(LAPTOP);
  await page.goto(base);
  await page.locator('#login-form').waitFor();
  check(await page.locator('#login-form .btn', { hasText: 'Cancel' }).count() === 0, 'the first login cannot be skipped');
  check((await fetch(`${base}/api/strategies`)).status === 401, 'the API refuses a caller without the cookie');

  step = 'login: a wrong password is shown in the form';
  await page.fill('#login-password', 'not the password');
  await page.click('#login-submit');
  await page.locator('#login-error', { hasText: 'Wrong password' }).waitFor();
  await shot(page, '22-login-wrong', false);

  step = 'login: the right password opens the UI, live updates included';
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.locator('#login-form').waitFor({ state: 'detached' });
  await page.getByRole('heading', { name: 'Welcome to quantd' }).waitFor();
  await page.locator('.live.on').waitFor();  // /api/events over the session cookie
  check(!(await page.locator('#logout').isHidden()), 'the header offers Log out');
  const cookies = await page.context().cookies(base);
  const session = cookies.find((c) => c.name === 'quantd_session');
  check(session && session.httpOnly && session.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');
  check(await page.evaluate(() => !document.cookie.includes('quantd_session')), 'scripts cannot read the session cookie');

  step = 'login: the Security page lists this session and the audit log';
  await page.click('text=Security');
  await page.locator('#sessions tbody tr[data-session]').first().waitFor();
  check((await page.locator('#sessions tbody tr[data-session]').first().innerText()).includes('this browser'), 'this browser\'s session is marked');
  const audited = await page.locator('#audit tbody tr[data-audit]').allInnerTexts();
  check(audited.some((t) => t.includes('/api/login') && t.includes('401')), 'the wrong password is in the audit log');
  check(audited.some((t) => t.includes('/api/login') && t.includes('logged in')), 'the login is in the audit log');
  check(!audited.join('\n').includes(password), 'the audit log never holds the password');
  await shot(page, '23-security');

  step = 'login: log out, and the form is back';
  await page.click('#logout');
  await page.locator('#login-form').waitFor();
  const left = (await page.context().cookies(base)).find((c) => c.name === 'quantd_session');
  check(!left, 'logout cleared the cookie');
}

let failed = false;
try {
  await run();
  console.log('browser test passed');
} catch (e) {
  failed = true;
  console.error(`browser test FAILED at step "${step}": ${e.message}`);
  if (pageErrors.length) console.error(`page errors: ${pageErrors.join(' | ')}`);
  try {
    const page = context?.pages()[0];
    if (page) await page.screenshot({ path: join(shots, 'failure.png'), fullPage: true });
  } catch { /* best effort */ }
  try {
    // What the daemon itself says about the runs, to tell a lost event from a stuck run.
    const runs = await (await fetch(`http://127.0.0.1:${daemon.port}/api/backtests`)).json();
    console.error(`backtests: ${JSON.stringify(runs.map((b) => ({ id: b.id, status: b.status, progress: b.progress, error: b.error })))}`);
  } catch { /* best effort */ }
  if (daemon) console.error(`quantd's log (last lines):\n${daemon.log.text.split('\n').slice(-40).join('\n')}`);
} finally {
  await context?.close().catch(() => {});
  if (daemon) daemon.proc.kill('SIGKILL');
  if (kisMock) kisMock.proc.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
