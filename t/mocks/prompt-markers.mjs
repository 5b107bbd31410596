// Markers a test puts in a prompt to steer the mock vendors' outcome:
//   [mock:fail]         the job ends failed (vendor-specific reason)
//   [mock:large=<MiB>]  the result video is that many MiB, generated and streamed lazily
export function promptMarkers(prompt) {
  const text = typeof prompt === 'string' ? prompt : '';
  const large = /\[mock:large=(\d+(?:\.\d+)?)\]/.exec(text);
  return {
    fails: text.includes('[mock:fail]'),
    largeBytes: large ? Math.round(Number(large[1]) * 1024 * 1024) : null,
  };
}
