// Money: one client request, at most one vendor task. Every vendor's mock
// creates the task for real and then spoils its reply (a 5xx, a body that
// does not parse, a compressed or oversized body, a cut or stalled
// connection); the official SDK, with its default two retries, must end with
// exactly one vendor task per create. Replies the gateway can still read
// (compressed, slow) give the client its video; the others an error the
// SDK does not retry.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI627 from 'openai-6.27';
import OpenAI649 from 'openai-6.49';
import OpenAI759 from 'openai-7.59';

import { startGateway, stopAll } from '../lib/gateway.mjs';
import { FLEET, startFleet } from '../lib/vendor-fleet.mjs';

// Call-location settings as shipped, with a short read timeout so a vendor
// that never answers is quick to test.
const SHORT_TIMEOUT_CALL = `
        location = /_vgw/shortcall {
            internal;
            proxy_pass $vgw_upstream_url;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $vgw_upstream_host;
            proxy_read_timeout 1s;
            proxy_next_upstream off;
            proxy_max_temp_file_size 0;
            client_max_body_size 0;
            subrequest_output_buffer_size 2m;
        }`;

// What the vendor does after creating the task, and what the client sees.
const OUTCOMES = [
  { spoil: { status: 500 }, status: 502 },
  { spoil: { status: 503 }, status: 502 },
  // Vendors whose error codes say "unavailable" make this a 502.
  { spoil: { status: 504 }, status: [502, 504] },
  { spoil: 'garbage', status: 502 },
  { spoil: 'html', status: 502 },
  { spoil: 'cut', status: 502 },
  { spoil: 'reset', status: 502 },
  { spoil: 'huge', status: 502 },
  { spoil: 'brotli', status: 502 },
  { spoil: 'hang', status: 504, gateway: 'short' },
  { spoil: 'gzip', status: 200 },
  { spoil: 'deflate', status: 200 },
  { spoil: 'raw-deflate', status: 200 },
  { spoil: { delayMs: 300 }, status: 200 },
];

let fleet;
let gw;
let short;
let direct;

before(async () => {
  fleet = await startFleet();
  gw = await startGateway({ name: 'exactly-once', http: fleet.lines, location: 'vgw_direct_calls off;' });
  short = await startGateway({
    name: 'exactly-once-short',
    http: fleet.lines,
    server: SHORT_TIMEOUT_CALL,
    location: 'vgw_call_location /_vgw/shortcall;',
  });
  // The same calls on the module's own vendor connections (the default).
  direct = await startGateway({
    name: 'exactly-once-direct',
    http: fleet.lines,
    location: 'vgw_direct_calls on; vgw_call_timeout 1s;',
  });
});

after(async () => {
  const serious = await stopAll([gw, short, direct].filter(Boolean));
  await fleet?.close();
  assert.deepEqual(serious, []);
});

const label = (spoil) => (typeof spoil === 'string' ? spoil : JSON.stringify(spoil));

const TRANSPORTS = [
  ['call location', () => ({ any: gw, short })],
  ['direct calls', () => ({ any: direct, short: direct })],
];
for (const [transport, gateways] of TRANSPORTS) {
  for (const vendor of FLEET) {
    test(`${vendor.name} (${transport}): a spoilt create reply never costs a second task`, async () => {
      const mock = fleet.mocks[vendor.name];
      const { any, short: shortTimeout } = gateways();
      for (const outcome of OUTCOMES) {
        const target = outcome.gateway === 'short' ? shortTimeout : any;
        const client = new OpenAI649({ baseURL: `${target.url}/v1`, apiKey: 'sk-client-money' });
        const before = mock.createCount();
        mock.failNext({ afterCreate: outcome.spoil });
        const what = `${vendor.name} ${label(outcome.spoil)}`;
        let video;
        let error;
        try {
          video = await client.videos.create({ model: vendor.model, prompt: `money ${label(outcome.spoil)}` });
        } catch (e) {
          error = e;
        }
        assert.equal(mock.createCount(), before + 1, `${what}: exactly one vendor task`);
        if (outcome.status === 200) {
          assert.equal(error, undefined, `${what}: ${error}`);
          assert.match(video.id, /^video_/);
          const again = await client.videos.retrieve(video.id);
          assert.equal(again.id, video.id, `${what}: the id opens`);
        } else {
          assert.ok(error instanceof OpenAI649.APIError, `${what}: ${error}`);
          assert.ok([].concat(outcome.status).includes(error.status), `${what}: ${error.status} ${error.message}`);
          assert.equal(error.headers.get('x-should-retry'), 'false', `${what}: not retryable`);
          assert.match(error.message, /may have been created|duplicate/, what);
        }
      }
    });
  }
}

test('the JSON-sending SDK (6.27) and the current one (7.59) also stop after one attempt', async () => {
  const mock = fleet.mocks.kling;
  for (const OpenAI of [OpenAI627, OpenAI759]) {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-client-money' });
    for (const spoil of [{ status: 502 }, 'garbage', 'reset', 'huge']) {
      const before = mock.createCount();
      mock.failNext({ afterCreate: spoil });
      await assert.rejects(client.videos.create({ model: 'kling-v2-6', prompt: 'money' }), (e) => e.status >= 500);
      assert.equal(mock.createCount(), before + 1, label(spoil));
    }
  }
});

test('a refusal the vendor explains stays retryable or final as the SDK expects', async () => {
  const mock = fleet.mocks.kling;
  const client = new OpenAI649({ baseURL: `${gw.url}/v1`, apiKey: 'sk-client-money', maxRetries: 1 });
  // Rate limited: nothing was created, the SDK may (and does) try again.
  mock.failNext({ on: 'create', status: 429, headers: { 'Retry-After': '1' }, body: { code: 1302, message: 'rate', request_id: 'r' } });
  const before = mock.createCount();
  const video = await client.videos.create({ model: 'kling-v2-6', prompt: 'after a 429' });
  assert.match(video.id, /^video_/);
  assert.equal(mock.createCount(), before + 1);
});
