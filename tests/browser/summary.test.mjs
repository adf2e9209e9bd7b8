// Browser test of the work summary (帮扶工作总结) in headless Chromium, on `fupin serve --demo`: the
// county officer goes from 塔岗's board to its summary page, writes the summary of 2015-10-01 to
// 2019-08-30 for its helping unit, reads the document in the page, freezes it and finds the snapshot
// (nothing changed yet) in the region's list; and the printable HTML document renders in Chromium
// on A4 (page 1 as a screenshot, target/screenshots/summary-tagang-page1.png, the PDF's pages
// counted).
//
// Run with the other browser tests: `cargo build -p fupin && (cd tests/browser && npm ci && npm test)`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromiumMissing, screenshots, startDemo } from './harness.mjs';

const TAGANG = '360124106204';
const UNIT = '南昌市人力资源和社会保障局';
const skip = chromiumMissing();
let env;

before(async () => {
  if (skip) return;
  env = await startDemo('summary');
});

after(async () => {
  if (env) await env.stop();
});

test('the officer writes 塔岗\'s summary, reads it, freezes it and finds the snapshot', { skip }, async () => {
  const page = await env.newPage();
  await env.signIn(page, 'demo-officer');
  await page.goto(`${env.base}/board?region=${TAGANG}`);
  await Promise.all([page.waitForNavigation(), page.click('#summary-link')]);
  assert.match(page.url(), /\/summary\?region=360124106204/);
  await page.fill('#from', '2015-10-01');
  await page.fill('#to', '2019-08-30');
  await page.selectOption('#unit', UNIT);
  await Promise.all([page.waitForNavigation(), page.click('#summary-form button[type=submit]')]);
  assert.equal(await page.$('#summary-error'), null, 'no fault');

  // the document, in its frame: the article's figures and the unit
  const frame = page.frameLocator('#summary-doc');
  await frame.locator('h1').waitFor();
  const text = await frame.locator('body').innerText();
  for (const figure of ['14 户', '45 人', '5,558', '7,467', '34.3%', UNIT]) {
    assert.ok(text.includes(figure), `${figure} in the document`);
  }
  for (const format of ['html', 'docx', 'md']) {
    const href = await page.getAttribute(`#downloads a[data-format=${format}]`, 'href');
    assert.ok(href.startsWith(`/api/v1/regions/${TAGANG}/summary?`) && href.endsWith(`format=${format}`), href);
  }
  await page.screenshot({ path: path.join(screenshots, 'summary-page.png'), fullPage: true });

  // frozen: the snapshot's page, nothing changed since, listed under the region
  await Promise.all([page.waitForNavigation(), page.click('#freeze button[type=submit]')]);
  const m = page.url().match(/\/snapshots\/(\d+)$/);
  assert.ok(m, page.url());
  await page.locator('#no-changes').waitFor();
  const frozen = await page.frameLocator('#snapshot-doc').locator('body').innerText();
  assert.ok(frozen.includes('7,467'), 'the frozen document');
  await page.screenshot({ path: path.join(screenshots, 'summary-snapshot.png'), fullPage: true });
  await page.goto(`${env.base}/snapshots?region=${TAGANG}`);
  assert.ok(await page.$(`#snapshots a[href="/snapshots/${m[1]}"]`), 'in the list');
  assert.deepEqual(page.jsErrors, []);
  assert.deepEqual(env.external, []);
});

test('the printable summary renders on A4: page 1 as a screenshot', { skip }, async () => {
  // A4 at 96 dpi: 210 × 297 mm = 794 × 1123 px
  const page = await env.newPage({ width: 794, height: 1123 });
  await env.signIn(page, 'demo-officer');
  const q = new URLSearchParams({ from: '2015-10-01', to: '2019-08-30', unit: UNIT, format: 'html' });
  const res = await page.goto(`${env.base}/api/v1/regions/${TAGANG}/summary?${q}`);
  assert.equal(res.status(), 200);
  await page.emulateMedia({ media: 'print' });
  const title = await page.locator('h1').innerText();
  assert.match(title, /塔岗村委会.*帮扶工作总结/);
  const box = await page.locator('h1').boundingBox();
  assert.ok(box && box.y < 1123, 'the title on page 1');
  await page.screenshot({ path: path.join(screenshots, 'summary-tagang-page1.png'), clip: { x: 0, y: 0, width: 794, height: 1123 } });
  // printed to PDF by Chromium: A4 pages, more than one (the appendix starts a page of its own)
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.ok(pages >= 2, `${pages} pages`);
  assert.deepEqual(env.external, []);
});
