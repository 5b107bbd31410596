export { startCdn } from './cdn.mjs';
export { startKlingMock, mintKlingToken } from './kling.mjs';
export { startOpenAIMock } from './openai.mjs';
export { promptMarkers } from './prompt-markers.mjs';
export {
  jpegBytes,
  largeVideoSha256,
  largeVideoStream,
  mp4Bytes,
  pngBytes,
  serveBytes,
  sha256Hex,
  sniffImage,
  webpBytes,
} from './media.mjs';
