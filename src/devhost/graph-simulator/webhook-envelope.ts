// Meta's webhook envelope around one `messages` change (WHATSAPP.md §3).

/** A business phone number the simulator serves. */
export interface SimulatedPhoneNumber {
  phoneNumberId: string;
  displayPhoneNumber: string;
  wabaId: string;
}

/** The `value` of a `messages` change, minus the parts every change shares. */
export interface ChangeValue {
  contacts?: unknown[];
  messages?: unknown[];
  statuses?: unknown[];
  errors?: unknown[];
}

/** The POST body Meta sends for one change on one phone number. */
export interface WebhookEnvelope {
  object: 'whatsapp_business_account';
  entry: Array<{
    id: string;
    changes: Array<{ value: { messaging_product: 'whatsapp'; metadata: { display_phone_number: string; phone_number_id: string } } & ChangeValue; field: 'messages' }>;
  }>;
}

/** Wraps one change value in Meta's envelope (key order as in Meta's examples: value before field). */
export function webhookEnvelope(phone: SimulatedPhoneNumber, value: ChangeValue): WebhookEnvelope {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: phone.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: phone.displayPhoneNumber, phone_number_id: phone.phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** Meta's timestamps: Unix seconds as a string. */
export function unixSeconds(at: Date | number = Date.now()): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return String(Math.floor(ms / 1000));
}
