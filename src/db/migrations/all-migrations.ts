// Every migration, in order. The list is in code (not globbed from disk) so it works the same from src/ and dist/.
import { initialSchema } from './001-initial-schema';
import { messageSearch } from './002-message-search';
import type { SchemaMigration } from './schema-migration';

/** All migrations, oldest first; append new ones at the end with a higher number. */
export const schemaMigrations: readonly SchemaMigration[] = [initialSchema, messageSearch];
