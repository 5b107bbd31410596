// The shipped configuration as it is (conf-examples/nginx.conf and its
// includes), every vendor a local mock behind its upstream block: each
// vendor serves creates and polls, on kept-alive connections.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { MODULE, freePort, launchNginx, runtimeDir, stopAll } from '../lib/gateway.mjs';
import { RUN_VENDORS, serverOf, writeRunConfig } from '../lib/run-config.mjs';
import { FLEET, startFleet } from '../lib/vendor-fleet.mjs';
import { postJson, pollUntil } from '../lib/http.mjs';

let fleet;
let gw;

before(async () => {
  fleet = await startFleet();
  const env = { VGW_ID_KEY: 'shipped-config-id-key-0123456789' };
  const servers = {};
  for (const vendor of RUN_VENDORS) {
    const mock = fleet.mocks[vendor.name];
    servers[vendor.upstream] = serverOf(mock.url);
    Object.assign(env, vendor.values(mock), { [vendor.url]: mock.url });
  }
  const dir = runtimeDir('shipped');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const port = await freePort();
  const conf = writeRunConfig({ dir, servers, port });
  gw = await launchNginx({ dir, port, conf, env, globals: `load_module ${MODULE}; ` });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await fleet?.close();
  assert.deepEqual(serious, []);
});

test('every vendor serves the shipped configuration on kept-alive connections', async () => {
  for (const vendor of FLEET) {
    const mock = fleet.mocks[vendor.name];
    for (let i = 0; i < 2; i++) {
      const r = await postJson(gw.url, '/v1/videos', { model: vendor.model, prompt: `shipped ${vendor.name} ${i}` });
      assert.equal(r.status, 200, `${vendor.name}: ${r.text}`);
      const { video } = await pollUntil(gw.url, r.json.id);
      assert.equal(video.status, 'completed', vendor.name);
    }
    // One connection per worker at most (worker_processes auto: 2 here).
    assert.ok(mock.connections() >= 1 && mock.connections() <= 2,
      `${vendor.name}: ${mock.requests.length} calls on ${mock.connections()} connections`);
  }
});
