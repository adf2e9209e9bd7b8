// Browser test of rectification (整改销号) in headless Chromium, on `fupin serve --demo` (its 2019
// campaigns of 罗溪镇): the township officer (demo-township) opens the board's rectification view,
// drills down to the overdue items, opens one, records progress and asks for it to be signed off;
// cannot sign it off themself (four eyes); the county officer (demo-officer) signs it off and the
// item's page shows the whole trail. Screenshots go to target/screenshots/.
//
// Run with the other browser tests: `cargo build -p fupin && (cd tests/browser && npm ci && npm test)`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, fupinBinary } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const shots = path.join(root, 'target', 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const inCI = process.env.CI === 'true';
const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const PASSWORD = 'fupin-demo';
const LUOXI = '360124106000';

let skip = false;
if (!fs.existsSync(chromiumPath)) {
  const msg = `Chromium not found at ${chromiumPath}`;
  if (inCI) throw new Error(`${msg}: the browser tests cannot be skipped with CI=true`);
  console.log(`SKIP browser tests: ${msg}`);
  skip = true;
}

let server;
let serverLog = '';
let base;
let browser;
let tmp;
const external = [];



async function waitUp(url, ms) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not yet */ }
    if (server.exitCode !== null) throw new Error(`fupin exited early:\n${serverLog}`);
    if (Date.now() > end) throw new Error(`fupin did not start in time:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function newPage() {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1' || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
    external.push(u.href);
    return route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 409/.test(m.text())) errors.push(m.text()); });
  page.jsErrors = errors;
  return page;
}

async function signIn(page, username) {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

async function step(page, action, note) {
  const form = `form.step[data-action="${action}"]`;
  if (note) await page.fill(`${form} textarea[name=note]`, note);
  await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
}

before(async () => {
  if (skip) return;
  fs.mkdirSync(shots, { recursive: true });
  const { chromium } = await import('playwright-core');
  const bin = fupinBinary();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fupin-browser-rect-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ['serve', '--demo'], {
    cwd: tmp,
    env: {
      ...process.env,
      FUPIN_DATABASE_URL: `sqlite://${path.join(tmp, 'fupin.db')}`,
      FUPIN_BIND: `127.0.0.1:${port}`,
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (d) => { serverLog += d; });
  server.stderr.on('data', (d) => { serverLog += d; });
  await waitUp(`${base}/healthz`, 180_000);
  browser = await chromium.launch({ executablePath: chromiumPath, args: LAUNCH_ARGS, headless: true });
});

after(async () => {
  if (browser) await browser.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

let item;

test('township officer: rectification view, an overdue item, progress and a close-out request', { skip }, async () => {
  const page = await newPage();
  await signIn(page, 'demo-township');
  await page.click('header nav a[href="/rectification"]');
  await page.waitForSelector('#by-region');
  assert.match(await page.textContent('h1'), /罗溪镇/);
  const overdue = Number((await page.textContent('[data-tile="overdue"] .value')).trim());
  assert.ok(overdue > 0, 'the 2019 campaigns left overdue problems');
  assert.ok(await page.$('[data-tile="overdue"] .value.poor'), 'overdue shows in red');
  const tagang = await page.$('#by-region tr[data-region="360124106204"]');
  assert.ok(tagang, '塔岗 is a line of the township view');
  await page.screenshot({ path: path.join(shots, 'rectification-board.png'), fullPage: true });

  // drill down to 塔岗, then to its overdue items
  await Promise.all([page.waitForNavigation(), page.click('#by-region tr[data-region="360124106204"] a')]);
  assert.match(page.url(), /region=360124106204/);
  await Promise.all([page.waitForNavigation(), page.click('[data-tile="overdue"] a')]);
  assert.match(page.url(), /overdue=true/);
  await page.screenshot({ path: path.join(shots, 'rectification-overdue.png'), fullPage: true });
  // an overdue item nobody has worked on yet: 自来水未入户
  const row = page.locator('#problems tbody tr', { hasText: '自来水未入户' });
  assert.equal(await row.count(), 1);
  item = await row.getAttribute('data-problem');
  await Promise.all([page.waitForNavigation(), row.locator('td a').first().click()]);
  assert.equal(new URL(page.url()).pathname, `/problems/${item}`);
  assert.match(await page.textContent('#status'), /待整改/);
  assert.match(await page.textContent('#deadline'), /逾期/);

  await step(page, 'progress', '已完成管网铺设，待通水（浏览器测试）');
  assert.match(await page.textContent('#status'), /整改中/);
  await step(page, 'request_close', '自来水已入户，附通水照片（浏览器测试）');
  assert.match(await page.textContent('#status'), /待销号/);
  // verification is the county's: the township sees whose step it is instead of the sign-off form,
  // and may still withdraw its own request
  assert.equal(await page.locator('form.step[data-action="sign_off"]').count(), 0);
  assert.match(await page.textContent('#step-office'), /县级及以上/);
  assert.equal(await page.locator('form.step[data-action="reject"]').count(), 1);
  assert.match(await page.textContent('#status'), /待销号/);
  await page.screenshot({ path: path.join(shots, 'rectification-request.png'), fullPage: true });
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('county officer signs the item off; its page shows the whole trail', { skip }, async () => {
  assert.ok(item, 'the township test requested a close-out');
  const page = await newPage();
  await signIn(page, 'demo-officer');
  await page.goto(`${base}/problems/${item}`);
  await step(page, 'sign_off', '县级核验：现场查看属实（浏览器测试）');
  assert.match(await page.textContent('#status'), /已销号/);
  const actions = await page.$$eval('#trail tbody tr', (rows) => rows.map((r) => r.dataset.action));
  assert.deepEqual(actions.slice(-3), ['progress', 'request_close', 'sign_off']);
  assert.equal(actions[0], 'create');
  const trail = await page.textContent('#trail');
  assert.match(trail, /demo-township/);
  assert.match(trail, /demo-officer/);
  await page.screenshot({ path: path.join(shots, 'rectification-signed-off.png'), fullPage: true });
  // the township view counts it signed off
  await page.goto(`${base}/rectification?region=${LUOXI}`);
  assert.ok(Number((await page.textContent('[data-tile="closed"] .value')).trim()) >= 6);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('no request left the machine (rectification)', { skip }, () => {
  assert.deepEqual(external, []);
});
