/** @module ui/dom — a tiny element builder: h('div', { class: 'x', onclick }, child, 'text'). */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function')
      el.addEventListener(k.slice(2), v as EventListener);
    // Live properties (value, checked) must be set as properties, not attributes.
    else if (k === 'value' || k === 'checked' || k === 'selected')
      (el as unknown as Record<string, unknown>)[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children)
    if (c !== null && c !== undefined && c !== false)
      el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
}

/** Replaces all children of `el`. */
export function replace(el: Node, ...children: Child[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, ...children);
}

/** `name{a="1", b="2"}` with name, label names and values in their own spans for styling. */
export function seriesLabel(metric: Record<string, string>): HTMLSpanElement {
  const { __name__: name, ...rest } = metric;
  const out = h('span', { class: 'series' });
  if (name) append(out, h('span', { class: 'metric-name' }, name));
  const keys = Object.keys(rest);
  if (keys.length > 0 || !name) {
    append(out, '{');
    keys.forEach((k, i) => {
      append(
        out,
        h('span', { class: 'label-name' }, k),
        '="',
        h('span', { class: 'label-value' }, rest[k]!),
        '"',
        i < keys.length - 1 ? ', ' : '',
      );
    });
    append(out, '}');
  }
  return out;
}

export function seriesText(metric: Record<string, string>): string {
  const { __name__: name, ...rest } = metric;
  const inner = Object.entries(rest)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `${name ?? ''}${inner || !name ? `{${inner}}` : ''}`;
}

/** label="value" badges. */
export const labelBadges = (labels: Record<string, string>): HTMLElement[] =>
  Object.entries(labels).map(([k, v]) => h('span', { class: 'badge label' }, `${k}="${v}"`));
