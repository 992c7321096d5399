// Checks a template send against the stored template as Meta does: existence, approval, header format, parameter counts.
import { graphError, type GraphErrorResponse } from './graph-errors';
import type { MessageTemplate, TemplateDefinitionComponent } from './message-template';
import type { TemplateComponent, TemplateRequest } from './message-request.schemas';
import type { TemplateStore } from './template-store';

/** Placeholders of a template text: positional `{{1}}` or named `{{order_number}}`, each counted once. */
export function placeholdersOf(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [...new Set([...text.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g)].map((m) => m[1] ?? ''))];
}

function sentComponent(request: TemplateRequest, type: string, index?: number): TemplateComponent | undefined {
  return request.components?.find((c) => c.type === type && (index === undefined || Number(c.index) === index));
}

function countMismatch(component: string, sent: number, expected: number): GraphErrorResponse {
  return graphError(132000, { details: `${component}: number of localizable_params (${sent}) does not match the expected number of params (${expected})` });
}

function checkHeader(header: TemplateDefinitionComponent | undefined, request: TemplateRequest): GraphErrorResponse | undefined {
  if (header === undefined) return undefined;
  const params = sentComponent(request, 'header')?.parameters ?? [];
  if (header.format !== undefined && header.format !== 'TEXT') {
    const expected = header.format.toLowerCase();
    const got = params[0]?.type;
    if (got !== expected) {
      return graphError(132012, { details: `header: Format mismatch, expected ${header.format}, received ${got?.toUpperCase() ?? 'UNKNOWN'}` });
    }
    return undefined;
  }
  const expected = placeholdersOf(header.text).length;
  return params.length === expected ? undefined : countMismatch('header', params.length, expected);
}

function checkBody(body: TemplateDefinitionComponent | undefined, template: MessageTemplate, request: TemplateRequest): GraphErrorResponse | undefined {
  const expected = placeholdersOf(body?.text);
  const params = sentComponent(request, 'body')?.parameters ?? [];
  if (params.length !== expected.length) return countMismatch('body', params.length, expected.length);
  if (template.parameter_format !== 'NAMED') return undefined;
  const names = new Set(params.map((p) => p.parameter_name));
  const missing = expected.filter((name) => !names.has(name));
  if (missing.length > 0) {
    return graphError(132000, { details: `body: parameter_name missing or not in the template: ${missing.join(', ')}` });
  }
  return undefined;
}

function checkButtons(buttons: TemplateDefinitionComponent | undefined, request: TemplateRequest): GraphErrorResponse | undefined {
  for (const [index, button] of (buttons?.buttons ?? []).entries()) {
    if (button.type !== 'URL' || placeholdersOf(button.url).length === 0) continue;
    const sent = sentComponent(request, 'button', index);
    if ((sent?.parameters ?? []).length === 0) {
      return graphError(131008, { details: `buttons: Button at index ${index} of type Url requires a parameter` });
    }
  }
  return undefined;
}

/** Answers the template a send may use, or Meta's error for why it may not. */
export function checkTemplateSend(
  store: TemplateStore,
  wabaId: string,
  request: TemplateRequest,
): { template: MessageTemplate } | { error: GraphErrorResponse } {
  const template = store.find(wabaId, request.name, request.language.code);
  if (template === undefined || !['APPROVED', 'PAUSED', 'DISABLED'].includes(template.status)) {
    return { error: graphError(132001, { details: `template name (${request.name}) does not exist in ${request.language.code}` }) };
  }
  if (template.status === 'PAUSED') return { error: graphError(132015) };
  if (template.status === 'DISABLED') return { error: graphError(132016) };
  const byType = (type: TemplateDefinitionComponent['type']) => template.components.find((c) => c.type === type);
  const error =
    checkHeader(byType('HEADER'), request) ?? checkBody(byType('BODY'), template, request) ?? checkButtons(byType('BUTTONS'), request);
  return error === undefined ? { template } : { error };
}
