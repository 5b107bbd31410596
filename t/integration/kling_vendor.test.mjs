// Kling end to end through nginx against a mock that verifies the JWT,
// the paths and every field like the real API.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startKlingMock } from '../mocks/index.mjs';
import { pngBytes, jpegBytes } from '../mocks/media.mjs';
import { startGateway, vendorLines, stopAll } from '../lib/gateway.mjs';
import { get, postJson, postMultipart, pollUntil, sleep } from '../lib/http.mjs';
import { assertVideo, assertError } from '../lib/assertions.mjs';

let kling;
let gw;

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 100, doneAfterMs: 350 });
  gw = await startGateway({ name: 'kling', http: vendorLines({ kling }) });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  const leaks = kling?.cdn.leaks ?? [];
  await kling?.close();
  assert.deepEqual(serious, []);
  assert.deepEqual(leaks, [], 'no credential ever reached the CDN');
});

const creates = () => kling.requests.filter((r) => r.method === 'POST');
const lastTask = () => [...kling.tasks.values()].at(-1);

test('text-to-video: JWT auth, t2v path, mapped duration and aspect ratio', async () => {
  const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'a fox in snow', seconds: '8', size: '720x1280' });
  assert.equal(r.status, 200, r.text);
  assertVideo(r.json, { status: 'queued' });
  assert.equal(r.json.seconds, '10', '8 s is not a Kling length: nearest is 10');
  assert.equal(r.json.size, '720x1280');
  const sent = creates().at(-1);
  assert.equal(sent.path, '/v1/videos/text2video');
  assert.equal(sent.status, 200);
  assert.deepEqual(sent.body, { model_name: 'kling-v2-6', prompt: 'a fox in snow', duration: '10', aspect_ratio: '9:16' });
  assert.equal(sent.tokenClaims.iss, kling.accessKey);
  assert.ok(sent.tokenClaims.exp - sent.tokenClaims.nbf <= 1805);
  assert.ok(!sent.headers.authorization.includes('sk-client'), 'client token is not forwarded');
});

test('seconds and size map to the nearest Kling value', async () => {
  const cases = [
    [{ seconds: '4', size: '1280x720' }, '5', '16:9'],
    [{ seconds: '12', size: '1792x1024' }, '10', '16:9'],
    [{ size: '1024x1792' }, '5', '9:16'],
    [{ size: '1000x1000' }, '5', '1:1'],
  ];
  for (const [input, duration, ratio] of cases) {
    const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v1-6', prompt: 'map', ...input });
    assert.equal(r.status, 200, r.text);
    assert.equal(creates().at(-1).body.duration, duration);
    assert.equal(creates().at(-1).body.aspect_ratio, ratio);
  }
});

test('image-to-video from an upload, a data URL and a URL', async () => {
  const png = pngBytes({ width: 8, height: 8 });
  let r = await postMultipart(gw.url, '/v1/videos', [
    ['model', 'kling-v2-1'], ['prompt', 'animate'], ['seconds', '5'],
    { name: 'input_reference', filename: 'a.png', contentType: 'image/png', data: png },
  ]);
  assert.equal(r.status, 200, r.text);
  let sent = creates().at(-1);
  assert.equal(sent.path, '/v1/videos/image2video');
  assert.equal(sent.body.image, png.toString('base64'), 'raw base64, no data: prefix');
  assert.equal(sent.body.aspect_ratio, undefined, 'image-to-video follows the image');
  const jpeg = jpegBytes('k');
  r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-1', prompt: 'data url', input_reference: { image_url: `data:image/jpeg;base64,${jpeg.toString('base64')}` } });
  assert.equal(r.status, 200, r.text);
  assert.equal(creates().at(-1).body.image, jpeg.toString('base64'));
  r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-1', prompt: 'url', input_reference: { image_url: 'https://example.com/a.png' } });
  assert.equal(r.status, 200, r.text);
  sent = creates().at(-1);
  assert.equal(sent.body.image, 'https://example.com/a.png');
});

test('an image-to-video id is polled on the image2video path and downloads from the CDN', async () => {
  const png = pngBytes();
  const created = await postMultipart(gw.url, '/v1/videos', [
    ['model', 'kling-v1-6'], ['prompt', 'poll me'], { name: 'input_reference', filename: 'x.png', data: png },
  ]);
  assert.equal(created.status, 200, created.text);
  const task = lastTask();
  const { video, seen } = await pollUntil(gw.url, created.json.id);
  for (const v of seen) assertVideo(v);
  assert.ok(seen.some((v) => v.status === 'queued' || v.status === 'in_progress'));
  const progress = seen.map((v) => v.progress);
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress never goes back');
  assert.equal(video.status, 'completed');
  assert.equal(video.progress, 100);
  assert.equal(video.completed_at, Math.floor((task.createdAt + 350) / 1000), 'ms timestamps become seconds');
  assert.equal(video.expires_at, video.completed_at + 30 * 86400);
  const queries = kling.requests.filter((q) => q.method === 'GET');
  assert.ok(queries.length >= seen.length);
  for (const q of queries.slice(-seen.length)) assert.equal(q.path, `/v1/videos/image2video/${task.id}`);
  const before = kling.cdn.requests.length;
  const r = await get(gw.url, `/v1/videos/${created.json.id}/content`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['content-type'], 'video/mp4');
  assert.ok(r.buffer.equals(kling.videoBytes(task.id)));
  const cdnHit = kling.cdn.requests.at(-1);
  assert.equal(kling.cdn.requests.length, before + 1);
  assert.match(cdnHit.path, new RegExp(`^/kling/${task.id}\\.mp4`));
  assert.equal(cdnHit.headers.authorization, undefined);
});

test('every download looks the result URL up afresh', async () => {
  const created = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'fresh url' });
  await pollUntil(gw.url, created.json.id);
  const queriesBefore = kling.requests.filter((q) => q.method === 'GET').length;
  for (let i = 0; i < 2; i++) {
    const r = await get(gw.url, `/v1/videos/${created.json.id}/content`);
    assert.equal(r.status, 200);
  }
  assert.equal(kling.requests.filter((q) => q.method === 'GET').length, queriesBefore + 2);
});

test('a failed Kling task reports task_status_msg, even though message says SUCCEED', async () => {
  const created = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'no [mock:fail]' });
  const { video } = await pollUntil(gw.url, created.json.id);
  assertVideo(video, { status: 'failed' });
  assert.equal(video.error.message, 'Failure to pass the risk control system');
  assert.equal(video.error.code, 'video_generation_failed');
  assertError(await get(gw.url, `/v1/videos/${created.json.id}/content`), 400, { code: 'video_failed' });
});

test('vendor extras pass through from metadata; unknown ones are refused', async () => {
  let r = await postJson(gw.url, '/v1/videos', {
    model: 'kling-v2-6', prompt: 'extras',
    metadata: { negative_prompt: 'blur', cfg_scale: 0.7, mode: 'pro', camera_control: { type: 'simple', config: { zoom: 5 } } },
  });
  assert.equal(r.status, 200, r.text);
  const body = creates().at(-1).body;
  assert.equal(body.negative_prompt, 'blur');
  assert.equal(body.cfg_scale, 0.7);
  assert.equal(body.mode, 'pro');
  assert.deepEqual(body.camera_control, { type: 'simple', config: { zoom: 5 } });
  r = await postMultipart(gw.url, '/v1/videos', [['model', 'kling-v2-6'], ['prompt', 'bracket'], ['metadata[negative_prompt]', 'grain']]);
  assert.equal(r.status, 200, r.text);
  assert.equal(creates().at(-1).body.negative_prompt, 'grain');
  const count = kling.createCount();
  r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'x', metadata: { model_name: 'kling-v3' } });
  assertError(r, 400, { param: 'metadata.model_name', code: 'unknown_parameter' });
  assert.equal(kling.createCount(), count, 'nothing reached the vendor');
});

test('Kling rejects a field: the vendor message reaches the client as a 400', async () => {
  // cfg_scale out of range passes our rules (Kling owns that check).
  const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'x', metadata: { cfg_scale: 3 } });
  const e = assertError(r, 400, { type: 'invalid_request_error' });
  assert.equal(e.code, '1201');
  assert.match(e.message, /cfg_scale/);
});

test('the JWT is cached between calls and stays valid', async () => {
  await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'one' });
  await sleep(1100);
  await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'two' });
  const [a, b] = creates().slice(-2);
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  assert.equal(a.headers.authorization, b.headers.authorization, 'one token per worker until it nears expiry');
});

test('result URLs on hosts the rules do not allow are refused, not fetched', async () => {
  // The vendor is reached through an upstream{} block named "klingapi"; its
  // CDN answers on 127.0.0.1: not the vendor's host and not in result_hosts.
  const port = new URL(kling.url).port;
  const g = await startGateway({
    name: 'kling-hosts',
    http: `upstream klingapi { server 127.0.0.1:${port}; keepalive 4; }
    ${vendorLines({ kling: { ...kling, url: 'http://klingapi' } })}`,
  });
  try {
    const created = await postJson(g.url, '/v1/videos', { model: 'kling-v1', prompt: 'foreign cdn' });
    assert.equal(created.status, 200, created.text);
    await pollUntil(g.url, created.json.id);
    const cdnBefore = kling.cdn.requests.length;
    assertError(await get(g.url, `/v1/videos/${created.json.id}/content`), 502, { code: 'result_host_not_allowed' });
    assert.equal(kling.cdn.requests.length, cdnBefore, 'the CDN was never contacted');
    assertError(await get(g.url, `/v1/videos/${created.json.id}/content?variant=thumbnail`), 404, { code: 'variant_not_found' });
  } finally {
    await g.stop();
  }
});

test('nginx.conf can route extra model names to a vendor', async () => {
  const line = vendorLines({ kling }).replace(/;$/, ' models=kling,video-fast:kling-v2-5-turbo;');
  const g = await startGateway({ name: 'kling-alias', http: line });
  try {
    const r = await postJson(g.url, '/v1/videos', { model: 'video-fast', prompt: 'alias' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.model, 'video-fast', 'the client keeps its own name');
    assert.equal(creates().at(-1).body.model_name, 'kling-v2-5-turbo');
    const plain = await postJson(g.url, '/v1/videos', { model: 'kling', prompt: 'alias' });
    assert.equal(plain.status, 400, 'the vendor refuses an unknown model_name');
    assert.equal(creates().at(-1).body.model_name, 'kling');
  } finally {
    await g.stop();
  }
});
