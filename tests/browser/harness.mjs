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
