export { startCdn } from './cdn.mjs';
export { startHailuoMock } from './hailuo.mjs';
export { startJimengMock } from './jimeng.mjs';
export { startSeedanceMock } from './seedance.mjs';
export { startVeoGeminiMock } from './veo-gemini.mjs';
export { startVeoVertexMock } from './veo-vertex.mjs';
export { startViduMock } from './vidu.mjs';
export { startWanMock } from './wan.mjs';
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
