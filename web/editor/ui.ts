/** Small DOM helpers of the editor page (index.html holds the elements). */

export function $(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found;
}

export function input(id: string): HTMLInputElement {
  return $(id) as HTMLInputElement;
}

export function setStatus(text: string, kind: 'ok' | 'error' | 'info' = 'info', data: Record<string, string> = {}): void {
  const status = $('status');
  status.textContent = text;
  status.className = kind;
  for (const key of Object.keys(status.dataset)) if (key !== 'testid') delete status.dataset[key];
  Object.assign(status.dataset, data);
}

/** A list of clickable items, each with a test id. */
export function fillList<T>(list: HTMLElement, items: readonly T[], testid: string, label: (item: T) => string, onPick: (item: T) => void): void {
  list.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement('li');
      li.className = 'clickable';
      li.dataset.testid = testid;
      li.textContent = label(item);
      li.addEventListener('click', () => onPick(item));
      return li;
    }),
  );
}

export function show(id: string, visible: boolean): void {
  $(id).hidden = !visible;
}
