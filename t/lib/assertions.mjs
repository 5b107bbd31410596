// Shape checks every client of the OpenAI Videos API relies on.

import assert from 'node:assert/strict';

const VIDEO_KEYS = ['id', 'object', 'model', 'status', 'progress', 'created_at', 'completed_at',
  'expires_at', 'prompt', 'size', 'seconds', 'remixed_from_video_id', 'error'];

// Relay extras a Video may carry beyond the spec's 13 keys.
const EXTRA_KEYS = ['url', 'video_url', 'quality', 'metadata'];

export function assertVideo(v, { status } = {}) {
  const keys = Object.keys(v);
  for (const k of VIDEO_KEYS) assert.ok(keys.includes(k), `Video lacks ${k}: ${JSON.stringify(v)}`);
  for (const k of keys) assert.ok(VIDEO_KEYS.includes(k) || EXTRA_KEYS.includes(k), `unexpected Video key ${k}`);
  if ('url' in v || 'video_url' in v) {
    assert.equal(v.status, 'completed', 'links only on completed videos');
    assert.match(v.url, /^https?:\/\/[^/]+\/.*videos\/video_[A-Za-z0-9_-]+\/content$/);
    assert.equal(v.video_url, v.url);
  }
  if ('metadata' in v) assert.equal(typeof v.metadata, 'object');
  assert.match(v.id, /^video_[A-Za-z0-9_-]+$/);
  assert.equal(v.object, 'video');
  assert.equal(typeof v.model, 'string');
  assert.ok(['queued', 'in_progress', 'completed', 'failed'].includes(v.status), v.status);
  assert.ok(Number.isInteger(v.progress) && v.progress >= 0 && v.progress <= 100, `progress ${v.progress}`);
  assert.ok(Number.isInteger(v.created_at) && v.created_at > 1.6e9 && v.created_at < 1e10, 'created_at in seconds');
  for (const k of ['completed_at', 'expires_at']) {
    assert.ok(v[k] === null || (Number.isInteger(v[k]) && v[k] < 1e10), `${k} ${v[k]}`);
  }
  assert.ok(v.prompt === null || typeof v.prompt === 'string');
  assert.equal(typeof v.size, 'string');
  assert.equal(typeof v.seconds, 'string');
  assert.equal(v.remixed_from_video_id, null);
  if (v.status === 'failed') {
    assert.equal(typeof v.error?.code, 'string');
    assert.equal(typeof v.error?.message, 'string');
  } else {
    assert.equal(v.error, null);
  }
  if (status) assert.equal(v.status, status);
}

export function assertError(res, status, { code, param, type } = {}) {
  assert.equal(res.status, status, `status ${res.status}: ${res.text}`);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  const e = res.json?.error;
  assert.ok(e, `error envelope: ${res.text}`);
  assert.deepEqual(Object.keys(e).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0);
  assert.equal(typeof e.type, 'string');
  if (code !== undefined) assert.equal(e.code, code);
  if (param !== undefined) assert.equal(e.param, param);
  if (type !== undefined) assert.equal(e.type, type);
  assert.ok(res.headers['x-request-id'], 'x-request-id');
  return e;
}
