// The schema definition refuses to describe a schema the two dialects would build differently or not at all.
import { describe, expect, it } from 'vitest';
import { checkSchema, col, defineTable } from '../../../src/db/schema-definition';

describe('checkSchema', () => {
  it('lists every inconsistency at once', () => {
    const broken = {
      Child: defineTable({
        columns: { Id: col.id(), ParentId: col.id(), Code: col.text(10).nullable(), Name: col.text(4000), Note: col.text(0) },
        primaryKey: ['Id'],
        foreignKeys: [{ column: 'ParentId', references: { table: 'Parent', column: 'Id' } }],
        indexes: [{ columns: ['Code'], unique: true }, { columns: ['Missing'] }, { columns: ['Name'] }],
      }),
      Parent: defineTable({ columns: { Id: col.id() }, primaryKey: ['Id'] }),
    };
    let message = '';
    try {
      checkSchema(broken);
    } catch (error) {
      message = error instanceof Error ? error.message : '';
    }
    expect(message).toMatch(/Child.ParentId: references Parent, which is not defined before it/);
    expect(message).toMatch(/UX_Child_Code: unique on nullable Code needs whereNotNull/);
    expect(message).toMatch(/IX_Child_Missing: Missing is not a column/);
    expect(message).toMatch(/IX_Child_Name: key of up to 8000 bytes exceeds SQL Server's 1,700/);
    expect(message).toMatch(/Child.Note: text needs a length from 1 to 4000/);
  });

  it('accepts a consistent schema', () => {
    expect(() =>
      checkSchema({
        Parent: defineTable({ columns: { Id: col.id(), Code: col.text(10).nullable() }, primaryKey: ['Id'], indexes: [{ columns: ['Code'], unique: true, whereNotNull: ['Code'] }] }),
        Child: defineTable({ columns: { Id: col.id(), ParentId: col.id() }, primaryKey: ['Id'], foreignKeys: [{ column: 'ParentId', references: { table: 'Parent', column: 'Id' } }] }),
      }),
    ).not.toThrow();
  });
});
