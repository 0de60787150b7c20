import { execFileSync } from 'node:child_process';

let resolved: string | undefined;

/**
 * The path of the real Python interpreter, resolved once per process.
 *
 * `python3` on this machine is a pyenv shim, a shell script that costs 50-100 ms per spawn before
 * Python even starts; asking it once for `sys.executable` and spawning that path directly keeps
 * the shim out of every measured spawn. The `PYTHON` environment variable, when set, is used as
 * it is, without asking anything.
 */
export function resolvePython(): string {
  if (resolved !== undefined) return resolved;
  const override = process.env.PYTHON;
  if (override !== undefined && override !== '') {
    resolved = override;
    return resolved;
  }
  const executable = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).trim();
  if (executable === '') {
    throw new Error('python3 did not report its sys.executable; set PYTHON to the interpreter path');
  }
  resolved = executable;
  return resolved;
}
