// What every browser test needs before its pages: a free port for the server and the fupin binary
// (built once when missing, or taken from FUPIN_BIN).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function fupinBinary() {
  if (process.env.FUPIN_BIN) return process.env.FUPIN_BIN;
  const bin = path.join(root, 'target', 'debug', 'fupin');
  if (!fs.existsSync(bin)) {
    const r = spawnSync('cargo', ['build', '-p', 'fupin', '--bin', 'fupin'], { cwd: root, stdio: 'inherit' });
    assert.equal(r.status, 0, 'cargo build -p fupin failed');
  }
  return bin;
}

// A demo server (`fupin serve --demo` on a fresh SQLite file in a temporary directory) and
// Chromium, for test files that need nothing else: `const env = await startDemo('summary')`, then
// `env.newPage()`, `env.signIn(page, user)`, and `env.stop()` in `after`. Requests to any other
// host are aborted and listed in `env.external`.
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const screenshots = path.join(root, 'target', 'screenshots');
const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Whether Chromium is missing (then the caller skips; with CI=true that is an error). */
export function chromiumMissing() {
  if (fs.existsSync(chromiumPath)) return false;
  const msg = `Chromium not found at ${chromiumPath}`;
  if (process.env.CI === 'true') throw new Error(`${msg}: the browser tests cannot be skipped with CI=true`);
  console.log(`SKIP browser tests: ${msg}`);
  return true;
}

export async function startDemo(name) {
  const { spawn } = await import('node:child_process');
  const os = await import('node:os');
  const { chromium } = await import('playwright-core');
  fs.mkdirSync(screenshots, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `fupin-browser-${name}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  const server = spawn(fupinBinary(), ['serve', '--demo'], {
    cwd: tmp,
    env: {
      ...process.env,
      FUPIN_DATABASE_URL: `sqlite://${path.join(tmp, 'fupin.db')}`,
      FUPIN_BIND: `127.0.0.1:${port}`,
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (d) => { log += d; });
  server.stderr.on('data', (d) => { log += d; });
  const end = Date.now() + 180_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch { /* not yet */ }
    if (server.exitCode !== null) throw new Error(`fupin exited early:\n${log}`);
    if (Date.now() > end) throw new Error(`fupin did not start in time:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const browser = await chromium.launch({ executablePath: chromiumPath, args: LAUNCH_ARGS, headless: true });
  const external = [];
  return {
    base,
    external,
    log: () => log,
    async newPage(viewport = { width: 1366, height: 900 }) {
      const context = await browser.newContext({ locale: 'zh-CN', viewport });
      await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if (u.hostname === '127.0.0.1' || ['data:', 'blob:', 'about:'].includes(u.protocol)) return route.continue();
        external.push(u.href);
        return route.abort();
      });
      const page = await context.newPage();
      page.jsErrors = [];
      page.on('pageerror', (e) => page.jsErrors.push(String(e)));
      return page;
    },
    async signIn(page, username, password = 'fupin-demo') {
      await page.goto(`${base}/login`);
      await page.fill('#username', username);
      await page.fill('#password', password);
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    },
    // The API as `username` with a bearer token: `const call = await env.api('demo-officer')`, then
    // `await call(method, path, body)` → {status, body}.
    async api(username, password = 'fupin-demo') {
      const r = await fetch(`${base}/api/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      assert.equal(r.status, 200, `${username} signs in`);
      const { token } = await r.json();
      return async (method, url, body) => {
        const res = await fetch(`${base}${url}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: body ? JSON.stringify(body) : undefined,
        });
        const text = await res.text();
        let json = null;
        try { json = JSON.parse(text); } catch { /* no body */ }
        return { status: res.status, body: json };
      };
    },
    async stop() {
      await browser.close();
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await new Promise((r) => server.once('exit', r));
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
