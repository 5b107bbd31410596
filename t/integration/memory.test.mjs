// Memory is bounded by what is in flight: a create holds its body once and
// the vendor body adds at most one encoded copy of an image (a view of the
// client's bytes where they can go as they are). The vendor mocks hold
// their replies so that every body is in the worker at the same time; the
// worker's peak RSS (kernel high-water mark) is compared with the bytes in
// flight.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { mp4Bytes, pngBytes } from '../mocks/media.mjs';
import { startGateway, stopAll } from '../lib/gateway.mjs';
import { startFleet } from '../lib/vendor-fleet.mjs';
import { multipartBody, rawRequest, TENANT_A } from '../lib/http.mjs';
import { peakGrowth } from '../lib/worker-memory.mjs';

const MiB = 1 << 20;
let fleet;
let gw;

before(async () => {
  fleet = await startFleet({ names: ['kling', 'openai', 'vidu'] });
  gw = await startGateway({ name: 'memory', http: fleet.lines, maxBody: '40m' });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await fleet?.close();
  assert.deepEqual(serious, []);
});

const image = (bytes) => Buffer.concat([pngBytes({ width: 64, height: 64 }), randomBytes(bytes)]);
const post = (body, contentType, headers = {}, path = '/v1/videos') =>
  rawRequest(gw.url, { method: 'POST', path, headers: { Authorization: TENANT_A, 'Content-Type': contentType, ...headers }, body });

// Sends `count` creates at once while the vendor holds each reply, so all
// bodies are in the worker together; returns the worker's peak growth per
// byte in flight.
async function inFlight(mock, count, body, contentType, path) {
  for (let i = 0; i < count; i++) mock.failNext({ afterCreate: { delayMs: 1500 } });
  const [worker] = gw.workerPids();
  const { growth, result } = await peakGrowth(worker, () => Promise.all(Array.from({ length: count }, () => post(body, contentType, {}, path))));
  for (const r of result) assert.equal(r.status, 200, r.text.slice(0, 300));
  return growth / (count * body.length);
}

test('JSON creates with base64 images: the image goes to the vendor as it came', async () => {
  const b64 = image(22 * MiB).toString('base64'); // ~30 MB of JSON
  const body = Buffer.from(JSON.stringify({ model: 'kling-v2-6', prompt: 'memory', input_reference: { image_url: `data:image/png;base64,${b64}` } }));
  const ratio = await inFlight(fleet.mocks.kling, 8, body, 'application/json');
  console.log(`  8 x ${(body.length / MiB).toFixed(0)} MiB JSON creates: peak worker growth ${ratio.toFixed(2)} x the bodies`);
  assert.ok(ratio <= 1.5, `${ratio.toFixed(2)} x`);
});

test('multipart uploads encoded as base64 for the vendor: at most one encoded copy', async () => {
  const mp = multipartBody([['model', 'kling-v2-6'], ['prompt', 'memory'], { name: 'input_reference', filename: 'm.png', contentType: 'image/png', data: image(30 * MiB) }]);
  const ratio = await inFlight(fleet.mocks.kling, 4, mp.body, mp.contentType);
  console.log(`  4 x 30 MiB uploads to a base64 vendor: peak worker growth ${ratio.toFixed(2)} x the bodies`);
  assert.ok(ratio <= 2, `${ratio.toFixed(2)} x`);
});

test('multipart uploads to a multipart vendor travel as views', async () => {
  const mp = multipartBody([['model', 'sora-2'], ['prompt', 'memory'], { name: 'input_reference', filename: 'm.png', contentType: 'image/png', data: image(30 * MiB) }]);
  const ratio = await inFlight(fleet.mocks.openai, 4, mp.body, mp.contentType);
  console.log(`  4 x 30 MiB uploads to a multipart vendor: peak worker growth ${ratio.toFixed(2)} x the bodies`);
  assert.ok(ratio <= 1.5, `${ratio.toFixed(2)} x`);
});

test('character uploads sent inline as data URLs: at most one encoded copy', async () => {
  const video = Buffer.concat([mp4Bytes('memory', 4096), randomBytes(19 * 1000 * 1000 - 4096)]);
  const mp = multipartBody([['name', 'memory'], { name: 'video', filename: 'm.mp4', contentType: 'video/mp4', data: video }]);
  const ratio = await inFlight(fleet.mocks.vidu, 4, mp.body, mp.contentType, '/v1/videos/characters');
  console.log(`  4 x 19 MB character videos to a data-URL vendor: peak worker growth ${ratio.toFixed(2)} x the bodies`);
  assert.ok(ratio <= 2, `${ratio.toFixed(2)} x`);
});

test('refused bodies: no DOM, no copies; over the limit, hardly held at all', async () => {
  const [worker] = gw.workerPids();
  const b64 = image(28 * MiB).toString('base64');
  const invalid = Buffer.from(JSON.stringify({ model: 'no-such-model', prompt: 'refused', input_reference: { image_url: `data:image/png;base64,${b64}` } }));
  const refused = await peakGrowth(worker, () => Promise.all([post(invalid, 'application/json'), post(invalid, 'application/json')]));
  for (const r of refused.result) assert.equal(r.status, 400);
  const ratio = refused.growth / (2 * invalid.length);
  console.log(`  2 x ${(invalid.length / MiB).toFixed(0)} MiB invalid creates: peak growth ${ratio.toFixed(2)} x`);
  assert.ok(ratio <= 1.25, `${ratio.toFixed(2)} x`);

  const over = Buffer.alloc(41 * MiB, 'x');
  const sized = await peakGrowth(worker, () => post(over, 'application/json'));
  assert.equal(sized.result.status, 413);
  assert.ok(sized.growth <= 0.25 * over.length, `${(sized.growth / over.length).toFixed(2)} x`);
  const chunks = [];
  for (let i = 0; i < over.length; i += 256 * 1024) chunks.push(over.subarray(i, i + 256 * 1024));
  const chunked = await peakGrowth(worker, () => rawRequest(gw.url, {
    method: 'POST', path: '/v1/videos', headers: { Authorization: TENANT_A, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, chunks,
  }));
  assert.equal(chunked.result.status, 413);
  const chunkedRatio = chunked.growth / over.length;
  console.log(`  a 41 MiB chunked body over the 40m limit: peak growth ${chunkedRatio.toFixed(2)} x`);
  assert.ok(chunkedRatio <= 0.25, `${chunkedRatio.toFixed(2)} x`);
});
