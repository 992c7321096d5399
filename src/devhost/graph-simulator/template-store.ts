// The simulator's configurable template list: what GET message_templates returns and what template sends are checked against.
import { newNumericId } from './graph-ids';
import { defaultTemplates, type MessageTemplate, type TemplateStatus } from './message-template';

/** A template to add; `id` is generated when omitted. */
export type MessageTemplateInput = Omit<MessageTemplate, 'id'> & { id?: string };

/** The `templates` handle of a running simulator. */
export interface TemplateStore {
  /** Templates visible to `wabaId` (all when omitted), in listing order. */
  list(wabaId?: string): MessageTemplate[];
  /** The template a send names, or undefined when that name has no translation in `language`. */
  find(wabaId: string, name: string, language: string): MessageTemplate | undefined;
  /** Replaces the whole list. */
  set(templates: readonly MessageTemplateInput[]): void;
  add(template: MessageTemplateInput): MessageTemplate;
  /** Removes by name (every language) or by name and language; answers how many were removed. */
  remove(name: string, language?: string): number;
  /** Changes a template's status, e.g. to test PAUSED (132015) or a newly APPROVED one. */
  setStatus(name: string, language: string, status: TemplateStatus): void;
  /** Back to the list the simulator started with. */
  reset(): void;
}

function withId(template: MessageTemplateInput): MessageTemplate {
  return { ...structuredClone(template), id: template.id ?? newNumericId() };
}

/** Creates a store holding `initial` (the defaults when omitted). */
export function createTemplateStore(initial?: readonly MessageTemplateInput[]): TemplateStore {
  const startWith = () => (initial ?? defaultTemplates()).map(withId);
  let templates: MessageTemplate[] = startWith();
  const visibleTo = (wabaId?: string) => (t: MessageTemplate) => wabaId === undefined || t.wabaId === undefined || t.wabaId === wabaId;
  return {
    list: (wabaId) => templates.filter(visibleTo(wabaId)).map((t) => structuredClone(t)),
    find: (wabaId, name, language) => templates.find((t) => visibleTo(wabaId)(t) && t.name === name && t.language === language),
    set(next) {
      templates = next.map(withId);
    },
    add(template) {
      const created = withId(template);
      templates.push(created);
      return structuredClone(created);
    },
    remove(name, language) {
      const before = templates.length;
      templates = templates.filter((t) => !(t.name === name && (language === undefined || t.language === language)));
      return before - templates.length;
    },
    setStatus(name, language, status) {
      for (const t of templates) if (t.name === name && t.language === language) t.status = status;
    },
    reset() {
      templates = startWith();
    },
  };
}
