// The template shape Graph returns from GET /{waba-id}/message_templates, and the simulator's defaults.

/** A template component as Meta lists it (upper-case types). */
export interface TemplateDefinitionComponent {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';
  format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';
  text?: string;
  example?: Record<string, unknown>;
  buttons?: Array<{ type: string; text: string; url?: string; phone_number?: string; example?: string[] }>;
}

export type TemplateStatus =
  | 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'IN_APPEAL' | 'FLAGGED' | 'ARCHIVED' | 'PENDING_DELETION' | 'LIMIT_EXCEEDED' | 'LOCKED';

/** One template as Graph lists it; `wabaId` is the simulator's own scoping (absent = every WABA) and never listed. */
export interface MessageTemplate {
  id: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category: 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';
  parameter_format?: 'NAMED' | 'POSITIONAL';
  sub_category?: string;
  rejected_reason?: string;
  components: TemplateDefinitionComponent[];
  wabaId?: string;
}

/**
 * Defaults: Meta's sample `hello_world`, a Turkish utility template with positional body parameters, Meta's documented
 * `reservation_confirmation` (image header, named body parameters), a positional marketing template with a URL button
 * parameter, a pending and a rejected one (names and ids as in Meta's template-management page).
 */
export function defaultTemplates(): MessageTemplate[] {
  return [
    {
      id: '1044637220442917',
      name: 'hello_world',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
        {
          type: 'BODY',
          text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
        },
        { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
      ],
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
    },
    {
      id: '1298452871655301',
      name: 'randevu_hatirlatma',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Randevu hatırlatması' },
        {
          type: 'BODY',
          text: 'Merhaba {{1}}, {{2}} tarihindeki {{3}} randevunuzu hatırlatmak isteriz. Değişiklik için bu mesajı yanıtlayabilirsiniz.',
          example: { body_text: [['Ayşe', '12 Mart 14:00', 'deneme dersi']] },
        },
        { type: 'FOOTER', text: 'Ustad Desktop' },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Onaylıyorum' }, { type: 'QUICK_REPLY', text: 'İptal et' }] },
      ],
      language: 'tr',
      status: 'APPROVED',
      category: 'UTILITY',
    },
    {
      id: '1387372356726668',
      name: 'reservation_confirmation',
      parameter_format: 'NAMED',
      components: [
        { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://scontent.whatsapp.net/v/t61...'] } },
        {
          type: 'BODY',
          text: "*You're all set!*\n\nYour reservation for {{number_of_guests}} at Lucky Shrub Eatery on {{day}}, {{date}}, at {{time}}, is confirmed. See you then!",
          example: {
            body_text_named_params: [
              { param_name: 'number_of_guests', example: '4' },
              { param_name: 'day', example: 'Saturday' },
              { param_name: 'date', example: 'August 30th, 2025' },
              { param_name: 'time', example: '7:30 pm' },
            ],
          },
        },
        { type: 'FOOTER', text: 'Lucky Shrub Eatery: The Luckiest Eatery in Town!' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'Change reservation', url: 'https://www.luckyshrubeater.com/reservations' },
            { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+16467043595' },
            { type: 'QUICK_REPLY', text: 'Cancel reservation' },
          ],
        },
      ],
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
    },
    {
      id: '1304694804498707',
      name: 'coupon_expiration_reminder_number_vars',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Act fast, {{1}}!', example: { header_text: ['Pablo'] } },
        {
          type: 'BODY',
          text: 'Just a quick reminder: your exclusive coupon code, {{1}}, *expires in only {{2}} days!* Use your code at checkout.',
          example: { body_text: [['SUMMER20', '10']] },
        },
        { type: 'FOOTER', text: 'Lucky Shrub Succulents' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'See deals', url: 'https://www.luckyshrub.com/deals/{{1}}', example: ['https://www.luckyshrub.com/deals/summer'] },
            { type: 'QUICK_REPLY', text: 'Unsubscribe' },
          ],
        },
      ],
      language: 'en',
      status: 'APPROVED',
      category: 'MARKETING',
      sub_category: 'CUSTOM',
    },
    {
      id: '1137051647947973',
      name: 'address_update',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'BODY', text: 'Hi {{1}}, please confirm the delivery address for order {{2}}.', example: { body_text: [['Pablo', '860198-230332']] } },
      ],
      language: 'en_US',
      status: 'PENDING',
      category: 'UTILITY',
    },
    {
      id: '1166414785519855',
      name: 'reservation_confirmation_short_banner',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://scontent.whatsapp.net/v/t61...'] } },
        { type: 'BODY', text: 'Your table for {{1}} is booked!', example: { body_text: [['4']] } },
      ],
      language: 'en_US',
      status: 'REJECTED',
      category: 'UTILITY',
      rejected_reason: 'INVALID_FORMAT',
    },
  ];
}
