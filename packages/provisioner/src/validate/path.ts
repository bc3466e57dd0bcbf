// Paths into the manifest: arrays of keys and indices, printed as `workspaces[0].keys[2].scopes`.
import { looksLikeSecret } from "./secret-shapes.js";

export type PathSegment = string | number;
export type ManifestPath = readonly PathSegment[];

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `workspaces[0].keys[2].scopes`; a key that looks like a secret is printed as `<redacted>`. */
export function formatPath(path: ManifestPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (looksLikeSecret(segment)) out += out ? ".<redacted>" : "<redacted>";
    else if (PLAIN_KEY.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A JSON pointer (ajv's instancePath) as path segments; indices into arrays become numbers. */
export function pointerToPath(pointer: string, root: unknown): PathSegment[] {
  if (pointer === "") return [];
  const path: PathSegment[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) {
      const index = Number(key);
      path.push(index);
      node = node[index];
    } else {
      path.push(key);
      node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}
