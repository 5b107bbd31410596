// The API's side of HTTP: conditional request headers never swallow a
// created video, legal uploads are not refused once encoded for a vendor,
// the caller identity ignores the case of its scheme, and every log line
// about a request names the x-request-id its client was given (the same
// $request_id an access log prints).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { pngBytes } from '../mocks/media.mjs';
import { startGateway, stopAll } from '../lib/gateway.mjs';
import { startFleet } from '../lib/vendor-fleet.mjs';
import { get, postJson, postMultipart, rawRequest } from '../lib/http.mjs';
import { assertError, assertVideo } from '../lib/assertions.mjs';

let fleet;
let gw;
const gateways = [];

before(async () => {
  fleet = await startFleet({ names: ['kling', 'openai'] });
  gw = await startGateway({ name: 'contract', http: fleet.lines, maxBody: '40m' });
  gateways.push(gw);
});

after(async () => {
  const serious = await stopAll(gateways);
  await fleet?.close();
  assert.deepEqual(serious, []);
});

const image = (bytes) => Buffer.concat([pngBytes({ width: 64, height: 64 }), randomBytes(bytes)]);

test('conditional request headers are ignored by the API (only downloads pass Range)', async () => {
  const kling = fleet.mocks.kling;
  const conditions = [
    { 'If-None-Match': '*' },
    { 'If-Match': '"nothing"' },
    { 'If-Unmodified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' },
    { 'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT' },
  ];
  for (const headers of conditions) {
    const before = kling.createCount();
    const r = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'conditional' }, { headers });
    assert.equal(r.status, 200, `${JSON.stringify(headers)}: ${r.status} ${r.text}`);
    assertVideo(r.json);
    assert.equal(kling.createCount(), before + 1);
    const again = await get(gw.url, `/v1/videos/${r.json.id}`, { headers });
    assert.equal(again.status, 200, `${JSON.stringify(headers)} on retrieve`);
    assertVideo(again.json);
  }
});

test('a legal 30 MB upload is not refused once base64 makes it 40 MB for the vendor', async () => {
  const kling = fleet.mocks.kling;
  const before = kling.createCount();
  const png = image(30 << 20);
  const r = await postMultipart(gw.url, '/v1/videos', [
    ['model', 'kling-v2-6'], ['prompt', 'a big reference'],
    { name: 'input_reference', filename: 'big.png', contentType: 'image/png', data: png },
  ]);
  assert.equal(r.status, 200, r.text);
  assert.equal(kling.createCount(), before + 1);
  const sent = kling.requests.filter((q) => q.method === 'POST').at(-1);
  assert.equal(sent.body.image.length, Math.ceil(png.length / 3) * 4);
});

test('a call location that still limits bodies refuses up front with a 413, nothing sent', async () => {
  const kling = fleet.mocks.kling;
  const g = await startGateway({
    name: 'contract-limited',
    http: fleet.lines,
    server: `
        location = /_vgw/limited {
            internal;
            client_max_body_size 1m;
            proxy_pass $vgw_upstream_url;
            proxy_set_header Host $vgw_upstream_host;
        }`,
    location: 'vgw_call_location /_vgw/limited;',
  });
  gateways.push(g);
  const before = kling.createCount();
  const r = await postMultipart(g.url, '/v1/videos', [
    ['model', 'kling-v2-6'], ['prompt', 'too big for the call location'],
    { name: 'input_reference', filename: 'b.png', contentType: 'image/png', data: image(1 << 20) },
  ]);
  assertError(r, 413, { code: 'request_too_large' });
  assert.equal(r.headers['x-should-retry'], 'false');
  assert.equal(kling.createCount(), before);
});

test('the Bearer scheme is case-insensitive for the ids a caller owns', async () => {
  const created = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'mine' }, { auth: 'Bearer sk-case-test' });
  assert.equal(created.status, 200, created.text);
  for (const auth of ['bearer sk-case-test', 'BEARER sk-case-test', 'Bearer   sk-case-test']) {
    const r = await get(gw.url, `/v1/videos/${created.json.id}`, { auth });
    assert.equal(r.status, 200, `${auth}: ${r.text}`);
  }
  assertError(await get(gw.url, `/v1/videos/${created.json.id}`, { auth: 'Bearer sk-case-Test' }), 404);
});

test('error-log lines about a request carry the x-request-id its client got', async () => {
  const kling = fleet.mocks.kling;
  kling.failNext({ afterCreate: 'reset' });
  const lost = await postJson(gw.url, '/v1/videos', { model: 'kling-v2-6', prompt: 'logged' });
  assert.equal(lost.status, 502);
  const id = lost.headers['x-request-id'];
  assert.match(id, /^[0-9a-f]{32}$/);
  const small = await startGateway({ name: 'contract-small', http: fleet.lines, maxBody: '1k' });
  gateways.push(small);
  const refused = await rawRequest(small.url, {
    method: 'POST', path: '/v1/videos',
    headers: { Authorization: 'Bearer x', 'Content-Type': 'application/json', 'Content-Length': '5000' },
    body: 'x'.repeat(5000),
  });
  assertError(refused, 413, { code: 'request_too_large' });
  const log = `${gw.errorLog()}${small.errorLog()}`;
  const lineOf = (rid) => log.split('\n').filter((l) => l.includes(`request_id: "${rid}"`));
  assert.ok(lineOf(id).some((l) => /upstream|recv\(\)|reset/.test(l)), `no log line names ${id}`);
  assert.ok(lineOf(refused.headers['x-request-id']).some((l) => /too large body/.test(l)), 'nginx\'s own 413 line names its id');
});

test('x-request-id is the $request_id an access log prints, and never repeats', async () => {
  const logged = await startGateway({
    name: 'contract-rid',
    http: `${fleet.lines}\n    log_format rid '$request_id $status';`,
    server: 'access_log logs/rid.log rid;',
  });
  gateways.push(logged);
  const given = [];
  for (let i = 0; i < 40; i++) {
    const r = i % 2
      ? await postJson(logged.url, '/v1/videos', { model: 'kling-v2-6', prompt: `rid ${i}` })
      : await postJson(logged.url, '/v1/videos', { model: 'no-such-model', prompt: 'refused' });
    assert.match(r.headers['x-request-id'], /^[0-9a-f]{32}$/);
    given.push(`${r.headers['x-request-id']} ${r.status}`);
  }
  await logged.stop();
  const lines = readFileSync(join(logged.dir, 'logs/rid.log'), 'utf8').trim().split('\n');
  assert.deepEqual(lines, given);
  assert.equal(new Set(given.map((l) => l.split(' ')[0])).size, given.length);
});
