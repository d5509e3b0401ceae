// The import graph of src/: imports point one way. Every import counts, type-only and dynamic
// ones included, since a type loop is a design loop too.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = 'src';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** file -> the files of src/ it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm)].map((m) => m[1] ?? m[2]!);
    graph.set(
      file,
      specs.map((s) => path.normalize(path.join(path.dirname(file), s.replace(/\.js$/, '.ts')))),
    );
  }
  return graph;
}

/** Every cycle, as the list of files along it (each found once, from its smallest file). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const walk = (start: string, at: string, trail: string[]) => {
    for (const next of graph.get(at) ?? []) {
      if (next === start) {
        const key = [...trail].sort().join(' ');
        if (!found.has(key)) found.set(key, [...trail, start]);
      } else if (!trail.includes(next) && next > start) walk(start, next, [...trail, next]);
    }
  };
  for (const file of graph.keys()) walk(file, file, [file]);
  return [...found.values()];
}

describe('the import graph of src/', () => {
  const graph = importGraph();

  it('resolves every relative import to a file of src/', () => {
    const missing = [...graph].flatMap(([file, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${file} -> ${d}`));
    expect(missing).toEqual([]);
  });

  it('has no cycles', () => {
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('keeps the write path below the routes: changes/ imports nothing from http/, auth/ or openapi/', () => {
    const offending = [...graph].flatMap(([file, deps]) =>
      file.startsWith('src/changes/') ? deps.filter((d) => /^src\/(http|auth|openapi)\//.test(d) || d === 'src/server.ts').map((d) => `${file} -> ${d}`) : [],
    );
    expect(offending).toEqual([]);
  });

  it('keeps the pure layers pure: resources/ and uci/ import nothing from http/, changes/ or the server', () => {
    const offending = [...graph].flatMap(([file, deps]) =>
      file.startsWith('src/resources/') || file.startsWith('src/uci/')
        ? deps.filter((d) => /^src\/(http|changes|auth|openapi)\//.test(d) || d === 'src/server.ts' || d === 'src/main.ts').map((d) => `${file} -> ${d}`)
        : [],
    );
    expect(offending).toEqual([]);
  });
});
