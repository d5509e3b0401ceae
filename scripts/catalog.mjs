// Writes src/client/catalog.ts from the registry (run after `npm run build`: it reads dist/).
import { writeFileSync } from 'node:fs';
import { RESOURCES } from '../dist/src/resources/index.js';
import { catalogModule } from '../dist/src/resources/catalog.js';

writeFileSync(new URL('../src/client/catalog.ts', import.meta.url), catalogModule(RESOURCES));
