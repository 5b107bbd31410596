// Result files are streamed through nginx: worker memory must not grow with
// the file size, and the bytes must arrive intact.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';

import { startKlingMock } from '../mocks/index.mjs';
import { startGateway, vendorLines, stopAll } from '../lib/gateway.mjs';
import { postJson, pollUntil, TENANT_A } from '../lib/http.mjs';

let kling;
let gw;

before(async () => {
  kling = await startKlingMock({ processingAfterMs: 20, doneAfterMs: 60 });
  gw = await startGateway({ name: 'stream', http: vendorLines({ kling }) });
});

after(async () => {
  const serious = await stopAll([gw].filter(Boolean));
  await kling?.close();
  assert.deepEqual(serious, []);
});

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

// Downloads while sampling the worker's RSS; optionally reads slowly so the
// proxy must apply back-pressure instead of buffering.
function download(url, worker, { slow = false } = {}) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let peak = rssKiB(worker);
    const sampler = setInterval(() => { peak = Math.max(peak, rssKiB(worker)); }, 20);
    const req = request(url, { headers: { Authorization: TENANT_A } }, (res) => {
      res.on('data', (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
        if (slow && bytes < 8 << 20) {
          res.pause();
          setTimeout(() => res.resume(), 2);
        }
      });
      res.on('end', () => {
        clearInterval(sampler);
        resolve({ status: res.statusCode, headers: res.headers, bytes, sha256: hash.digest('hex'), peakKiB: peak });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('a 256 MiB result streams with flat worker memory', async (t) => {
  const [worker] = gw.workerPids();
  const sizes = [16, 256];
  const growth = [];
  for (const mib of sizes) {
    const created = await postJson(gw.url, '/v1/videos', { model: 'kling-v1', prompt: `big [mock:large=${mib}]` });
    assert.equal(created.status, 200, created.text);
    const task = [...kling.tasks.keys()].at(-1);
    await pollUntil(gw.url, created.json.id);
    const base = rssKiB(worker);
    const r = await download(`${gw.url}/v1/videos/${created.json.id}/content`, worker, { slow: mib === 16 });
    assert.equal(r.status, 200);
    assert.equal(r.bytes, mib * 1024 * 1024);
    assert.equal(Number(r.headers['content-length']), r.bytes);
    assert.equal(r.sha256, kling.videoSha256(task));
    growth.push(r.peakKiB - base);
  }
  t.diagnostic(`RSS growth KiB: ${growth}`);
  for (const g of growth) assert.ok(g < 16 * 1024, `worker RSS grew by ${g} KiB during a download`);
  // A 16x bigger file must not need noticeably more memory.
  assert.ok(growth[1] < growth[0] + 4096, `RSS growth ${growth[0]} KiB (16 MiB) vs ${growth[1]} KiB (256 MiB)`);
});
