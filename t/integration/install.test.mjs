// Upgrades must not crash running gateways: nginx keeps the module mapped,
// so an install writes a new file and renames it into place (the old inode
// stays intact for the workers using it) instead of writing over it.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { MODULE, ROOT, runtimeDir, startGateway, stopAll } from '../lib/gateway.mjs';
import { startFleet } from '../lib/vendor-fleet.mjs';
import { postJson } from '../lib/http.mjs';

let fleet;
const gateways = [];

after(async () => {
  const serious = await stopAll(gateways);
  await fleet?.close();
  assert.deepEqual(serious, []);
});

const mappedModule = (pid, path) =>
  readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').filter((l) => l.includes(path));

test('./build.sh install replaces the module under a running nginx without crashing it', async () => {
  fleet = await startFleet({ names: ['kling'] });
  const dir = join(runtimeDir('install'), 'modules');
  mkdirSync(dir, { recursive: true });
  const installed = join(dir, 'ngx_http_vgw_module.so');
  copyFileSync(MODULE, installed);
  const gw = await startGateway({ name: 'installed', http: fleet.lines, module: installed, workers: 2 });
  gateways.push(gw);
  // A fresh connection each time: a reload closes idle keep-alive ones, and
  // a request racing that close is the client's to retry, not a crash.
  const create = () => postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'upgrade' }, { headers: { Connection: 'close' } });
  assert.equal((await create()).status, 200);
  const workers = gw.workerPids();
  const inode = statSync(installed).ino;

  const res = spawnSync(join(ROOT, 'build.sh'), ['install', dir], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  assert.notEqual(statSync(installed).ino, inode, 'a new file was renamed into place');
  for (const pid of workers) {
    const maps = mappedModule(pid, installed);
    assert.ok(maps.length > 0 && maps.every((l) => l.endsWith('(deleted)')), 'workers keep the old, intact file');
  }
  for (let i = 0; i < 10; i++) assert.equal((await create()).status, 200);
  assert.deepEqual(gw.workerPids(), workers, 'no worker died');

  await gw.reload();
  for (let i = 0; i < 10; i++) assert.equal((await create()).status, 200);
  assert.deepEqual(gw.seriousLogLines(), []);
  assert.doesNotMatch(gw.errorLog(), /exited on signal/);
});
