// Vendor replies are untrusted input too: task ids that would rewrite later
// URLs, megabytes of error text, absurd numbers, a load balancer's HTML
// page, and headers meant for the gateway (organisation ids, rate limits,
// WWW-Authenticate, Location) never reach clients as such.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startGateway, stopAll } from '../lib/gateway.mjs';
import { startFleet } from '../lib/vendor-fleet.mjs';
import { get, postJson, pollUntil } from '../lib/http.mjs';
import { assertError, assertVideo } from '../lib/assertions.mjs';

let fleet;
let gw;

before(async () => {
  fleet = await startFleet({ names: ['kling', 'openai', 'veo-gemini'] });
  gw = await startGateway({
    name: 'untrusted',
    http: fleet.lines,
    server: 'location /gateway-secret/ { internal; return 200 "gateway secret"; }',
  });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await fleet?.close();
  assert.deepEqual(serious, []);
});

const klingCreated = (taskId) => ({ code: 0, message: 'SUCCEED', request_id: 'r', data: { task_id: taskId, task_status: 'submitted', created_at: Date.now(), updated_at: Date.now() } });

test('task ids that cannot go into a URL are refused at create, not retried', async () => {
  const kling = fleet.mocks.kling;
  for (const taskId of ['../../admin', 'a/b', 'has space', 'ctl\u0001x', '..', '.', 'x?y=1', 'x#y', '%2e%2e', 'a\\b', 'x'.repeat(513)]) {
    kling.failNext({ on: 'create', status: 200, body: klingCreated(taskId) });
    const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'odd id' });
    const e = assertError(r, 502, { code: 'vendor_bad_reply' });
    assert.equal(r.headers['x-should-retry'], 'false', JSON.stringify(taskId));
    assert.match(e.message, /task id is unusable/);
  }
  kling.failNext({ on: 'create', status: 200, body: klingCreated('Abc-123_x.y:z~9') });
  const fine = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'plain id' });
  assert.equal(fine.status, 200, fine.text);
});

test('resource-path ids (Veo operation names) keep their slashes, never dot segments', async () => {
  const veo = fleet.mocks['veo-gemini'];
  veo.failNext({ on: 'create', status: 200, body: { name: 'models/veo-3.1-generate-preview/operations/../../../files/x' } });
  const dots = await postJson(gw.url, '/v1/videos', { model: 'veo-3.1-generate-preview', prompt: 'dots' });
  assertError(dots, 502, { code: 'vendor_bad_reply' });
  const real = await postJson(gw.url, '/v1/videos', { model: 'veo-3.1-generate-preview', prompt: 'slashes' });
  assert.equal(real.status, 200, real.text);
  assert.equal((await pollUntil(gw.url, real.json.id)).video.status, 'completed');
});

test('vendor text is capped and cleaned; out-of-range numbers read as missing', async () => {
  const kling = fleet.mocks.kling;
  const created = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'odd status' });
  assert.equal(created.status, 200, created.text);
  const taskId = [...kling.tasks.keys()].at(-1);
  // 1.5 MB, with control characters.
  const huge = `\u0007\r\n${'reason '.repeat(220000)}`;
  kling.failNext({
    on: 'query', status: 200,
    body: { code: 0, message: 'SUCCEED', request_id: 'r', data: { task_id: taskId, task_status: 'failed', task_status_msg: huge, created_at: 1e300, updated_at: 1e300 } },
  });
  const failed = await get(gw.url, `/v1/videos/${created.json.id}`);
  assert.equal(failed.status, 200, failed.text.slice(0, 300));
  assertVideo(failed.json, { status: 'failed' });
  assert.ok(failed.json.error.message.length <= 503, `message of ${failed.json.error.message.length} bytes`);
  assert.doesNotMatch(failed.json.error.message, /[\u0000-\u001f]/);
  assert.ok(failed.text.length < 4096, 'the reply stays small');
  kling.failNext({
    on: 'query', status: 200,
    body: { code: 0, message: 'SUCCEED', request_id: 'r', data: { task_id: taskId, task_status: 'succeed', created_at: 1, updated_at: 1e300, task_result: { videos: [{ id: 'v', url: 'https://x.klingai.com/v.mp4' }] } } },
  });
  const done = await get(gw.url, `/v1/videos/${created.json.id}`);
  assertVideo(done.json, { status: 'completed' });
  assert.equal(done.json.completed_at, null, 'updated_at 1e300 is no time');
  assert.equal(done.json.expires_at, null);
});

test('a load balancer\'s 404 page is a vendor failure, not "video not found"', async () => {
  const kling = fleet.mocks.kling;
  const created = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'lb 404' });
  kling.failNext({ on: 'query', status: 404, body: '<html><body>404 Not Found</body></html>', headers: { 'Content-Type': 'text/html' } });
  const r = await get(gw.url, `/v1/videos/${created.json.id}`);
  const e = assertError(r, 502, { code: 'vendor_error' });
  assert.match(e.message, /HTTP 404/);
  // The vendor's own "task not found" (JSON, code 1203) still means gone.
  kling.tasks.delete([...kling.tasks.keys()].at(-1));
  assertError(await get(gw.url, `/v1/videos/${created.json.id}`), 404, { code: 'video_not_found' });
});

const FOREIGN_HEADERS = {
  'openai-organization': 'org-secret',
  'openai-project': 'proj-secret',
  'x-ratelimit-remaining-requests': '7',
  'WWW-Authenticate': 'Bearer realm="vendor"',
  Location: 'https://internal.example/elsewhere',
  'Set-Cookie': 'session=vendor',
  'x-amz-request-id': 'abc',
  Link: '<https://vendor.example>; rel=preload',
  Server: 'vendor-cdn/1.0',
  // Would send the client's download into an internal location.
  'X-Accel-Redirect': '/gateway-secret/x',
};

test('downloads pass only representation headers from the vendor or CDN', async () => {
  const openai = fleet.mocks.openai;
  const created = await postJson(gw.url, '/v1/videos', { model: 'sora-2', prompt: 'headers' });
  await pollUntil(gw.url, created.json.id);
  const bytes = Buffer.from('not really an mp4');
  openai.failNext({
    on: 'content', status: 200, body: bytes,
    headers: { 'Content-Type': 'video/mp4', ETag: '"v1"', 'Last-Modified': 'Tue, 01 Dec 2026 10:00:00 GMT', 'Cache-Control': 'private, max-age=60', 'Accept-Ranges': 'bytes', ...FOREIGN_HEADERS },
  });
  const r = await get(gw.url, `/v1/videos/${created.json.id}/content`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.buffer.equals(bytes), `the CDN's bytes, not ${r.text.slice(0, 40)}`);
  for (const name of Object.keys(FOREIGN_HEADERS)) {
    if (name === 'Server') {
      assert.notEqual(r.headers.server, 'vendor-cdn/1.0');
    } else {
      assert.equal(r.headers[name.toLowerCase()], undefined, `${name} reached the client`);
    }
  }
  assert.equal(r.headers.etag, '"v1"');
  assert.equal(r.headers['cache-control'], 'private, max-age=60');
  assert.equal(r.headers['last-modified'], 'Tue, 01 Dec 2026 10:00:00 GMT');
  assert.ok(r.headers['x-request-id']);

  openai.failNext({ on: 'content', status: 403, body: '<Error>AccessDenied</Error>', headers: { 'Content-Type': 'application/xml', ETag: '"e"', ...FOREIGN_HEADERS } });
  const denied = await get(gw.url, `/v1/videos/${created.json.id}/content`);
  assertError(denied, 404, { code: 'content_unavailable' });
  for (const name of [...Object.keys(FOREIGN_HEADERS), 'ETag']) {
    if (name === 'Server') continue;
    assert.equal(denied.headers[name.toLowerCase()], undefined, `${name} on an error envelope`);
  }
});
