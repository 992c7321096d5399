// Text that may or may not be JSON (an answer body, a stored column), read without throwing.

/** JSON, or undefined for anything that is not (an HTML page from a proxy, an empty body). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
