import { ok } from "../answer.js";
import { permissionsOf } from "../auth.js";
import type { Me } from "../contract-types.js";
import type { Handler } from "./context.js";

export const getMe: Handler = ({ core, credential }) => {
  if (!credential) throw new Error("getMe needs a credential");
  const common = {
    company_id: core.store.companyId,
    workspace_id: credential.workspace.id,
    permissions: permissionsOf(credential),
  };
  const me: Me =
    credential.kind === "key"
      ? {
          principal: "api_key",
          ...common,
          key_id: credential.key.id,
          key_name: credential.key.name,
          scopes: [...credential.key.scopes],
          role: null,
        }
      : {
          principal: "member",
          ...common,
          key_id: null,
          key_name: credential.member.name,
          scopes: [],
          role: credential.member.role,
        };
  return ok(me);
};
