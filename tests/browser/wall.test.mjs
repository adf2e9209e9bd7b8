// Browser test of the board's wall screen (大屏) in headless Chromium at 1920×1080, on
// `fupin serve --demo`: the province administrator (demo-admin) opens the wall screen of 江西省 and
// drills down through the city, the county and the township to 塔岗村 by the child regions' links;
// every level stays in the wall-screen layout and fits the screen without vertical scrolling
// (document scrollHeight <= innerHeight), with its charts drawn. Screenshots go to
// target/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromiumMissing, startDemo, screenshots as SHOTS } from './harness.mjs';

const skip = chromiumMissing();
let demo;

before(async () => {
  if (!skip) demo = await startDemo('wall');
});

after(async () => {
  if (demo) await demo.stop();
});

async function fits(page, name) {
  await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length > 0);
  // let the charts settle in their panels
  await page.waitForTimeout(300);
  const m = await page.evaluate(() => ({
    big: document.body.classList.contains('big'),
    scroll: document.documentElement.scrollHeight,
    inner: window.innerHeight,
    width: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    charts: [...document.querySelectorAll('.chart')].map((c) => c.getBoundingClientRect().height),
  }));
  assert.ok(m.big, `${name}: the wall-screen layout`);
  assert.match(page.url(), /[?&]screen=big/, `${name}: the address keeps the wall screen`);
  assert.ok(m.scroll <= m.inner, `${name}: scrollHeight ${m.scroll} > innerHeight ${m.inner}`);
  assert.ok(m.width <= m.innerWidth, `${name}: scrollWidth ${m.width} > innerWidth ${m.innerWidth}`);
  assert.ok(m.charts.every((h) => h >= 150), `${name}: every chart has room (${m.charts})`);
  await page.screenshot({ path: path.join(SHOTS, `wall-${name}.png`) });
}

test('the wall screen stays on when drilling down and fits 1920×1080 at every level', { skip }, async () => {
  const page = await demo.newPage({ width: 1920, height: 1080 });
  await demo.signIn(page, 'demo-admin');
  await page.goto(`${demo.base}/board?region=360000000000&screen=big`);
  await fits(page, 'province');
  for (const [code, name] of [['360100000000', 'city'], ['360124000000', 'county'], ['360124106000', 'township'], ['360124106204', 'village']]) {
    await Promise.all([page.waitForNavigation(), page.click(`#children tr[data-code="${code}"] a`)]);
    await fits(page, name);
  }
  // and back up by the breadcrumbs, still on the wall screen
  await Promise.all([page.waitForNavigation(), page.click('nav.crumbs a >> nth=0')]);
  await fits(page, 'province-again');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('no request left the machine (wall screen)', { skip }, () => {
  assert.deepEqual(demo ? demo.external : [], []);
});
