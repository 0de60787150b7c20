import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** Where the figures came from; written next to them in `latest.json`. */
export interface MachineInfo {
  readonly node: string;
  readonly python: string;
  readonly cpu: string;
  readonly cores: number;
  readonly platform: string;
  readonly memoryGiB: number;
}

function pythonVersion(): string {
  try {
    const python = process.env.PYTHON ?? 'python3';
    return execFileSync(python, ['-c', 'import sys; print(sys.version.split()[0])'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'not found';
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    python: pythonVersion(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}
