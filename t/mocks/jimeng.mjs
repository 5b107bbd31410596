// Jimeng video (Volcengine visual "CV" API, visual.volcengineapi.com) mock:
// `POST /?Action=CVSync2AsyncSubmitTask|CVSync2AsyncGetResult&Version=2022-08-31`
// with JSON bodies, Volcengine HMAC-SHA256 (V4-style) request signatures that
// are recomputed and verified, strict per-req_key fields and the CV envelope
// {code, message, request_id, status, time_elapsed, data}.
//
// A task can only be read back with the req_key it was submitted with
// (otherwise data.status is "not_found"); a [mock:fail] task answers its
// GetResult with code 50411 and data null, as a content-review failure does.

import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { isPlainObject, mediaType } from './http-kit.mjs';
import { sniffImage } from './media.mjs';
import { VendorError, startTaskVendor } from './task-vendor.mjs';

const VERSION = '2022-08-31';
const ACTIONS = { CVSync2AsyncSubmitTask: 'create', CVSync2AsyncGetResult: 'query' };
const REGION = 'cn-north-1';
const SERVICE = 'cv';
const ALGORITHM = 'HMAC-SHA256';
const SIGNED_HEADERS = 'content-type;host;x-content-sha256;x-date';
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const MAX_IMAGE_BYTES = 4.7 * 1024 * 1024;

const SUCCESS = 10000;
export const JIMENG_CODES = {
  success: SUCCESS,
  signature: 100010, // HTTP 401: every authentication failure
  actionOrVersion: 100008, // HTTP 404: unknown path, method, Action or Version
  invalidParameter: 50400, // HTTP 400: bad/unknown field, unknown req_key, bad body
  contentReview: 50411, // HTTP 200 on GetResult: the generation failed ([mock:fail])
  rateLimit: 50429, // HTTP 429 (injected fault)
  internal: 50500, // HTTP 5xx (injected fault)
};
const FAILURE_MESSAGE = 'Pre Img Risk Not Pass';

// req_key -> [min images, max images], and whether `frames` is accepted.
const REQ_KEYS = {
  jimeng_vgfm_t2v_l20: { images: [0, 0], frames: false },
  jimeng_vgfm_i2v_l20: { images: [1, 1], frames: false },
  jimeng_t2v_v30: { images: [0, 0], frames: true },
  jimeng_t2v_v30_1080p: { images: [0, 0], frames: true },
  jimeng_i2v_first_v30: { images: [1, 1], frames: true },
  jimeng_i2v_first_v30_1080: { images: [1, 1], frames: true },
  jimeng_i2v_first_tail_v30: { images: [2, 2], frames: true },
  jimeng_i2v_first_tail_v30_1080: { images: [2, 2], frames: true },
  jimeng_ti2v_v30_pro: { images: [0, 1], frames: true },
};
const SUBMIT_FIELDS = new Set(['req_key', 'prompt', 'seed', 'aspect_ratio', 'frames', 'image_urls', 'binary_data_base64']);
const QUERY_FIELDS = ['req_key', 'task_id'];
const ASPECT_RATIOS = ['16:9', '4:3', '1:1', '3:4', '9:16', '21:9'];
const FRAMES = [121, 241];
const STATUS = { queued: 'in_queue', running: 'generating', succeeded: 'done' };

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();
// RFC 3986 unreserved characters stay, everything else is %XX (uppercase).
const rfc3986 = (text) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function requestId() {
  const now = new Date();
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return stamp + randomBytes(10).toString('hex').toUpperCase();
}

function envelope(code, message, data) {
  return {
    code,
    message,
    request_id: requestId(),
    status: code,
    time_elapsed: `${(randomInt(5000, 200000) / 1000).toFixed(6)}ms`,
    data,
  };
}

const error = (status, code, message, extra = {}) => new VendorError(status, { ...envelope(code, message, null), ...extra });
const invalid = (field) => error(400, JIMENG_CODES.invalidParameter, `Invalid parameter: ${field}`);

// Errors the Volcengine API gateway itself answers (auth, routing) also carry
// its ResponseMetadata block, the way the real front door reports them.
function gatewayError(status, code, name, codeN, message, url) {
  return error(status, code, `${name}: ${message}`, {
    ResponseMetadata: {
      RequestId: requestId(),
      Action: url?.searchParams.get('Action') ?? '',
      Version: url?.searchParams.get('Version') ?? '',
      Service: SERVICE,
      Region: REGION,
      Error: { CodeN: codeN, Code: name, Message: message },
    },
  });
}

// X-Date "YYYYMMDDTHHMMSSZ" -> epoch ms, or null.
function parseXDate(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(ms) ? null : ms;
}

function canonicalQuery(url) {
  return [...url.searchParams]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

// Recomputes the request signature; returns null when it is valid, else a VendorError.
function verifySignature(req, raw, url, accessKey, secretKey) {
  const deny = (name, codeN, message) => gatewayError(401, JIMENG_CODES.signature, name, codeN, message, url);
  const h = req.headers;
  for (const name of ['authorization', 'x-date', 'x-content-sha256', 'content-type', 'host']) {
    if (typeof h[name] !== 'string' || h[name] === '') {
      return deny('MissingRequestInfo', 100004, `The request is missing ${name} information.`);
    }
  }
  const xDate = h['x-date'];
  const signedAt = parseXDate(xDate);
  if (signedAt === null) return deny('MissingRequestInfo', 100004, 'The request X-Date is not YYYYMMDDTHHMMSSZ.');
  if (Math.abs(Date.now() - signedAt) > MAX_CLOCK_SKEW_MS) {
    return deny('InvalidTimestamp', 100006, 'The Signature of the request is expired.');
  }
  const payloadHash = sha256(raw);
  if (h['x-content-sha256'] !== payloadHash) {
    return deny('SignatureDoesNotMatch', 100010, 'X-Content-Sha256 does not match the SHA256 of the request body.');
  }
  const auth = /^HMAC-SHA256 Credential=([^/,\s]+)\/([^,\s]+), ?SignedHeaders=([^,\s]+), ?Signature=([0-9a-f]{64})$/.exec(
    h.authorization,
  );
  if (!auth) return deny('SignatureDoesNotMatch', 100010, 'The Authorization header is malformed.');
  const [, ak, scope, signedHeaders, signature] = auth;
  if (ak !== accessKey) return deny('InvalidAccessKey', 100009, `The accesskey [${ak}] included in the request is invalid.`);
  const credentialScope = `${xDate.slice(0, 8)}/${REGION}/${SERVICE}/request`;
  if (scope !== credentialScope) {
    return deny('SignatureDoesNotMatch', 100010, `Credential scope must be ${credentialScope}, got ${scope}.`);
  }
  if (signedHeaders !== SIGNED_HEADERS) {
    return deny('SignatureDoesNotMatch', 100010, `SignedHeaders must be ${SIGNED_HEADERS}.`);
  }
  const canonicalHeaders = SIGNED_HEADERS.split(';')
    .map((name) => `${name}:${h[name].trim()}\n`)
    .join('');
  const canonicalRequest = [
    req.method,
    url.pathname,
    canonicalQuery(url),
    canonicalHeaders,
    SIGNED_HEADERS,
    payloadHash,
  ].join('\n');
  const stringToSign = [ALGORITHM, xDate, credentialScope, sha256(canonicalRequest)].join('\n');
  const kDate = hmac(secretKey, xDate.slice(0, 8));
  const kSigning = hmac(hmac(hmac(kDate, REGION), SERVICE), 'request');
  const expected = hmac(kSigning, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return deny(
      'SignatureDoesNotMatch',
      100010,
      'The request signature we calculated does not match the signature you provided. Check your Secret Access Key and signing method.',
    );
  }
  return null;
}

const isHttpUrl = (value) => typeof value === 'string' && /^https?:\/\//i.test(value) && URL.canParse(value);

function checkBase64Image(value) {
  if (typeof value !== 'string' || value === '' || value.length % 4 !== 0) return false;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false; // no data: prefix, no whitespace
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length > MAX_IMAGE_BYTES) return false;
  const type = sniffImage(bytes);
  return type === 'image/png' || type === 'image/jpeg';
}

function validateSubmit(body) {
  if (!isPlainObject(body)) throw invalid('body');
  for (const key of Object.keys(body)) {
    if (!SUBMIT_FIELDS.has(key)) throw invalid(key);
  }
  const rules = REQ_KEYS[body.req_key];
  if (typeof body.req_key !== 'string' || !rules) throw invalid('req_key');
  if (body.prompt !== undefined && typeof body.prompt !== 'string') throw invalid('prompt');
  if (body.seed !== undefined && !(Number.isInteger(body.seed) && body.seed >= -1 && body.seed <= 4294967295)) {
    throw invalid('seed');
  }
  if (body.aspect_ratio !== undefined && !ASPECT_RATIOS.includes(body.aspect_ratio)) throw invalid('aspect_ratio');
  if (body.frames !== undefined && !(rules.frames && FRAMES.includes(body.frames))) throw invalid('frames');
  const urls = body.image_urls ?? [];
  const blobs = body.binary_data_base64 ?? [];
  if (!Array.isArray(urls) || !urls.every(isHttpUrl)) throw invalid('image_urls');
  if (!Array.isArray(blobs) || !blobs.every(checkBase64Image)) throw invalid('binary_data_base64');
  if (urls.length > 0 && blobs.length > 0) throw invalid('image_urls');
  const images = urls.length + blobs.length;
  const [min, max] = rules.images;
  if (images < min || images > max) throw invalid(blobs.length > 0 ? 'binary_data_base64' : 'image_urls');
  // Text-to-video (t2v keys, or ti2v without an image) needs a prompt.
  if (images === 0 && (typeof body.prompt !== 'string' || body.prompt.trim() === '')) throw invalid('prompt');
}

function validateQuery(body) {
  if (!isPlainObject(body)) throw invalid('body');
  for (const key of Object.keys(body)) {
    if (!QUERY_FIELDS.includes(key)) throw invalid(key);
  }
  if (typeof body.req_key !== 'string' || !REQ_KEYS[body.req_key]) throw invalid('req_key');
  if (typeof body.task_id !== 'string' || body.task_id === '') throw invalid('task_id');
}

const resultData = (status, extra = {}) => ({
  status,
  ...extra,
  resp_data: '',
  binary_data_base64: [],
  image_urls: null,
});

export async function startJimengMock({ accessKey = 'AKJIMENGTEST', secretKey = 'SKJIMENGTEST', ...options } = {}) {
  const expired = new Set();
  const mock = await startTaskVendor(
    {
      name: 'jimeng',
      routeKinds: ['create', 'query'],
      route(method, url) {
        const params = [...url.searchParams.keys()];
        if (method !== 'POST' || url.pathname !== '/') return { kind: 'other' };
        if (params.length !== 2 || url.searchParams.get('Version') !== VERSION) return { kind: 'other' };
        const kind = ACTIONS[url.searchParams.get('Action')];
        return kind ? { kind, action: url.searchParams.get('Action') } : { kind: 'other' };
      },
      authenticate: (req, raw, url) => verifySignature(req, raw, url, accessKey, secretKey),
      notFound: (method, path) =>
        gatewayError(404, JIMENG_CODES.actionOrVersion, 'InvalidActionOrVersion', 100008,
          `Could not find operation ${method} ${path}; expected POST /?Action=CVSync2AsyncSubmitTask|CVSync2AsyncGetResult&Version=${VERSION} and no other query parameters.`),
      faultBody(status) {
        if (status === 401 || status === 403) return envelope(JIMENG_CODES.signature, 'SignatureDoesNotMatch: mock fault', null);
        if (status === 429) return envelope(JIMENG_CODES.rateLimit, 'Request Has Reached API Limit', null);
        if (status >= 500) return envelope(JIMENG_CODES.internal, 'Internal Error', null);
        return envelope(JIMENG_CODES.invalidParameter, status === 413 ? 'Invalid parameter: body too large' : `Invalid parameter: mock fault HTTP ${status}`, null);
      },
      handle({ req, body, route, vendor }) {
        if (mediaType(req.headers['content-type']) !== 'application/json') throw invalid('Content-Type');
        if (route.kind === 'query') {
          validateQuery(body);
          const task = vendor.tasks.get(body.task_id);
          if (!task || task.reqKey !== body.req_key) return [200, envelope(SUCCESS, 'Success', resultData('not_found'))];
          if (expired.has(task.id)) return [200, envelope(SUCCESS, 'Success', resultData('expired'))];
          const state = vendor.stateOf(task);
          if (state === 'failed') return [200, envelope(JIMENG_CODES.contentReview, FAILURE_MESSAGE, null)];
          const extra = state === 'succeeded' ? { video_url: vendor.videoUrl(task) } : {};
          return [200, envelope(SUCCESS, 'Success', resultData(STATUS[state], extra))];
        }
        validateSubmit(body);
        const id = String(randomInt(1e9, 1e10)) + String(randomInt(1e8, 1e9));
        vendor.createTask({ id, prompt: body.prompt, request: body, extra: { reqKey: body.req_key } });
        return [200, envelope(SUCCESS, 'Success', { task_id: id })];
      },
    },
    options,
  );
  return {
    ...mock,
    accessKey,
    secretKey,
    // Makes GetResult answer data.status "expired" for this task from now on.
    expireTask(id) {
      if (!mock.tasks.has(id)) throw new Error(`no jimeng task ${id}`);
      expired.add(id);
    },
  };
}
