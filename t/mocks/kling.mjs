// Kling (api-singapore.klingai.com) video API mock: JWT auth, text2video and
// image2video tasks with strict field validation, time-driven task lifecycle
// and result videos on a signed-URL CDN.

import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { startCdn } from './cdn.mjs';
import {
  BodyTooLargeError,
  FaultQueue,
  abandonResponse,
  spoilReply,
  isPlainObject,
  listenEphemeral,
  mediaType,
  parseJsonOrUndefined,
  readBody,
  sendFaultResponse,
  scheduleCallbacks,
  sendJson,
} from './http-kit.mjs';
import { largeVideoSha256, mp4Bytes, sha256Hex, sniffImage } from './media.mjs';
import { promptMarkers } from './prompt-markers.mjs';

const DEFAULT_VIDEO_BYTES = 48 * 1024;
const RESULT_URL_TTL_SECONDS = 3600;
const MAX_TOKEN_LIFETIME_SECONDS = 1800;
const CLOCK_SKEW_SECONDS = 1;
const FAILURE_MESSAGE = 'Failure to pass the risk control system';

const MODEL_NAMES = [
  'kling-v1',
  'kling-v1-5',
  'kling-v1-6',
  'kling-v2-master',
  'kling-v2-1',
  'kling-v2-1-master',
  'kling-v2-5-turbo',
  'kling-v2-6',
  'kling-v3',
];
const CAMERA_CONTROL_TYPES = ['simple', 'down_back', 'forward_up', 'right_turn_forward', 'left_turn_forward'];
const SHARED_KEYS = [
  'model_name',
  'prompt',
  'negative_prompt',
  'cfg_scale',
  'mode',
  'duration',
  'camera_control',
  'callback_url',
  'external_task_id',
  'sound',
  'watermark_info',
];
// `model` (legacy) is deliberately absent: a gateway must send model_name.
// Video extension continues a finished V1.0-V1.6 video, named by its
// video id; model and mode are the source's, so neither may be sent.
const EXTEND_KEYS = new Set(['video_id', 'prompt', 'negative_prompt', 'cfg_scale', 'watermark_info', 'callback_url', 'external_task_id']);
const EXTENDABLE_MODELS = ['kling-v1', 'kling-v1-5', 'kling-v1-6'];
const EXTENSION_SECONDS = 4.5;
// The omni model edits a video given by URL (refer_type "base"): one video
// of 3-10 s, whose length the result keeps; no duration, aspect ratio or
// sound with it.
const OMNI_MODELS = ['kling-video-o1', 'kling-v3-omni'];
const OMNI_KEYS = new Set(['model_name', 'prompt', 'video_list', 'image_list', 'mode', 'sound', 'callback_url', 'external_task_id', 'watermark_info']);
const MAX_EXTENDED_SECONDS = 180;
const ALLOWED_KEYS = {
  text2video: new Set([...SHARED_KEYS, 'aspect_ratio']),
  // No aspect_ratio: image-to-video output follows the input image.
  image2video: new Set([...SHARED_KEYS, 'image', 'image_tail', 'static_mask', 'dynamic_masks']),
};

const base64url = (input) => Buffer.from(input).toString('base64url');

// Mints a Kling API token the way the official sample does. Overrides let
// tests produce every kind of broken token.
export function mintKlingToken({
  accessKey,
  secretKey,
  nowSeconds = Math.floor(Date.now() / 1000),
  lifetimeSeconds = MAX_TOKEN_LIFETIME_SECONDS,
  notBeforeSkewSeconds = 5,
  header = { alg: 'HS256', typ: 'JWT' },
  claims = {},
}) {
  const payload = {
    iss: accessKey,
    exp: nowSeconds + lifetimeSeconds,
    nbf: nowSeconds - notBeforeSkewSeconds,
    ...claims,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${signingInput}.${createHmac('sha256', secretKey).update(signingInput).digest('base64url')}`;
}

function decodeJsonSegment(segment) {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined; // base64url, no padding
  return parseJsonOrUndefined(Buffer.from(segment, 'base64url').toString('utf8'));
}

// Returns {claims} for an acceptable Authorization header, else {code, message}.
// `secretOf(iss)`: the secret key of an account's access key, or undefined
// for a key Kling does not know (never issued, or revoked).
function verifyAuthorization(headerValue, secretOf) {
  if (headerValue === undefined || headerValue.trim() === '' || headerValue.trim() === 'Bearer') {
    return { code: 1001, message: 'Authorization is empty' };
  }
  const match = /^Bearer ([^ ]+)$/.exec(headerValue);
  if (!match) return { code: 1002, message: "Authorization is invalid: expected 'Bearer <token>' with one space" };
  const segments = match[1].split('.');
  if (segments.length !== 3) return { code: 1002, message: 'Authorization is invalid: not a JWT' };
  const [headerSegment, payloadSegment, signatureSegment] = segments;
  const claims = decodeJsonSegment(payloadSegment);
  if (!isPlainObject(claims)) return { code: 1002, message: 'Authorization is invalid: payload is not a JSON object' };
  const secretKey = typeof claims.iss === 'string' ? secretOf(claims.iss) : undefined;
  if (secretKey === undefined) return { code: 1002, message: 'Authorization is invalid: unknown access key (iss)' };

  const header = decodeJsonSegment(headerSegment);
  const headerKeys = isPlainObject(header) ? Object.keys(header).sort().join(',') : '';
  if (headerKeys !== 'alg,typ' || header.alg !== 'HS256' || header.typ !== 'JWT') {
    return { code: 1002, message: 'Authorization is invalid: JWT header must be {"alg":"HS256","typ":"JWT"}' };
  }
  const expected = createHmac('sha256', secretKey).update(`${headerSegment}.${payloadSegment}`).digest();
  const provided = Buffer.from(/^[A-Za-z0-9_-]+$/.test(signatureSegment) ? signatureSegment : '', 'base64url');
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) {
    return { code: 1002, message: 'Authorization is invalid: signature mismatch' };
  }
  if (!Number.isInteger(claims.exp) || !Number.isInteger(claims.nbf)) {
    return { code: 1002, message: 'Authorization is invalid: exp and nbf must be integer seconds' };
  }
  const now = Date.now() / 1000;
  if (claims.exp - now > MAX_TOKEN_LIFETIME_SECONDS + 5) {
    return { code: 1002, message: 'Authorization is invalid: token lifetime exceeds 30 minutes' };
  }
  if (now >= claims.exp) return { code: 1004, message: 'Authorization has expired' };
  if (claims.nbf > now + CLOCK_SKEW_SECONDS) return { code: 1003, message: 'Authorization is not yet valid' };
  return { claims };
}

function checkImage(name, value) {
  if (typeof value !== 'string' || value === '') return `${name} must be a non-empty string`;
  if (value.startsWith('data:')) return `${name} must be a URL or raw Base64 without a data: prefix`;
  if (/^https?:\/\//i.test(value)) {
    return URL.canParse(value) ? null : `${name} is not a valid URL`;
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) {
    return `${name} must be an http(s) URL or Base64 image data`;
  }
  const mime = sniffImage(Buffer.from(value, 'base64'));
  return mime === 'image/png' || mime === 'image/jpeg' ? null : `${name} must be a JPG/JPEG or PNG image`;
}

function checkEnum(name, value, allowed) {
  return allowed.includes(value) ? null : `${name} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
}

function checkText(name, value, { required }) {
  if (value === undefined && !required) return null;
  if (typeof value !== 'string') return `${name} must be a string`;
  if (required && value.trim() === '') return `${name} is required`;
  if (value.length > 2500) return `${name} must be at most 2500 characters`;
  return null;
}

function checkCameraControl(value) {
  if (!isPlainObject(value)) return 'camera_control must be an object';
  const typeError = checkEnum('camera_control.type', value.type, CAMERA_CONTROL_TYPES);
  if (typeError) return typeError;
  if (value.type === 'simple' && !isPlainObject(value.config)) {
    return 'camera_control.config is required for type simple';
  }
  if (value.type !== 'simple' && value.config !== undefined) {
    return 'camera_control.config is only allowed for type simple';
  }
  return null;
}

// Returns an error message (code 1201) or null.
function validateCreateBody(kind, body) {
  for (const key of Object.keys(body)) {
    if (!ALLOWED_KEYS[kind].has(key)) return `Invalid key: ${key}`;
  }
  const checks = {
    model_name: (v) => checkEnum('model_name', v, MODEL_NAMES),
    negative_prompt: (v) => checkText('negative_prompt', v, { required: false }),
    cfg_scale: (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? null : 'cfg_scale must be a number between 0 and 1'),
    mode: (v) => checkEnum('mode', v, ['std', 'pro']),
    aspect_ratio: (v) => checkEnum('aspect_ratio', v, ['16:9', '9:16', '1:1']),
    duration: (v) =>
      typeof v === 'string' ? checkEnum('duration', v, ['5', '10']) : 'duration must be a string: "5" or "10"',
    image: (v) => checkImage('image', v),
    image_tail: (v) => checkImage('image_tail', v),
    static_mask: (v) => checkImage('static_mask', v),
    dynamic_masks: (v) =>
      Array.isArray(v) && v.length <= 6 && v.every(isPlainObject)
        ? null
        : 'dynamic_masks must be an array of at most 6 objects',
    camera_control: checkCameraControl,
    callback_url: (v) =>
      typeof v === 'string' && /^https?:\/\//.test(v) && URL.canParse(v) ? null : 'callback_url must be an http(s) URL',
    external_task_id: (v) => (typeof v === 'string' && v !== '' ? null : 'external_task_id must be a non-empty string'),
    sound: (v) => checkEnum('sound', v, ['on', 'off']),
    watermark_info: (v) => (isPlainObject(v) ? null : 'watermark_info must be an object'),
  };
  const promptError = checkText('prompt', body.prompt, { required: kind === 'text2video' });
  if (promptError) return promptError;
  for (const [key, value] of Object.entries(body)) {
    const error = checks[key]?.(value);
    if (error) return error;
  }
  if (kind === 'image2video') {
    if (body.image === undefined && body.image_tail === undefined) return 'image or image_tail is required';
    const exclusiveWithTail = ['static_mask', 'dynamic_masks', 'camera_control'].filter((key) => key in body);
    if (body.image_tail !== undefined && exclusiveWithTail.length > 0) {
      return `image_tail cannot be combined with ${exclusiveWithTail.join(', ')}`;
    }
  }
  return null;
}

// Returns an error message (code 1201) or null.
function validateOmniBody(body) {
  for (const key of Object.keys(body)) {
    if (!OMNI_KEYS.has(key)) return `Invalid key: ${key}`;
  }
  if (!OMNI_MODELS.includes(body.model_name)) return checkEnum('model_name', body.model_name, OMNI_MODELS);
  const promptError = checkText('prompt', body.prompt, { required: true });
  if (promptError) return promptError;
  if (body.video_list !== undefined) {
    if (!Array.isArray(body.video_list) || body.video_list.length !== 1) return 'video_list must hold exactly one video';
    const [video] = body.video_list;
    if (!isPlainObject(video)) return 'video_list[0] must be an object';
    for (const key of Object.keys(video)) {
      if (!['video_url', 'refer_type', 'keep_original_sound'].includes(key)) return `Invalid key: video_list[0].${key}`;
    }
    if (typeof video.video_url !== 'string' || !/^https?:\/\//.test(video.video_url) || !URL.canParse(video.video_url)) {
      return 'video_list[0].video_url must be an http(s) URL';
    }
    if (video.refer_type !== undefined && !['base', 'feature'].includes(video.refer_type)) return 'refer_type must be base or feature';
    if (video.keep_original_sound !== undefined && !['yes', 'no'].includes(video.keep_original_sound)) return 'keep_original_sound must be yes or no';
    if (body.sound !== undefined && body.sound !== 'off') return 'sound must be off with a video';
  }
  if (body.mode !== undefined) return checkEnum('mode', body.mode, ['std', 'pro']);
  return null;
}

// Returns an error message (code 1201) or null.
function validateExtendBody(body) {
  for (const key of Object.keys(body)) {
    if (!EXTEND_KEYS.has(key)) return `Invalid key: ${key}`;
  }
  if (typeof body.video_id !== 'string' || body.video_id === '') return 'video_id is required';
  const checks = {
    prompt: (v) => checkText('prompt', v, { required: false }),
    negative_prompt: (v) => checkText('negative_prompt', v, { required: false }),
    cfg_scale: (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? null : 'cfg_scale must be a number between 0 and 1'),
    watermark_info: (v) => (isPlainObject(v) ? null : 'watermark_info must be an object'),
    callback_url: (v) =>
      typeof v === 'string' && /^https?:\/\//.test(v) && URL.canParse(v) ? null : 'callback_url must be an http(s) URL',
    external_task_id: (v) => (typeof v === 'string' && v !== '' ? null : 'external_task_id must be a non-empty string'),
  };
  for (const [key, value] of Object.entries(body)) {
    const error = checks[key]?.(value);
    if (error) return error;
  }
  return null;
}

function newTaskId(existing) {
  let id;
  do {
    id = String(randomInt(1, 10)) + Array.from({ length: 18 }, () => randomInt(0, 10)).join('');
  } while (existing.has(id));
  return id;
}

export async function startKlingMock({
  accessKey = 'ak-test',
  secretKey = 'sk-test',
  processingAfterMs = 150,
  doneAfterMs = 500,
  cdn,
  keepAliveTimeoutMs,
  tls,
  // A status query answered this late (a vendor under load), so that polls
  // overlap the one in flight.
  statusDelayMs = 0,
  // More accounts of the same Kling: [{accessKey, secretKey, maxTasks}].
  // Each sees only its own tasks; one running maxTasks unfinished tasks is
  // refused more (429, code 1303), as Kling's resource packs are.
  accounts = [],
} = {}) {
  if (processingAfterMs > doneAfterMs) throw new RangeError('processingAfterMs must not exceed doneAfterMs');
  const ownsCdn = !cdn;
  const mediaCdn = cdn ?? (await startCdn());
  const requests = [];
  const tasks = new Map();
  const faults = new FaultQueue(['create', 'query']);
  const accountsByKey = new Map([[accessKey, { accessKey, secretKey }], ...accounts.map((a) => [a.accessKey, a])]);
  const revoked = new Set();
  const secretOf = (iss) => (revoked.has(iss) ? undefined : accountsByKey.get(iss)?.secretKey);
  // Status-change notifications Kling posted to a task's callback_url.
  const callbacks = [];
  const timers = new Set();

  // Kling posts the task to callback_url when its status changes; like the
  // real service it does not wait for (or retry on) the answer here.
  const scheduleTaskCallbacks = (task) =>
    scheduleCallbacks({
      url: task.request.callback_url,
      delays: [processingAfterMs + 10, doneAfterMs + 10],
      payload: () => taskView(task, { includeResult: true }),
      taskId: task.id,
      state: () => taskState(task).status,
      log: callbacks,
      timers,
    });


  const envelope = (data) => ({ code: 0, message: 'SUCCEED', request_id: randomUUID(), data });
  const errorBody = (code, message) => ({ code, message, request_id: randomUUID() });
  const defaultFaultBody = (status) =>
    status === 429
      ? errorBody(1302, 'The API request rate is too high')
      : errorBody(status >= 500 ? 5000 : 1200, `mock fault: HTTP ${status}`);

  function taskState(task, now = Date.now()) {
    const elapsed = now - task.createdAt;
    if (elapsed >= doneAfterMs) {
      return { status: task.fails ? 'failed' : 'succeed', updatedAt: task.createdAt + doneAfterMs };
    }
    if (elapsed >= processingAfterMs) return { status: 'processing', updatedAt: task.createdAt + processingAfterMs };
    return { status: 'submitted', updatedAt: task.createdAt };
  }

  function createTask(kind, body, { duration, model } = {}) {
    const id = newTaskId(tasks);
    const { fails, largeBytes } = promptMarkers(body.prompt);
    const task = {
      id,
      kind,
      request: body,
      createdAt: Date.now(),
      fails,
      videoId: randomUUID(),
      videoPath: `/kling/${id}.mp4`,
      videoSize: largeBytes ?? DEFAULT_VIDEO_BYTES,
      large: largeBytes !== null,
      duration: duration ?? body.duration ?? '5',
      model: model ?? body.model_name ?? 'kling-v1',
    };
    tasks.set(id, task);
    if (typeof body.callback_url === 'string') scheduleTaskCallbacks(task);
    if (!task.fails) {
      const media = task.large ? { size: task.videoSize, seed: id } : { bytes: mp4Bytes(id, task.videoSize) };
      mediaCdn.register(task.videoPath, { ...media, contentType: 'video/mp4' });
    }
    return task;
  }

  const isFinished = (task) => ['succeed', 'failed'].includes(taskState(task).status);

  function taskView(task, { includeResult }) {
    const state = taskState(task);
    const view = {
      task_id: task.id,
      task_status: state.status,
      ...(includeResult && { task_status_msg: state.status === 'failed' ? FAILURE_MESSAGE : '' }),
      task_info: task.request.external_task_id === undefined ? {} : { external_task_id: task.request.external_task_id },
      created_at: task.createdAt,
      updated_at: state.updatedAt,
    };
    if (includeResult && state.status === 'succeed') {
      view.task_result = {
        videos: [
          {
            id: task.videoId,
            // Signed afresh on every query, like Kling's own expiring URLs.
            url: mediaCdn.signUrl(task.videoPath, RESULT_URL_TTL_SECONDS),
            duration: task.duration,
          },
        ],
      };
    }
    return view;
  }

  function classify(method, path) {
    const create = /^\/v1\/videos\/(text2video|image2video|video-extend|omni-video)$/.exec(path);
    if (create && method === 'POST') return { kind: 'create', videoKind: create[1] };
    const query = /^\/v1\/videos\/(text2video|image2video|video-extend|omni-video)\/([^/]+)$/.exec(path);
    if (query && method === 'GET') return { kind: 'query', videoKind: query[1], taskId: query[2] };
    return { kind: 'other' };
  }

  async function handle(req, res) {
    const target = new URL(req.url, 'http://kling.invalid');
    const entry = {
      method: req.method,
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { ...req.headers },
      body: null,
      status: null,
      code: null,
      tokenClaims: null,
      fault: null,
    };
    requests.push(entry);
    const reply = (status, payload) => {
      entry.status = status;
      entry.code = payload.code;
      sendJson(res, status, payload);
    };

    let rawBody;
    try {
      rawBody = await readBody(req);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      return reply(413, errorBody(1200, error.message));
    }
    const parsedBody = rawBody.length > 0 ? parseJsonOrUndefined(rawBody.toString('utf8')) : undefined;
    entry.body = parsedBody ?? null;

    const route = classify(req.method, target.pathname);
    const fault = faults.take(route.kind);
    entry.fault = fault;
    if (fault?.status !== undefined) return (entry.status = sendFaultResponse(res, fault, defaultFaultBody));
    if (fault?.hang) return abandonResponse(res, 'hang');
    if (fault?.reset) return abandonResponse(res, 'reset');

    const auth = verifyAuthorization(req.headers.authorization, secretOf);
    if (!auth.claims) return reply(401, errorBody(auth.code, auth.message));
    entry.tokenClaims = auth.claims;

    if (route.kind === 'query') {
      const task = tasks.get(route.taskId);
      if (!task || task.kind !== route.videoKind || task.owner !== auth.claims.iss) {
        return reply(404, errorBody(1203, 'task not found'));
      }
      if (statusDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, statusDelayMs));
      return reply(200, envelope(taskView(task, { includeResult: true })));
    }
    if (route.kind !== 'create') {
      return reply(404, errorBody(1202, `Invalid request method or path: ${req.method} ${target.pathname}`));
    }

    if (mediaType(req.headers['content-type']) !== 'application/json') {
      return reply(400, errorBody(1200, 'Invalid request parameters: Content-Type must be application/json'));
    }
    if (!isPlainObject(parsedBody)) {
      return reply(400, errorBody(1200, 'Invalid request parameters: body must be a JSON object'));
    }
    const extending = route.videoKind === 'video-extend';
    const omni = route.videoKind === 'omni-video';
    const validationError = extending ? validateExtendBody(parsedBody)
      : omni ? validateOmniBody(parsedBody)
        : validateCreateBody(route.videoKind, parsedBody);
    if (validationError) return reply(400, errorBody(1201, validationError));
    let inherited = {};
    const base = omni ? parsedBody.video_list?.find((v) => (v.refer_type ?? 'base') === 'base') : undefined;
    if (base) {
      // Kling downloads the video: an MP4 of 3-10 s (this mock knows the
      // lengths of the videos it made), whose length the edit keeps.
      const got = await fetch(base.video_url).catch(() => null);
      const bytes = got?.ok ? Buffer.from(await got.arrayBuffer()) : null;
      if (!bytes || bytes.subarray(4, 8).toString('latin1') !== 'ftyp') {
        return reply(400, errorBody(1201, 'video_list[0].video_url could not be downloaded as a video'));
      }
      const made = [...tasks.values()].find((t) => new URL(base.video_url).pathname === t.videoPath);
      const length = Number(made?.duration ?? 5);
      if (length < 3 || length > 10) return reply(400, errorBody(1201, 'the video must last 3 to 10 seconds'));
      inherited = { duration: String(length), model: parsedBody.model_name, editOf: made?.id ?? base.video_url };
    }
    if (extending) {
      // Only this account's finished videos, of a model that extends.
      const source = [...tasks.values()].find(
        (t) => t.videoId === parsedBody.video_id && t.owner === auth.claims.iss && taskState(t).status === 'succeed');
      if (!source) return reply(400, errorBody(1201, 'video_id is invalid or the video is not available'));
      if (!EXTENDABLE_MODELS.includes(source.model)) {
        return reply(400, errorBody(1201, `videos of ${source.model} cannot be extended`));
      }
      const total = Number(source.duration) + EXTENSION_SECONDS;
      if (total > MAX_EXTENDED_SECONDS) return reply(400, errorBody(1201, 'the extended video would exceed 3 minutes'));
      inherited = { duration: String(total), model: source.model, sourceVideoId: source.videoId };
    }

    const account = accountsByKey.get(auth.claims.iss);
    const running = [...tasks.values()].filter((t) => t.owner === account.accessKey && !isFinished(t)).length;
    if (account.maxTasks !== undefined && running >= account.maxTasks) {
      return reply(429, errorBody(1303, 'parallel task over resource pack limit'));
    }
    const task = createTask(route.videoKind, parsedBody, inherited);
    task.owner = account.accessKey;
    if (inherited.sourceVideoId) task.extends = inherited.sourceVideoId;
    if (inherited.editOf) task.editOf = inherited.editOf;
    const created = { status: 200, payload: envelope(taskView(task, { includeResult: false })) };
    if (fault?.afterCreate) return (entry.status = await spoilReply(res, fault.afterCreate, created, defaultFaultBody));
    return reply(created.status, created.payload);
  }

  const server = await listenEphemeral(handle, { keepAliveTimeoutMs, tls });

  function requireTask(taskId) {
    const task = tasks.get(taskId);
    if (!task) throw new Error(`no Kling task ${taskId}`);
    return task;
  }

  return {
    url: server.url,
    port: server.port,
    connections: server.connections,
    resumedSessions: server.resumedSessions,
    cdn: mediaCdn,
    accessKey,
    secretKey,
    requests,
    tasks,
    createCount: () => tasks.size,
    // Exact result bytes; null for [mock:large] tasks (use videoSha256 instead).
    videoBytes(taskId) {
      const task = requireTask(taskId);
      return task.large ? null : mp4Bytes(taskId, task.videoSize);
    },
    videoSha256(taskId) {
      const task = requireTask(taskId);
      return task.large ? largeVideoSha256(taskId, task.videoSize) : sha256Hex(mp4Bytes(taskId, task.videoSize));
    },
    taskStatus: (taskId) => taskState(requireTask(taskId)).status,
    token: (options = {}) => mintKlingToken({ accessKey, secretKey, ...options }),
    // Tasks of one account (its access key).
    createCountOf: (key) => [...tasks.values()].filter((t) => t.owner === key).length,
    // The account's key stops working, as when its owner revokes it.
    revoke: (key) => revoked.add(key),
    failNext: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    callbacks,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await server.close();
      if (ownsCdn) await mediaCdn.close();
    },
  };
}
