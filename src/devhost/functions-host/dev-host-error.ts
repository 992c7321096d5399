// A start-up fault of the local stack whose message is meant for the person running it (printed without a stack).

/** Thrown for configuration and environment problems: bad host.json, port in use, Azurite not starting, … */
export class DevHostError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DevHostError';
  }
}
