import { chromium } from 'playwright-core';
const [,, user, w, h, out, ...urls] = process.argv;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const c = await b.newContext({ viewport: { width: +w, height: +h }, locale: 'zh-CN' });
const p = await c.newPage();
p.on('console', m => console.log('console', m.type(), m.text()));
const base = 'http://127.0.0.1:18080';
await p.goto(base + '/login'); await p.fill('#username', user); await p.fill('#password', 'fupin-demo');
await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')]);
let i = 0;
for (const u of urls) {
  const [path, scroll] = u.split('@');
  await p.goto(base + path); await p.waitForTimeout(800);
  if (scroll) await p.evaluate(s => window.scrollTo(0, +s), scroll);
  await p.screenshot({ path: `${out}-${i++}.png` });
}
await b.close();
