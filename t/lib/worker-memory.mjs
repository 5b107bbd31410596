// Resident memory of an nginx worker, from /proc: its current RSS and the
// peak reached while some work ran (the kernel's high-water mark, reset
// first; sampled every few milliseconds where it cannot be reset).

import { readFileSync, writeFileSync } from 'node:fs';

const status = (pid, field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

export const rssBytes = (pid) => status(pid, 'VmRSS');

export async function peakGrowth(pid, work) {
  const before = rssBytes(pid);
  let exact = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    exact = false;
  }
  let sampled = before;
  const timer = setInterval(() => { sampled = Math.max(sampled, rssBytes(pid)); }, 5);
  let result;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
  }
  const peak = exact ? status(pid, 'VmHWM') : sampled;
  return { growth: peak - before, result, after: rssBytes(pid) - before };
}
