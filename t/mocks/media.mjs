// Deterministic media for the mock vendors: the same seed always yields the
// same bytes, so a test can compare what the gateway delivered with what the
// vendor produced without either side keeping a copy.

import { createCipheriv, createHash } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';

const CHUNK_BYTES = 64 * 1024;
const AES_BLOCK_BYTES = 16;

// ftyp(isom, minor 0x200, brands isom iso2 avc1 mp41) followed by an mdat header.
const FTYP_BOX = Buffer.concat([
  u32be(32),
  Buffer.from('ftypisom', 'latin1'),
  u32be(0x200),
  Buffer.from('isomiso2avc1mp41', 'latin1'),
]);
const MDAT_HEADER_BYTES = 8;
export const MP4_MIN_BYTES = FTYP_BOX.length + MDAT_HEADER_BYTES;

function u32be(value) {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(value);
  return buf;
}

function u32le(value) {
  const buf = Buffer.alloc(4);
  buf.writeUInt32LE(value);
  return buf;
}

// AES-256-CTR over zeros is a fast, seekable pseudo-random generator: byte n of
// the keystream only depends on the seed and n, which lets a Range request start
// anywhere in a multi-GiB "file" without generating what precedes it.
function createKeystream(seed, offset) {
  const key = createHash('sha256').update(`vgw-mock-media\0${seed}`).digest();
  const counter = Buffer.alloc(AES_BLOCK_BYTES);
  let block = BigInt(Math.floor(offset / AES_BLOCK_BYTES));
  for (let i = AES_BLOCK_BYTES - 1; i >= 0 && block > 0n; i--) {
    counter[i] = Number(block & 0xffn);
    block >>= 8n;
  }
  const cipher = createCipheriv('aes-256-ctr', key, counter);
  let bytesToDiscard = offset % AES_BLOCK_BYTES;
  return function nextBytes(length) {
    const out = cipher.update(Buffer.alloc(length + bytesToDiscard)).subarray(bytesToDiscard);
    bytesToDiscard = 0;
    return out;
  };
}

export function pseudoRandomBytes(seed, length, offset = 0) {
  return createKeystream(seed, offset)(length);
}

function mp4Header(sizeBytes) {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < MP4_MIN_BYTES || sizeBytes > 0xffffffff) {
    throw new RangeError(`mp4 size must be an integer in [${MP4_MIN_BYTES}, 4 GiB), got ${sizeBytes}`);
  }
  const mdatHeader = Buffer.concat([u32be(sizeBytes - FTYP_BOX.length), Buffer.from('mdat', 'latin1')]);
  return Buffer.concat([FTYP_BOX, mdatHeader]);
}

// Yields bytes [start, end] (inclusive) of the mp4 for (seed, sizeBytes) in chunks.
function* mp4Chunks(seed, sizeBytes, start = 0, end = sizeBytes - 1) {
  const header = mp4Header(sizeBytes);
  let position = start;
  if (position < header.length && position <= end) {
    const headerEnd = Math.min(header.length, end + 1);
    yield header.subarray(position, headerEnd);
    position = headerEnd;
  }
  if (position > end) return;
  const nextPayloadBytes = createKeystream(seed, position - header.length);
  while (position <= end) {
    const length = Math.min(CHUNK_BYTES, end + 1 - position);
    yield nextPayloadBytes(length);
    position += length;
  }
}

export function mp4Bytes(seed, sizeBytes = 48 * 1024) {
  return Buffer.concat([...mp4Chunks(String(seed), sizeBytes)]);
}

// An MP4 whose moov/mvhd box declares `seconds` (timescale 1000), as a
// camera or an editor writes it: ftyp, moov, then the media.
export function mp4WithDuration(seconds, { seed = 'upload', mediaBytes = 16 * 1024 } = {}) {
  const mvhd = Buffer.alloc(8 + 100);
  mvhd.writeUInt32BE(mvhd.length, 0);
  mvhd.write('mvhd', 4, 'latin1');
  // version 0, flags 0, created, modified, timescale, duration
  mvhd.writeUInt32BE(1000, 8 + 12);
  mvhd.writeUInt32BE(Math.round(seconds * 1000), 8 + 16);
  const moov = Buffer.concat([u32be(8 + mvhd.length), Buffer.from('moov', 'latin1'), mvhd]);
  const media = mp4Bytes(seed, mediaBytes);
  return Buffer.concat([media.subarray(0, FTYP_BOX.length), moov, media.subarray(FTYP_BOX.length)]);
}

// The length an MP4's moov/mvhd box declares, or null.
export function mp4DurationSeconds(buf) {
  const box = (bytes, type) => {
    for (let at = 0; at + 8 <= bytes.length;) {
      const size = bytes.readUInt32BE(at);
      if (size < 8 || at + size > bytes.length) return null;
      if (bytes.toString('latin1', at + 4, at + 8) === type) return bytes.subarray(at + 8, at + size);
      at += size;
    }
    return null;
  };
  const mvhd = box(buf, 'moov') && box(box(buf, 'moov'), 'mvhd');
  if (!mvhd || mvhd.length < 20 || mvhd[0] !== 0) return null;
  const timescale = mvhd.readUInt32BE(12);
  return timescale ? mvhd.readUInt32BE(16) / timescale : null;
}

// Same bytes as mp4Bytes(seed, sizeBytes), produced lazily in 64 KiB chunks.
// start/end (inclusive) select a byte range, as needed for Range requests.
export function largeVideoStream(seed, sizeBytes, { start = 0, end = sizeBytes - 1 } = {}) {
  return Readable.from(mp4Chunks(String(seed), sizeBytes, start, end), { objectMode: false });
}

export function largeVideoSha256(seed, sizeBytes) {
  const hash = createHash('sha256');
  for (const chunk of mp4Chunks(String(seed), sizeBytes)) hash.update(chunk);
  return hash.digest('hex');
}

export function sha256Hex(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

export function webpBytes(seed, sizeBytes = 2048) {
  const payload = pseudoRandomBytes(`webp:${seed}`, sizeBytes - 20);
  const chunk = Buffer.concat([Buffer.from('VP8 ', 'latin1'), u32le(payload.length), payload]);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(4 + chunk.length), Buffer.from('WEBP', 'latin1'), chunk]);
}

export function jpegBytes(seed, sizeBytes = 4096) {
  const soi = Buffer.from([0xff, 0xd8]);
  const app0Jfif = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ]);
  const eoi = Buffer.from([0xff, 0xd9]);
  // The pseudo-random payload sits in a COM segment so the marker structure stays well-formed.
  const commentLength = Math.min(0xffff - 2, sizeBytes - soi.length - app0Jfif.length - eoi.length - 4);
  const comment = Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from([(commentLength + 2) >> 8, (commentLength + 2) & 0xff]),
    pseudoRandomBytes(`jpeg:${seed}`, commentLength),
  ]);
  return Buffer.concat([soi, app0Jfif, comment, eoi]);
}

function pngChunk(type, data) {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32be(data.length), typeAndData, u32be(crc32(typeAndData))]);
}

// A real, decodable PNG (grey RGB pixels) for tests to upload as a reference image.
export function pngBytes({ width = 1, height = 1 } = {}) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit depth, colour type RGB, default compression/filter/interlace
  const scanline = Buffer.alloc(1 + width * 3, 0x80);
  scanline[0] = 0; // filter type None
  const raw = Buffer.concat(Array.from({ length: height }, () => scanline));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export function sniffImage(buf) {
  if (!buf || buf.length < 4) return null;
  const ascii = (from, to) => buf.subarray(from, to).toString('latin1');
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  if (buf.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (buf.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'image/gif';
  return null;
}

// Parses a single "bytes=" range against a resource of `size` bytes.
// Returns {start, end} (inclusive), 'unsatisfiable', or null when the header
// should be ignored (absent, other unit, multiple ranges, bad syntax), which
// RFC 9110 allows a server to do by answering 200 with the full body.
export function parseRange(header, size) {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffixLength = Number(match[2]);
    if (suffixLength === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffixLength), end: size - 1 };
  }
  const start = Number(match[1]);
  if (match[2] !== '' && Number(match[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1) };
}

// Serves a body with single-range support, from memory (`bytes`) or from a
// stream of `size` bytes. `stream` is best a factory (start, end) => Readable
// for that inclusive byte range, so a Range request never generates the bytes
// it skips; a plain Readable is served whole, ignoring Range.
export function serveBytes(req, res, { bytes, stream, size, contentType, headers = {} }) {
  const totalSize = bytes ? bytes.length : size;
  const seekable = Boolean(bytes) || typeof stream === 'function';
  const baseHeaders = { 'Content-Type': contentType, 'Accept-Ranges': seekable ? 'bytes' : 'none', ...headers };
  const range = seekable ? parseRange(req.headers.range, totalSize) : null;

  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...baseHeaders, 'Content-Range': `bytes */${totalSize}`, 'Content-Length': 0 });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: totalSize - 1 };
  const length = Math.max(0, end - start + 1);
  const rangeHeaders = range ? { 'Content-Range': `bytes ${start}-${end}/${totalSize}` } : {};
  res.writeHead(range ? 206 : 200, { ...baseHeaders, ...rangeHeaders, 'Content-Length': length });

  if (req.method === 'HEAD' || length === 0) {
    res.end();
  } else if (bytes) {
    res.end(bytes.subarray(start, end + 1));
  } else {
    // pipeline destroys the generator stream if the client goes away mid-body.
    pipeline(seekable ? stream(start, end) : stream, res, () => {});
  }
}
