// Meta's Graph API error envelope and the catalogue of WhatsApp codes the simulator can answer with.
import { newFbtraceId } from './graph-ids';

/** The body Graph answers with on failure (WHATSAPP.md §9). */
export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    error_subcode?: number;
    fbtrace_id: string;
  };
}

/** An error ready to send: HTTP status plus Meta's body. */
export interface GraphErrorResponse {
  status: number;
  body: GraphErrorBody;
}

interface CatalogueEntry {
  /** Meta's title; sync bodies say `(#code) title`, status webhooks use it as `title` and `message`. */
  title: string;
  details?: string;
  status?: number;
  subcode?: number;
  /** 190 bodies carry the bare message, no `(#190)` prefix and no error_data. */
  bare?: boolean;
}

const href = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

// Titles and details follow Meta's error-code page and captured bodies; HTTP statuses follow WHATSAPP.md §9
// (most Cloud API errors are 400; token errors 401; permission errors 403).
const catalogue: Record<number, CatalogueEntry> = {
  0: { title: 'AuthException', details: 'Unable to authenticate the app user.', status: 401 },
  3: { title: 'Capability or permissions issue', details: 'Application does not have the capability to make this API call.', status: 500 },
  4: { title: 'Application request limit reached', details: 'The app has reached its API call rate limit.' },
  10: { title: 'Application does not have permission for this action', details: 'Permission is either not granted or has been removed.', status: 403 },
  100: { title: 'Invalid parameter' },
  190: { title: 'Invalid OAuth access token - Cannot parse access token', status: 401, bare: true },
  200: { title: 'Permissions error', status: 403 },
  80007: { title: 'Rate limit issues', details: 'The WhatsApp Business Account has reached its rate limit.' },
  130429: { title: 'Rate limit hit', details: 'Cloud API message throughput has been reached.', subcode: 2494055 },
  131000: { title: 'Something went wrong', details: 'Message failed to send due to an unknown error.', status: 500 },
  131005: { title: 'Access denied', details: 'Permission is either not granted or has been removed.', status: 403 },
  131008: { title: 'Required parameter is missing' },
  131009: { title: 'Parameter value is not valid' },
  131016: { title: 'Service unavailable', details: 'A service is temporarily unavailable.', status: 503 },
  131021: { title: 'Recipient cannot be sender', details: 'Sender and recipient phone number is the same.' },
  131026: { title: 'Message undeliverable', details: 'Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number; the recipient has not accepted the new Terms of Service and Privacy Policy; the recipient is using an old WhatsApp version.' },
  131031: { title: 'Account has been locked', details: 'The Business Account was restricted or disabled for a violation of the platform policy.', status: 403 },
  131042: { title: 'Business eligibility payment issue', details: 'There was an error related to your payment method.' },
  131045: { title: 'Incorrect certificate', details: 'Message failed to send due to a phone number registration error.' },
  131047: { title: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
  131048: { title: 'Spam rate limit hit', details: 'Message failed to send because there are restrictions on how many messages can be sent from this phone number.' },
  131049: { title: 'This message was not delivered to maintain healthy ecosystem engagement.', details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' },
  131050: { title: 'User has stopped marketing messages', details: 'Unable to deliver the marketing message because the user has stopped marketing messages.' },
  131051: { title: 'Unsupported message type', details: 'Message type is not currently supported.' },
  131052: { title: 'Media download error', details: 'Unable to download the media sent by the user.' },
  131053: { title: 'Media upload error', details: 'Unable to upload the media used in the message.' },
  131056: { title: '(Business Account, Consumer Account) pair rate limit hit', details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.' },
  131057: { title: 'Account in maintenance mode', details: 'Business Account is in maintenance mode.' },
  132000: { title: 'Number of parameters does not match the expected number of params', details: 'The number of variable parameter values included in the request did not match the number of variable parameters defined in the template.' },
  132001: { title: 'Template name does not exist in the translation', details: 'The template does not exist in the specified language or the template has not been approved.' },
  132005: { title: 'Translated text too long', details: 'Translated text is too long.' },
  132007: { title: 'Template format character policy violated', details: 'Template content violates a WhatsApp policy.' },
  132012: { title: 'Parameter format does not match format in the created template', details: 'Variable parameter values formatted incorrectly.' },
  132015: { title: 'Template is Paused', details: 'Template is paused due to low quality so it cannot be sent in a template message.' },
  132016: { title: 'Template is Disabled', details: 'Template has been paused too many times due to low quality and is now permanently disabled.' },
  133010: { title: 'Phone number Not Registered', details: 'Phone number not registered on the WhatsApp Business Platform.' },
  135000: { title: 'Generic user error', details: 'Message failed to send because of an unknown error with your request parameters.' },
};

/** Codes the simulator knows by name; any other number still gets a well-formed envelope. */
export const knownGraphErrorCodes: readonly number[] = Object.keys(catalogue).map(Number);

/** Overrides for one error instance (the catalogue supplies the rest). */
export interface GraphErrorOverrides {
  message?: string;
  details?: string;
  status?: number;
  subcode?: number | null;
  type?: string;
}

/** Builds Meta's sync error envelope for `code`, with Meta's title, details and HTTP status. */
export function graphError(code: number, overrides: GraphErrorOverrides = {}): GraphErrorResponse {
  const entry = catalogue[code] ?? { title: 'Unknown error' };
  const details = overrides.details ?? entry.details;
  const subcode = overrides.subcode === null ? undefined : (overrides.subcode ?? entry.subcode);
  const body: GraphErrorBody = {
    error: {
      message: overrides.message ?? (entry.bare ? entry.title : `(#${code}) ${entry.title}`),
      type: overrides.type ?? 'OAuthException',
      code,
      ...(entry.bare || details === undefined ? {} : { error_data: { messaging_product: 'whatsapp' as const, details } }),
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      fbtrace_id: newFbtraceId(),
    },
  };
  return { status: overrides.status ?? entry.status ?? 400, body };
}

/** The `errors[]` item of a failed status webhook (title == message, plus href), as Meta sends it. */
export function webhookError(code: number, overrides: { title?: string; details?: string } = {}): {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
  href: string;
} {
  const entry = catalogue[code] ?? { title: 'Unknown error' };
  const title = overrides.title ?? entry.title;
  return { code, title, message: title, error_data: { details: overrides.details ?? entry.details ?? title }, href };
}

/** Graph's answer for an id that does not exist or does not support the call (code 100, subcode 33). */
export function unsupportedRequest(method: string, objectId: string): GraphErrorResponse {
  const verb = method === 'DELETE' ? 'delete' : method === 'POST' ? 'post' : 'get';
  return graphError(100, {
    type: 'GraphMethodException',
    subcode: 33,
    message: `Unsupported ${verb} request. Object with ID '${objectId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    details: undefined,
  });
}

/** Graph's answer for a path it does not serve (code 2500). */
export function unknownPath(path: string): GraphErrorResponse {
  return graphError(2500, { message: `Unknown path components: ${path}` });
}

/** Graph's answer for a missing required parameter (code 100, no error_data). */
export function parameterRequired(name: string): GraphErrorResponse {
  return graphError(100, { message: `(#100) The parameter ${name} is required.` });
}
