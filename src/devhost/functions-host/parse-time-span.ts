// Parses .NET TimeSpan text ("[-][d.]hh:mm[:ss[.fffffff]]" or whole days "d"), the format of host.json
// durations and of constant timer schedules.

/** Milliseconds for a TimeSpan string, or undefined when the text is not one. */
export function parseTimeSpan(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 86_400_000;
  const m = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(trimmed);
  if (!m) return undefined;
  const [, sign, days, hours, minutes, seconds, fraction] = m;
  const h = Number(hours);
  const min = Number(minutes);
  const s = Number(seconds ?? '0');
  if (h > 23 || min > 59 || s > 59) return undefined;
  const ms =
    Number(days ?? '0') * 86_400_000 + h * 3_600_000 + min * 60_000 + s * 1000 + Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  return sign ? -ms : ms;
}
