// Doubao Seedance (Volcengine Ark, ark.cn-beijing.volces.com, /api/v3) mock:
// `Authorization: Bearer <ARK_API_KEY>`, content-generation tasks with a
// `content` list of text / image_url items, strict fields, and Ark's error
// envelope {error: {code, message, param, type}} with real HTTP statuses.
//
// Statuses run queued -> running -> succeeded | failed; DELETE on a queued
// task cancels it (status "cancelled"), on a finished one deletes the record
// (later reads are 404), on a running or cancelled one is refused (400).
// A [mock:fail] task ends "failed" with error.code
// OutputVideoSensitiveContentDetected; content.video_url and usage appear
// only once the task has succeeded.

import { randomInt } from 'node:crypto';
import { isPlainObject, mediaType } from './http-kit.mjs';
import { sniffImage } from './media.mjs';
import { VendorError, startTaskVendor } from './task-vendor.mjs';

const TASKS_PATH = '/api/v3/contents/generations/tasks';
const FIELDS = new Set(['model', 'content', 'resolution', 'ratio', 'duration', 'frames', 'seed', 'camera_fixed',
  'watermark', 'generate_audio', 'return_last_frame', 'service_tier', 'execution_expires_after', 'callback_url']);
const BOOLEAN_FIELDS = ['camera_fixed', 'watermark', 'generate_audio', 'return_last_frame'];
const ITEM_FIELDS = {
  text: new Set(['type', 'text']),
  image_url: new Set(['type', 'image_url', 'role']),
  // Seedance 2.0: a video to edit, extend or follow, by a public URL or an
  // asset id (never bytes), up to 3, each 2-15 s.
  video_url: new Set(['type', 'video_url', 'role']),
};
const isV2 = (model) => /^doubao-seedance-2-0/.test(model);
const ROLES = ['first_frame', 'last_frame', 'reference_image'];
const RATIOS = ['16:9', '4:3', '1:1', '3:4', '9:16', '21:9', 'adaptive'];
// Output size per resolution and ratio (what the task reports and bills).
const SIZES = {
  '480p': { '16:9': [864, 480], '4:3': [736, 544], '1:1': [640, 640], '3:4': [544, 736], '9:16': [480, 864], '21:9': [960, 416] },
  '720p': { '16:9': [1248, 704], '4:3': [1120, 832], '1:1': [960, 960], '3:4': [832, 1120], '9:16': [704, 1248], '21:9': [1504, 640] },
  '1080p': { '16:9': [1920, 1088], '4:3': [1664, 1248], '1:1': [1440, 1440], '3:4': [1248, 1664], '9:16': [1088, 1920], '21:9': [2176, 928] },
};
const FPS = 24;
const FAILURE = {
  code: 'OutputVideoSensitiveContentDetected',
  message: 'The request failed because the output video may contain sensitive information.',
};

const arkError = (status, code, type, message, param = '') => new VendorError(status, { error: { code, message, param, type } });
const invalid = (param, message) => arkError(400, 'InvalidParameter', 'BadRequest', message, param);
const missing = (param) =>
  arkError(400, 'MissingParameter', 'BadRequest', `The request failed because it is missing one or multiple required parameters. Parameter: ${param}`, param);

function checkImageUrl(param, value) {
  if (typeof value !== 'string' || value === '') throw invalid(param, 'The image url must be a non-empty string.');
  if (/^https?:\/\//.test(value)) {
    if (!URL.canParse(value)) throw invalid(param, 'The image url is not a valid URL.');
    return;
  }
  const m = /^data:image\/(png|jpeg|webp);base64,([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (!m) throw invalid(param, 'Base64 images must be data URLs: data:image/<png|jpeg|webp>;base64,<data>.');
  if (sniffImage(Buffer.from(m[2], 'base64')) !== `image/${m[1]}`) {
    throw invalid(param, `The image data is not a valid ${m[1]} image.`);
  }
}

// Returns {prompt, images: [{url, role}], videos: [url]}.
function checkContent(content, model) {
  if (content === undefined) throw missing('content');
  if (!Array.isArray(content) || content.length === 0) throw invalid('content', 'content must be a non-empty list.');
  let prompt;
  const images = [];
  const videos = [];
  content.forEach((item, i) => {
    const at = `content[${i}]`;
    if (!isPlainObject(item)) throw invalid(at, `${at} must be an object.`);
    const allowed = ITEM_FIELDS[item.type];
    if (!allowed) throw invalid(`${at}.type`, `The content type ${JSON.stringify(item.type)} is not supported.`);
    for (const key of Object.keys(item)) {
      if (!allowed.has(key)) throw invalid(`${at}.${key}`, `The parameter ${at}.${key} is not supported.`);
    }
    if (item.type === 'text') {
      if (prompt !== undefined) throw invalid(at, 'content may hold at most one text item.');
      if (typeof item.text !== 'string' || item.text === '') throw invalid(`${at}.text`, 'text must be a non-empty string.');
      prompt = item.text;
      return;
    }
    if (item.type === 'video_url') {
      if (!isV2(model)) throw invalid(`${at}.type`, `The model ${model} does not accept videos.`);
      if (!isPlainObject(item.video_url) || Object.keys(item.video_url).join() !== 'url' || typeof item.video_url.url !== 'string') {
        throw invalid(`${at}.video_url`, 'video_url must be an object {url}.');
      }
      const url = item.video_url.url;
      if (!(/^https?:\/\//.test(url) && URL.canParse(url)) && !/^asset:\/\/[A-Za-z0-9_-]+$/.test(url)) {
        throw invalid(`${at}.video_url.url`, 'The video url must be an http(s) URL or an asset:// id; base64 videos are not supported.');
      }
      if (item.role !== 'reference_video') throw invalid(`${at}.role`, 'A video item needs the role reference_video.');
      videos.push(url);
      return;
    }
    if (!isPlainObject(item.image_url)) throw invalid(`${at}.image_url`, 'image_url must be an object {url}.');
    for (const key of Object.keys(item.image_url)) {
      if (key !== 'url') throw invalid(`${at}.image_url.${key}`, `The parameter ${at}.image_url.${key} is not supported.`);
    }
    checkImageUrl(`${at}.image_url.url`, item.image_url.url);
    if (item.role !== undefined && !ROLES.includes(item.role)) throw invalid(`${at}.role`, `Unknown image role ${JSON.stringify(item.role)}.`);
    images.push({ url: item.image_url.url, role: item.role });
  });

  if (prompt === undefined && images.length === 0) throw invalid('content', 'content needs a text prompt or an image.');
  if (videos.length > 3) throw invalid('content', 'At most 3 reference videos are supported.');
  const roles = images.map((image) => image.role);
  if (videos.length > 0 && roles.some((role) => role === 'first_frame' || role === 'last_frame')) {
    throw invalid('content', 'reference_video cannot be combined with first_frame/last_frame images.');
  }
  if (roles.includes('reference_image')) {
    if (!roles.every((role) => role === 'reference_image')) {
      throw invalid('content', 'reference_image cannot be mixed with first_frame/last_frame images.');
    }
    if (images.length > 4) throw invalid('content', 'At most 4 reference images are supported.');
    if (!model.includes('-lite-i2v') && !isV2(model)) throw invalid('content', `The model ${model} does not support reference images.`);
    if (prompt === undefined) throw invalid('content', 'A text prompt is required with reference images.');
  } else if (images.length === 1) {
    if (roles[0] === 'last_frame') throw invalid('content', 'A last_frame image needs a first_frame image.');
  } else if (images.length === 2) {
    if (!(roles.includes('first_frame') && roles.includes('last_frame'))) {
      throw invalid('content', 'Two images must have the roles first_frame and last_frame.');
    }
  } else if (images.length > 2) {
    throw invalid('content', 'At most 2 frame images (first_frame, last_frame) are supported.');
  }
  if (model.includes('-lite-t2v') && images.length > 0) throw invalid('content', `The model ${model} does not accept images.`);
  if (model.includes('-lite-i2v') && images.length === 0) throw invalid('content', `The model ${model} needs an image.`);
  return { prompt, images, videos };
}

const isInt = (v, min, max) => Number.isInteger(v) && v >= min && v <= max;

function validate(body) {
  if (!isPlainObject(body)) throw invalid('', 'The request body must be a JSON object.');
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key)) throw invalid(key, `The parameter ${key} is not supported.`);
  }
  if (body.model === undefined) throw missing('model');
  if (typeof body.model !== 'string' || !body.model.startsWith('doubao-seedance-')) {
    throw arkError(404, 'InvalidEndpointOrModel.NotFound', 'NotFound',
      `The model or endpoint ${body.model} does not exist or you do not have access to it.`);
  }
  const { prompt, images, videos } = checkContent(body.content, body.model);
  if (isV2(body.model)) {
    for (const key of ['frames', 'seed', 'camera_fixed']) {
      if (body[key] !== undefined) throw invalid(key, `The parameter ${key} is not supported by ${body.model}.`);
    }
    if (body.duration !== undefined && !(isInt(body.duration, 4, 15) || body.duration === -1)) {
      throw invalid('duration', 'duration must be an integer from 4 to 15, or -1.');
    }
  } else if (body.duration !== undefined && !isInt(body.duration, 2, 12)) {
    throw invalid('duration', 'duration must be an integer from 2 to 12.');
  }
  if (body.resolution !== undefined && !Object.hasOwn(SIZES, body.resolution)) {
    throw invalid('resolution', 'resolution must be one of 480p, 720p, 1080p.');
  }
  if (body.ratio !== undefined && !RATIOS.includes(body.ratio)) throw invalid('ratio', `ratio must be one of ${RATIOS.join(', ')}.`);
  if (body.frames !== undefined && !(isInt(body.frames, 29, 289) && (body.frames - 25) % 4 === 0)) {
    throw invalid('frames', 'frames must be 25 + 4n within [29, 289].');
  }
  if (body.seed !== undefined && !isInt(body.seed, -1, 4294967295)) throw invalid('seed', 'seed must be an integer from -1 to 2^32-1.');
  for (const key of BOOLEAN_FIELDS) {
    if (body[key] !== undefined && typeof body[key] !== 'boolean') throw invalid(key, `${key} must be a boolean.`);
  }
  if (body.service_tier !== undefined && !['default', 'flex'].includes(body.service_tier)) {
    throw invalid('service_tier', 'service_tier must be default or flex.');
  }
  if (body.execution_expires_after !== undefined && !isInt(body.execution_expires_after, 3600, 259200)) {
    throw invalid('execution_expires_after', 'execution_expires_after must be an integer from 3600 to 259200.');
  }
  if (body.callback_url !== undefined &&
      (typeof body.callback_url !== 'string' || !/^https?:\/\//.test(body.callback_url) || !URL.canParse(body.callback_url))) {
    throw invalid('callback_url', 'callback_url must be an http(s) URL.');
  }
  return { prompt, images, videos };
}

const pad = (n, width = 2) => String(n).padStart(width, '0');
function taskId(now = new Date()) {
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const tail = Array.from({ length: 5 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `cgt-${stamp}-${tail}`;
}

export async function startSeedanceMock({ apiKey = 'ark-test-key', ...options } = {}) {
  const processingAfterMs = options.processingAfterMs ?? 150;
  const doneAfterMs = options.doneAfterMs ?? 500;
  const seconds = (ms) => Math.floor(ms / 1000);

  const stateOf = (vendor, task) => (task.cancelledAt !== undefined ? 'cancelled' : vendor.stateOf(task));
  function updatedAt(task, state) {
    if (state === 'cancelled') return seconds(task.cancelledAt);
    if (state === 'running') return seconds(task.createdAt + processingAfterMs);
    if (state === 'succeeded' || state === 'failed') return seconds(task.createdAt + doneAfterMs);
    return seconds(task.createdAt);
  }
  // What a query answers, and what Ark posts to callback_url.
  function taskView(task, vendor) {
    const status = stateOf(vendor, task);
    const view = {
      id: task.id,
      model: task.request.model,
      status,
      error: status === 'failed' ? { ...FAILURE } : null,
      created_at: seconds(task.createdAt),
      updated_at: updatedAt(task, status),
      seed: task.seed,
      resolution: task.resolution,
      ratio: task.ratio,
      duration: task.duration,
      framespersecond: FPS,
      service_tier: task.request.service_tier ?? 'default',
      execution_expires_after: task.request.execution_expires_after ?? 172800,
    };
    if (status === 'succeeded') {
      view.content = { video_url: vendor.videoUrl(task) };
      if (task.request.return_last_frame) view.content.last_frame_url = vendor.coverUrl(task);
      const [width, height] = SIZES[task.resolution][task.ratio];
      const tokens = Math.floor((width * height * task.frames) / 1024);
      view.usage = { completion_tokens: tokens, total_tokens: tokens };
    }
    return view;
  }

  const findTask = (vendor, id) => {
    const task = vendor.tasks.get(id);
    if (!task || task.deleted) {
      throw arkError(404, 'ResourceNotFound', 'NotFound', `The specified task ${id} is not found.`, 'id');
    }
    return task;
  };

  const mock = await startTaskVendor(
    {
      name: 'seedance',
      routeKinds: ['create', 'query', 'cancel'],
      route(method, url) {
        if (url.pathname === TASKS_PATH && method === 'POST') return { kind: 'create' };
        const one = /^\/api\/v3\/contents\/generations\/tasks\/([^/]+)$/.exec(url.pathname);
        if (one && method === 'GET') return { kind: 'query', taskId: decodeURIComponent(one[1]) };
        if (one && method === 'DELETE') return { kind: 'cancel', taskId: decodeURIComponent(one[1]) };
        return { kind: 'other' };
      },
      authenticate(req) {
        if (req.headers.authorization !== `Bearer ${apiKey}`) {
          return arkError(401, 'AuthenticationError', 'Unauthorized', 'The API key in the request is missing or invalid.');
        }
        return null;
      },
      notFound: (method, path) =>
        arkError(404, 'ResourceNotFound', 'NotFound', `The requested resource ${method} ${path} does not exist.`),
      faultBody(status) {
        const body = (code, type, message) => ({ error: { code, message, param: '', type } });
        if (status === 429) {
          return body('RateLimitExceeded.EndpointRPMExceeded', 'TooManyRequests',
            'The request has exceeded the rate limit of requests per minute (RPM) for the endpoint.');
        }
        if (status >= 500) return body('InternalServiceError', 'InternalServerError', 'The service encountered an unexpected internal error.');
        if (status === 401) return body('AuthenticationError', 'Unauthorized', 'The API key in the request is missing or invalid.');
        return body('InvalidParameter', 'BadRequest', `mock fault: HTTP ${status}`);
      },
      callbackPayload: (task, vendor) => taskView(task, vendor),
      async handle({ req, body, route, vendor }) {
        if (route.kind === 'query') return [200, taskView(findTask(vendor, route.taskId), vendor)];
        if (route.kind === 'cancel') {
          const task = findTask(vendor, route.taskId);
          const status = stateOf(vendor, task);
          if (status === 'queued') task.cancelledAt = Date.now();
          else if (status === 'succeeded' || status === 'failed') task.deleted = true;
          else throw invalid('id', `The task ${task.id} is ${status} and cannot be cancelled or deleted.`);
          return [200, {}];
        }
        if (mediaType(req.headers['content-type']) !== 'application/json') {
          throw invalid('', 'The request body must be JSON (Content-Type: application/json).');
        }
        if (body === undefined) throw invalid('', 'The request body is not valid JSON.');
        const { prompt, images, videos } = validate(body);
        // Ark downloads each reference video: it must be there, an MP4 of
        // 2-15 s (this mock knows the lengths of the videos it made).
        let sourceSeconds = 0;
        for (const url of videos) {
          const reply = url.startsWith('asset://') ? null : await fetch(url).catch(() => null);
          const bytes = reply?.ok ? Buffer.from(await reply.arrayBuffer()) : null;
          if (!bytes || bytes.subarray(4, 8).toString('latin1') !== 'ftyp') {
            throw invalid('content', `The reference video ${url.slice(0, 80)} could not be downloaded as an MP4.`);
          }
          const made = [...vendor.tasks.values()].find((t) => new URL(url).pathname === t.videoPath);
          const length = made?.duration ?? 5;
          if (length < 2 || length > 15) throw invalid('content', 'Each reference video must last 2 to 15 s.');
          sourceSeconds += length;
        }
        if (sourceSeconds > 15) throw invalid('content', 'The reference videos must last 15 s in all.');
        const duration = body.frames !== undefined ? Math.round(body.frames / FPS)
          : body.duration === -1 ? (sourceSeconds || 5) : (body.duration ?? 5);
        const ratio = body.ratio ?? (images.length > 0 ? 'adaptive' : '16:9');
        const task = vendor.createTask({
          id: taskId(),
          prompt,
          request: body,
          extra: {
            seed: body.seed === undefined || body.seed === -1 ? randomInt(0, 2 ** 31) : body.seed,
            resolution: body.resolution ?? (body.model.includes('-lite-') ? '720p' : '1080p'),
            // An adaptive ratio follows the input image; the mock reports 16:9.
            ratio: ratio === 'adaptive' ? '16:9' : ratio,
            duration,
            frames: body.frames ?? duration * FPS + 1,
            referenceVideos: videos,
          },
        });
        return [200, { id: task.id }];
      },
    },
    options,
  );
  return { ...mock, apiKey };
}
