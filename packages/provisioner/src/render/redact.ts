// The renderers' last line of defence: nothing shaped like a secret, and no secret the run knows,
// leaves them. Both come from the SDK's one redaction module.
export { redact as redactText, redactingReplacer } from "@timely-keys/sdk";
