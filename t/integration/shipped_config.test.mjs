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
import { get, postJson, pollUntil, sleep } from '../lib/http.mjs';

let fleet;
let gw;
const WEBHOOK_SECRET = `whsec_${Buffer.from('shipped-config-webhook-secret-32b').toString('base64')}`;

// Seed 001's Vidu example, verbatim (its callback_url included).
const SEED_001_VIDU = {
  model: 'viduq1',
  prompt: '□□□□□□□□□□□□□□□□, □□□, □□□',
  size: '1920x1080',
  image: 'https://prod-ss-images.s3.cn-northwest-1.amazonaws.com.cn/vidu-maas/template/image2video.png',
  duration: 5,
  metadata: {
    duration: 5, seed: 0, resolution: '1080p', movement_amplitude: 'auto', bgm: false, payload: '',
    callback_url: 'https://your-callback-url.com/webhook',
  },
};

before(async () => {
  fleet = await startFleet();
  // As ./build.sh run sets it: webhooks on.
  const env = { VGW_ID_KEY: 'shipped-config-id-key-0123456789', VGW_WEBHOOK_SECRET: WEBHOOK_SECRET };
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

test('the unified seed\'s Vidu example runs verbatim, callback_url and all; without a webhook secret it is refused', async () => {
  const vidu = fleet.mocks.vidu;
  const r = await postJson(gw.url, '/v1/video/generations', SEED_001_VIDU);
  assert.equal(r.status, 200, r.text);
  const sent = vidu.requests.filter((q) => q.method === 'POST').at(-1);
  assert.match(sent.body.callback_url, /\/v1\/vgw\/callbacks\/cb_[A-Za-z0-9_-]+$/, 'Vidu calls the gateway back');
  for (let i = 0; i < 100; i++) {
    const q = await get(gw.url, `/v1/video/generations/${r.json.task_id}`);
    assert.equal(q.status, 200, q.text);
    if (q.json.status === 'succeeded') break;
    assert.ok(i < 99, 'never finished');
    await sleep(50);
  }

  const dir = runtimeDir('shipped-no-webhooks');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const port = await freePort();
  const servers = {};
  for (const vendor of RUN_VENDORS) servers[vendor.upstream] = serverOf(fleet.mocks[vendor.name].url);
  const env = { VGW_ID_KEY: 'shipped-config-id-key-0123456789', VIDU_API_KEY: vidu.apiKey, VGW_VIDU_BASE_URL: vidu.url };
  const plain = await launchNginx({ dir, port, conf: writeRunConfig({ dir, servers, port }), env, globals: `load_module ${MODULE}; ` });
  try {
    const refused = await postJson(plain.url, '/v1/video/generations', SEED_001_VIDU);
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.json.param, 'callback_url');
    const { callback_url: _, ...metadata } = SEED_001_VIDU.metadata;
    const ok = await postJson(plain.url, '/v1/video/generations', { ...SEED_001_VIDU, metadata });
    assert.equal(ok.status, 200, ok.text);
  } finally {
    assert.deepEqual(await stopAll([plain]), []);
  }
});
