// The `role` claims that let a client join/leave or publish to groups, checked exactly as the service documents them.

/** What a connection's roles allow it to do with groups. */
export interface GroupPermissions {
  canJoinOrLeave(group: string): boolean;
  canSendTo(group: string): boolean;
}

/**
 * Builds the checks from role claims: `webpubsub.joinLeaveGroup` / `webpubsub.sendToGroup` (any group),
 * `….<group>` (that group), and the wildcard forms `webpubsub.joinLeaveGroups.<pattern>` /
 * `webpubsub.sendToGroups.<pattern>`.
 */
export function groupPermissions(roles: Iterable<string>): GroupPermissions {
  const roleList = [...roles];
  const joinLeave = roleCheck(roleList, 'webpubsub.joinLeaveGroup', 'webpubsub.joinLeaveGroups.');
  const sendTo = roleCheck(roleList, 'webpubsub.sendToGroup', 'webpubsub.sendToGroups.');
  return { canJoinOrLeave: joinLeave, canSendTo: sendTo };
}

function roleCheck(roles: readonly string[], exactRole: string, patternPrefix: string): (group: string) => boolean {
  const anyGroup = roles.includes(exactRole);
  const groups = new Set(roles.filter((role) => role.startsWith(`${exactRole}.`)).map((role) => role.slice(exactRole.length + 1)));
  const patterns = roles
    .filter((role) => role.startsWith(patternPrefix))
    .map((role) => wildcardToRegExp(role.slice(patternPrefix.length)))
    .filter((pattern): pattern is RegExp => pattern !== undefined);
  return (group) => anyGroup || groups.has(group) || patterns.some((pattern) => pattern.test(group));
}

// Hand-written because the grammar is the service's own (concept-wildcard-group-roles.md): `?` one char
// except '.', `*` a run without '.', `**` any run, `\` escapes; more than five `*` make the role invalid.
function wildcardToRegExp(pattern: string): RegExp | undefined {
  if ((pattern.match(/(?<!\\)\*/g) ?? []).length > 5 || pattern.length === 0) return undefined;
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i] ?? '';
    if (char === '\\') {
      i += 1;
      source += escapeRegExp(pattern[i] ?? '\\');
    } else if (char === '*' && pattern[i + 1] === '*') {
      i += 1;
      source += '.*';
    } else if (char === '*') {
      source += '[^.]*';
    } else if (char === '?') {
      source += '[^.]';
    } else {
      source += escapeRegExp(char);
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
