// Browser tests of the household's forms and the pairing pages in headless Chromium, on
// `fupin serve --demo` (see harness.mjs):
//   - demo-officer records a member's death: the household's persons and 塔岗's statistics on the
//     board each go down by one;
//   - demo-officer replaces a household's cadre: the old pairing ends with its reason, the new
//     cadre's starts the next day;
//   - demo-cadre on a 390×844 phone: the paired household's page needs no sideways scroll, names its
//     village and folds the visit history (the latest 3, then "更多").
// No request may leave 127.0.0.1. Screenshots go to target/screenshots/.
//
// Run: `cargo build -p fupin --bin fupin && cd tests/browser && npm ci && node --test household.test.mjs`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromiumMissing, startDemo, screenshots } from './harness.mjs';

const TAGANG = '360124106204';
const skip = chromiumMissing();
let demo;

before(async () => {
  if (skip) return;
  demo = await startDemo('household');
});

after(async () => {
  if (demo) await demo.stop();
});

const shot = (page, name) => page.screenshot({ path: path.join(screenshots, name), fullPage: true });
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

async function boardPersons(page, year) {
  await page.goto(`${demo.base}/board?region=${TAGANG}&year=${year}`);
  const t = await page.textContent('[data-tile="persons"] .value');
  return Number(t.replace(/[^0-9]/g, ''));
}

test("an office records a member's death: the household's persons and the village's statistics follow", { skip }, async () => {
  const page = await demo.newPage();
  await demo.signIn(page, 'demo-officer');
  const api = await demo.api('demo-officer');
  const list = await api('GET', `/api/v1/households?region=${TAGANG}&per_page=20`);
  const hh = list.body.items.find((h) => h.member_count >= 2).id;
  const year = Number(today().slice(0, 4));
  const village0 = await boardPersons(page, year);
  await page.goto(`${demo.base}/households/${hh}`);
  const persons0 = Number(await page.getAttribute('#members-active', 'data-count'));
  assert.ok(persons0 >= 2);

  await Promise.all([page.waitForNavigation(), page.click(`a[href="/households/${hh}/members/leave"]`)]);
  const member = await page.$$eval('#f-person_id option', (os) => os.find((o) => o.value && !/户主/.test(o.textContent)).value);
  await page.selectOption('#f-person_id', member);
  // no kind chosen and a date in the future: both beside their inputs, what was typed kept
  await page.fill('#f-date', '2999-01-01');
  await Promise.all([page.waitForNavigation(), page.click('#leave-form button[type=submit]')]);
  const errors = await page.$$eval('.field.invalid .field-error', (ps) => ps.map((p) => p.textContent));
  assert.equal(errors.length, 2, `${errors}`);
  assert.ok(errors.some((e) => /减少原因/.test(e)));
  assert.ok(errors.some((e) => /日期/.test(e)));
  assert.equal(await page.inputValue('#f-date'), '2999-01-01');
  assert.equal(await page.inputValue('#f-person_id'), member);
  await shot(page, 'household-member-leave-errors.png');

  await page.selectOption('#f-kind', '01');
  await page.fill('#f-date', today());
  await page.fill('#f-reason', '病故');
  await Promise.all([page.waitForNavigation(), page.click('#leave-form button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, `/households/${hh}`);
  assert.match(await page.textContent('#member-saved'), /成员变动已记录/);
  assert.equal(Number(await page.getAttribute('#members-active', 'data-count')), persons0 - 1, "the household's persons");
  await shot(page, 'household-member-death.png');
  assert.equal(await boardPersons(page, year), village0 - 1, "the village's persons on the board");
  await shot(page, 'household-member-death-board.png');
  assert.deepEqual(page.jsErrors, []);
  assert.deepEqual(demo.external, []);
  await page.context().close();
});

test("an office replaces a household's cadre", { skip }, async () => {
  const page = await demo.newPage();
  await demo.signIn(page, 'demo-officer');
  const api = await demo.api('demo-officer');
  const list = await api('GET', `/api/v1/households?region=${TAGANG}&per_page=20`);
  let current;
  for (const h of list.body.items) {
    const ps = await api('GET', `/api/v1/households/${h.id}/pairings`);
    current = ps.body.items.find((p) => p.end_date === null);
    if (current) break;
  }
  assert.ok(current, 'a pairing in force');
  const hh = current.household_id;
  // a cadre with no pairing in force
  const cadres = await api('GET', '/api/v1/cadres?per_page=500');
  let free;
  for (const c of cadres.body.items) {
    if (c.id === current.cadre_id) continue;
    const ps = await api('GET', `/api/v1/cadres/${c.id}/pairings`);
    if (ps.body.items.every((p) => p.end_date !== null)) { free = c; break; }
  }
  assert.ok(free, 'a free cadre');

  await page.goto(`${demo.base}/households/${hh}`);
  await Promise.all([page.waitForNavigation(), page.click(`a[href="/households/${hh}/pairing"]`)]);
  const card = `#pairing-${current.id}`;
  await page.click(`${card} details:first-of-type summary`);
  await page.selectOption(`${card} .replace-form select[name=replacement_cadre_id]`, String(free.id));
  await page.fill(`${card} .replace-form input[name=end_date]`, today());
  await page.fill(`${card} .replace-form textarea[name=reason]`, '工作调动');
  await shot(page, 'pairing-replace-form.png');
  await Promise.all([page.waitForNavigation(), page.click(`${card} .replace-form button[type=submit]`)]);
  assert.equal(new URL(page.url()).pathname, `/households/${hh}`);
  assert.match(await page.textContent('#pairing-saved'), /帮扶干部已更换/);
  const rows = await page.$$eval('#pairings tbody tr', (rs) => rs.map((r) => r.textContent));
  assert.ok(rows.some((r) => r.includes(current.cadre_name) && r.includes('工作调动')), `${rows}`);
  assert.ok(rows.some((r) => r.includes(free.name) && r.includes('至今')), `${rows}`);
  await shot(page, 'pairing-replaced.png');
  const after = await api('GET', `/api/v1/households/${hh}/pairings`);
  const next = new Date(Date.parse(today()) + 86400_000).toISOString().slice(0, 10);
  assert.ok(after.body.items.some((p) => p.cadre_id === free.id && p.start_date === next && p.end_date === null));
  // the new cadre's page counts the household
  await page.goto(`${demo.base}/cadres/${free.id}`);
  assert.equal(await page.getAttribute('#cadre-load', 'data-load'), '1');
  await shot(page, 'pairing-cadre-load.png');
  assert.deepEqual(page.jsErrors, []);
  assert.deepEqual(demo.external, []);
  await page.context().close();
});

test('a cadre on a phone: the household page fits, names its village and folds the visits', { skip }, async () => {
  const page = await demo.newPage({ width: 390, height: 844 });
  await demo.signIn(page, 'demo-cadre');
  await page.goto(`${demo.base}/m`);
  const hh = await page.getAttribute('li.card[data-household]', 'data-household');
  await page.goto(`${demo.base}/households/${hh}`);
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(fits, 'no sideways scroll');
  assert.match(await page.textContent('#summary'), /塔岗/);
  const open = await page.$$eval('#visits > ol.visits > li', (ls) => ls.length);
  const all = await page.$$eval('#visits li.visit', (ls) => ls.length);
  assert.ok(all > 3, `the demo household has more than 3 visits (${all})`);
  assert.equal(open, 3, 'the latest 3 open');
  assert.match(await page.textContent('#more-visits summary'), /更多/);
  assert.equal(await page.isVisible('#more-visits li.visit'), false, 'the older ones folded');
  await shot(page, 'phone-household.png');
  await page.click('#more-visits summary');
  assert.equal(await page.isVisible('#more-visits li.visit'), true);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  assert.deepEqual(page.jsErrors, []);
  assert.deepEqual(demo.external, []);
  await page.context().close();
});
