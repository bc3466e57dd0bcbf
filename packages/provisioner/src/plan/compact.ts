/** The object without its undefined properties, so a plan survives a JSON round trip unchanged. */
export function compact<T extends object>(value: T): T {
  // Most actions have no undefined property: they are kept as they are, not copied.
  for (const key in value) {
    if (value[key] === undefined) return withoutUndefined(value);
  }
  return value;
}

function withoutUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) out[key] = field;
  }
  return out as T;
}
