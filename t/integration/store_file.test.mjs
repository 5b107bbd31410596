// vgw_store_file: the embedded store survives a restart. The master writes
// the zone to the file when nginx stops or reloads and reads it back when
// nginx starts; a damaged file costs only what it held.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { startKlingMock } from '../mocks/index.mjs';
import { startGateway, launchNginx, stopAll, vendorLines, nginxTest, renderConfig } from '../lib/gateway.mjs';
import { postJson } from '../lib/http.mjs';

let kling;
let gw;
const gateways = [];

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 300 });
  gw = await startGateway({ name: 'store-file', workers: 2, http: `${vendorLines({ kling })}\n    vgw_store_file vgw-store.snapshot;` });
  gateways.push(gw);
});

after(async () => {
  const serious = await stopAll(gateways);
  await kling?.close();
  assert.deepEqual(serious, []);
});

const snapshot = () => join(gw.dir, 'vgw-store.snapshot');
const create = (key, prompt) => postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt }, { headers: { 'Idempotency-Key': key } });

async function restart() {
  await gw.stop();
  const again = await launchNginx({ dir: gw.dir, port: gw.port, conf: gw.conf });
  gateways.push(again);
  gw = again;
}

test('an Idempotency-Key answered before a restart is answered the same after it, with no second task', async () => {
  const first = await create('restart-key-1', 'before the restart');
  assert.equal(first.status, 200, first.text);
  const tasks = kling.createCount();
  await restart();
  assert.ok(existsSync(snapshot()), 'written when nginx stopped');
  assert.equal(statSync(snapshot()).mode & 0o777, 0o600, 'readable by the master only');
  const replay = await create('restart-key-1', 'before the restart');
  assert.equal(replay.status, 200, replay.text);
  assert.equal(replay.json.id, first.json.id);
  const changed = await create('restart-key-1', 'another body');
  assert.equal(changed.status, 422, changed.text);
  assert.equal(kling.createCount(), tasks, 'no second vendor task');
  assert.match(gw.errorLog(), /store entries read from/);
});

test('a reload writes the file too; a damaged file starts an empty store with a warning', async () => {
  const size = statSync(snapshot()).size;
  const made = await create('reload-key', 'reload');
  assert.equal(made.status, 200);
  await gw.reload();
  assert.ok(statSync(snapshot()).size > size, 'the reload saved the zone with the new record');
  await gw.stop();
  const damaged = Buffer.from(readFileSync(snapshot()));
  damaged[damaged.length - 5] ^= 1;
  writeFileSync(snapshot(), damaged);
  const again = await launchNginx({ dir: gw.dir, port: gw.port, conf: gw.conf });
  gateways.push(again);
  gw = again;
  assert.match(gw.errorLog(), /store file ".*" is damaged or not one; the store starts empty/);
  const tasks = kling.createCount();
  const fresh = await create('restart-key-1', 'a new task now');
  assert.equal(fresh.status, 200, fresh.text);
  assert.equal(kling.createCount(), tasks + 1, 'what the damaged file held is gone');
});

test('nginx -t: vgw_store_file is for the embedded store, not with Redis', () => {
  const conf = renderConfig({
    dir: '__DIR__',
    port: 1,
    http: `${vendorLines({ kling })}\n    vgw_store_file s.snap;\n    vgw_store_redis 127.0.0.1:1;`,
  });
  const result = nginxTest(conf);
  assert.equal(result.ok, false);
  assert.match(result.output, /vgw_store_file keeps the embedded store/);
});
