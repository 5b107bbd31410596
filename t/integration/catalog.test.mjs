// The catalogue on the embedded store (two workers): list with the SDKs'
// auto-paging, retrieve with the create's prompt, delete (a finished video
// only; afterwards a 404 for every call), each caller seeing only its own.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI759 from 'openai-7.59';
import OpenAI649 from 'openai-6.49';
import OpenAI627 from 'openai-6.27';

import { startKlingMock } from '../mocks/index.mjs';
import { startGateway, stopAll, vendorLines } from '../lib/gateway.mjs';
import { get, postJson, rawRequest } from '../lib/http.mjs';

let kling;
let gw;

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 250 });
  gw = await startGateway({ name: 'catalog', workers: 2, http: vendorLines({ kling }) });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await kling?.close();
  assert.deepEqual(serious, []);
});

const sdks = [
  { name: 'openai@7.59.0', OpenAI: OpenAI759 },
  { name: 'openai@6.49.0', OpenAI: OpenAI649 },
  { name: 'openai@6.27.0', OpenAI: OpenAI627 },
];

let serial = 0;
const client = (OpenAI, key = `sk-catalog-${process.pid}-${serial++}`) =>
  new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1` });

async function finished(c, id) {
  for (let i = 0; i < 200; i++) {
    const v = await c.videos.retrieve(id);
    if (v.status === 'completed' || v.status === 'failed') return v;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error('never finished');
}

for (const { name, OpenAI } of sdks) {
  test(`${name}: list pages through the caller's videos, newest first, and only theirs`, async () => {
    const c = client(OpenAI);
    const made = [];
    for (let i = 0; i < 5; i++) {
      const v = await c.videos.create({ model: 'kling-v2-6', prompt: `clip ${i}` });
      made.push(v.id);
    }
    const stranger = client(OpenAI);
    await stranger.videos.create({ model: 'kling-v2-6', prompt: 'not yours' });
    const tasks = kling.tasks.size;

    const seen = [];
    for await (const v of c.videos.list({ limit: 2 })) seen.push(v);
    assert.deepEqual(seen.map((v) => v.id), [...made].reverse(), 'auto-paging, two at a time');
    assert.deepEqual(seen.map((v) => v.prompt), ['clip 4', 'clip 3', 'clip 2', 'clip 1', 'clip 0']);
    for (const v of seen) {
      assert.equal(v.object, 'video');
      assert.equal(v.model, 'kling-v2-6');
      assert.ok(['queued', 'in_progress', 'completed'].includes(v.status));
    }
    const page = await c.videos.list({ limit: 3, order: 'asc' });
    assert.deepEqual(page.data.map((v) => v.id), made.slice(0, 3));
    assert.equal(page.has_more, true);
    const strangers = await stranger.videos.list();
    assert.equal(strangers.data.length, 1);
    assert.equal(strangers.data[0].prompt, 'not yours');
    assert.equal(kling.tasks.size, tasks, 'listing creates nothing');
  });
}

// 6.27 sends JSON, so the prompt arrives byte for byte (multipart form
// data turns a newline into CRLF).
test('retrieve answers the create\'s prompt, and the list follows the status the gateway saw', async () => {
  const c = client(OpenAI627);
  const v = await c.videos.create({ model: 'kling-v2-6', prompt: 'a heron, "quoted", ünïcode\nsecond line' });
  const done = await finished(c, v.id);
  assert.equal(done.status, 'completed');
  assert.equal(done.prompt, 'a heron, "quoted", ünïcode\nsecond line');
  const [listed] = (await c.videos.list({ limit: 1 })).data;
  assert.equal(listed.id, v.id);
  assert.equal(listed.status, 'completed');
  assert.equal(listed.prompt, done.prompt);
});

test('delete: an unfinished video is a 400; a finished one is deleted and then a 404 for every call', async () => {
  const c = client(OpenAI759);
  const keep = await c.videos.create({ model: 'kling-v2-6', prompt: 'keep' });
  const drop = await c.videos.create({ model: 'kling-v2-6', prompt: 'drop' });
  await assert.rejects(c.videos.delete(drop.id), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.code, 'video_not_finished');
    return true;
  });
  await finished(c, drop.id);
  const deleted = await c.videos.delete(drop.id);
  assert.deepEqual(deleted, { id: drop.id, object: 'video.deleted', deleted: true });
  for (const call of [
    () => c.videos.retrieve(drop.id),
    () => c.videos.downloadContent(drop.id),
    () => c.videos.delete(drop.id),
  ]) {
    await assert.rejects(call(), (e) => {
      assert.equal(e.status, 404);
      assert.equal(e.code, 'video_not_found');
      return true;
    });
  }
  // Every worker knows: the tombstone is in the shared zone.
  const polls = await Promise.all(
    Array.from({ length: 8 }, () => get(gw.url, `/v1/videos/${drop.id}`, { auth: `Bearer ${c.apiKey}` })),
  );
  assert.deepEqual(polls.map((p) => p.status), Array(8).fill(404));
  const ids = (await c.videos.list()).data.map((v) => v.id);
  assert.deepEqual(ids, [keep.id]);
  await finished(c, keep.id);
  assert.equal((await c.videos.retrieve(keep.id)).prompt, 'keep', 'the other video is untouched');
});

test('list refuses a bad limit, order or after with an invalid_request_error', async () => {
  const c = client(OpenAI759);
  for (const query of ['limit=0', 'limit=101', 'limit=ten', 'order=sideways', 'after=video_nope']) {
    const r = await get(gw.url, `/v1/videos?${query}`, { auth: `Bearer ${c.apiKey}` });
    assert.equal(r.status, 400, query);
    assert.equal(r.json.error.type, 'invalid_request_error', query);
    assert.ok(['limit', 'order', 'after'].includes(r.json.error.param), query);
  }
  const r = await rawRequest(gw.url, { method: 'PATCH', path: '/v1/videos' });
  assert.equal(r.status, 405);
});

test('a full embedded store drops the oldest catalogue copies, never a promise, and stays fast', async () => {
  const small = await startGateway({ name: 'catalog-full', http: `${vendorLines({ kling })}\n    vgw_store_size 1m;` });
  try {
    const auth = 'Bearer sk-catalog-full';
    const made = [];
    // About three times what 1 MiB of catalogue holds.
    for (let wave = 0; wave < 150; wave++) {
      const replies = await Promise.all(Array.from({ length: 16 }, (_, i) =>
        postJson(small.url, '/v1/videos', { model: 'kling-v2-6', prompt: `fill ${wave}-${i}` }, { auth })));
      for (const r of replies) {
        assert.equal(r.status, 200, r.text);
        made.push(r.json.id);
      }
    }
    // An Idempotency-Key still finds room, and is honoured.
    const key = { auth, headers: { 'Idempotency-Key': `full-${process.pid}` } };
    const first = await postJson(small.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'keyed' }, key);
    const again = await postJson(small.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'keyed' }, key);
    assert.equal(first.status, 200, first.text);
    assert.equal(again.json.id, first.json.id, 'one task for one key');
    // The newest are listed; the oldest, dropped from the catalogue, are
    // still served by their ids.
    const page = await get(small.url, '/v1/videos?limit=5', { auth });
    assert.equal(page.status, 200, page.text);
    assert.equal(page.json.data[0].id, first.json.id);
    assert.equal(page.json.data[1].id, made.at(-1));
    const oldest = await get(small.url, `/v1/videos/${made[0]}`, { auth });
    assert.equal(oldest.status, 200, oldest.text);
    assert.equal(oldest.json.prompt, null, 'its catalogue copy was dropped');
  } finally {
    assert.deepEqual(await stopAll([small]), []);
  }
});
