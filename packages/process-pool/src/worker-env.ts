/**
 * The environment of a worker: only the allowed variables of the parent (a trailing `*` in a
 * name matches a prefix, as in `LC_*`), then `extra` on top. Secrets of the parent stay out.
 */
export function workerEnv(
  parent: NodeJS.ProcessEnv,
  inherit: readonly string[],
  extra: Readonly<Record<string, string>>,
): Record<string, string> {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const name of inherit) {
    if (name.endsWith('*')) prefixes.push(name.slice(0, -1));
    else exact.add(name);
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix))) env[name] = value;
  }
  return Object.assign(env, extra);
}
