// The skeleton every async video vendor shares: a request log, one-shot
// faults, tasks that move queued -> running -> succeeded/failed with time,
// and result files on a signed-URL CDN. Each vendor mock supplies only what
// is really its own: auth check, routes, field validation, reply shapes.

import { randomUUID } from 'node:crypto';
import { startCdn } from './cdn.mjs';
import {
  BodyTooLargeError,
  FaultQueue,
  abandonResponse,
  spoilReply,
  parseJsonOrUndefined,
  readBody,
  sendFaultResponse,
  sendJson,
  listenEphemeral,
  scheduleCallbacks,
} from './http-kit.mjs';
import { largeVideoSha256, mp4Bytes, mp4WithDuration, sha256Hex } from './media.mjs';
import { promptMarkers } from './prompt-markers.mjs';

const DEFAULT_VIDEO_BYTES = 48 * 1024;

// A task's result file: where the vendor says how long it is (`seconds`),
// an MP4 whose moov box declares it, as a real encoder writes it (vendors
// that take a video read its length from there), of the same size.
function videoOf(task) {
  if (typeof task.seconds !== 'number') return mp4Bytes(task.id, task.videoSize);
  const moovBytes = mp4WithDuration(1, { mediaBytes: 1024 }).length - 1024;
  return mp4WithDuration(task.seconds, { seed: task.id, mediaBytes: task.videoSize - moovBytes });
}
const RESULT_URL_TTL_SECONDS = 3600;

export class VendorError extends Error {
  constructor(status, payload) {
    super(`vendor error ${status}`);
    this.status = status;
    this.payload = payload;
  }
}

/**
 * spec:
 *   name                      for messages
 *   routeKinds                fault kinds, e.g. ['create', 'query']
 *   route(method, url)        -> {kind, ...} ('other' for unknown routes)
 *   authenticate(req, raw, url) -> null when accepted, else VendorError
 *   handle(ctx)               -> [status, payload, headers?] for an authenticated request;
 *                                ctx = {req, url, raw, body, route, vendor, entry}
 *   faultBody(status)         vendor-shaped error body for injected faults
 *   notFound(method, path)    VendorError for an unknown route
 *   callbackPayload(task, vendor)  optional: what the vendor posts to a task's
 *                             callback_url when its status changes (tasks whose
 *                             request has a callback_url get one post when they
 *                             start running and one when they end)
 */
export async function startTaskVendor(spec, { processingAfterMs = 150, doneAfterMs = 500, cdn, keepAliveTimeoutMs } = {}) {
  const ownsCdn = !cdn;
  const mediaCdn = cdn ?? (await startCdn());
  const requests = [];
  const tasks = new Map();
  const faults = new FaultQueue(spec.routeKinds);
  const callbacks = []; // {taskId, state, answer: {status, body} | {error}}
  const timers = new Set();



  const vendor = {
    cdn: mediaCdn,
    tasks,
    // Registers a task whose result (unless [mock:fail]) is on the CDN.
    createTask({ id = randomUUID(), prompt, request, extra = {} }) {
      const { fails, largeBytes } = promptMarkers(prompt);
      const task = {
        id,
        request,
        createdAt: Date.now(),
        fails,
        videoSize: largeBytes ?? DEFAULT_VIDEO_BYTES,
        large: largeBytes !== null,
        videoPath: `/${spec.name}/${encodeURIComponent(id)}.mp4`,
        coverPath: `/${spec.name}/${encodeURIComponent(id)}.jpg`,
        ...extra,
      };
      tasks.set(id, task);
      if (spec.callbackPayload && typeof request?.callback_url === 'string') {
        scheduleCallbacks({
          url: request.callback_url,
          delays: [processingAfterMs + 10, doneAfterMs + 10],
          payload: () => spec.callbackPayload(task, vendor),
          taskId: task.id,
          state: () => vendor.stateOf(task),
          log: callbacks,
          timers,
        });
      }
      if (!fails) {
        const media = task.large ? { size: task.videoSize, seed: id } : { bytes: videoOf(task) };
        mediaCdn.register(task.videoPath, { ...media, contentType: 'video/mp4' });
        mediaCdn.register(task.coverPath, { bytes: Buffer.from(`cover of ${id}`), contentType: 'image/jpeg' });
      }
      return task;
    },
    // queued | running | succeeded | failed, driven by the clock.
    stateOf(task, now = Date.now()) {
      const elapsed = now - task.createdAt;
      if (elapsed >= doneAfterMs) return task.fails ? 'failed' : 'succeeded';
      if (elapsed >= processingAfterMs) return 'running';
      return 'queued';
    },
    progressOf(task, now = Date.now()) {
      return Math.min(100, Math.floor(((now - task.createdAt) / doneAfterMs) * 100));
    },
    videoUrl: (task) => mediaCdn.signUrl(task.videoPath, RESULT_URL_TTL_SECONDS),
    coverUrl: (task) => mediaCdn.signUrl(task.coverPath, RESULT_URL_TTL_SECONDS),
    videoBytes: (task) => (task.large ? null : videoOf(task)),
    // URL verification some vendors do before accepting a callback_url
    // (MiniMax): post a challenge, expect it echoed back.
    async challengeAccepted(url) {
      const challenge = randomUUID();
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ challenge }),
        });
        const body = await response.json();
        return response.status === 200 && body?.challenge === challenge;
      } catch {
        return false;
      }
    },
  };

  async function handle(req, res) {
    const url = new URL(req.url, 'http://vendor.invalid');
    const entry = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body: null,
      raw: null,
      status: null,
      fault: null,
    };
    requests.push(entry);
    const reply = (status, payload, headers) => {
      entry.status = status;
      entry.reply = payload;
      sendJson(res, status, payload, headers);
    };
    let raw;
    try {
      raw = await readBody(req);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      return reply(413, spec.faultBody(413));
    }
    entry.raw = raw;
    const body = raw.length > 0 ? parseJsonOrUndefined(raw.toString('utf8')) : undefined;
    entry.body = body ?? null;
    const route = spec.route(req.method, url);
    const fault = faults.take(route.kind);
    entry.fault = fault;
    if (fault?.status !== undefined) return (entry.status = sendFaultResponse(res, fault, spec.faultBody));
    if (fault?.hang) return abandonResponse(res, 'hang');
    if (fault?.reset) return abandonResponse(res, 'reset');
    try {
      const denied = spec.authenticate(req, raw, url);
      if (denied) throw denied;
      if (route.kind === 'other') throw spec.notFound(req.method, url.pathname);
      const [status, payload, headers] = await spec.handle({ req, url, raw, body, route, vendor, entry });
      if (fault?.afterCreate) {
        entry.status = await spoilReply(res, fault.afterCreate, { status, payload, headers }, spec.faultBody);
        return entry.status;
      }
      return reply(status, payload, headers);
    } catch (error) {
      if (!(error instanceof VendorError)) throw error;
      return reply(error.status, error.payload);
    }
  }

  const server = await listenEphemeral(handle, { keepAliveTimeoutMs });
  const requireTask = (id) => {
    const task = tasks.get(id);
    if (!task) throw new Error(`no ${spec.name} task ${id}`);
    return task;
  };
  return {
    url: server.url,
    port: server.port,
    connections: server.connections,
    cdn: mediaCdn,
    requests,
    tasks,
    createCount: () => tasks.size,
    videoBytes: (id) => vendor.videoBytes(requireTask(id)),
    videoSha256(id) {
      const task = requireTask(id);
      return task.large ? largeVideoSha256(id, task.videoSize) : sha256Hex(videoOf(task));
    },
    failNext: (fault) => faults.add(fault),
    callbacks,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await server.close();
      if (ownsCdn) await mediaCdn.close();
    },
  };
}
