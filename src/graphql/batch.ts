/**
 * DataLoader batch functions must return results in the order of their keys, one per key. These two helpers
 * put rows from a single `WHERE key = ANY(...)` query back in key order (kriasoft's `mapTo`).
 */
export function oneByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const map = new Map<K, R>();
  for (const row of rows) map.set(keyOf(row), row);
  return keys.map((k) => map.get(k) ?? null);
}

export function manyByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const map = new Map<K, R[]>();
  for (const row of rows) {
    const k = keyOf(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return keys.map((k) => map.get(k) ?? []);
}

/**
 * One DataLoader per distinct set of field arguments (`children(first: 5)` and `children(first: 50)` batch
 * separately), created on first use and kept for the request.
 */
export function loaderFamily<P, L>(keyOf: (params: P) => string, create: (params: P) => L): (params: P) => L {
  const loaders = new Map<string, L>();
  return (params) => {
    const key = keyOf(params);
    let loader = loaders.get(key);
    if (!loader) {
      loader = create(params);
      loaders.set(key, loader);
    }
    return loader;
  };
}
