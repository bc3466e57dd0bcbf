// Types of the generated standalone validator (manifest-validator.cjs).
import type { ErrorObject } from "ajv";

interface ManifestValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

declare const validate: ManifestValidator;
export = validate;
