// Poll storms: with `vgw_status_cache`, many polls of one video cost the
// vendor one status call per cache period; downloads still ask the vendor.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startKlingMock } from '../mocks/index.mjs';
import { startGateway, vendorLines, stopAll } from '../lib/gateway.mjs';
import { get, postJson, sleep } from '../lib/http.mjs';
import { assertVideo } from '../lib/assertions.mjs';

let kling;
let gw;

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 150 });
  gw = await startGateway({ name: 'polling', http: `${vendorLines({ kling })}\n    vgw_status_cache 2s;` });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await kling?.close();
  assert.deepEqual(serious, []);
});

const statusCalls = () => kling.requests.filter((r) => r.method === 'GET').length;

test('a poll storm on one video costs the vendor one call per cache period', async () => {
  const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'storm' });
  assert.equal(r.status, 200, r.text);
  await sleep(200);
  const before = statusCalls();
  // 100 polls as 20 waves of 5 clients, 40 ms apart (under one cache period).
  // Polls that arrive while the first vendor call is in flight each make
  // their own (no request coalescing): at most one wave's worth.
  for (let wave = 0; wave < 20; wave++) {
    const polls = await Promise.all(Array.from({ length: 5 }, () => get(gw.url, `/v1/videos/${r.json.id}`)));
    for (const p of polls) {
      assert.equal(p.status, 200);
      assertVideo(p.json, { status: 'completed' });
      assert.equal(p.json.id, r.json.id);
    }
    await sleep(40);
  }
  const calls = statusCalls() - before;
  assert.ok(calls >= 1 && calls <= 10, `${calls} vendor status calls for 100 polls`);
});

test('downloads are never served from the cache', async () => {
  const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'fresh urls' });
  await sleep(200);
  await get(gw.url, `/v1/videos/${r.json.id}`);
  const before = statusCalls();
  for (let i = 0; i < 3; i++) {
    const content = await get(gw.url, `/v1/videos/${r.json.id}/content`);
    assert.equal(content.status, 200);
  }
  assert.equal(statusCalls() - before, 3, 'one fresh status query per download');
});

test('unfinished videos tell pollers when to ask again (openai-poll-after-ms), finished ones do not', async () => {
  const slow = await startKlingMock({ processingAfterMs: 5000, doneAfterMs: 60000 });
  const plain = await startGateway({ name: 'poll-after', http: vendorLines({ kling: slow }) });
  const cached = await startGateway({ name: 'poll-after-cached', http: `${vendorLines({ kling: slow })}\n    vgw_status_cache 3s;` });
  try {
    for (const [g, expected] of [[plain, '1000'], [cached, '3000']]) {
      const r = await postJson(g.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'slow' });
      const queued = await get(g.url, `/v1/videos/${r.json.id}`);
      assert.equal(queued.json.status, 'queued');
      assert.equal(queued.headers['openai-poll-after-ms'], expected, 'no sooner than the status cache period');
    }
  } finally {
    assert.deepEqual(await stopAll([plain, cached]), []);
    await slow.close();
  }
  const done = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'done' });
  await sleep(300);
  const completed = await get(gw.url, `/v1/videos/${done.json.id}`);
  assert.equal(completed.json.status, 'completed');
  assert.equal(completed.headers['openai-poll-after-ms'], undefined);
});
