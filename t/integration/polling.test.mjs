// Poll storms: with `vgw_status_cache`, many polls of one video cost the
// vendor one status call per cache period, across nginx's workers (the
// store's lock coalesces the polls that overlap the one in flight);
// downloads still ask the vendor.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startKlingMock } from '../mocks/index.mjs';
import { startGateway, vendorLines, stopAll } from '../lib/gateway.mjs';
import { get, postJson, sleep } from '../lib/http.mjs';
import { assertVideo } from '../lib/assertions.mjs';

let kling;
let gw;

before(async () => {
  // A slow status reply, so that polls arrive while the first is in flight.
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 150, statusDelayMs: 200 });
  gw = await startGateway({ name: 'polling', workers: 2, http: `${vendorLines({ kling })}\n    vgw_status_cache 2s;` });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await kling?.close();
  assert.deepEqual(serious, []);
});

const statusCalls = () => kling.requests.filter((r) => r.method === 'GET').length;

test('a poll storm on one video costs the vendor one call per cache period, on every worker', async () => {
  const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'storm' });
  assert.equal(r.status, 200, r.text);
  await sleep(200);
  const before = statusCalls();
  // 20 clients polling at 10 Hz for a second, each on its own connection
  // (so both workers take them); the first wave finds nothing cached and
  // overlaps the one vendor call that is in flight.
  const pollers = Array.from({ length: 20 }, async () => {
    for (let tick = 0; tick < 10; tick++) {
      const started = Date.now();
      const p = await get(gw.url, `/v1/videos/${r.json.id}`, { headers: { connection: 'close' } });
      assert.equal(p.status, 200, p.text);
      assertVideo(p.json, { status: 'completed' });
      assert.equal(p.json.id, r.json.id);
      await sleep(Math.max(0, 100 - (Date.now() - started)));
    }
  });
  await Promise.all(pollers);
  const calls = statusCalls() - before;
  // A second's polls may straddle one period boundary.
  assert.ok(calls >= 1 && calls <= 2, `${calls} vendor status calls for 200 polls`);
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

// Python's videos.poll() / create_and_poll() (no Node SDK has one): GET
// /videos/{id} with X-Stainless-Poll-Helper, waiting what
// openai-poll-after-ms says, while the status is queued or in_progress.
test('a poller that does what Python\'s poll() does ends on the completed video, paced by the gateway', async () => {
  const vendor = await startKlingMock({ processingAfterMs: 300, doneAfterMs: 900 });
  const g = await startGateway({ name: 'poll-helper', http: vendorLines({ kling: vendor }) });
  try {
    await pollLikePython(g);
  } finally {
    assert.deepEqual(await stopAll([g]), []);
    await vendor.close();
  }
});

async function pollLikePython(g) {
  const created = await postJson(g.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'paced' });
  assert.equal(created.status, 200, created.text);
  const waits = [];
  let video = created.json;
  for (let i = 0; i < 20 && (video.status === 'queued' || video.status === 'in_progress'); i++) {
    const r = await get(g.url, `/v1/videos/${video.id}`, { headers: { 'X-Stainless-Poll-Helper': 'true' } });
    assert.equal(r.status, 200, r.text);
    video = r.json;
    const after = r.headers['openai-poll-after-ms'];
    if (video.status === 'queued' || video.status === 'in_progress') {
      assert.ok(Number(after) >= 1000, `paced: ${after}`);
      waits.push(Number(after));
      await sleep(100); // the test's clock; the SDK would wait `after`
    } else {
      assert.equal(after, undefined, 'nothing to wait for once it ended');
    }
  }
  assert.equal(video.status, 'completed', JSON.stringify(video));
  assertVideo(video);
  assert.ok(waits.length > 0, 'it was polled while unfinished');
}
