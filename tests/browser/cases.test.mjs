// Browser test of the procedure cases in headless Chromium, on `fupin serve --demo`: household
// 3601241062040007 of 塔岗 (exited in 2018) is recorded as relapsed in March 2019 and verified for
// the year (the offices' systems would send both); in the browser the township officer
// (demo-township) starts its exit procedure from the household page, takes it through the village's
// steps, is refused a sending back without a reason (the message beside the field), sends it back
// with one and takes it through again, records an objection during the public notice, is refused
// the end of the notice while the objection is open and again before the notice has lasted its days
// (each refusal beside the form, in Chinese), resolves the objection, ends the notice and reviews;
// the county officer (demo-officer) sees the exit assessment met criterion by criterion beside the
// case and approves: the household is exited again, with 2019 as its exit year. Screenshots go to
// target/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromiumMissing, startDemo, screenshots as SHOTS } from './harness.mjs';

const skip = chromiumMissing();
let demo;

before(async () => {
  if (!skip) demo = await startDemo('cases');
});

after(async () => {
  if (demo) await demo.stop();
});

const HOUSEHOLD = 7;

async function complete(page, date) {
  const before = await page.getAttribute('#step', 'data-step');
  await page.fill('#complete-form input[name=date]', date);
  await Promise.all([page.waitForNavigation(), page.click('#complete-step')]);
  const alert = await page.$('#act [role=alert]');
  assert.equal(alert, null, alert ? await alert.textContent() : '');
  const after = await page.getAttribute('#step', 'data-step');
  assert.notEqual(after, before, `the step ${before} was completed`);
  return after;
}

async function send(page, form, fields) {
  for (const [name, value] of Object.entries(fields)) {
    await page.fill(`${form} [name=${name}]`, value);
  }
  await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
}

test('an exit case from the village proposal to the county approval, with an objection and a sending back', { skip }, async () => {
  // the relapse and the year's verification, as the offices' systems send them
  const officer = await demo.api('demo-officer');
  const relapse = await officer('POST', `/api/v1/households/${HOUSEHOLD}/status`, { to: 'relapsed', date: '2019-03-01', reason: '因病返贫' });
  assert.equal(relapse.status, 200, JSON.stringify(relapse.body));
  const verified = await officer('PUT', `/api/v1/households/${HOUSEHOLD}/years/2019`, { food_secure: true, clothing_secure: true });
  assert.equal(verified.status, 204, JSON.stringify(verified.body));

  const page = await demo.newPage();
  await demo.signIn(page, 'demo-township');
  await page.goto(`${demo.base}/households/${HOUSEHOLD}`);
  // the menu leads to the region's cases too
  assert.ok(await page.$('header nav a[href="/cases"]'), 'the menu links the procedures');
  await page.selectOption('#start-kind', 'exit');
  await page.fill('#start-year', '2019');
  await page.fill('#start-date', '2019-09-01');
  await Promise.all([page.waitForNavigation(), page.click('#start-case button[type=submit]')]);
  assert.match(new URL(page.url()).pathname, /^\/cases\/\d+$/);
  const caseUrl = page.url();
  assert.equal(await page.getAttribute('#step', 'data-step'), 'proposal');
  assert.equal(await page.$('#reject-form'), null, 'nothing to send back at the first step');
  await page.screenshot({ path: path.join(SHOTS, 'case-started.png'), fullPage: true });

  assert.equal(await complete(page, '2019-09-02'), 'democratic_appraisal');
  assert.equal(await complete(page, '2019-09-05'), 'verification');
  // sending back needs a reason: refused beside the field, what was typed kept
  await send(page, '#reject-form', { date: '2019-09-06', reason: '   ' });
  assert.equal(await page.getAttribute('#step', 'data-step'), 'verification');
  assert.match(await page.textContent('#reject-form .field-error'), /请填写退回理由/);
  assert.equal(await page.inputValue('#reject-form input[name=date]'), '2019-09-06');
  await send(page, '#reject-form', { date: '2019-09-06', reason: '评议材料不全，重新提名' });
  assert.equal(await page.getAttribute('#step', 'data-step'), 'proposal');
  assert.match(await page.textContent('#history'), /评议材料不全/);

  assert.equal(await complete(page, '2019-09-07'), 'democratic_appraisal');
  assert.equal(await complete(page, '2019-09-08'), 'verification');
  assert.equal(await complete(page, '2019-09-09'), 'household_consent');
  assert.equal(await complete(page, '2019-09-10'), 'public_notice');
  assert.match(await page.textContent('#notice'), /2019-09-10/);

  // an objection during the notice; the notice cannot end while it is open
  await send(page, '#objection-form', { date: '2019-09-12', text: '村民反映该户务工收入未核实' });
  assert.match(await page.textContent('#objections'), /务工收入未核实/);
  await page.fill('#complete-form input[name=date]', '2019-09-13');
  await Promise.all([page.waitForNavigation(), page.click('#complete-step')]);
  assert.match(await page.textContent('#complete-form .form-error'), /异议未处理/);
  await page.screenshot({ path: path.join(SHOTS, 'case-objection-refused.png'), fullPage: true });
  await send(page, 'form[data-action="resolve_objection"]', { date: '2019-09-14', resolution: '已入户核实务工收入，情况属实' });
  // nor before it has lasted its days
  await page.fill('#complete-form input[name=date]', '2019-09-15');
  await Promise.all([page.waitForNavigation(), page.click('#complete-step')]);
  assert.match(await page.textContent('#complete-form .form-error'), /公示须满/);
  assert.equal(await page.getAttribute('#step', 'data-step'), 'public_notice');
  assert.equal(await complete(page, '2019-09-20'), 'township_review');
  assert.equal(await complete(page, '2019-09-25'), 'county_approval');

  // the county approves, the assessment beside the case
  await page.context().close();
  const county = await demo.newPage();
  await demo.signIn(county, 'demo-officer');
  await county.goto(caseUrl);
  assert.equal(await county.getAttribute('#assessment-result', 'data-passed'), 'true');
  const criteria = await county.$$eval('#assessment li.criterion', (ls) => ls.map((l) => [l.dataset.criterion, l.classList.contains('passed')]));
  assert.ok(criteria.length >= 7, JSON.stringify(criteria));
  assert.ok(criteria.every(([, ok]) => ok), JSON.stringify(criteria));
  assert.match(await county.textContent('#complete-step'), /县级审定/);
  await county.screenshot({ path: path.join(SHOTS, 'case-county-approval.png'), fullPage: true });
  assert.equal(await complete(county, '2019-10-10'), 'done');
  assert.equal(await county.getAttribute('.page-head .state', 'data-state'), 'done');
  assert.equal(await county.$('#act'), null, 'a finished case offers no action');
  assert.match(await county.textContent('#household-status'), /已脱贫/);
  await county.screenshot({ path: path.join(SHOTS, 'case-done.png'), fullPage: true });

  // the household and the region's list agree
  const h = await officer('GET', `/api/v1/households/${HOUSEHOLD}`);
  assert.equal(h.body.status, 'exited');
  assert.equal(h.body.exit_year, 2019);
  await county.goto(`${demo.base}/cases?region=360124106204&kind=exit`);
  const id = caseUrl.split('/').pop();
  assert.ok(await county.$(`#cases tr[data-case="${id}"] .state-done`), 'the list shows the case finished');
  assert.deepEqual(county.jsErrors, []);
  await county.context().close();
});

test('no request left the machine (cases)', { skip }, () => {
  assert.deepEqual(demo ? demo.external : [], []);
});
