// OpenAI Sora-style /v1/videos mock (also the shape of a chained relay):
// Bearer-key auth, JSON or multipart create with strict validation, a
// time-driven lifecycle and /content downloads with Range support; remix
// (a completed video and a prompt, nothing else) and delete (a completed
// or failed video; afterwards every call on it is a 404).

import { randomBytes } from 'node:crypto';
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
  sendJson,
} from './http-kit.mjs';
import {
  jpegBytes,
  largeVideoSha256,
  largeVideoStream,
  mp4Bytes,
  serveBytes,
  sha256Hex,
  sniffImage,
  webpBytes,
} from './media.mjs';
import { promptMarkers } from './prompt-markers.mjs';

const DEFAULT_VIDEO_BYTES = 48 * 1024;
const ASSET_LIFETIME_SECONDS = 3600;
const MAX_PROMPT_CHARS = 32000;
const MAX_IMAGE_URL_CHARS = 20_971_520;

const MODELS = ['sora-2', 'sora-2-pro', 'sora-2-2025-10-06', 'sora-2-pro-2025-10-06', 'sora-2-2025-12-08'];
const SECONDS = ['4', '8', '12'];
const SIZES = ['720x1280', '1280x720', '1024x1792', '1792x1024'];
const REFERENCE_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
// What a wrongly typed create field is reported as expecting.
const EXPECTED_FIELD_TYPES = {
  prompt: 'a string',
  model: 'a string',
  seconds: `one of ${quotedList(SECONDS, 'or')}`,
  size: `one of ${quotedList(SIZES, 'or')}`,
};
const CONTENT_VARIANTS = {
  video: 'video/mp4',
  thumbnail: 'image/webp',
  spritesheet: 'image/jpeg',
};
const RELAY_STATUS_WORDS = { queued: 'pending', in_progress: 'processing', completed: 'succeeded', failed: 'failed' };
const MODERATION_ERROR = { code: 'moderation_blocked', message: 'Your request was blocked by our moderation system.' };

class RequestError extends Error {
  constructor(status, message, { param = null, code = null } = {}) {
    super(message);
    this.status = status;
    this.param = param;
    this.code = code;
  }
}

const errorEnvelope = (message, { type = 'invalid_request_error', param = null, code = null } = {}) => ({
  error: { message, type, param, code },
});

const badRequest = (message, details) => new RequestError(400, message, details);

// "'a', 'b', and 'c'" / "'a', 'b', or 'c'", as OpenAI's messages word lists.
function quotedList(values, conjunction = 'and') {
  const quoted = values.map((value) => `'${value}'`);
  if (quoted.length <= 2) return quoted.join(` ${conjunction} `);
  return `${quoted.slice(0, -1).join(', ')}, ${conjunction} ${quoted.at(-1)}`;
}

function describeType(value) {
  if (value === null) return 'null';
  if (value instanceof Blob) return 'a file';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'object') return 'an object';
  return 'a string';
}

const invalidType = (param, expected, value) =>
  badRequest(`Invalid type for '${param}': expected ${expected}, but got ${describeType(value)} instead.`, {
    param,
    code: 'invalid_type',
  });

const invalidValue = (param, value, allowed) =>
  badRequest(`Invalid value: '${value}'. Supported values are: ${quotedList(allowed)}.`, {
    param,
    code: 'invalid_value',
  });

const unrecognized = (param) =>
  badRequest(`Unrecognized request argument supplied: ${param}`, { param, code: 'unknown_parameter' });

const invalidInputReference = (param, reason) =>
  badRequest(`Invalid '${param}': ${reason}`, { param, code: 'invalid_value' });

function checkStringLength(param, value, maxChars) {
  if (value.length === 0) {
    throw badRequest(
      `Invalid '${param}': string too short. Expected a string with minimum length 1, but got an empty string instead.`,
      { param, code: 'string_below_min_length' },
    );
  }
  if (value.length > maxChars) {
    throw badRequest(
      `Invalid '${param}': string too long. Expected a string with maximum length ${maxChars}, ` +
        `but got a string with length ${value.length} instead.`,
      { param, code: 'string_above_max_length' },
    );
  }
}

// OpenAI shows a recognisable fragment of a wrong key, never the whole key.
function maskKey(key) {
  return key.length >= 12 ? `${key.slice(0, 3)}...${key.slice(-4)}` : '***';
}

function checkAuthorization(headerValue, apiKey) {
  if (!headerValue) {
    throw new RequestError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header " +
        'using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).',
    );
  }
  const presented = headerValue.startsWith('Bearer ') ? headerValue.slice('Bearer '.length) : null;
  if (presented !== apiKey) {
    const masked = maskKey(presented ?? headerValue);
    throw new RequestError(401, `Incorrect API key provided: ${masked}.`, { code: 'invalid_api_key' });
  }
}

async function parseMultipart(contentType, rawBody) {
  try {
    const request = new Request('http://openai.invalid', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: rawBody,
    });
    return await request.formData();
  } catch {
    // undici's parser (Node 20) also fails on some RFC-legal bodies; say so, in
    // case the gateway's multipart is fine and the mock is the one at fault.
    throw badRequest(
      'Could not parse multipart form data. (Mock parser is undici Request.formData, which also rejects: ' +
        'the bare boundary text anywhere inside a part, a preamble or epilogue, whitespace after a delimiter, ' +
        'filename*= and unquoted parameter values.)',
    );
  }
}

// Reduces a JSON or multipart create body to {format, fields: Map<name, value>},
// where a multipart value is a string or a File.
async function readCreateFields(contentType, rawBody) {
  const type = mediaType(contentType);
  if (type === 'application/json') {
    const body = parseJsonOrUndefined(rawBody.toString('utf8'));
    if (body === undefined) {
      throw badRequest(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your " +
          'HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
      );
    }
    if (!isPlainObject(body)) throw invalidType('body', 'an object', body);
    return { format: 'json', fields: new Map(Object.entries(body)) };
  }
  if (type === 'multipart/form-data') {
    const fields = new Map();
    for (const [name, value] of await parseMultipart(contentType, rawBody)) {
      if (fields.has(name)) throw badRequest(`Duplicate parameter: ${name}`, { param: name, code: 'invalid_value' });
      fields.set(name, value);
    }
    return { format: 'multipart', fields };
  }
  throw badRequest(
    `Unsupported content type: '${contentType ?? ''}'. This API method only accepts ` +
      "'application/json' and 'multipart/form-data' requests.",
  );
}

function validateImageUrl(imageUrl) {
  const param = 'input_reference.image_url';
  if (typeof imageUrl !== 'string') throw invalidType(param, 'a string', imageUrl);
  checkStringLength(param, imageUrl, MAX_IMAGE_URL_CHARS);
  if (/^https?:\/\//i.test(imageUrl) && URL.canParse(imageUrl)) return { form: 'image_url', url: imageUrl };

  const dataUrl = /^data:(image\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/]*={0,2})$/i.exec(imageUrl);
  if (!dataUrl) throw invalidInputReference(param, 'expected an http(s) URL or a base64-encoded image data URL.');
  const bytes = Buffer.from(dataUrl[2], 'base64');
  const detectedType = sniffImage(bytes);
  if (!REFERENCE_IMAGE_TYPES.includes(detectedType)) {
    const supported = REFERENCE_IMAGE_TYPES.join(', ');
    throw invalidInputReference(param, `the data URL does not hold a supported image (${supported}).`);
  }
  return { form: 'data_url', declaredType: dataUrl[1], detectedType, size: bytes.length, sha256: sha256Hex(bytes) };
}

function validateReferenceObject(reference) {
  for (const key of Object.keys(reference)) {
    if (key !== 'image_url' && key !== 'file_id') throw unrecognized(`input_reference.${key}`);
  }
  const present = ['image_url', 'file_id'].filter((key) => reference[key] !== undefined);
  if (present.length !== 1) {
    throw invalidInputReference('input_reference', "expected exactly one of 'image_url' or 'file_id'.");
  }
  if (present[0] === 'image_url') return validateImageUrl(reference.image_url);
  if (typeof reference.file_id !== 'string' || reference.file_id === '') {
    throw invalidType('input_reference.file_id', 'a non-empty string', reference.file_id);
  }
  return { form: 'file_id', fileId: reference.file_id };
}

async function validateReferenceFile(file) {
  const bytes = Buffer.from(await file.arrayBuffer());
  const detectedType = sniffImage(bytes);
  if (!REFERENCE_IMAGE_TYPES.includes(detectedType)) {
    throw badRequest(
      `Invalid file 'input_reference': unsupported mimetype ('${file.type || 'application/octet-stream'}'). ` +
        `Supported file formats are ${quotedList(REFERENCE_IMAGE_TYPES)}.`,
      { param: 'input_reference', code: 'invalid_value' },
    );
  }
  return {
    form: 'file',
    filename: file.name,
    declaredType: file.type,
    detectedType,
    size: bytes.length,
    sha256: sha256Hex(bytes),
  };
}

// input_reference is a file part (multipart), an object (JSON), or the object
// spelled as input_reference[image_url] / input_reference[file_id] parts.
async function validateInputReference({ format, fields }, bracketFields) {
  const reference = fields.get('input_reference');
  const hasBracketFields = Object.keys(bracketFields).length > 0;
  if (reference !== undefined && hasBracketFields) {
    throw invalidInputReference('input_reference', 'give either a file or an object, not both.');
  }
  if (hasBracketFields) return validateReferenceObject(bracketFields);
  if (reference === undefined) return null;
  if (format === 'multipart') {
    if (!(reference instanceof Blob)) throw invalidType('input_reference', 'a file', reference);
    return validateReferenceFile(reference);
  }
  if (!isPlainObject(reference)) throw invalidType('input_reference', 'an object', reference);
  return validateReferenceObject(reference);
}

// What differs between OpenAI itself and a relay's reverse ("逆向") Sora
// channel: its own durations per model and the character fields.
const CHANNELS = {
  official: { seconds: () => SECONDS, extraFields: [] },
  reverse: {
    seconds: (model) => (model === 'sora-2-pro' ? ['10', '15', '25'] : ['10', '15']),
    extraFields: ['character_url', 'character_timestamps'],
  },
};

function checkCharacterFields(fields) {
  const url = fields.get('character_url');
  if (url !== undefined && !(typeof url === 'string' && /^https?:\/\//.test(url) && URL.canParse(url))) {
    throw invalidType('character_url', 'an http(s) URL', url);
  }
  const stamps = fields.get('character_timestamps');
  if (stamps !== undefined) {
    const m = typeof stamps === 'string' && /^(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(stamps);
    const span = m ? Number(m[2]) - Number(m[1]) : 0;
    if (!m || span < 1 || span > 3) {
      throw badRequest("Invalid 'character_timestamps': expected '{start},{end}' spanning 1 to 3 seconds.", {
        param: 'character_timestamps', code: 'invalid_value',
      });
    }
  }
}

// Returns the normalised create parameters or throws a RequestError.
async function validateCreate(parsed, channel = CHANNELS.official) {
  const bracketFields = {};
  for (const [name, value] of parsed.fields) {
    const bracketed = parsed.format === 'multipart' && /^input_reference\[(.+)\]$/.exec(name);
    if (bracketed) bracketFields[bracketed[1]] = value;
    else if (name === 'input_reference') continue;
    else if (channel.extraFields.includes(name)) continue;
    else if (!Object.hasOwn(EXPECTED_FIELD_TYPES, name)) throw unrecognized(name);
    else if (typeof value !== 'string') throw invalidType(name, EXPECTED_FIELD_TYPES[name], value);
  }
  checkCharacterFields(parsed.fields);

  const prompt = parsed.fields.get('prompt');
  if (prompt === undefined) {
    throw badRequest("Missing required parameter: 'prompt'.", { param: 'prompt', code: 'missing_required_parameter' });
  }
  checkStringLength('prompt', prompt, MAX_PROMPT_CHARS);
  const model = parsed.fields.get('model') ?? 'sora-2';
  if (!MODELS.includes(model)) throw invalidValue('model', model, MODELS);
  const allowedSeconds = channel.seconds(model);
  const seconds = parsed.fields.get('seconds') ?? allowedSeconds[0];
  if (!allowedSeconds.includes(seconds)) throw invalidValue('seconds', seconds, allowedSeconds);
  const size = parsed.fields.get('size') ?? '720x1280';
  if (!SIZES.includes(size)) throw invalidValue('size', size, SIZES);

  const inputReference = await validateInputReference(parsed, bracketFields);
  return { prompt, model, seconds, size, inputReference };
}

// What the request log shows for a body: JSON as parsed, multipart as an
// object whose file parts are summarised instead of inlined.
async function loggableBody({ format, fields }) {
  if (format === 'json') return Object.fromEntries(fields);
  const summary = {};
  for (const [name, value] of fields) {
    if (!(value instanceof Blob)) {
      summary[name] = value;
      continue;
    }
    const sha256 = sha256Hex(Buffer.from(await value.arrayBuffer()));
    summary[name] = { filename: value.name, type: value.type, size: value.size, sha256 };
  }
  return summary;
}

export async function startOpenAIMock({
  apiKey = 'sk-upstream-test',
  inProgressAfterMs = 100,
  doneAfterMs = 400,
  statusVocabulary = 'openai',
  channel = 'official',
} = {}) {
  if (!Object.hasOwn(CHANNELS, channel)) throw new TypeError("channel is 'official' or 'reverse'");
  if (inProgressAfterMs > doneAfterMs) throw new RangeError('inProgressAfterMs must not exceed doneAfterMs');
  if (statusVocabulary !== 'openai' && statusVocabulary !== 'relay') {
    throw new TypeError("statusVocabulary is 'openai' or 'relay'");
  }
  const requests = [];
  const videos = new Map();
  const deleted = new Set(); // ids DELETE removed
  const faults = new FaultQueue(['create', 'query', 'content', 'remix', 'delete']);

  const defaultFaultBody = (status) =>
    status === 429
      ? errorEnvelope('Rate limit reached for requests', { type: 'requests', code: 'rate_limit_exceeded' })
      : errorEnvelope(`mock fault: HTTP ${status}`, { type: status >= 500 ? 'server_error' : 'invalid_request_error' });

  function lifecycle(video, now = Date.now()) {
    const elapsed = now - video.createdAt;
    if (elapsed >= doneAfterMs) return video.fails ? 'failed' : 'completed';
    return elapsed >= inProgressAfterMs ? 'in_progress' : 'queued';
  }

  function videoView(video) {
    const now = Date.now();
    const status = lifecycle(video, now);
    const completedAt = status === 'completed' ? Math.floor((video.createdAt + doneAfterMs) / 1000) : null;
    let progress = 0;
    if (status === 'completed') progress = 100;
    if (status === 'in_progress') {
      const fraction = (now - video.createdAt - inProgressAfterMs) / Math.max(1, doneAfterMs - inProgressAfterMs);
      progress = Math.min(99, Math.max(1, 1 + Math.floor(fraction * 98)));
    }
    return {
      id: video.id,
      object: 'video',
      model: video.model,
      status: statusVocabulary === 'relay' ? RELAY_STATUS_WORDS[status] : status,
      progress,
      created_at: Math.floor(video.createdAt / 1000),
      completed_at: completedAt,
      expires_at: completedAt === null ? null : completedAt + ASSET_LIFETIME_SECONDS,
      prompt: video.prompt,
      size: video.size,
      seconds: video.seconds,
      remixed_from_video_id: video.remixedFrom ?? null,
      // Relays' reverse channels report a quality word; OpenAI does not.
      ...(channel === 'reverse' && { quality: video.model === 'sora-2-pro' ? 'high' : 'standard' }),
      error: status === 'failed' ? MODERATION_ERROR : null,
    };
  }

  function contentSource(video, variant) {
    if (variant === 'thumbnail') return { bytes: webpBytes(video.id) };
    if (variant === 'spritesheet') return { bytes: jpegBytes(video.id) };
    if (video.largeBytes !== null) {
      const stream = (start, end) => largeVideoStream(video.id, video.largeBytes, { start, end });
      return { size: video.largeBytes, stream };
    }
    return { bytes: mp4Bytes(video.id, DEFAULT_VIDEO_BYTES) };
  }

  function classify(method, path) {
    if (path === '/v1/videos' && method === 'POST') return { kind: 'create' };
    const query = /^\/v1\/videos\/([^/]+)$/.exec(path);
    if (query && method === 'GET') return { kind: 'query', id: query[1] };
    if (query && method === 'DELETE') return { kind: 'delete', id: query[1] };
    const remix = /^\/v1\/videos\/([^/]+)\/remix$/.exec(path);
    if (remix && method === 'POST') return { kind: 'remix', id: remix[1] };
    const content = /^\/v1\/videos\/([^/]+)\/content$/.exec(path);
    if (content && (method === 'GET' || method === 'HEAD')) return { kind: 'content', id: content[1] };
    return { kind: 'other' };
  }

  async function createVideo(parsed, entry) {
    const params = await validateCreate(parsed, CHANNELS[channel]);
    entry.inputReference = params.inputReference;
    const { fails, largeBytes } = promptMarkers(params.prompt);
    const id = `video_${randomBytes(24).toString('hex')}`;
    const video = { id, createdAt: Date.now(), fails, largeBytes, ...params };
    videos.set(video.id, video);
    return video;
  }

  async function remixVideo(sourceId, parsed) {
    const source = findVideo(sourceId);
    for (const name of parsed.fields.keys()) if (name !== 'prompt') throw unrecognized(name);
    const prompt = parsed.fields.get('prompt');
    if (prompt === undefined) {
      throw badRequest("Missing required parameter: 'prompt'.", { param: 'prompt', code: 'missing_required_parameter' });
    }
    if (typeof prompt !== 'string') throw invalidType('prompt', 'a string', prompt);
    checkStringLength('prompt', prompt, MAX_PROMPT_CHARS);
    if (lifecycle(source) !== 'completed') {
      throw badRequest(`Video '${sourceId}' is not completed; only a completed video can be remixed.`, {
        param: 'video_id', code: 'invalid_value',
      });
    }
    const { fails, largeBytes } = promptMarkers(prompt);
    const id = `video_${randomBytes(24).toString('hex')}`;
    const video = {
      id, createdAt: Date.now(), fails, largeBytes, prompt, model: source.model, seconds: source.seconds,
      size: source.size, inputReference: null, remixedFrom: source.id,
    };
    videos.set(video.id, video);
    return video;
  }

  function deleteVideo(id) {
    const video = findVideo(id);
    const status = lifecycle(video);
    if (status !== 'completed' && status !== 'failed') {
      throw badRequest(`Video '${id}' is ${status}; only a completed or failed video can be deleted.`, {
        param: 'video_id', code: 'invalid_value',
      });
    }
    videos.delete(id);
    deleted.add(id);
    return { id, object: 'video.deleted', deleted: true };
  }

  function findVideo(id) {
    const video = videos.get(id);
    if (!video) throw new RequestError(404, `Video with id '${id}' not found.`);
    return video;
  }

  function serveContent(req, res, { id, searchParams, entry, requestId }) {
    const video = findVideo(id);
    const variant = searchParams.get('variant') ?? 'video';
    if (!Object.hasOwn(CONTENT_VARIANTS, variant)) {
      throw invalidValue('variant', variant, Object.keys(CONTENT_VARIANTS));
    }
    if (lifecycle(video) !== 'completed') {
      throw badRequest(`Video '${id}' is not ready yet; use GET /v1/videos/${id} to check its status.`, {
        code: 'video_not_ready',
      });
    }
    res.on('finish', () => (entry.status = res.statusCode));
    serveBytes(req, res, {
      ...contentSource(video, variant),
      contentType: CONTENT_VARIANTS[variant],
      headers: { 'x-request-id': requestId },
    });
  }

  async function handle(req, res) {
    const requestId = `req_${randomBytes(16).toString('hex')}`;
    const target = new URL(req.url, 'http://openai.invalid');
    const entry = {
      method: req.method,
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { ...req.headers },
      bodyFormat: null,
      body: null,
      inputReference: null,
      status: null,
      fault: null,
    };
    requests.push(entry);
    const reply = (status, payload) => {
      entry.status = status;
      sendJson(res, status, payload, { 'x-request-id': requestId });
    };

    try {
      const rawBody = await readBody(req);
      const route = classify(req.method, target.pathname);
      // Parsed before faults and auth so that the log shows every create body;
      // a parse error is only reported if the request gets that far.
      const createFields =
        route.kind === 'create' || route.kind === 'remix'
          ? await readCreateFields(req.headers['content-type'], rawBody).catch((e) => e)
          : null;
      if (createFields && !(createFields instanceof Error)) {
        entry.bodyFormat = createFields.format;
        entry.body = await loggableBody(createFields);
      } else if (rawBody.length > 0 && mediaType(req.headers['content-type']) === 'application/json') {
        entry.bodyFormat = 'json';
        entry.body = parseJsonOrUndefined(rawBody.toString('utf8')) ?? null;
      }

      const fault = faults.take(route.kind);
      entry.fault = fault;
      if (fault?.status !== undefined) return (entry.status = sendFaultResponse(res, fault, defaultFaultBody));
      if (fault?.hang) return abandonResponse(res, 'hang');
      if (fault?.reset) return abandonResponse(res, 'reset');

      checkAuthorization(req.headers.authorization, apiKey);

      if (route.kind === 'create') {
        if (createFields instanceof Error) throw createFields;
        const video = await createVideo(createFields, entry);
        if (fault?.afterCreate) {
          const created = { status: 200, payload: videoView(video), headers: { 'x-request-id': requestId } };
          return (entry.status = await spoilReply(res, fault.afterCreate, created, defaultFaultBody));
        }
        return reply(200, videoView(video));
      }
      if (route.kind === 'query') return reply(200, videoView(findVideo(route.id)));
      if (route.kind === 'remix') {
        if (createFields instanceof Error) throw createFields;
        const video = await remixVideo(route.id, createFields);
        if (fault?.afterCreate) {
          const created = { status: 200, payload: videoView(video), headers: { 'x-request-id': requestId } };
          return (entry.status = await spoilReply(res, fault.afterCreate, created, defaultFaultBody));
        }
        return reply(200, videoView(video));
      }
      if (route.kind === 'delete') return reply(200, deleteVideo(route.id));
      if (route.kind === 'content') {
        return serveContent(req, res, { id: route.id, searchParams: target.searchParams, entry, requestId });
      }
      throw new RequestError(404, `Invalid URL (${req.method} ${target.pathname})`);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return reply(413, errorEnvelope(error.message));
      if (!(error instanceof RequestError)) throw error;
      return reply(error.status, errorEnvelope(error.message, { param: error.param, code: error.code }));
    }
  }

  const server = await listenEphemeral(handle);

  function requireVideo(id) {
    const video = videos.get(id);
    if (!video) throw new Error(`no OpenAI mock video ${id}`);
    return video;
  }

  return {
    url: server.url,
    port: server.port,
    connections: server.connections,
    apiKey,
    requests,
    videos,
    deleted,
    createCount: () => videos.size,
    // Exact bytes /content serves; null for a [mock:large] video (use contentSha256).
    contentBytes(id, variant = 'video') {
      const source = contentSource(requireVideo(id), variant);
      return source.bytes ?? null;
    },
    contentSha256(id, variant = 'video') {
      const video = requireVideo(id);
      const source = contentSource(video, variant);
      return source.bytes ? sha256Hex(source.bytes) : largeVideoSha256(video.id, video.largeBytes);
    },
    status: (id) => lifecycle(requireVideo(id)),
    failNext: (fault) => faults.add(fault),
    close: () => server.close(),
  };
}
