// Browser test of projects (项目库) in headless Chromium, on `fupin serve --demo`: the county officer
// (demo-officer) opens the project library with 塔岗's eight demo projects, takes a new project from
// the village's proposal through the reviews, the notice, the library, the plan, funds,
// implementation and acceptance to its completion notice on the project's page (the money and the
// progress entered through the API, as the offices' systems would), prints the completion notice
// (A4, print media; screenshot), records where it was posted, registers the asset and pays its
// dividend, and sees the dividend on the household's page (资金到户). Screenshots go to
// target/screenshots/.
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
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fupin-browser-proj-'));
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


const TAGANG = '360124106204';

async function api(page, method, url, body) {
  return page.evaluate(async ([method, url, body]) => {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const r = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.json() };
  }, [method, url, body]);
}

async function completeStep(page, date) {
  const before = await page.getAttribute('#stage', 'data-stage');
  if (date) await page.fill('#step-date', date);
  await Promise.all([page.waitForNavigation(), page.click('#complete-step')]);
  const alert = await page.$('[role=alert]');
  assert.equal(alert, null, alert ? await alert.textContent() : '');
  const after = await page.getAttribute('#stage', 'data-stage');
  assert.notEqual(after, before, `the step ${before} was completed`);
  return after;
}

async function until(page, stage, date) {
  for (let i = 0; i < 15; i++) {
    if ((await page.getAttribute('#stage', 'data-stage')) === stage) return;
    await completeStep(page, date);
  }
  assert.fail(`never reached ${stage}`);
}

test('county officer: a project from proposal to its completion notice, printed; the dividend on the household page', { skip }, async () => {
  const page = await newPage();
  await signIn(page, 'demo-officer');
  await page.click('header nav a[href="/projects"]');
  await page.waitForSelector('#projects');
  assert.ok((await page.$$('#projects tbody tr')).length >= 8, "塔岗's eight demo projects are listed");
  await page.screenshot({ path: path.join(shots, 'projects-list.png'), fullPage: true });

  // the village's proposal, as its system sends it
  const list = await page.evaluate(async (code) => (await fetch(`/api/v1/households?region=${code}&per_page=1`)).json(), TAGANG);
  const household = list.items[0].id;
  const proposal = await api(page, 'POST', '/api/v1/projects', {
    village_code: TAGANG, name: '塔岗村产业路（浏览器测试）', category: '基础设施', sub_category: '道路', year: 2019,
    planned_start: '2019-03-01', planned_end: '2019-09-30', responsible_unit: '罗溪镇人民政府', responsible_person: '王主任',
    content: '新修产业路 1.2 公里', budget_fen: 30000000, targets: [{ indicator: '新修道路', value: '1.2 公里' }],
    beneficiaries: [{ household_id: household, mode: '分红' }], participation: '2019-01-05 村民代表大会议定', proposed_on: '2019-01-10',
  });
  assert.equal(proposal.status, 201, JSON.stringify(proposal.body));
  const id = proposal.body.id;
  await page.goto(`${base}/projects/${id}`);
  assert.equal(await page.getAttribute('#stage', 'data-stage'), 'proposal');

  // reviews, the notice (its end proposed by the form), the library
  await until(page, 'annual_plan');
  assert.ok(await page.$('#library-notice'), 'the library notice is offered');
  // money: a county source, its allocation and receipt
  const source = await api(page, 'POST', '/api/v1/fund-sources', {
    region_code: '360124000000', year: 2019, kind: '统筹整合涉农资金', name: '2019年统筹整合涉农资金（浏览器测试）', amount_fen: 30000000, date: '2019-02-01',
  });
  assert.equal(source.status, 201, JSON.stringify(source.body));
  const alloc = await api(page, 'POST', '/api/v1/allocations', { source_id: source.body.id, project_id: id, amount_fen: 30000000, date: '2019-02-20' });
  assert.equal(alloc.status, 201, JSON.stringify(alloc.body));
  assert.equal((await api(page, 'POST', `/api/v1/allocations/${alloc.body.id}/receipts`, { amount_fen: 30000000, date: '2019-02-21' })).status, 201);
  await page.reload();
  await until(page, 'implementation');
  const paid = await api(page, 'POST', `/api/v1/allocations/${alloc.body.id}/disbursements`, {
    payee: '罗溪镇路桥队', amount_fen: 29000000, date: '2019-06-10', voucher: 'BT-001',
  });
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  const wage = await api(page, 'POST', `/api/v1/allocations/${alloc.body.id}/disbursements`, {
    payee: '务工报酬', household_id: household, amount_fen: 1000000, date: '2019-06-20', voucher: 'BT-002',
  });
  assert.equal(wage.status, 201, JSON.stringify(wage.body));
  assert.equal((await api(page, 'POST', `/api/v1/projects/${id}/progress`, { month: '2019-06-01', percent: 100, spent_fen: 30000000 })).status, 200);
  await page.reload();
  // acceptance after the work and its payments
  await until(page, 'completion_notice', '2019-07-01');
  assert.match(await page.textContent('#money'), /300,000\.00/);
  await page.screenshot({ path: path.join(shots, 'project-page.png'), fullPage: true });

  // the completion notice, printed on A4
  await Promise.all([page.waitForNavigation(), page.click('#completion-notice')]);
  assert.match(await page.textContent('#notice h1'), /竣工公告/);
  assert.match(await page.textContent('#notice-project'), /产业路/);
  assert.match(await page.textContent('#notice-period'), /公示期/);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('#record-notice'), false, 'the form is not printed');
  await page.screenshot({ path: path.join(shots, 'project-completion-notice.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await page.fill('#places', '塔岗村务公开栏、村委会门口');
  await Promise.all([page.waitForNavigation(), page.click('#record-posting')]);
  assert.equal(new URL(page.url()).pathname, `/projects/${id}`);
  assert.match(await page.textContent('#notices'), /塔岗村务公开栏/);

  // the asset it became, its first year's income and dividend; the lifecycle ends
  await completeStep(page);
  const asset = await api(page, 'POST', '/api/v1/assets', {
    project_id: id, village_code: TAGANG, name: '塔岗产业路（浏览器测试）', kind: 'road', value_fen: 30000000,
    owner_kind: 'collective', owner_name: '塔岗村委会', custodian: '塔岗村委会', registered_on: '2019-08-01',
    shareholders: [{ household_id: household, shares: 1 }],
  });
  assert.equal(asset.status, 201, JSON.stringify(asset.body));
  const income = await api(page, 'POST', `/api/v1/assets/${asset.body.id}/incomes`, {
    year: 2019, income_fen: 100000, collective_fen: 50000, households_fen: 50000, paid_on: '2019-12-20',
  });
  assert.equal(income.status, 201, JSON.stringify(income.body));
  await page.reload();
  assert.equal(await completeStep(page), 'done');
  assert.ok(await page.$(`[data-asset="${asset.body.id}"]`), 'the asset is on the project page');

  // the household's page: the payment and the dividend that reached it
  await page.goto(`${base}/households/${household}#funds-trace`);
  const trace = await page.textContent('#trace');
  assert.match(trace, /产业路/);
  assert.ok(await page.$('#trace tr[data-kind="dividend"][data-year="2019"]'), 'the 2019 dividend is listed');
  assert.match(trace, /500\.00/);
  assert.match(trace, /10,000\.00/);
  await page.locator('#funds-trace').screenshot({ path: path.join(shots, 'household-funds-trace.png') });
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('county officer: money and the asset through the project page\'s forms, each mistake beside its field', { skip }, async () => {
  const page = await newPage();
  await signIn(page, 'demo-officer');
  const list = await page.evaluate(async (code) => (await fetch(`/api/v1/households?region=${code}&per_page=1`)).json(), TAGANG);
  const household = list.items[0].id;
  const proposal = await api(page, 'POST', '/api/v1/projects', {
    village_code: TAGANG, name: '塔岗村光伏扩容（表单测试）', category: '产业', year: 2019,
    planned_start: '2019-03-01', planned_end: '2019-09-30', responsible_unit: '罗溪镇人民政府', responsible_person: '王主任',
    content: '扩建光伏 30 千瓦', budget_fen: 20000000, targets: [{ indicator: '装机', value: '30 千瓦' }],
    beneficiaries: [{ household_id: household, mode: '分红' }], proposed_on: '2019-01-10',
  });
  assert.equal(proposal.status, 201, JSON.stringify(proposal.body));
  const id = proposal.body.id;
  await page.goto(`${base}/projects/${id}`);
  await until(page, 'annual_plan');

  // a fund source: the name left out and the amount mistyped, both shown beside their inputs
  await page.click('#source-box summary');
  await page.selectOption('#source-form select[name=kind]', 'helping_unit');
  await page.fill('#source-form input[name=amount_fen]', '两百万');
  await Promise.all([page.waitForNavigation(), page.click('#source-form button[type=submit]')]);
  assert.equal(await page.getAttribute('#form-error', 'data-errors'), '2');
  assert.match(await page.textContent('#source-form #f-name-error'), /资金名称 不能为空/);
  assert.match(await page.textContent('#source-form #f-amount_fen-error'), /金额/);
  assert.equal(await page.inputValue('#source-form select[name=kind]'), 'helping_unit', 'what was chosen is kept');
  await page.screenshot({ path: path.join(shots, 'project-form-errors.png'), fullPage: true });
  await page.fill('#source-form input[name=name]', '2019年帮扶单位资金（表单测试）');
  await page.fill('#source-form input[name=amount_fen]', '200,000.00');
  await page.fill('#source-form input[name=date]', '2019-02-01');
  await Promise.all([page.waitForNavigation(), page.click('#source-form button[type=submit]')]);
  assert.equal(await page.$('[role=alert]'), null);

  // an allocation beyond the source is refused beside the amount; then one within it
  const option = await page.$eval('#allocation-form select[name=source_id]',
    (s) => [...s.options].find((o) => o.textContent.includes('表单测试')).value);
  await page.selectOption('#allocation-form select[name=source_id]', option);
  await page.fill('#allocation-form input[name=amount_fen]', '200000.01');
  await page.fill('#allocation-form input[name=date]', '2019-02-20');
  await Promise.all([page.waitForNavigation(), page.click('#allocation-form button[type=submit]')]);
  assert.match(await page.textContent('#allocation-form #f-amount_fen-error'), /超出资金来源的余额/);
  await page.fill('#allocation-form input[name=amount_fen]', '200000');
  await Promise.all([page.waitForNavigation(), page.click('#allocation-form button[type=submit]')]);
  assert.equal(await page.$('[role=alert]'), null);
  const allocation = await page.$eval('#receipt-form select[name=allocation_id] option:nth-child(2)', (o) => o.value);
  await page.selectOption('#receipt-form select[name=allocation_id]', allocation);
  await page.fill('#receipt-form input[name=amount_fen]', '200000');
  await page.fill('#receipt-form input[name=date]', '2019-02-21');
  await Promise.all([page.waitForNavigation(), page.click('#receipt-form button[type=submit]')]);
  assert.match(await page.textContent('#money'), /200,000\.00 · 200,000\.00 · 0\.00/);

  // payments: payee and voucher missing are both named; then the household's wage
  await until(page, 'implementation');
  await page.selectOption('#disbursement-form select[name=allocation_id]', allocation);
  await page.fill('#disbursement-form input[name=amount_fen]', '1500');
  await page.fill('#disbursement-form input[name=date]', '2019-06-20');
  await Promise.all([page.waitForNavigation(), page.click('#disbursement-form button[type=submit]')]);
  assert.match(await page.textContent('#disbursement-form #f-payee-error'), /收款人 不能为空/);
  assert.match(await page.textContent('#disbursement-form #f-voucher-error'), /凭证号 不能为空/);
  await page.fill('#disbursement-form input[name=payee]', '务工报酬');
  await page.selectOption('#disbursement-form select[name=household_id]', String(household));
  await page.fill('#disbursement-form input[name=voucher]', 'GF-001');
  await Promise.all([page.waitForNavigation(), page.click('#disbursement-form button[type=submit]')]);
  assert.equal(await page.$('[role=alert]'), null);
  assert.ok(await page.$('#movements tr[data-kind="disbursement"]'));
  assert.equal((await api(page, 'POST', `/api/v1/projects/${id}/progress`, { month: '2019-06-01', percent: 100, spent_fen: 150000 })).status, 200);
  await page.reload();
  await until(page, 'asset_registration', '2019-07-01');

  // the asset, then a year's income paid before the acceptance: refused beside the date
  await page.selectOption('#asset-form select[name=kind]', 'solar_plant');
  await page.fill('#asset-form input[name=value_fen]', '200000');
  await page.selectOption('#asset-form select[name=owner_kind]', 'collective');
  await page.fill('#asset-form input[name=registered_on]', '2019-08-01');
  await Promise.all([page.waitForNavigation(), page.click('#asset-form button[type=submit]')]);
  assert.equal(await page.$('[role=alert]'), null);
  const income = '#asset-incomes form.income';
  await page.fill(`${income} input[name=year]`, '2019');
  await page.fill(`${income} input[name=income_fen]`, '1000');
  await page.fill(`${income} input[name=collective_fen]`, '400');
  await page.fill(`${income} input[name=households_fen]`, '600');
  await page.fill(`${income} input[name=paid_on]`, '2019-06-30');
  await Promise.all([page.waitForNavigation(), page.click(`${income} button[type=submit]`)]);
  assert.match(await page.textContent(`${income} #f-paid_on-error`), /早于项目验收日期/);
  await page.fill(`${income} input[name=paid_on]`, '2019-12-20');
  await Promise.all([page.waitForNavigation(), page.click(`${income} button[type=submit]`)]);
  assert.equal(await page.$('[role=alert]'), null);
  await page.screenshot({ path: path.join(shots, 'project-forms.png'), fullPage: true });

  // the household's page: the wage and the dividend that reached it
  await page.goto(`${base}/households/${household}#funds-trace`);
  const trace = await page.textContent('#trace');
  assert.match(trace, /光伏扩容/);
  assert.match(trace, /1,500\.00/);
  assert.match(trace, /600\.00/);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('no request left the machine (projects)', { skip }, () => {
  assert.deepEqual(external, []);
});
