// Errors the CLI turns into one clear line and exit 1. Their messages are written for the person
// running the tool and never carry a secret or a token value.

/** Bad input or a refused operation: the message says what to fix. */
export class UserError extends Error {
  override readonly name = "UserError";
}

/** A workspace's management token is missing, rejected or lacks the role; names the env var only. */
export class ManagementTokenError extends UserError {
  constructor(
    readonly workspace: string,
    readonly tokenEnv: string,
    message: string,
  ) {
    super(message);
  }
}

/** Already explained on stderr (e.g. manifest findings): exit 1 without another line. */
export class ReportedError extends UserError {
  constructor() {
    super("see the messages above");
  }
}
