/**
 * Seals a value for GitHub Actions: a libsodium sealed box (X25519 + XSalsa20-Poly1305) to the
 * base64 public key GitHub hands out; only GitHub's private key opens it. Returns base64.
 * libsodium (WebAssembly) is loaded on first use.
 */
export async function sealForGithub(value: string, publicKeyBase64: string): Promise<string> {
  const { default: sodium } = await import("libsodium-wrappers");
  await sodium.ready;
  const publicKey = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  if (publicKey.length !== sodium.crypto_box_PUBLICKEYBYTES) {
    throw new Error(`the public key has ${publicKey.length} bytes, expected ${sodium.crypto_box_PUBLICKEYBYTES}`);
  }
  const sealed = sodium.crypto_box_seal(sodium.from_string(value), publicKey);
  return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL);
}
