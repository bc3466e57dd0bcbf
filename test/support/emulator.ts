// An emulator per test file, with contract validation and secret recording on.
import { startEmulator, type Emulator, type Seed } from "@timely-keys/emulator";

export const OWNER_TOKEN = "tkm_OwnerTokenForTests0000000000000000000001";
export const VIEWER_TOKEN = "tkm_ViewerTokenForTests000000000000000000002";
export const STAGING_TOKEN = "tkm_StagingTokenForTests00000000000000000003";

export function testSeed(extra: Partial<Seed> = {}): Seed {
  return {
    workspaces: [
      {
        name: "acme-prod",
        members: [
          { name: "Ana Owner", role: "owner", token: OWNER_TOKEN },
          { name: "Vic Viewer", role: "viewer", token: VIEWER_TOKEN },
        ],
      },
      { name: "acme-staging", members: [{ name: "Max Manager", role: "manager", token: STAGING_TOKEN }] },
    ],
    ...extra,
  } as Seed;
}

export async function startTestEmulator(
  seed: Seed = testSeed(),
  options: { rateLimit?: number; now?: string } = {},
): Promise<Emulator> {
  return startEmulator({ seed, validateContract: true, recordSecrets: true, ...options });
}

/** Every secret and token a leak scan must look for. */
export function secretsOf(emulator: Emulator): string[] {
  return [...emulator.mintedSecrets(), OWNER_TOKEN, VIEWER_TOKEN, STAGING_TOKEN];
}

/** Mutating /v1 requests the emulator received (for "bad input changes nothing"). */
export function mutations(emulator: Emulator): number {
  return emulator.requests().filter((r) => r.mutating && r.path.startsWith("/v1/")).length;
}
