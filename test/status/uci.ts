import type { UciPackage, UciSection, UciValue } from '../../src/uci/types.js';

/** A hand-built UCI package: [type, name, options] per section (names starting with cfg are anonymous). */
export function pkg(name: string, sections: Array<[string, string, Record<string, UciValue>]>): UciPackage {
  return {
    name,
    sections: sections.map(
      ([type, sname, options]): UciSection => ({
        type,
        name: sname,
        anonymous: sname.startsWith('cfg'),
        options: new Map(Object.entries(options)),
      }),
    ),
  };
}
