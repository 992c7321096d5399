// Maps a zod error to the one `InvalidRequest` shape, naming each bad field under a prefix (`operator.userName`).
import type { z } from 'zod';
import { AppError } from '../shared/app-error';

export function invalidFieldsOf(prefix: string, error: z.ZodError): AppError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[[prefix, ...issue.path.map(String)].join('.')] ??= issue.message;
  const names = Object.keys(fields).join(', ');
  return new AppError('InvalidRequest', { tr: `Geçersiz alanlar: ${names}`, en: `Invalid fields: ${names}` }, { fields });
}
