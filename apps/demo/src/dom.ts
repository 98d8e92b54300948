/** The element with this id (the page's markup guarantees it exists). */
export const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] ?? ch);
}

/**
 * `<dt>`/`<dd>` pairs for a definition list; with `dataKey`, each `<dd>` carries `data-<dataKey>="<term>"` so tests
 * and users can find a value by its name.
 */
export function definitionRows(rows: readonly (readonly [string, string])[], dataKey?: string): string {
  return rows
    .map(([term, value]) => {
      const attr = dataKey ? ` data-${dataKey}="${escapeHtml(term)}"` : '';
      return `<dt>${escapeHtml(term)}</dt><dd${attr}>${escapeHtml(value)}</dd>`;
    })
    .join('');
}
