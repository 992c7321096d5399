// The inbox's named rules on their own: visibility, acting rights, the assignment choices, the reply window, cursors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseLeastOpen, chooseRoundRobin } from '../../../src/assignment/choose-assignee';
import { keepsConversations } from '../../../src/assignment/agent-presence';
import { decodeNumberCursor, decodeTimeCursor, encodeNumberCursor, encodeTimeCursor } from '../../../src/inbox/inbox-cursor';
import { isReplyWindowOpen, replyWindowUntil } from '../../../src/inbox/reply-window';
import { canActOnConversation, canSeeConversation, inboxVisibilityOf, visibleAssignees } from '../../../src/inbox/visibility';
import { AppError } from '../../../src/shared/app-error';
import { newId } from '../../../src/shared/ids';

const me = newId();
const other = newId();

describe('visibility', () => {
  it('admins see and act on everything of their firm; agents see unassigned and their own unless the firm allows all', () => {
    const admin = { role: 'Admin' as const, operatorId: me };
    const agent = { role: 'Agent' as const, operatorId: me };
    for (const assignee of [null, me, other]) {
      expect(canSeeConversation('own-and-unassigned', admin, assignee)).toBe(true);
      expect(canSeeConversation('all', agent, assignee)).toBe(true);
      expect(canActOnConversation(admin, assignee)).toBe(true);
    }
    expect(canSeeConversation('own-and-unassigned', agent, null)).toBe(true);
    expect(canSeeConversation('own-and-unassigned', agent, me)).toBe(true);
    expect(canSeeConversation('own-and-unassigned', agent, other)).toBe(false);
    expect(canActOnConversation(agent, other)).toBe(false);
    expect(visibleAssignees('own-and-unassigned', agent)).toEqual([null, me]);
    expect(visibleAssignees('all', agent)).toBe('any');
    expect(inboxVisibilityOf('ALL')).toBe('own-and-unassigned');
    expect(inboxVisibilityOf(null)).toBe('own-and-unassigned');
  });
});

describe('assignment choices', () => {
  const agents = ['a', 'b', 'c'];
  it('round-robin walks the agents in id order and wraps, skipping one who left', () => {
    expect(chooseRoundRobin(agents, null)).toBe('a');
    expect(chooseRoundRobin(agents, 'a')).toBe('b');
    expect(chooseRoundRobin(agents, 'c')).toBe('a');
    expect(chooseRoundRobin(['a', 'c'], 'b')).toBe('c');
    expect(chooseRoundRobin([], 'a')).toBeUndefined();
  });

  it('least-open picks the fewest open conversations and spreads ties in turn', () => {
    expect(chooseLeastOpen(agents, new Map([['a', 3], ['b', 1], ['c', 2]]), null)).toBe('b');
    expect(chooseLeastOpen(agents, new Map(), 'a')).toBe('b');
    expect(chooseLeastOpen(agents, new Map(), 'c')).toBe('a');
    fc.assert(
      fc.property(fc.array(fc.nat(20), { minLength: 3, maxLength: 3 }), fc.nat(60), (start, extra) => {
        const counts = new Map(agents.map((a, i) => [a, start[i] ?? 0]));
        let last: string | null = null;
        for (let i = 0; i < extra; i++) {
          const chosen: string = chooseLeastOpen(agents, counts, last) ?? '';
          expect(counts.get(chosen)).toBe(Math.min(...counts.values()));
          counts.set(chosen, (counts.get(chosen) ?? 0) + 1);
          last = chosen;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('an agent keeps conversations while online or offline within the grace period, and only while active', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const since = (seconds: number) => new Date(now.getTime() - seconds * 1000);
    expect(keepsConversations({ online: true, since: since(10_000) }, true, 300, now)).toBe(true);
    expect(keepsConversations({ online: false, since: since(300) }, true, 300, now)).toBe(true);
    expect(keepsConversations({ online: false, since: since(301) }, true, 300, now)).toBe(false);
    expect(keepsConversations({ online: true, since: since(1) }, false, 300, now)).toBe(false);
    expect(keepsConversations(undefined, true, 300, now)).toBe(false);
  });
});

describe('reply window', () => {
  it('is open for 24 hours after the customer’s last message', () => {
    const last = new Date('2026-03-01T10:00:00Z');
    expect(replyWindowUntil(last)?.toISOString()).toBe('2026-03-02T10:00:00.000Z');
    expect(isReplyWindowOpen(last, new Date('2026-03-02T09:59:59.999Z'))).toBe(true);
    expect(isReplyWindowOpen(last, new Date('2026-03-02T10:00:00.000Z'))).toBe(false);
    expect(isReplyWindowOpen(null, last)).toBe(false);
  });
});

describe('cursors', () => {
  it('round-trip, and anything else is an InvalidRequest naming the field', () => {
    const key = { at: new Date('2026-03-01T10:00:00.123Z'), id: newId() };
    expect(decodeTimeCursor('conversations', encodeTimeCursor('conversations', key), 'query.cursor')).toEqual(key);
    expect(decodeNumberCursor('search', encodeNumberCursor('search', 12345), 'query.cursor')).toBe(12345);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          decodeTimeCursor('conversations', text, 'query.cursor');
          return false;
        } catch (error) {
          return error instanceof AppError && error.code === 'InvalidRequest' && error.extra?.fields?.['query.cursor'] !== undefined;
        }
      }),
      { numRuns: 2000 },
    );
    expect(() => decodeTimeCursor('messages', encodeTimeCursor('conversations', key), 'query.before')).toThrow(AppError);
    expect(() => decodeNumberCursor('search', encodeTimeCursor('search', key), 'query.cursor')).toThrow(AppError);
  });
});
