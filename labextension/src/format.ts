/**
 * A duration in seconds as a short text: `42s`, `3m 05s`, `2h 07m`, `3d 04h`.
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  }
  if (s < 86400) {
    return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  }
  return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
}

/**
 * Seconds a job has run: from its creation to its end, or to `now` while it runs.
 *
 * @returns null when the creation time is unknown
 */
export function jobSeconds(
  creation: string | null | undefined,
  end: string | null | undefined,
  now: number = Date.now()
): number | null {
  if (!creation) {
    return null;
  }
  const start = Date.parse(creation);
  const stop = end ? Date.parse(end) : now;
  if (isNaN(start) || isNaN(stop)) {
    return null;
  }
  return (stop - start) / 1000;
}

/**
 * An ISO time as a short local date and time (`26 Nov, 16:05`).
 */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  if (isNaN(date.getTime())) {
    return iso;
  }
  return date.toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit'
  });
}
