// Maps a zod error to the 400 `InvalidRequest` that names each offending field.
import type { z } from 'zod';
import { AppError } from './app-error';

/** `part` prefixes every field name (`body.userName`, `query.limit`, `operator.email`). */
export function invalidInput(part: string, error: z.ZodError): AppError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = [part, ...issue.path.map(String)].join('.');
    fields[key] ??= issue.message;
  }
  const names = Object.keys(fields).join(', ');
  return new AppError('InvalidRequest', { tr: `Geçersiz alanlar: ${names}`, en: `Invalid fields: ${names}` }, { fields });
}
