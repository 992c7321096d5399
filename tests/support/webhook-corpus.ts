// Meta's documented webhook bodies (tests/fixtures/whatsapp-corpus/webhooks, copied from shared/corpus; see its SOURCES.md), read byte for byte for signed posts.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The corpus folder: `shared/` sits beside the repository (locally and in CI). */
export const webhookCorpusDir = path.resolve(__dirname, '..', 'fixtures', 'whatsapp-corpus', 'webhooks');

export interface CorpusFile {
  readonly name: string;
  readonly bytes: Buffer;
  readonly json: unknown;
}

/** Every corpus body, sorted by file name. */
export function readWebhookCorpus(): CorpusFile[] {
  return readdirSync(webhookCorpusDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(webhookCorpusDir, name));
      return { name, bytes, json: JSON.parse(bytes.toString('utf8')) as unknown };
    });
}

/** One corpus body by file name. */
export function readCorpusFile(name: string): CorpusFile {
  const bytes = readFileSync(path.join(webhookCorpusDir, name));
  return { name, bytes, json: JSON.parse(bytes.toString('utf8')) as unknown };
}
