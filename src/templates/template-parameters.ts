// A template's parameters as Meta defines them, checking an operator's values against them, and the send `components`.
import { z } from 'zod';

/** A template component as Meta lists it (WHATSAPP.md §8); unknown fields are kept. */
const DefinitionComponentSchema = z.looseObject({
  type: z.string(),
  format: z.string().nullish(),
  text: z.string().nullish(),
  buttons: z.array(z.looseObject({ type: z.string(), text: z.string().nullish(), url: z.string().nullish() })).nullish(),
});
const DefinitionSchema = z.array(DefinitionComponentSchema);

export type HeaderMediaKind = 'image' | 'video' | 'document';

/** What a template needs filled in, as GET /api/templates shows it. */
export interface TemplateParameterSpec {
  /** `null`: no header parameter. A text header takes one value; a media header an uploaded file of that kind. */
  readonly header: { readonly type: 'text'; readonly name: string } | { readonly type: HeaderMediaKind | 'location' } | null;
  /** Positional (`1`, `2`, …) or named (`order_number`) body placeholders, in order. */
  readonly body: readonly string[];
  readonly bodyFormat: 'positional' | 'named';
  /** Buttons that take a value: a URL suffix, a quick-reply payload (optional) or a copy code. */
  readonly buttons: readonly { readonly index: number; readonly type: 'url' | 'quick_reply' | 'copy_code'; readonly required: boolean }[];
}

/** Placeholders of a text in order of first appearance (`{{1}}`, `{{name}}`). */
export function placeholdersOf(text: string | null | undefined): string[] {
  if (!text) return [];
  return [...new Set([...text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1] ?? ''))];
}

/** Reads the parameters out of a stored template's components; an unreadable definition needs nothing. */
export function templateParameterSpec(componentsJson: string, parameterFormat: string | null): TemplateParameterSpec {
  let parsed: z.infer<typeof DefinitionSchema> = [];
  try {
    const result = DefinitionSchema.safeParse(JSON.parse(componentsJson));
    if (result.success) parsed = result.data;
  } catch {
    parsed = [];
  }
  const find = (type: string) => parsed.find((c) => c.type.toUpperCase() === type);
  const headerDef = find('HEADER');
  const headerFormat = (headerDef?.format ?? 'TEXT').toUpperCase();
  let header: TemplateParameterSpec['header'] = null;
  if (headerDef && headerFormat !== 'TEXT') {
    const kind = headerFormat.toLowerCase();
    if (kind === 'image' || kind === 'video' || kind === 'document' || kind === 'location') header = { type: kind };
  } else if (headerDef) {
    const name = placeholdersOf(headerDef.text)[0];
    if (name !== undefined) header = { type: 'text', name };
  }
  const body = placeholdersOf(find('BODY')?.text);
  const named = parameterFormat?.toUpperCase() === 'NAMED' || body.some((p) => !/^\d+$/.test(p));
  const buttons: TemplateParameterSpec['buttons'][number][] = [];
  for (const [index, button] of (find('BUTTONS')?.buttons ?? []).entries()) {
    const type = button.type.toUpperCase();
    if (type === 'URL' && placeholdersOf(button.url).length > 0) buttons.push({ index, type: 'url', required: true });
    else if (type === 'QUICK_REPLY') buttons.push({ index, type: 'quick_reply', required: false });
    else if (type === 'COPY_CODE') buttons.push({ index, type: 'copy_code', required: true });
  }
  return { header, body, bodyFormat: named ? 'named' : 'positional', buttons };
}

/** The number of values a template needs (header + body + required buttons). */
export function parameterCount(spec: TemplateParameterSpec): number {
  return (spec.header ? 1 : 0) + spec.body.length + spec.buttons.filter((b) => b.required).length;
}

const valueText = z.string().trim().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters');

/** The values an operator gives for a template (API shape). */
export const TemplateParametersSchema = z
  .object({
    header: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('text'), text: valueText }),
        z.object({ type: z.enum(['image', 'video', 'document']), uploadId: z.uuid('must be an upload id') }),
      ])
      .optional(),
    body: z.union([z.array(valueText).max(100), z.record(z.string().regex(/^[a-z0-9_]+$/, 'names are lower-case letters, digits and _'), valueText)]).optional(),
    buttons: z
      .array(z.object({ index: z.number().int().min(0).max(9), payload: z.string().min(1).max(256).optional(), text: valueText.optional() }))
      .max(10)
      .optional(),
  })
  .strict();
export type TemplateParameters = z.infer<typeof TemplateParametersSchema>;

/** Checks values against a template; answers `{ field: problem }` (empty when they fit). */
export function checkTemplateParameters(spec: TemplateParameterSpec, values: TemplateParameters | undefined): Record<string, string> {
  const problems: Record<string, string> = {};
  const header = values?.header;
  if (spec.header === null && header) problems['parameters.header'] = 'this template takes no header parameter';
  if (spec.header?.type === 'location') problems['parameters.header'] = 'location headers are not supported';
  else if (spec.header !== null && !header) {
    problems['parameters.header'] = spec.header.type === 'text' ? `a text value for {{${spec.header.name}}} is required` : `an uploaded ${spec.header.type} (uploadId) is required`;
  } else if (spec.header !== null && header && header.type !== spec.header.type) {
    problems['parameters.header'] = `must be of type ${spec.header.type}, got ${header.type}`;
  }

  const body = values?.body;
  const expected = spec.body;
  if (spec.bodyFormat === 'positional') {
    const given = Array.isArray(body) ? body : body === undefined ? [] : undefined;
    if (given === undefined) problems['parameters.body'] = `must be a list of ${expected.length} values (positional placeholders)`;
    else if (given.length !== expected.length) problems['parameters.body'] = `expects ${expected.length} value(s) for ${expected.map((p) => `{{${p}}}`).join(', ') || 'nothing'}, got ${given.length}`;
  } else {
    const given = body !== undefined && !Array.isArray(body) ? body : body === undefined ? {} : undefined;
    if (given === undefined) problems['parameters.body'] = `must name its values: ${expected.join(', ')}`;
    else {
      const missing = expected.filter((name) => given[name] === undefined);
      const extra = Object.keys(given).filter((name) => !expected.includes(name));
      if (missing.length > 0) problems['parameters.body'] = `missing value(s) for ${missing.map((n) => `{{${n}}}`).join(', ')}`;
      else if (extra.length > 0) problems['parameters.body'] = `the template has no placeholder(s) ${extra.join(', ')}`;
    }
  }

  const buttons = values?.buttons ?? [];
  const seen = new Set<number>();
  for (const [i, button] of buttons.entries()) {
    const def = spec.buttons.find((b) => b.index === button.index);
    if (seen.has(button.index)) problems[`parameters.buttons.${i}`] = `button ${button.index} is given twice`;
    else if (!def) problems[`parameters.buttons.${i}`] = `the template has no button ${button.index} that takes a value`;
    else if (def.type === 'quick_reply' && button.payload === undefined) problems[`parameters.buttons.${i}`] = 'a quick-reply button takes a payload';
    else if (def.type !== 'quick_reply' && button.text === undefined) problems[`parameters.buttons.${i}`] = `a ${def.type === 'url' ? 'URL' : 'copy-code'} button takes a text`;
    seen.add(button.index);
  }
  for (const def of spec.buttons) {
    if (def.required && !seen.has(def.index)) problems[`parameters.buttons`] = `button ${def.index} (${def.type === 'url' ? 'URL' : 'copy code'}) needs a value`;
  }
  return problems;
}

/**
 * The send API's `components` for checked values. `headerMediaId` is Meta's id of the header file (uploaded by the
 * worker just before the send).
 */
export function templateComponents(spec: TemplateParameterSpec, values: TemplateParameters | undefined, headerMediaId: string | undefined): Record<string, unknown>[] {
  const components: Record<string, unknown>[] = [];
  const header = values?.header;
  if (header?.type === 'text') components.push({ type: 'header', parameters: [{ type: 'text', text: header.text }] });
  else if (header && headerMediaId) components.push({ type: 'header', parameters: [{ type: header.type, [header.type]: { id: headerMediaId } }] });
  const body = values?.body;
  if (Array.isArray(body) && body.length > 0) components.push({ type: 'body', parameters: body.map((text) => ({ type: 'text', text })) });
  else if (body && !Array.isArray(body) && spec.body.length > 0) {
    components.push({ type: 'body', parameters: spec.body.map((name) => ({ type: 'text', parameter_name: name, text: body[name] ?? '' })) });
  }
  for (const button of [...(values?.buttons ?? [])].sort((a, b) => a.index - b.index)) {
    const def = spec.buttons.find((b) => b.index === button.index);
    if (!def) continue;
    const parameter =
      def.type === 'quick_reply' ? { type: 'payload', payload: button.payload ?? '' } : def.type === 'copy_code' ? { type: 'coupon_code', coupon_code: button.text ?? '' } : { type: 'text', text: button.text ?? '' };
    components.push({ type: 'button', sub_type: def.type, index: String(button.index), parameters: [parameter] });
  }
  return components;
}

/** Meta lists `en_US`; status webhooks may say `en-US`: one spelling for look-ups. */
export function normalizeLanguage(code: string): string {
  return code.trim().replace('-', '_');
}
