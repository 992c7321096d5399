// Route templates as the Functions host's ASP.NET router reads them: matching, constraints, precedence.
import { describe, expect, test } from 'vitest';
import { DevHostError } from '../../../src/devhost/functions-host/dev-host-error';
import { compareRoutePrecedence, matchRouteTemplate, parseRouteTemplate } from '../../../src/devhost/functions-host/route-template';

const match = (template: string, path: string) => matchRouteTemplate(parseRouteTemplate(template), path);

describe('matching', () => {
  test('literals are case-insensitive; parameters are decoded; trailing slashes are ignored', () => {
    expect(match('Conversations/{conversationId}/messages', '/conversations/c%201/MESSAGES/')).toEqual({ conversationId: 'c 1' });
    expect(match('conversations/{id}', 'conversations')).toBeUndefined();
    expect(match('conversations/{id}', 'conversations/1/2')).toBeUndefined();
  });

  test('optional, default and catch-all parameters', () => {
    expect(match('greet/{name?}', 'greet')).toEqual({});
    expect(match('greet/{name=world}', 'greet')).toEqual({ name: 'world' });
    expect(match('media/{**path}', 'media/a/b.jpg')).toEqual({ path: 'a/b.jpg' });
    expect(match('media/{*path}', 'media')).toEqual({});
  });

  test('complex segments split like ASP.NET (last literal from the right)', () => {
    expect(match('files/{name}.{ext}', 'files/a.b.c')).toEqual({ name: 'a.b', ext: 'c' });
  });

  test('constraints', () => {
    expect(match('n/{id:int}', 'n/-12')).toEqual({ id: '-12' });
    expect(match('n/{id:int}', 'n/2147483648')).toBeUndefined();
    expect(match('n/{id:long}', 'n/2147483648')).toEqual({ id: '2147483648' });
    expect(match('n/{id:guid}', 'n/0f8fad5b-d9cb-469f-a165-70867728950e')).toBeDefined();
    expect(match('n/{id:guid}', 'n/0f8fad5b')).toBeUndefined();
    expect(match('n/{v:alpha}', 'n/abcXYZ')).toBeDefined();
    expect(match('n/{v:alpha}', 'n/ab1')).toBeUndefined();
    expect(match('n/{v:bool}', 'n/True')).toBeDefined();
    expect(match('n/{v:minlength(3):maxlength(4)}', 'n/ab')).toBeUndefined();
    expect(match('n/{v:length(2,3)}', 'n/abc')).toBeDefined();
    expect(match('n/{v:range(1,10)}', 'n/11')).toBeUndefined();
    expect(match('n/{v:regex(^\\d{{3}}$)}', 'n/123')).toBeDefined();
    expect(match('n/{v:unknownthing}', 'n/anything')).toEqual({ v: 'anything' });
    expect(parseRouteTemplate('n/{v:unknownthing}').unknownConstraints).toEqual(['unknownthing']);
  });

  test('malformed templates are rejected', () => {
    expect(() => parseRouteTemplate('a/{id')).toThrow(DevHostError);
    expect(() => parseRouteTemplate('a/{*rest}/b')).toThrow(/catch-all/);
  });
});

describe('precedence', () => {
  test('literal, then constrained, then plain parameter, then catch-all', () => {
    const templates = ['items/{*rest}', 'items/{id}', 'items/{id:int}', 'items/mine', 'items/{a}.{b}'];
    const sorted = templates.map(parseRouteTemplate).sort(compareRoutePrecedence).map((t) => t.template);
    expect(sorted).toEqual(['items/mine', 'items/{a}.{b}', 'items/{id:int}', 'items/{id}', 'items/{*rest}']);
  });
});
