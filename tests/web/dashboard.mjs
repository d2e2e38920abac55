#!/usr/bin/env node
// Drives the pmctl web dashboard in headless Chromium:
//   restart one app from its row, wait for the new pid and restart count,
//   select the row, wait for its log lines, take a screenshot.
//
// node tests/web/dashboard.mjs --url http://127.0.0.1:PORT/ --chromium /usr/bin/chromium \
//      --app NAME --screenshot PATH [--expect-log TEXT] [--timeout-ms 30000]
//
// puppeteer-core is loaded from $PMCTL_NPM_PREFIX (an `npm install --prefix DIR
// puppeteer-core` directory), else through NODE_PATH.
// Prints one line of JSON on stdout; exits 1 on failure.

import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

let step = 'parse arguments';

function emit(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function fail(error, consoleErrors = []) {
  const message = error instanceof Error ? error.message : String(error);
  const result = { ok: false, step, error: message.split('\n')[0] };
  if (consoleErrors.length) result.console_errors = consoleErrors;
  emit(result);
  process.exitCode = 1;
}

function readOptions() {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      chromium: { type: 'string', default: '/usr/bin/chromium' },
      app: { type: 'string' },
      screenshot: { type: 'string' },
      'expect-log': { type: 'string' },
      'timeout-ms': { type: 'string', default: '30000' },
    },
    strict: true,
  });
  for (const name of ['url', 'app', 'screenshot']) {
    if (!values[name]) throw new Error(`--${name} is required`);
  }
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error('--timeout-ms must be a positive number');
  return {
    url: values.url,
    chromium: values.chromium,
    app: values.app,
    screenshot: path.resolve(values.screenshot),
    expectLog: values['expect-log'] ?? null,
    timeoutMs,
  };
}

function loadPuppeteer() {
  const prefix = process.env.PMCTL_NPM_PREFIX;
  const require = createRequire(prefix ? path.join(path.resolve(prefix), 'package.json') : import.meta.url);
  const mod = require('puppeteer-core');
  return typeof mod.launch === 'function' ? mod : mod.default;
}

// Remaining time before the overall deadline, for each wait.
function makeDeadline(timeoutMs) {
  const end = Date.now() + timeoutMs;
  return () => {
    const left = end - Date.now();
    if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms`);
    return left;
  };
}

function watchPage(page, errors) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => {
    errors.push(`requestfailed: ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`.trim());
  });
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`http ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
}

// Reads the row of one instance: {id, restarts, pid, status, message}.
// Runs in the page.
function readRow(id) {
  const row = document.querySelector(`tr[data-id="${CSS.escape(String(id))}"]`);
  if (!row) return null;
  const text = (field) => row.querySelector(`[data-field="${field}"]`)?.textContent.trim() ?? '';
  const number = (field) => Number.parseInt(text(field), 10) || 0;
  const message = document.querySelector('#message');
  return {
    id: row.dataset.id,
    restarts: number('restarts'),
    pid: number('pid'),
    status: text('status'),
    message: message?.textContent.trim() ?? '',
    messageIsError: message?.classList.contains('error') ?? false,
  };
}

async function waitFor(page, left, fn, ...args) {
  try {
    const handle = await page.waitForFunction(fn, { timeout: left(), polling: 100 }, ...args);
    return await handle.jsonValue();
  } catch (err) {
    if (err?.name === 'TimeoutError') throw new Error(`timed out (${err.message})`);
    throw err;
  }
}

// What the page itself says is wrong: the error banner and the status line.
async function pageComplaint(page) {
  try {
    return await page.evaluate(() => {
      const banner = document.querySelector('#error');
      const message = document.querySelector('#message');
      const parts = [];
      if (banner && !banner.hidden && banner.textContent.trim()) parts.push(`banner: ${banner.textContent.trim()}`);
      if (message?.classList.contains('error')) parts.push(`message: ${message.textContent.trim()}`);
      // Not the dashboard at all (the server refused it): what the browser shows instead.
      if (!banner && document.body) parts.push(`body: ${document.body.innerText.trim().slice(0, 200)}`);
      return parts.join('; ');
    });
  } catch {
    return '';
  }
}

async function findRow(page, left, app) {
  step = `row of app ${app}`;
  return waitFor(page, left, (name) => {
    const row = [...document.querySelectorAll('tr[data-id]')].find((r) => r.dataset.name === name);
    return row ? row.dataset.id : false;
  }, app);
}

function remaining(left) {
  try {
    return left();
  } catch {
    return 0;
  }
}

// Polls probe() from node every 100 ms until it returns something truthy.
// On timeout the error carries describe(last value).
async function poll(left, probe, describe) {
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (remaining(left) <= 100) throw new Error(`timed out; last seen: ${describe(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function restartRow(page, left, id, before) {
  step = `restart button of id ${id}`;
  const button = await page.waitForSelector(`tr[data-id="${id}"] button[data-action="restart"]`, { timeout: left() });
  await button.click();
  step = `restarts > ${before.restarts} and a pid other than ${before.pid} for id ${id}`;
  let seen = null;
  const after = await poll(left, async () => {
    seen = await page.evaluate(readRow, id);
    if (!seen) return false;
    if (seen.messageIsError) return seen;
    return seen.restarts > before.restarts && seen.pid !== before.pid && seen.pid !== 0 ? seen : false;
  }, () => JSON.stringify(seen));
  if (after.messageIsError) throw new Error(`the page reported: ${after.message}`);
  return after;
}

async function selectRowAndReadLog(page, left, id, expectLog) {
  step = `click row of id ${id}`;
  await page.click(`tr[data-id="${id}"] [data-field="id"]`);
  step = expectLog === null ? `a log line of id ${id}` : `a log line of id ${id} containing ${JSON.stringify(expectLog)}`;
  return waitFor(page, left, (rowId, text) => {
    const pane = document.querySelector(`#logs[data-id="${CSS.escape(String(rowId))}"]`);
    if (!pane) return false;
    const lines = [...pane.querySelectorAll('.log-line')];
    const line = text === null ? lines.at(-1) : lines.findLast((l) => l.textContent.includes(text));
    return line ? line.textContent.trim() : false;
  }, id, expectLog);
}

async function run(options, puppeteer, errors) {
  const left = makeDeadline(options.timeoutMs);
  step = 'launch chromium';
  const browser = await puppeteer.launch({
    executablePath: options.chromium,
    headless: true,
    // No background traffic: a closed network refuses it, many connections at a time.
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
    defaultViewport: { width: 1280, height: 800 },
    timeout: left(),
  });
  try {
    const page = await browser.newPage();
    watchPage(page, errors);
    step = `load ${options.url}`;
    await page.goto(options.url, { waitUntil: 'domcontentloaded', timeout: left() });

    let id, before, after, logLine;
    try {
      id = await findRow(page, left, options.app);
      before = await page.evaluate(readRow, id);
      after = await restartRow(page, left, id, before);
      logLine = await selectRowAndReadLog(page, left, id, options.expectLog);
    } catch (err) {
      const complaint = await pageComplaint(page);
      throw complaint ? new Error(`${err.message}; page shows ${complaint}`) : err;
    }

    step = `screenshot to ${options.screenshot}`;
    const rows = await page.$$eval('tr[data-id]', (list) => list.length);
    await page.screenshot({ path: options.screenshot, fullPage: true });
    return {
      ok: true,
      rows,
      id: Number(id),
      restarts_before: before.restarts,
      restarts_after: after.restarts,
      pid_before: before.pid,
      pid_after: after.pid,
      message: after.message,
      log_line: logLine,
      console_errors: errors,
    };
  } finally {
    const closing = step;
    step = 'close chromium';
    await browser.close().catch(() => {});
    step = closing;
  }
}

async function main() {
  const options = readOptions();
  // Last resort if something hangs past every timeout (e.g. the browser never exits).
  const watchdog = setTimeout(() => {
    fail(new Error('watchdog: driver hung'));
    process.exit(1);
  }, options.timeoutMs + 15000);
  watchdog.unref();
  step = 'load puppeteer-core';
  const puppeteer = loadPuppeteer();
  const errors = [];
  try {
    emit(await run(options, puppeteer, errors));
  } catch (err) {
    fail(err, errors);
  }
}

main().catch((err) => fail(err));
