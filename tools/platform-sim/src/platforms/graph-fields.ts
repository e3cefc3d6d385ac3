// Graph API `fields=` syntax: `a,b.summary(true).limit(0),c{d,e}`. Only the parts the simulator
// answers are interpreted; the parser still accepts the whole grammar so requests don't break.

export interface FieldSpec {
  name: string;
  modifiers: Map<string, string>;
  subfields: FieldSpec[];
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(' || ch === '{') depth++;
    else if (ch === ')' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((x) => x.trim()).filter((x) => x.length > 0);
}

export function parseFields(raw: string | undefined): FieldSpec[] {
  if (!raw) return [];
  return splitTopLevel(raw).map((item) => {
    let sub: FieldSpec[] = [];
    let head = item;
    const brace = item.indexOf('{');
    if (brace >= 0 && item.endsWith('}')) {
      sub = parseFields(item.slice(brace + 1, -1));
      head = item.slice(0, brace);
    }
    const [name = '', ...mods] = head.split('.');
    const modifiers = new Map<string, string>();
    for (const m of mods) {
      const mm = /^([a-z_]+)\((.*)\)$/.exec(m);
      if (mm?.[1] !== undefined) modifiers.set(mm[1], mm[2] ?? '');
    }
    return { name, modifiers, subfields: sub };
  });
}
