// Parses `uci show <config>` output ("network.lan=interface", "network.lan.ipaddr='192.0.2.1'")
// into sections with their options; list options keep every value.

export interface UciSection {
  name: string; // 'lan', or '@route[0]' for an anonymous section
  type: string;
  options: Map<string, string[]>;
}

// A value is one or more single-quoted words; uci writes a quote inside one as '\''.
function values(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      i++;
      continue;
    }
    let word = '';
    while (i < text.length && text[i] !== ' ') {
      if (text[i] === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) {
          word += text.slice(i + 1);
          i = text.length;
        } else {
          word += text.slice(i + 1, end);
          i = end + 1;
        }
      } else if (text[i] === '\\' && i + 1 < text.length) {
        word += text[i + 1];
        i += 2;
      } else {
        word += text[i++];
      }
    }
    out.push(word);
  }
  return out;
}

export function parseUciShow(text: string, config: string): Map<string, UciSection> {
  const sections = new Map<string, UciSection>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0 || !line.startsWith(`${config}.`)) continue;
    const path = line.slice(config.length + 1, eq);
    const value = values(line.slice(eq + 1));
    // Anonymous section names ('@route[0]') contain no dot, so the first dot splits section and option.
    const dot = path.indexOf('.');
    if (dot < 0) {
      sections.set(path, { name: path, type: value[0] ?? '', options: new Map() });
    } else {
      const section = sections.get(path.slice(0, dot));
      section?.options.set(path.slice(dot + 1), value);
    }
  }
  return sections;
}
