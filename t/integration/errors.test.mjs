// Every error path ends in an OpenAI error envelope with the right status,
// never a worker crash, and never a retryable status once a vendor task may
// exist.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startKlingMock, startOpenAIMock } from '../mocks/index.mjs';
import { startGateway, stopAll, vendorLines, freePort, CONF_EXAMPLES } from '../lib/gateway.mjs';
import { get, postJson, rawRequest, pollUntil, TENANT_A, TENANT_B } from '../lib/http.mjs';
import { assertError } from '../lib/assertions.mjs';

let kling;
let openai;
let gw;
const gateways = [];

// A call location with short timeouts so timeouts are testable quickly.
const FAST_CALL = `
        location = /_vgw/fastcall {
            internal;
            proxy_pass $vgw_upstream_url;
            proxy_connect_timeout 1s;
            proxy_read_timeout 1s;
            proxy_next_upstream off;
            subrequest_output_buffer_size 64k;
        }`;

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 50, doneAfterMs: 150 });
  openai = await startOpenAIMock({ inProgressAfterMs: 50, doneAfterMs: 150 });
  gw = await startGateway({
    name: 'errors',
    http: vendorLines({ kling, openai }),
    server: `client_body_buffer_size 16k;${FAST_CALL}`,
    location: 'vgw_call_location /_vgw/fastcall;',
  });
  gateways.push(gw);
});

after(async () => {
  const serious = await stopAll(gateways);
  await kling?.close();
  await openai?.close();
  assert.deepEqual(serious, []);
});

test('validation errors are 400 with the offending param', async () => {
  assertError(await postJson(gw.url, '/v1/videos', { model: 'sora-2' }), 400, { param: 'prompt', code: 'missing_required_parameter' });
  assertError(await postJson(gw.url, '/v1/videos', { prompt: '   ' }), 400, { param: 'prompt' });
  assertError(await postJson(gw.url, '/v1/videos', { prompt: 'x', seconds: 'abc' }), 400, { param: 'seconds' });
  assertError(await postJson(gw.url, '/v1/videos', { prompt: 'x', seconds: 4.5 }), 400, { param: 'seconds' });
  assertError(await postJson(gw.url, '/v1/videos', { prompt: 'x', size: 'big' }), 400, { param: 'size' });
  assertError(await postJson(gw.url, '/v1/videos', { prompt: 'x', size: '1920x1080' }), 400, { param: 'size' });
  assertError(await postJson(gw.url, '/v1/videos', { prompt: 'x'.repeat(32001) }), 400, { param: 'prompt' });
  assertError(await postJson(gw.url, '/v1/videos', '{"prompt": "x",'), 400, { code: 'invalid_json' });
  assertError(await postJson(gw.url, '/v1/videos', '['.repeat(100000)), 400, { code: 'invalid_json' });
  assertError(await postJson(gw.url, '/v1/videos', { prompt: 'x', model: 'veo-9' }), 400, { param: 'model', code: 'model_not_found' });
  assertError(await postJson(gw.url, '/v1/videos', { prompt: 'x', input_reference: { image_url: 'ftp://x/y.png' } }), 400, { param: 'input_reference.image_url' });
  const text = await rawRequest(gw.url, { method: 'POST', path: '/v1/videos', headers: { Authorization: TENANT_A, 'Content-Type': 'text/plain' }, body: 'prompt=x' });
  assertError(text, 415, { code: 'unsupported_content_type' });
  const noBoundary = await rawRequest(gw.url, { method: 'POST', path: '/v1/videos', headers: { Authorization: TENANT_A, 'Content-Type': 'multipart/form-data' }, body: 'x' });
  assertError(noBoundary, 400, { code: 'invalid_multipart' });
  assert.equal(kling.createCount() + openai.createCount(), 0, 'no vendor call for invalid input');
});

test('unknown, tampered, foreign and random ids are all 404', async () => {
  const created = await postJson(gw.url, '/v1/videos', { prompt: 'mine', model: 'sora-2' });
  assert.equal(created.status, 200, created.text);
  const id = created.json.id;
  assert.equal((await get(gw.url, `/v1/videos/${id}`)).status, 200);
  const flipped = id.slice(0, 20) + (id[20] === 'A' ? 'B' : 'A') + id.slice(21);
  for (const bad of [flipped, 'video_123', 'video_', 'nonsense', id.slice(0, -4), `${id}AAAA`, 'video_' + 'A'.repeat(5000)]) {
    assertError(await get(gw.url, `/v1/videos/${bad}`), 404, { code: 'video_not_found' });
    assertError(await get(gw.url, `/v1/videos/${bad}/content`), 404, { code: 'video_not_found' });
  }
  assertError(await get(gw.url, `/v1/videos/${id}`, { auth: TENANT_B }), 404, { code: 'video_not_found' });
  assertError(await get(gw.url, `/v1/videos/${id}/content`, { auth: TENANT_B }), 404);
  const anonymous = await rawRequest(gw.url, { path: `/v1/videos/${id}` });
  assertError(anonymous, 404);
});

test('routes: unknown paths 404, wrong methods 405', async () => {
  assertError(await get(gw.url, '/v1/videos?limit=500'), 400, { param: 'limit' });
  assertError(await get(gw.url, '/v1/videos/abc/thumbnails'), 404, { code: 'unknown_route' });
  assertError(await get(gw.url, '/v1/images'), 404, { code: 'unknown_route' });
  assertError(await rawRequest(gw.url, { method: 'PUT', path: '/v1/videos', headers: { Authorization: TENANT_A } }), 405);
  assertError(await rawRequest(gw.url, { method: 'POST', path: '/v1/videos/abc', headers: { Authorization: TENANT_A } }), 405);
});

test('a body over client_max_body_size is a 413 envelope, also when chunked', async () => {
  const g = await startGateway({ name: 'small-body', http: vendorLines({ openai }), maxBody: '1k' });
  gateways.push(g);
  const big = JSON.stringify({ prompt: 'x'.repeat(5000) });
  assertError(await postJson(g.url, '/v1/videos', big), 413, { code: 'request_too_large' });
  const chunked = await rawRequest(g.url, {
    method: 'POST', path: '/v1/videos',
    headers: { Authorization: TENANT_A, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
    chunks: [big.slice(0, 600), big.slice(600, 1800), big.slice(1800)],
  });
  assertError(chunked, 413);
});

test('vendor rejects our credentials: 502, not the client\'s fault, not retried', async () => {
  const wrong = { ...kling, secretKey: 'not-the-secret' };
  const g = await startGateway({ name: 'bad-key', http: vendorLines({ kling: wrong }) });
  gateways.push(g);
  const r = await postJson(g.url, '/v1/videos', { model: 'kling-v1', prompt: 'x' });
  const e = assertError(r, 502, { code: 'vendor_auth_failed', type: 'server_error' });
  assert.equal(r.headers['x-should-retry'], 'false');
  assert.match(e.message, /vendor code 1002/);
  assert.ok(!e.message.includes('not-the-secret'));
});

test('vendor rate limit: 429 with the vendor\'s Retry-After', async () => {
  const before = kling.createCount();
  kling.failNext({ on: 'create', status: 429, headers: { 'Retry-After': '7' }, body: { code: 1302, message: 'rate too high', request_id: 'x' } });
  const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'x' });
  assertError(r, 429, { code: 'rate_limit_exceeded', type: 'rate_limit_error' });
  assert.equal(r.headers['retry-after'], '7');
  kling.failNext({ on: 'create', status: 429, body: { code: 1303, message: 'concurrency', request_id: 'x' } });
  const noHeader = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'x' });
  assertError(noHeader, 429);
  assert.ok(Number(noHeader.headers['retry-after']) >= 1);
  kling.failNext({ on: 'create', status: 429, body: { code: 1102, message: 'resource pack exhausted', request_id: 'x' } });
  const quota = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'x' });
  assertError(quota, 429, { code: 'insufficient_quota' });
  assert.equal(quota.headers['x-should-retry'], 'false');
  assert.equal(kling.createCount(), before);
});

test('vendor 5xx and malformed replies: 502 envelopes', async () => {
  kling.failNext({ on: 'create', status: 500, body: { code: 5000, message: 'internal', request_id: 'x' } });
  assertError(await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'x' }), 502, { code: 'vendor_unavailable' });
  kling.failNext({ on: 'create', status: 502, body: '<html>bad gateway</html>', headers: { 'Content-Type': 'text/html' } });
  assertError(await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'x' }), 502);
  kling.failNext({ on: 'create', status: 200, body: { code: 5001, message: 'busy', request_id: 'x' } });
  assertError(await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'x' }), 502, { code: 'vendor_unavailable' });
  kling.failNext({ on: 'create', status: 200, body: 'not json at all' });
  const garbage = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'x' });
  assertError(garbage, 502);
  openai.failNext({ on: 'create', status: 200, body: { object: 'video' } });
  const noId = await postJson(gw.url, '/v1/videos', { model: 'sora-2', prompt: 'x' });
  assertError(noId, 502, { code: 'vendor_bad_reply' });
  assert.equal(noId.headers['x-should-retry'], 'false', 'a 200 without an id may still be a created task');
});

test('vendor down: 502 that may be retried (nothing was sent)', async () => {
  const deadPort = await freePort();
  const g = await startGateway({ name: 'down', http: `vgw_vendor ${CONF_EXAMPLES}/vendors/openai.yaml base_url=http://127.0.0.1:${deadPort} api_key=k;` });
  gateways.push(g);
  const r = await postJson(g.url, '/v1/videos', { prompt: 'x' });
  assertError(r, 502, { code: 'vendor_unreachable' });
  assert.notEqual(r.headers['x-should-retry'], 'false');
});

test('vendor hangs: 504 after the configured timeout, marked not retryable on create', async () => {
  const before = kling.createCount();
  kling.failNext({ on: 'create', hang: true });
  const started = Date.now();
  const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'x' });
  assertError(r, 504, { code: 'vendor_timeout' });
  assert.ok(Date.now() - started < 3000);
  assert.equal(r.headers['x-should-retry'], 'false');
  assert.equal(kling.createCount(), before);
  kling.failNext({ on: 'query', hang: true });
  const created = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'x' });
  const q = await get(gw.url, `/v1/videos/${created.json.id}`);
  assertError(q, 504, { code: 'vendor_timeout' });
});

test('the vendor created the task but the reply was lost: exactly one task, no retry invited', async () => {
  for (const afterCreate of ['reset', 'hang']) {
    const before = kling.createCount();
    kling.failNext({ afterCreate });
    const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'lost reply' });
    assert.ok(r.status === 502 || r.status === 504, `${afterCreate}: ${r.status}`);
    assertError(r, r.status);
    assert.equal(r.headers['x-should-retry'], 'false');
    assert.match(r.json.error.message, /duplicate/);
    assert.equal(kling.createCount(), before + 1, 'nginx did not resend the create');
  }
});

test('vendor no longer knows the task: 404', async () => {
  const created = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: 'forgotten' });
  const task = [...kling.tasks.keys()].at(-1);
  kling.tasks.delete(task);
  assertError(await get(gw.url, `/v1/videos/${created.json.id}`), 404, { code: 'video_not_found' });
});

test('result file gone at the CDN: 404 envelope, never the CDN\'s XML', async () => {
  const created = await postJson(gw.url, '/v1/videos', { prompt: 'cdn gone', model: 'sora-2' });
  await pollUntil(gw.url, created.json.id);
  openai.failNext({ on: 'content', status: 403, body: '<Error><Code>AccessDenied</Code></Error>', headers: { 'Content-Type': 'application/xml' } });
  const r = await get(gw.url, `/v1/videos/${created.json.id}/content`);
  assertError(r, 404, { code: 'content_unavailable' });
  openai.failNext({ on: 'content', status: 500 });
  assertError(await get(gw.url, `/v1/videos/${created.json.id}/content`), 502, { code: 'content_fetch_failed' });
});

test('a vendor without credentials answers 503 naming the missing setting', async () => {
  const g = await startGateway({ name: 'no-creds', http: `vgw_vendor ${CONF_EXAMPLES}/vendors/kling.yaml base_url=${kling.url};` });
  gateways.push(g);
  assert.match(g.startupOutput(), /\[warn\].*vendor "kling" has no "access_key" credential/);
  const r = await postJson(g.url, '/v1/videos', { model: 'kling-v1', prompt: 'x' });
  const e = assertError(r, 503, { code: 'vendor_not_configured' });
  assert.match(e.message, /access_key/);
});

test('every error carries x-request-id and JSON content type, and the worker stays up', async () => {
  const pids = gw.workerPids();
  for (let i = 0; i < 20; i++) {
    await postJson(gw.url, '/v1/videos', '\u0000\u0001garbage');
  }
  assert.deepEqual(gw.workerPids(), pids, 'no worker restarted');
});

test('limit_req in the call location rate-limits per vendor with a 429 envelope', async () => {
  const g = await startGateway({
    name: 'limited',
    http: `${vendorLines({ kling, openai })}
    limit_req_zone $vgw_vendor zone=per_vendor:1m rate=1r/m;`,
    server: `
        location = /_vgw/limited {
            internal;
            limit_req zone=per_vendor nodelay;
            limit_req_status 429;
            proxy_pass $vgw_upstream_url;
            subrequest_output_buffer_size 64k;
        }`,
    location: 'vgw_call_location /_vgw/limited;',
  });
  gateways.push(g);
  const before = kling.createCount();
  const first = await postJson(g.url, '/v1/videos', { model: 'kling-v1', prompt: 'first' });
  assert.equal(first.status, 200, first.text);
  const second = await postJson(g.url, '/v1/videos', { model: 'kling-v1', prompt: 'second' });
  assertError(second, 429, { code: 'rate_limit_exceeded' });
  assert.ok(Number(second.headers['retry-after']) >= 1);
  assert.equal(kling.createCount(), before + 1);
  const otherVendor = await postJson(g.url, '/v1/videos', { model: 'sora-2', prompt: 'separate bucket' });
  assert.equal(otherVendor.status, 200, 'the limit is keyed by $vgw_vendor');
});
