// The machine a run happened on, for RESULTS.md.
import { cpus, release, totalmem, type as osType, loadavg } from "node:os";

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started: other work on the machine skews absolute times. */
  loadAverage: number;
}

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()} (${process.platform}/${process.arch})`,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
