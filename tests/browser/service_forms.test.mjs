// Browser test of the forms that register what the departments and the helping unit provide, in
// headless Chromium on `fupin serve --demo`: the county officer registers a public-welfare post of
// 塔岗 from the workplaces page (a fault shown beside its input first), hires a registered labourer
// on it (an unknown person refused beside the field, then 万金根), and records a job fair with the
// registered persons it served; the services report counts the fair (screenshots of each form and
// of the pages they lead to, target/screenshots/service-*.png).
//
// Run with the other browser tests: `cargo build -p fupin && (cd tests/browser && npm ci && npm test)`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromiumMissing, screenshots, startDemo } from './harness.mjs';

const TAGANG = '360124106204';
const skip = chromiumMissing();
let env;

before(async () => {
  if (skip) return;
  env = await startDemo('service-forms');
});

after(async () => {
  if (env) await env.stop();
});

const shot = (page, name) => page.screenshot({ path: path.join(screenshots, `service-${name}.png`), fullPage: true });

async function submit(page, form = 'form.stack') {
  await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
}

test('the county officer registers a post, hires a labourer and records a job fair', { skip }, async () => {
  const page = await env.newPage();
  await env.signIn(page, 'demo-officer');

  // a post of 塔岗, from the workplaces page; the positions typed in words are refused beside them
  await page.goto(`${env.base}/workplaces?region=${TAGANG}`);
  await Promise.all([page.waitForNavigation(), page.click('#new-workplace')]);
  assert.match(new URL(page.url()).pathname, /^\/workplaces\/new$/);
  await page.selectOption('#f-kind', 'post');
  await page.fill('#f-name', '塔岗村护路岗（三组）');
  await page.fill('#f-region_code', TAGANG);
  await page.fill('#f-work_type', '护路');
  await page.fill('#f-capacity', '两个');
  await page.fill('#f-opened', '2019-03-01');
  await submit(page);
  const capacityError = await page.locator('#f-capacity-error').innerText();
  assert.ok(capacityError.includes('整数'), capacityError);
  assert.equal(await page.inputValue('#f-name'), '塔岗村护路岗（三组）', 'typed values kept');
  await shot(page, 'workplace-refused');
  await page.fill('#f-capacity', '1');
  await submit(page);
  const place = new URL(page.url()).pathname;
  assert.match(place, /^\/workplaces\/\d+$/);
  assert.ok((await page.locator('h1').innerText()).includes('塔岗村护路岗（三组）'));

  // a hire on it: someone not registered in that household, then 万金根
  await Promise.all([page.waitForNavigation(), page.click('#new-hire')]);
  assert.equal(new URL(page.url()).pathname, `${place}/hire`);
  await page.fill('#f-person', `${TAGANG}0004 张三`);
  await page.fill('#f-hire_date', '2019-03-01');
  await page.fill('#f-monthly_wage_fen', '500');
  await submit(page);
  const personError = await page.locator('#f-person-error').innerText();
  assert.ok(personError.includes('不是在册的建档立卡人员'), personError);
  await shot(page, 'hire-refused');
  await page.fill('#f-person', `${TAGANG}0004 万金根`);
  await submit(page);
  assert.equal(new URL(page.url()).pathname, place);
  const hires = await page.locator('#hires').innerText();
  assert.ok(hires.includes('万金根') && hires.includes('500.00'), hires);
  await shot(page, 'workplace');

  // a job fair with two registered persons among the 60 served and 12 others placed in the county
  await page.goto(`${env.base}/events?region=${TAGANG}`);
  await Promise.all([page.waitForNavigation(), page.click('#new-event')]);
  assert.equal(new URL(page.url()).pathname, '/events/new');
  await page.selectOption('#f-kind', 'job_fair');
  await page.fill('#f-title', '塔岗村就业扶贫专场招聘会');
  await page.fill('#f-region_code', TAGANG);
  await page.fill('#f-place', '塔岗村委会');
  await page.fill('#f-date', '2019-03-16');
  await page.fill('#f-served_total', '60');
  await page.fill('#f-placed_others-in_county', '12');
  await page.fill('#f-persons', `${TAGANG}0001 万建华\n${TAGANG}0001 无此人`);
  await submit(page);
  const personsError = await page.locator('#f-persons-error').innerText();
  assert.ok(personsError.includes('第 2 行'), personsError);
  await shot(page, 'event-refused');
  await page.fill('#f-persons', `${TAGANG}0001 万建华\n${TAGANG}0002 李国平`);
  await submit(page);
  assert.match(new URL(page.url()).pathname, /^\/events\/\d+$/);
  const body = await page.locator('main').innerText();
  assert.ok(body.includes('万建华') && body.includes('李国平'), body);
  await shot(page, 'event');
  assert.deepEqual(page.jsErrors, []);
  assert.deepEqual(env.external, []);

  // the services report counts the fair
  const call = await env.api('demo-officer');
  const r = await call('GET', `/api/v1/regions/${TAGANG}/services-report?from=2019-03-01&to=2019-03-31`);
  assert.equal(r.status, 200);
  assert.equal(r.body.served.total, 60);
  assert.equal(r.body.served.registered, 2);
  assert.equal(r.body.employment.in_county.total, 12);
});
