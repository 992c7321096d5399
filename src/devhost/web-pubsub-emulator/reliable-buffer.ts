// Sequence numbering and the unacknowledged-message buffer of one reliable (json.reliable.webpubsub.azure.v1) connection.

/** The service's documented capacity: 1000 unacked messages or 16 MB, beyond which the connection is closed for good. */
export const RELIABLE_BUFFER_LIMITS = { maxMessages: 1000, maxBytes: 16 * 1024 * 1024 } as const;

/**
 * Gives every data message of a reliable connection the next sequenceId and keeps it until the
 * client acks it (cumulatively), so a recovered connection can be sent everything it may have missed.
 */
export class ReliableBuffer {
  private lastSequenceId = 0;
  private bufferedBytes = 0;
  // Insertion order is sequence order, which a Map keeps.
  private readonly unacked = new Map<number, string>();

  constructor(private readonly limits: { maxMessages: number; maxBytes: number } = RELIABLE_BUFFER_LIMITS) {}

  /** Numbers and buffers the next message; undefined when the buffer is full (the caller must close the connection). */
  append(write: (sequenceId: number) => string): string | undefined {
    if (this.unacked.size >= this.limits.maxMessages) return undefined;
    const sequenceId = this.lastSequenceId + 1;
    const frame = write(sequenceId);
    const size = Buffer.byteLength(frame, 'utf8');
    if (this.bufferedBytes + size > this.limits.maxBytes) return undefined;
    this.lastSequenceId = sequenceId;
    this.unacked.set(sequenceId, frame);
    this.bufferedBytes += size;
    return frame;
  }

  /** Drops every buffered message up to and including `sequenceId`. */
  acknowledge(sequenceId: number): void {
    for (const [id, frame] of this.unacked) {
      if (id > sequenceId) break;
      this.bufferedBytes -= Buffer.byteLength(frame, 'utf8');
      this.unacked.delete(id);
    }
  }

  /** The frames still unacked, oldest first, for replay after recovery. */
  pending(): string[] {
    return [...this.unacked.values()];
  }
}
