// pmctl web dashboard: polls /api/apps and /api/logs, posts /api/action.
// One ES module, no globals; the table is updated in place, keyed by id.

const POLL_MS = 2000;
const HISTORY = 60;          // samples kept for a sparkline
const LOG_LINES = 200;
const SPARK_H = 20;
const SVG_NS = 'http://www.w3.org/2000/svg';
const ACTIONS = ['start', 'stop', 'restart', 'reload'];
const CELLS = ['id', 'name', 'namespace', 'mode', 'status', 'pid', 'cpu', 'cpu_history',
  'memory', 'memory_history', 'restarts', 'uptime'];

const $ = (selector) => document.querySelector(selector);
const csrfToken = $('meta[name="pmctl-csrf"]')?.content ?? '';

const state = {
  selected: null,            // id of the instance whose logs are shown
  rows: new Map(),           // id -> <tr>
  samples: new Map(),        // id -> { prev, cpu: [], memory: [] }
  logKey: '',                // what the log pane currently shows
};

// ---------------------------------------------------------------- formatting

function formatBytes(bytes) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function formatUptime(ms) {
  const seconds = Math.floor((Number(ms) || 0) / 1000);
  if (seconds <= 0) return '0';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

function formatPercent(value) {
  if (value === null) return '–';
  return `${value < 10 ? value.toFixed(1) : Math.round(value)}%`;
}

const pad2 = (n) => String(n).padStart(2, '0');

function formatClock(date) {
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

// ---------------------------------------------------------------- DOM helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'className') node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function setText(node, text) {
  const value = String(text);
  if (node.textContent !== value) node.textContent = value;
}

// ---------------------------------------------------------------- HTTP

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { cache: 'no-store', credentials: 'same-origin', ...options });
  } catch (err) {
    throw new ApiError(`cannot reach the pmctl dashboard (${err.message})`, 0);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: reported below from the status line
  }
  if (!response.ok || body?.ok === false) {
    const reason = body?.error || `HTTP ${response.status} ${response.statusText}`.trim();
    throw new ApiError(reason, response.status);
  }
  if (body === null) throw new ApiError(`malformed answer from ${path}`, response.status);
  return body;
}

function postAction(action, target) {
  return request('/api/action', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Pmctl-Csrf': csrfToken },
    body: JSON.stringify({ action, target: String(target) }),
  });
}

// ---------------------------------------------------------------- banner and status

function describeError(err) {
  if (err.status === 401) {
    return `Not authorised: ${err.message}. Open the dashboard with the link that carries its access token (…/?token=…).`;
  }
  if (err.status === 403) return `Refused: ${err.message}. Reload the page to get a fresh session.`;
  return err.message;
}

function showBanner(text) {
  const banner = $('#error');
  setText(banner, text);
  banner.hidden = false;
}

function hideBanner() {
  const banner = $('#error');
  if (!banner.hidden) {
    banner.hidden = true;
    banner.textContent = '';
  }
}

function setUpdated(ok) {
  const indicator = $('#updated');
  indicator.dataset.state = ok ? 'ok' : 'error';
  setText($('#updated-text'), ok ? `updated ${formatClock(new Date())}` : 'update failed');
}

function showMessage(text, isError) {
  const message = $('#message');
  message.classList.toggle('error', isError);
  message.textContent = text;
}

// ---------------------------------------------------------------- samples

function samplesFor(id) {
  if (!state.samples.has(id)) state.samples.set(id, { prev: null, cpu: [], memory: [] });
  return state.samples.get(id);
}

function pushSample(list, value) {
  list.push(value);
  if (list.length > HISTORY) list.shift();
}

// CPU % from the cpu_seconds delta between two polls over the wall time between them.
function cpuPercent(sample, app, now) {
  const prev = sample.prev;
  sample.prev = { cpu: Number(app.cpu_seconds) || 0, time: now, pid: app.pid };
  if (!prev) return null;
  if (!app.pid) return 0;
  const seconds = (now - prev.time) / 1000;
  const used = sample.prev.cpu - prev.cpu;
  if (prev.pid !== app.pid || seconds <= 0 || used < 0) return null;
  return (used / seconds) * 100;
}

function recordSamples(app, now) {
  const sample = samplesFor(app.id);
  const cpu = cpuPercent(sample, app, now);
  if (cpu !== null) pushSample(sample.cpu, cpu);
  pushSample(sample.memory, Number(app.memory) || 0);
  return { cpu, sample };
}

// ---------------------------------------------------------------- sparklines

function createSparkline(kind) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', `spark spark-${kind}`);
  svg.setAttribute('viewBox', `0 0 ${HISTORY - 1} ${SPARK_H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const base = document.createElementNS(SVG_NS, 'line');
  base.setAttribute('class', 'base');
  base.setAttribute('x1', '0');
  base.setAttribute('x2', String(HISTORY - 1));
  base.setAttribute('y1', String(SPARK_H - 0.5));
  base.setAttribute('y2', String(SPARK_H - 0.5));
  base.setAttribute('vector-effect', 'non-scaling-stroke');
  svg.append(base);
  for (const part of ['area', 'line']) {
    const shape = document.createElementNS(SVG_NS, part === 'area' ? 'polygon' : 'polyline');
    shape.setAttribute('class', part);
    shape.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.append(shape);
  }
  return svg;
}

function sparkPoints(values, low, high) {
  const span = high - low || 1;
  const offset = HISTORY - values.length;
  return values.map((v, i) => {
    const y = SPARK_H - 1 - ((v - low) / span) * (SPARK_H - 2);
    return `${i + offset},${y.toFixed(2)}`;
  });
}

function drawSparkline(svg, values, low, high) {
  const points = sparkPoints(values, low, high);
  const line = points.join(' ');
  const area = points.length
    ? `${HISTORY - points.length},${SPARK_H} ${line} ${HISTORY - 1},${SPARK_H}` : '';
  svg.querySelector('.line').setAttribute('points', line);
  svg.querySelector('.area').setAttribute('points', area);
}

function cpuRange(values) {
  return [0, Math.max(10, ...values)];
}

function memoryRange(values) {
  if (!values.length) return [0, 1];
  const high = Math.max(...values);
  const low = Math.min(...values);
  const margin = Math.max((high - low) * 0.1, high * 0.05, 1);
  return [Math.max(0, low - margin), high + margin];
}

// ---------------------------------------------------------------- table rows

function createActionButtons(app) {
  return ACTIONS.map((action) => el('button', {
    type: 'button',
    className: `btn btn-${action}`,
    dataset: { action },
    'aria-label': `${action} ${app.name} (id ${app.id})`,
  }, action[0].toUpperCase() + action.slice(1)));
}

function createCell(field) {
  const tag = field === 'name' ? 'th' : 'td';
  const cell = el(tag, { dataset: { field } });
  if (tag === 'th') cell.setAttribute('scope', 'row');
  if (field === 'name') {
    cell.append(el('button', { type: 'button', className: 'select', 'aria-pressed': 'false' }));
  } else if (field === 'status') {
    cell.append(el('span', { className: 'badge' }));
  } else if (field.endsWith('_history')) {
    cell.append(createSparkline(field.replace('_history', '')));
  }
  return cell;
}

function createRow(app) {
  const row = el('tr', { dataset: { id: String(app.id), name: app.name } });
  for (const field of CELLS) row.append(createCell(field));
  row.append(el('td', { className: 'actions', dataset: { field: 'actions' } },
    el('div', { className: 'btn-group' }, ...createActionButtons(app))));
  return row;
}

function cell(row, field) {
  return row.querySelector(`[data-field="${field}"]`);
}

function updateStatus(row, status) {
  const badge = cell(row, 'status').firstChild;
  setText(badge, status);
  const key = String(status).replace(/\s+/g, '-');
  if (badge.dataset.status !== key) badge.dataset.status = key;
  if (row.dataset.status !== key) row.dataset.status = key;
}

function updateRow(row, app, cpu, sample) {
  row.dataset.name = app.name;
  setText(cell(row, 'id'), app.id);
  const select = cell(row, 'name').firstChild;
  setText(select, app.name);
  select.setAttribute('aria-pressed', String(state.selected === app.id));
  const title = app.unit ? `${app.unit} — show logs` : 'show logs';
  if (select.title !== title) select.title = title;
  setText(cell(row, 'namespace'), app.namespace);
  setText(cell(row, 'mode'), app.mode);
  updateStatus(row, app.status);
  setText(cell(row, 'pid'), app.pid || '–');
  setText(cell(row, 'cpu'), formatPercent(cpu));
  setText(cell(row, 'memory'), formatBytes(app.memory));
  setText(cell(row, 'restarts'), app.restarts);
  setText(cell(row, 'uptime'), formatUptime(app.uptime_ms));
  drawSparkline(cell(row, 'cpu_history').firstChild, sample.cpu, ...cpuRange(sample.cpu));
  drawSparkline(cell(row, 'memory_history').firstChild, sample.memory, ...memoryRange(sample.memory));
  row.classList.toggle('selected', state.selected === app.id);
}

function placeRow(tbody, row, index) {
  if (tbody.children[index] !== row) tbody.insertBefore(row, tbody.children[index] ?? null);
}

function removeVanished(seen) {
  for (const [id, row] of state.rows) {
    if (seen.has(id)) continue;
    row.remove();
    state.rows.delete(id);
    state.samples.delete(id);
  }
  if (state.selected !== null && !seen.has(state.selected)) selectInstance(null);
}

function renderApps(data) {
  const now = performance.now();
  const tbody = $('#apps tbody');
  const apps = Array.isArray(data.apps) ? data.apps : [];
  const seen = new Set();
  apps.forEach((app, index) => {
    seen.add(app.id);
    let row = state.rows.get(app.id);
    if (!row) {
      row = createRow(app);
      state.rows.set(app.id, row);
    }
    const { cpu, sample } = recordSamples(app, now);
    updateRow(row, app, cpu, sample);
    placeRow(tbody, row, index);
  });
  removeVanished(seen);
  updateLogsTarget();
  $('#empty').hidden = apps.length > 0;
  setText($('#count'), apps.length ? `(${apps.length})` : '');
  renderHeader(data);
}

function renderHeader(data) {
  if (data.host) {
    setText($('#host'), data.host);
    const title = `pmctl — ${data.host}`;
    if (document.title !== title) document.title = title;
  }
  setText($('#version'), data.version ?? '');
}

// ---------------------------------------------------------------- selection

function selectInstance(id) {
  if (state.selected === id) return;
  state.selected = id;
  for (const [rowId, row] of state.rows) {
    row.classList.toggle('selected', rowId === id);
    cell(row, 'name').firstChild.setAttribute('aria-pressed', String(rowId === id));
  }
  const logs = $('#logs');
  logs.replaceChildren();
  state.logKey = '';
  showLogError('');
  updateLogsTarget();
  if (id === null) {
    delete logs.dataset.id;
    logs.append(el('p', { className: 'empty' }, 'Click a row to see its last log lines.'));
  } else {
    logs.dataset.id = String(id);
    logPoller.now();
  }
  history.replaceState(null, '', id === null ? location.pathname + location.search : `#id=${id}`);
}

function updateLogsTarget() {
  const id = state.selected;
  const name = state.rows.get(id)?.dataset.name;
  let text = '— select a process';
  if (id !== null) text = name ? `— ${name} (id ${id})` : `— id ${id}`;
  setText($('#logs-target'), text);
}

function selectedFromHash() {
  const match = /^#id=(\d+)$/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

// ---------------------------------------------------------------- logs

function createLogLine(line) {
  const date = new Date(Number(line.time_ms) || 0);
  const isErr = line.stream === 'err';
  return el('div', { className: `log-line${isErr ? ' err' : ''}`, dataset: { stream: line.stream ?? 'out' } },
    el('time', { datetime: date.toISOString(), title: date.toLocaleString() }, formatClock(date)), ' ',
    el('span', { className: 'stream' }, isErr ? 'err' : 'out'), ' ',
    el('span', { className: 'text' }, line.text ?? ''));
}

function isScrolledToBottom(node) {
  return node.scrollTop + node.clientHeight >= node.scrollHeight - 8;
}

function renderLogs(data) {
  const lines = Array.isArray(data.lines) ? data.lines : [];
  const key = JSON.stringify(lines);
  if (key === state.logKey) return;
  const logs = $('#logs');
  const stick = state.logKey === '' || isScrolledToBottom(logs);
  state.logKey = key;
  if (!lines.length) {
    logs.replaceChildren(el('p', { className: 'empty' }, 'No log lines yet.'));
    return;
  }
  logs.replaceChildren(...lines.map(createLogLine));
  if (stick) logs.scrollTop = logs.scrollHeight;
}

function showLogError(text) {
  const status = $('#logs-status');
  setText(status, text);
  status.hidden = !text;
}

async function pollLogs() {
  const id = state.selected;
  if (id === null) return;
  const data = await request(`/api/logs?id=${encodeURIComponent(id)}&lines=${LOG_LINES}`);
  if (state.selected !== id) return;
  renderLogs(data);
  showLogError('');
}

function onLogError(err) {
  if (err.status === 401) onPollError(err);
  else showLogError(`logs unavailable: ${describeError(err)}`);
}

// ---------------------------------------------------------------- polling

// Runs task every POLL_MS with setTimeout chaining, never two at once.
// now() asks for a run as soon as the current one (if any) ends.
function createPoller(task, onError) {
  let timer = 0;
  let running = false;
  let again = false;
  const schedule = (delay) => {
    clearTimeout(timer);
    timer = setTimeout(run, delay);
  };
  async function run() {
    if (document.hidden) {
      schedule(POLL_MS);   // a hidden tab does not poll; visibilitychange resumes
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await task();
    } catch (err) {
      onError(err);
    } finally {
      running = false;
      schedule(again ? 0 : POLL_MS);
      again = false;
    }
  }
  return { start: () => schedule(0), now: () => schedule(0) };
}

async function pollApps() {
  const data = await request('/api/apps');
  renderApps(data);
  hideBanner();
  setUpdated(true);
}

function onPollError(err) {
  showBanner(describeError(err));
  setUpdated(false);
}

const appPoller = createPoller(pollApps, onPollError);
const logPoller = createPoller(pollLogs, onLogError);

// ---------------------------------------------------------------- actions

async function runAction(button) {
  const row = button.closest('tr');
  const id = Number(row.dataset.id);
  const action = button.dataset.action;
  button.disabled = true;
  row.setAttribute('aria-busy', 'true');
  showMessage(`${action} ${row.dataset.name} (id ${id})…`, false);
  try {
    const result = await postAction(action, id);
    showMessage(result.message || `${action}: done`, false);
  } catch (err) {
    showMessage(`${action} ${row.dataset.name} (id ${id}) failed: ${describeError(err)}`, true);
    if (err.status === 401) showBanner(describeError(err));
  } finally {
    button.disabled = false;
    row.removeAttribute('aria-busy');
    appPoller.now();
  }
}

function onTableClick(event) {
  const button = event.target.closest('button[data-action]');
  if (button) {
    if (!button.disabled) runAction(button);
    return;
  }
  const row = event.target.closest('tr[data-id]');
  if (row) selectInstance(Number(row.dataset.id));
}

// ---------------------------------------------------------------- start

function main() {
  $('#apps tbody').addEventListener('click', onTableClick);
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) return;
    appPoller.now();
    logPoller.now();
  });
  const fromHash = selectedFromHash();
  if (fromHash !== null) selectInstance(fromHash);
  appPoller.start();
  logPoller.start();
}

main();
