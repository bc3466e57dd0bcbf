export { startEmulator, type Emulator, type EmulatorClock, type EmulatorOptions } from "./emulator.js";
export {
  loadSeed,
  parseSeed,
  validateSeed,
  SeedError,
  type Seed,
  type SeedWorkspace,
  type SeedMember,
  type SeedKey,
} from "./seed.js";
export { runEmulatorCli, type CliIo } from "./cli.js";
export { ContractValidator, defaultContractPath, type Violation } from "./contract.js";
export {
  validateFaultConfig,
  FaultConfigError,
  faultKinds,
  mulberry32,
  type FaultConfig,
  type FaultKind,
  type FaultTiming,
} from "./faults.js";
export type { RequestLogEntry } from "./core.js";
export type { StateDump } from "./state-dump.js";
export type { StateFile } from "./persistence.js";
export type { Role } from "./contract-types.js";
