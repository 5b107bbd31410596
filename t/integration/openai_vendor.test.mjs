// The OpenAI-compatible vendor end to end through nginx: every create
// encoding clients use, polling, and downloads streamed from the upstream.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startOpenAIMock } from '../mocks/index.mjs';
import { pngBytes, jpegBytes, sha256Hex } from '../mocks/media.mjs';
import { startGateway, vendorLines, stopAll } from '../lib/gateway.mjs';
import { get, postJson, postMultipart, pollUntil, rawRequest, TENANT_A } from '../lib/http.mjs';
import { assertVideo, assertError } from '../lib/assertions.mjs';

let openai;
let relay;
let gw;

before(async () => {
  openai = await startOpenAIMock({ inProgressAfterMs: 80, doneAfterMs: 300 });
  gw = await startGateway({ name: 'openai', http: vendorLines({ openai }) });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await openai?.close();
  await relay?.close();
  assert.deepEqual(serious, []);
});

function lastCreate(mock) {
  return mock.requests.filter((r) => r.method === 'POST').at(-1);
}

function upstreamId(mock) {
  return [...mock.videos.keys()].at(-1);
}

test('JSON create is forwarded (as multipart, like the SDKs) and answered with a queued Video', async () => {
  const r = await postJson(gw.url, '/v1/videos', { model: 'sora-2', prompt: 'a calico cat', seconds: '8', size: '1280x720' });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.ok(r.headers['x-request-id']);
  assertVideo(r.json, { status: 'queued' });
  assert.equal(r.json.progress, 0);
  assert.equal(r.json.seconds, '8');
  assert.equal(r.json.size, '1280x720');
  assert.equal(r.json.prompt, 'a calico cat');
  const sent = lastCreate(openai);
  assert.equal(sent.bodyFormat, 'multipart');
  assert.deepEqual(sent.body, { model: 'sora-2', prompt: 'a calico cat', seconds: '8', size: '1280x720' });
  assert.equal(sent.headers.authorization, `Bearer ${openai.apiKey}`, 'vendor key replaces the client token');
  assert.ok(!r.json.id.includes(upstreamId(openai)), 'the upstream id is not visible');
});

test('defaults: no seconds/size/model gives sora-2, 4 s, 720x1280', async () => {
  const r = await postJson(gw.url, '/v1/videos', { prompt: 'defaults' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.model, 'sora-2');
  assert.equal(r.json.seconds, '4');
  assert.equal(r.json.size, '720x1280');
});

test('multipart create with any boundary and field order', async () => {
  for (const boundary of ['----formdata-undici-012345678901', 'openai-3f2a9c', 'a1b2c3d4e5f60718293a4b5c6d7e8f90']) {
    const r = await postMultipart(gw.url, '/v1/videos', [['seconds', '4'], ['prompt', 'order free'], ['size', '720x1280'], ['model', 'sora-2-pro']], { boundary });
    assert.equal(r.status, 200, r.text);
    assertVideo(r.json, { status: 'queued' });
    assert.equal(r.json.model, 'sora-2-pro');
    assert.deepEqual(lastCreate(openai).body, { model: 'sora-2-pro', prompt: 'order free', seconds: '4', size: '720x1280' });
  }
});

test('multipart with an uploaded image, with and without a part Content-Type', async () => {
  const png = pngBytes({ width: 4, height: 4 });
  for (const contentType of ['image/png', undefined, 'application/octet-stream']) {
    const r = await postMultipart(gw.url, '/v1/videos', [
      ['prompt', 'animate this'],
      { name: 'input_reference', filename: 'ref.png', contentType, data: png },
    ]);
    assert.equal(r.status, 200, r.text);
    const sent = lastCreate(openai);
    assert.equal(sent.inputReference.form, 'file');
    assert.equal(sent.inputReference.detectedType, 'image/png');
    assert.equal(sent.inputReference.declaredType, 'image/png', 'the sniffed type is declared upstream');
    assert.equal(sent.inputReference.sha256, sha256Hex(png));
  }
  const jpeg = jpegBytes('x');
  const r = await postMultipart(gw.url, '/v1/videos', [['prompt', 'bytes without filename'], { name: 'input_reference', data: jpeg }]);
  assert.equal(r.status, 200, r.text);
  assert.equal(lastCreate(openai).inputReference.sha256, sha256Hex(jpeg));
});

test('input_reference[image_url] and JSON {image_url}: URL and data URL', async () => {
  let r = await postMultipart(gw.url, '/v1/videos', [['prompt', 'url ref'], ['input_reference[image_url]', 'https://example.com/cat.png']]);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(lastCreate(openai).inputReference, { form: 'image_url', url: 'https://example.com/cat.png' });
  r = await postJson(gw.url, '/v1/videos', { prompt: 'json url', input_reference: { image_url: 'https://example.com/dog.jpg' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(lastCreate(openai).inputReference, { form: 'image_url', url: 'https://example.com/dog.jpg' });
  const png = pngBytes();
  r = await postJson(gw.url, '/v1/videos', { prompt: 'json data url', input_reference: { image_url: `data:image/png;base64,${png.toString('base64')}` } });
  assert.equal(r.status, 200, r.text);
  assert.equal(lastCreate(openai).inputReference.form, 'file', 'a data URL is sent as the decoded file');
  assert.equal(lastCreate(openai).inputReference.sha256, sha256Hex(png));
  r = await postJson(gw.url, '/v1/videos', { prompt: 'file id', input_reference: { file_id: 'file-123' } });
  assertError(r, 400, { param: 'input_reference.file_id' });
});

test('a 20 MiB upload spills to a temp file and still works; chunked, up to vgw_chunked_body_max_size', async () => {
  const png = pngBytes();
  const big = Buffer.concat([png, Buffer.alloc(20 * 1024 * 1024 - png.length, 7)]);
  const r = await postMultipart(gw.url, '/v1/videos', [['prompt', 'big upload'], { name: 'input_reference', filename: 'big.png', data: big }]);
  assert.equal(r.status, 200, r.text);
  const sent = lastCreate(openai);
  assert.equal(sent.inputReference.size, big.length);
  assert.equal(sent.inputReference.sha256, sha256Hex(big));
  // Chunked bodies are held up to an eighth of client_max_body_size (40m).
  const medium = big.subarray(0, 4 * 1024 * 1024);
  const chunked = await postMultipart(gw.url, '/v1/videos', [['prompt', 'chunked upload'], { name: 'input_reference', filename: 'm.png', data: medium }], { chunked: true });
  assert.equal(chunked.status, 200, chunked.text);
  assert.equal(lastCreate(openai).inputReference.sha256, sha256Hex(medium));
  const before = openai.createCount();
  const tooLong = await postMultipart(gw.url, '/v1/videos', [['prompt', 'chunked too big'], { name: 'input_reference', filename: 'big.png', data: big }], { chunked: true });
  assertError(tooLong, 411, { code: 'length_required' });
  assert.equal(openai.createCount(), before);
});

test('poll to completion, then download every variant with the right type and bytes', async () => {
  const created = await postJson(gw.url, '/v1/videos', { prompt: 'to completion', seconds: '4' });
  assert.equal(created.status, 200, created.text);
  const id = created.json.id;
  const upstream = upstreamId(openai);
  const early = await get(gw.url, `/v1/videos/${id}/content`);
  assertError(early, 400, { code: 'video_not_ready' });
  const { video, seen } = await pollUntil(gw.url, id);
  for (const v of seen) assertVideo(v);
  assert.equal(video.status, 'completed');
  assert.equal(video.progress, 100);
  assert.ok(video.completed_at >= video.created_at);
  assert.equal(video.expires_at, video.completed_at + 3600);
  assert.equal(video.created_at, created.json.created_at, 'created_at is stable');
  for (const [variant, type] of [['video', 'video/mp4'], ['thumbnail', 'image/webp'], ['spritesheet', 'image/jpeg']]) {
    const path = variant === 'video' ? `/v1/videos/${id}/content` : `/v1/videos/${id}/content?variant=${variant}`;
    const r = await get(gw.url, path, { headers: { Accept: 'application/binary' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], type);
    const expected = openai.contentBytes(upstream, variant);
    assert.equal(Number(r.headers['content-length']), expected.length);
    assert.ok(r.buffer.equals(expected), `${variant} bytes`);
  }
  const contentCalls = openai.requests.filter((q) => q.path === `/v1/videos/${upstream}/content`);
  assert.deepEqual(contentCalls.map((q) => q.query.variant), ['video', 'thumbnail', 'spritesheet']);
  for (const q of contentCalls) assert.equal(q.headers.authorization, `Bearer ${openai.apiKey}`);
  const bad = await get(gw.url, `/v1/videos/${id}/content?variant=poster`);
  assertError(bad, 400, { param: 'variant' });
  const extra = await get(gw.url, `/v1/videos/${id}/content?video_id=${id}`);
  assert.equal(extra.status, 200, 'unknown query parameters (LiteLLM ?video_id=) are ignored');
});

test('Range requests are passed through to the upstream', async () => {
  const created = await postJson(gw.url, '/v1/videos', { prompt: 'range' });
  await pollUntil(gw.url, created.json.id);
  const full = openai.contentBytes(upstreamId(openai), 'video');
  const r = await get(gw.url, `/v1/videos/${created.json.id}/content`, { headers: { Range: 'bytes=100-199' } });
  assert.equal(r.status, 206);
  assert.equal(r.headers['content-range'], `bytes 100-199/${full.length}`);
  assert.ok(r.buffer.equals(full.subarray(100, 200)));
});

test('failed upstream videos carry the upstream error and no content', async () => {
  const created = await postJson(gw.url, '/v1/videos', { prompt: 'please [mock:fail]' });
  const { video } = await pollUntil(gw.url, created.json.id);
  assertVideo(video, { status: 'failed' });
  assert.deepEqual(video.error, { code: 'moderation_blocked', message: 'Your request was blocked by our moderation system.' });
  const r = await get(gw.url, `/v1/videos/${created.json.id}/content`);
  assertError(r, 400, { code: 'video_failed' });
});

test('upstream validation errors come back as the same OpenAI error', async () => {
  const r = await postJson(gw.url, '/v1/videos', { prompt: 'x', seconds: '10' });
  const e = assertError(r, 400, { param: 'seconds' });
  assert.match(e.message, /'4', '8', and '12'/);
  const unknown = await postJson(gw.url, '/v1/videos', { prompt: 'x', quality: 'high' });
  const ue = assertError(unknown, 400, { param: 'quality', code: 'unknown_parameter' });
  assert.match(ue.message, /Unrecognized request argument supplied: quality/);
});

test('a chained relay that speaks its own status words is normalised', async () => {
  relay = await startOpenAIMock({ apiKey: 'sk-relay', statusVocabulary: 'relay', inProgressAfterMs: 50, doneAfterMs: 250 });
  const gw2 = await startGateway({ name: 'relay', http: vendorLines({ openai: relay }) });
  try {
    const created = await postJson(gw2.url, '/v1/videos', { prompt: 'via relay' });
    assert.equal(created.status, 200, created.text);
    const { seen, video } = await pollUntil(gw2.url, created.json.id);
    assert.equal(video.status, 'completed');
    const statuses = new Set(seen.map((v) => v.status));
    for (const s of statuses) assert.ok(['queued', 'in_progress', 'completed'].includes(s), s);
    const r = await get(gw2.url, `/v1/videos/${created.json.id}/content`);
    assert.equal(r.status, 200);
    assert.ok(r.buffer.equals(relay.contentBytes(upstreamId(relay), 'video')));
  } finally {
    await gw2.stop();
    assert.deepEqual(gw2.seriousLogLines(), []);
  }
});

test('HEAD on content returns headers only', async () => {
  const created = await postJson(gw.url, '/v1/videos', { prompt: 'head' });
  await pollUntil(gw.url, created.json.id);
  const r = await rawRequest(gw.url, { method: 'HEAD', path: `/v1/videos/${created.json.id}/content`, headers: { Authorization: TENANT_A } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'video/mp4');
  assert.equal(r.buffer.length, 0);
});
