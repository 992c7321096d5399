// Queue message text as the Functions queue extension reads and writes it (host.json `messageEncoding`).

/** Queue names: 3–63 chars of lowercase letters, digits and single hyphens, starting and ending alphanumeric. */
export function isValidQueueName(name: string): boolean {
  return /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(name);
}

/** `<queue>-poison`, or undefined where the host has no poison queue (already `-poison`, or the name would be invalid). */
export function poisonQueueNameFor(queueName: string): string | undefined {
  if (queueName.endsWith('-poison')) return undefined;
  const poison = `${queueName}-poison`;
  return isValidQueueName(poison) ? poison : undefined;
}

/**
 * Decodes base64 the way .NET's Convert.FromBase64String accepts it (whitespace ignored, padding required,
 * nothing else), returning undefined where the queue client would raise MessageDecodingFailed.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.replace(/[\s]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

/** Wire text for a message body under `encoding`. */
export function encodeQueueMessage(body: string | Uint8Array, encoding: 'base64' | 'none'): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  return encoding === 'base64' ? bytes.toString('base64') : bytes.toString('utf8');
}
