// POST /{version}/{phone-number-id}/messages: throughput, validation, template and pair-limit checks, acceptance, statuses.
import { checkTemplateSend } from './check-template-send';
import type { FaultAction } from './fault-rules';
import { graphError } from './graph-errors';
import { newWamid } from './graph-ids';
import { isRecord } from './http-io';
import type { TemplateRequest } from './message-request.schemas';
import type { RouteResult, SimulatorState } from './simulator-state';
import { scheduleStatuses, statusSubject } from './status-progression';
import { validateMessageRequest } from './validate-message-request';
import type { SimulatedPhoneNumber } from './webhook-envelope';

/** Media ids a message refers to (top-level media, interactive header, template header), to check they exist. */
function referencedMediaIds(type: string, typeObject: unknown): string[] {
  const idOf = (value: unknown) => (isRecord(value) && typeof value.id === 'string' ? [value.id] : []);
  if (['image', 'video', 'audio', 'document', 'sticker'].includes(type)) return idOf(typeObject);
  if (!isRecord(typeObject)) return [];
  if (type === 'interactive' && isRecord(typeObject.header)) {
    const header = typeObject.header;
    return typeof header.type === 'string' ? idOf(header[header.type]) : [];
  }
  if (type === 'template' && Array.isArray(typeObject.components)) {
    return typeObject.components.flatMap((c: unknown) =>
      isRecord(c) && Array.isArray(c.parameters)
        ? c.parameters.flatMap((p: unknown) => (isRecord(p) && typeof p.type === 'string' ? idOf(p[p.type]) : []))
        : [],
    );
  }
  return [];
}

/** `+16505551234` → `16505551234`; a BSUID (`US.123…`) has no wa_id until the user is messaged by number. */
function recipientOf(to: string): { waId: string; userId?: string } {
  return /^\+?[\d\s\-()]+$/.test(to) ? { waId: to.replace(/\D/g, '') } : { waId: '', userId: to };
}

export function sendMessage(
  state: SimulatorState,
  request: { apiVersion: string; phone: SimulatedPhoneNumber; body: unknown; seq: number },
  fault: FaultAction | undefined,
): RouteResult {
  const { phone, body } = request;
  const now = Date.now();
  const isSend = !(isRecord(body) && body.status !== undefined);
  if (isSend && !state.throughput.tryTake(phone.phoneNumberId, now)) return graphError(130429);

  const validated = validateMessageRequest(body);
  if (validated.kind === 'invalid') return validated.error;
  if (validated.kind === 'status-update') return { status: 200, body: { success: true } };

  const { envelope, type, typeObject } = validated;
  const recipient = recipientOf(envelope.to);
  if (recipient.waId !== '' && recipient.waId === phone.displayPhoneNumber.replace(/\D/g, '')) return graphError(131021);

  let category = 'service';
  if (type === 'template') {
    const checked = checkTemplateSend(state.templates, phone.wabaId, typeObject as TemplateRequest);
    if ('error' in checked) return checked.error;
    category = checked.template.category.toLowerCase();
  }
  if (!state.pair.tryTake(`${phone.phoneNumberId}:${recipient.waId || envelope.to}`, now)) return graphError(131056);

  const id = newWamid(recipient.waId || '0', 'outbound');
  state.accepted.set(id, {
    id,
    seq: request.seq,
    acceptedAt: new Date(now).toISOString(),
    apiVersion: request.apiVersion,
    phoneNumberId: phone.phoneNumberId,
    to: envelope.to,
    waId: recipient.waId,
    type,
    body: validated.body,
    ...(envelope.biz_opaque_callback_data === undefined ? {} : { bizOpaqueCallbackData: envelope.biz_opaque_callback_data }),
    category,
  });

  const missingMedia = referencedMediaIds(type, typeObject).find((mediaId) => state.media.get(mediaId) === undefined);
  const failWith =
    fault?.kind === 'fail-async'
      ? { code: fault.code, ...(fault.title ? { title: fault.title } : {}), ...(fault.details ? { details: fault.details } : {}) }
      : missingMedia !== undefined
        ? { code: 131053, details: `Media id ${missingMedia} was not uploaded to this simulator (or has expired or been deleted).` }
        : null;
  scheduleStatuses(
    state.tracker,
    state.statusBehaviour,
    statusSubject({
      messageId: id,
      recipientId: recipient.waId || envelope.to,
      apiVersion: request.apiVersion,
      category,
      acceptedAt: now,
      ...(envelope.biz_opaque_callback_data === undefined ? {} : { bizOpaqueCallbackData: envelope.biz_opaque_callback_data }),
    }),
    { messageType: type, failWith },
    (status) => state.postStatus(phone, status),
  );

  return {
    status: 200,
    acceptedMessageId: id,
    body: {
      messaging_product: 'whatsapp',
      contacts: [{ input: envelope.to, wa_id: recipient.waId, ...(recipient.userId === undefined ? {} : { user_id: recipient.userId }) }],
      // Meta reports pacing status for template sends (`accepted`); other types carry only the id.
      messages: [{ id, ...(type === 'template' ? { message_status: 'accepted' } : {}) }],
    },
  };
}
