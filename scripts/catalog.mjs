// Writes the generated sources of the client package (run after `tsc --noCheck`: it reads dist/):
// packages/client/src/catalog.ts from the registry and packages/client/src/types.ts from the
// agent's types (src/client-types.ts).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RESOURCES } from '../dist/src/resources/index.js';
import { catalogModule } from '../dist/src/resources/catalog.js';
import { CLIENT_TYPES_FILE, clientTypesModule } from '../dist/scripts/client-types.js';

const root = fileURLToPath(new URL('..', import.meta.url));
writeFileSync(new URL('../packages/client/src/catalog.ts', import.meta.url), catalogModule(RESOURCES));
writeFileSync(new URL(`../${CLIENT_TYPES_FILE}`, import.meta.url), clientTypesModule(root));
