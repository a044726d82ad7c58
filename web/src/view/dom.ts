// A tiny DOM builder. Text goes in through textContent only: names and every other piece of data
// from the network are untrusted and never parsed as HTML.

type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c) e.append(c); // strings become text nodes
  return e;
}

/** Sets text only when it changed (keeps screen readers from re-announcing an unchanged live region). */
export function setText(e: Element, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

export function show(e: HTMLElement, visible: boolean): void {
  if (e.hidden === visible) e.hidden = !visible;
}

export function toggleClass(e: Element, name: string, on: boolean): void {
  e.classList.toggle(name, on);
}

/** Copies text to the clipboard; where the Clipboard API is missing (plain http), selects it instead. */
export async function copyText(input: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    input.select();
    return false;
  }
}
