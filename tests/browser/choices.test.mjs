// Browser tests of choosing on the offices' pages in headless Chromium, on `fupin serve --demo`
// (see harness.mjs):
//   - the province administrator picks 塔岗村 level by level (province → city → county → township →
//     village) on the household list, on a 390×844 phone without sideways scroll, each level's
//     drop-down filled when the one above is chosen; and by name on the board;
//   - the household list sorted backwards by its number from the column's header;
//   - demo-officer edits a member's fields: three faults shown at once beside their inputs with
//     their Chinese labels and what was typed kept, then saved;
//   - the board in English: the title, the causes' legend and the code labels of the household list;
//   - problems, projects and warnings sorted backwards from their headers, keeping the filters;
//   - a project's stages and asset kinds, a member's sex and the problems' statuses in English.
// No request may leave 127.0.0.1. Screenshots go to target/screenshots/.
//
// Run: `cargo build -p fupin --bin fupin && cd tests/browser && npm ci && node --test choices.test.mjs`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromiumMissing, startDemo, screenshots } from './harness.mjs';

const TAGANG = '360124106204';
const skip = chromiumMissing();
let demo;

before(async () => {
  if (skip) return;
  demo = await startDemo('choices');
});

after(async () => {
  if (demo) await demo.stop();
});

const shot = (page, name) => page.screenshot({ path: path.join(screenshots, name), fullPage: true });

// Choose `code` in the picker's drop-down of `level`, once the drop-down holds it.
async function choose(page, level, code) {
  const sel = `.region-picker select[data-level="${level}"]`;
  await page.waitForSelector(`${sel} option[value="${code}"]`, { state: 'attached' });
  await page.selectOption(sel, code);
}

test('a province administrator picks a village level by level on a phone', { skip }, async () => {
  const page = await demo.newPage({ width: 390, height: 844 });
  await demo.signIn(page, 'demo-admin');
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/regions')) requests.push(new URL(r.url()).pathname + new URL(r.url()).search); });
  await page.goto(`${demo.base}/households`);
  await page.waitForSelector('.region-picker select[data-level="province"]');
  // nothing below the province is read before it is chosen
  assert.ok(!(await page.$('.region-picker select[data-level="city"]')));
  await choose(page, 'province', '360000000000');
  await choose(page, 'city', '360100000000');
  await choose(page, 'county', '360124000000');
  await choose(page, 'township', '360124106000');
  await choose(page, 'village', TAGANG);
  assert.equal(await page.inputValue('#f-region'), TAGANG, 'the code is filled in');
  // each level fetched on its own when the one above is chosen: the children of one region a request
  for (const parent of ['360000000000', '360100000000', '360124000000', '360124106000']) {
    assert.ok(requests.includes(`/api/v1/regions?parent=${parent}`), requests.join(' '));
  }
  assert.ok(requests.every((u) => u === '/api/v1/regions' || /^\/api\/v1\/regions\?parent=\d{12}$/.test(u)), requests.join(' '));
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll on the phone: ${wide}`);
  await shot(page, 'region-picker-phone.png');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
  assert.match(page.url(), new RegExp(`region=${TAGANG}`));
  assert.match(await page.textContent('#result-count'), /14/);
  // the picker opens on the region chosen, its path filled in
  await page.waitForSelector(`.region-picker select[data-level="village"] option[value="${TAGANG}"]`, { state: 'attached' });
  assert.equal(await page.inputValue('.region-picker select[data-level="township"]'), '360124106000');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('a region found by name on the board', { skip }, async () => {
  const page = await demo.newPage();
  await demo.signIn(page, 'demo-admin');
  await page.goto(`${demo.base}/board`);
  await page.click('#region-switch summary');
  await page.fill('#region-switch .region-search', '塔岗');
  await page.waitForSelector(`#region-switch .region-found button[data-code="${TAGANG}"]`);
  assert.match(await page.textContent(`#region-switch .region-found button[data-code="${TAGANG}"]`), /罗溪镇/);
  await page.click(`#region-switch .region-found button[data-code="${TAGANG}"]`);
  assert.equal(await page.inputValue('#region-switch #f-region'), TAGANG);
  await Promise.all([page.waitForNavigation(), page.click('#region-switch-go')]);
  assert.match(await page.textContent('h1'), /塔岗/);
  await shot(page, 'region-picker-board.png');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('the household list sorted backwards from its header', { skip }, async () => {
  const page = await demo.newPage();
  await demo.signIn(page, 'demo-officer');
  await page.goto(`${demo.base}/households?region=${TAGANG}`);
  const up = await page.$$eval('#households tbody tr td:first-child', (tds) => tds.map((t) => t.textContent.trim()));
  await Promise.all([page.waitForNavigation(), page.click('#sort-number')]);
  assert.match(page.url(), /sort=-number/);
  assert.equal(await page.getAttribute('#households th[aria-sort]', 'aria-sort'), 'descending');
  const down = await page.$$eval('#households tbody tr td:first-child', (tds) => tds.map((t) => t.textContent.trim()));
  assert.deepEqual(down, [...up].reverse());
  await shot(page, 'households-sorted.png');
  await page.context().close();
});

test("an office edits a member's fields: every fault beside its input, then saved", { skip }, async () => {
  const page = await demo.newPage();
  await demo.signIn(page, 'demo-officer');
  const api = await demo.api('demo-officer');
  const list = await api('GET', `/api/v1/households?region=${TAGANG}&per_page=20`);
  const hh = list.body.items.find((h) => h.member_count >= 2).id;
  const d = await api('GET', `/api/v1/households/${hh}`);
  const m = d.body.members.find((x) => x.active && x.relation !== '01');
  await page.goto(`${demo.base}/households/${hh}`);
  await Promise.all([page.waitForNavigation(), page.click(`a[href="/households/${hh}/members/${m.id}/edit"]`)]);
  await page.fill('#f-name', '');
  await page.fill('#f-id_number', '36012419');
  await page.fill('#f-work_months', '15');
  await Promise.all([page.waitForNavigation(), page.click('#edit-member-form button[type=submit]')]);
  const errors = await page.$$eval('.field.invalid', (fs) => fs.map((f) => [f.querySelector('label').textContent, f.querySelector('.field-error').textContent]));
  assert.equal(errors.length, 3, JSON.stringify(errors));
  assert.ok(errors.some(([, e]) => /姓名/.test(e)));
  assert.ok(errors.some(([, e]) => /身份证号/.test(e)));
  assert.ok(errors.some(([, e]) => /务工时间/.test(e)));
  assert.ok(errors.every(([, e]) => !/[a-z]_[a-z]/.test(e)), 'no internal names');
  assert.equal(await page.inputValue('#f-id_number'), '36012419', 'what was typed is kept');
  assert.equal(await page.inputValue('#f-work_months'), '15');
  await shot(page, 'member-edit-errors.png');
  await page.fill('#f-name', '熊改名');
  await page.fill('#f-id_number', '');
  await page.fill('#f-work_months', '8');
  await page.selectOption('#f-health', '02');
  await Promise.all([page.waitForNavigation(), page.click('#edit-member-form button[type=submit]')]);
  assert.match(page.url(), /member=edited/);
  assert.match(await page.textContent('#members'), /熊改名/);
  const after = await api('GET', `/api/v1/households/${hh}`);
  const saved = after.body.members.find((x) => x.id === m.id);
  assert.equal(saved.health, '02');
  assert.equal(saved.work_months, 8);
  assert.equal(saved.id_number, m.id_number, 'the ID number kept');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('the board and the list in English', { skip }, async () => {
  const page = await demo.newPage();
  await demo.signIn(page, 'demo-officer');
  await page.goto(`${demo.base}/board?region=${TAGANG}&lang=en`);
  assert.match(await page.title(), /Poverty Alleviation Registry$/);
  await page.waitForSelector('#chart-causes canvas');
  const causes = await page.evaluate(() => JSON.parse(document.getElementById('board-data').textContent).causes.map((c) => c.name));
  assert.ok(causes.length > 0);
  assert.ok(causes.every((n) => /^[\x20-\x7e]+$/.test(n)), causes.join(', '));
  await shot(page, 'board-english.png');
  await page.goto(`${demo.base}/households?region=${TAGANG}`);
  assert.match(await page.title(), /Poverty Alleviation Registry$/);
  const cells = await page.$$eval('#households tbody tr td:nth-child(6)', (tds) => tds.map((t) => t.textContent.trim()));
  assert.ok(cells.every((n) => /^[\x20-\x7e]+$/.test(n)), cells.join(', '));
  await page.goto(`${demo.base}/households?region=${TAGANG}&lang=zh`);
  assert.match(await page.title(), /扶贫信息系统$/);
  await page.context().close();
});

test('problems, projects and warnings sorted backwards from their headers', { skip }, async () => {
  const page = await demo.newPage();
  await demo.signIn(page, 'demo-officer');
  for (const [url, table, key, rows] of [
    [`/problems?region=360124106000`, '#problems', 'id', 'tr[data-problem]'],
    [`/projects?region=${TAGANG}`, '#projects', 'village', 'tr[data-project]'],
    [`/warnings?region=360124106000&year=2021`, '#warnings', 'village', 'tr[data-household]'],
  ]) {
    await page.goto(`${demo.base}${url}`);
    assert.equal(await page.getAttribute(`${table} th[aria-sort]`, 'aria-sort'), 'ascending', url);
    const attr = rows.match(/data-[a-z]+/)[0];
    const up = await page.$$eval(`${table} tbody ${rows}`, (trs, a) => trs.map((t) => t.getAttribute(a)), attr);
    await Promise.all([page.waitForNavigation(), page.click(`#sort-${key}`)]);
    assert.match(page.url(), new RegExp(`sort=-${key}`));
    assert.match(page.url(), /region=/, 'the filters are kept');
    assert.equal(await page.getAttribute(`${table} th[aria-sort]`, 'aria-sort'), 'descending', url);
    const down = await page.$$eval(`${table} tbody ${rows}`, (trs, a) => trs.map((t) => t.getAttribute(a)), attr);
    assert.deepEqual(down, [...up].reverse(), url);
  }
  await shot(page, 'warnings-sorted.png');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('stages, kinds, sex and statuses in English', { skip }, async () => {
  const page = await demo.newPage();
  await demo.signIn(page, 'demo-officer');
  const ascii = (xs) => xs.every((n) => /^[\x20-\x7e]+$/.test(n));
  await page.goto(`${demo.base}/projects?region=${TAGANG}&lang=en`);
  const stages = await page.$$eval('#projects tbody tr td:nth-child(5)', (tds) => tds.map((t) => t.textContent.trim()));
  assert.ok(stages.length > 0 && ascii(stages), stages.join(', '));
  const first = await page.getAttribute('#projects tbody tr[data-project]', 'data-project');
  await page.goto(`${demo.base}/projects/${first}`);
  const steps = await page.$$eval('#lifecycle ol.steps li', (lis) => lis.map((l) => l.textContent.trim()));
  assert.ok(ascii(steps), steps.join(', '));
  const kinds = await page.$$eval('#assets h3 small', (s) => s.map((t) => t.textContent.trim()));
  assert.ok(ascii(kinds), kinds.join(', '));
  await shot(page, 'project-english.png');
  const hh = await page.evaluate(async (t) => (await (await fetch(`/api/v1/households?region=${t}&per_page=1`)).json()).items[0].id, TAGANG);
  await page.goto(`${demo.base}/households/${hh}`);
  const cells = await page.$$eval('td', (tds) => tds.map((t) => t.textContent.trim()));
  assert.ok(!cells.includes('男') && !cells.includes('女'), 'sex in English');
  assert.ok(cells.includes('Male') || cells.includes('Female'), cells.join(' | '));
  await page.goto(`${demo.base}/problems?region=360124106000`);
  const statuses = await page.$$eval('#problems tbody tr td:nth-child(7)', (tds) => tds.map((t) => t.textContent.trim()));
  assert.ok(statuses.length > 0 && ascii(statuses), statuses.join(', '));
  await page.goto(`${demo.base}/households?region=${TAGANG}&lang=zh`);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('no request left the machine (choices)', { skip }, () => {
  assert.deepEqual(demo ? demo.external : [], []);
});
