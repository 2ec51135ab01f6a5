export {
  WardenClient,
  wardenClient,
  TOKEN_EXCHANGE_GRANT,
  ID_TOKEN_TYPE,
  type WardenClientOptions,
  type SignedIn,
  type Authorization,
  type AuthorizeRequest,
  type Schemas,
} from "./client.js";
export {
  WardenError,
  WardenHttpError,
  WardenUnavailableError,
  WardenDeniedError,
  PlanTranslationError,
  isWardenDeniedError,
  type DeniedResult,
} from "./errors.js";
export {
  wardenCredentials,
  wardenJwt,
  wardenSession,
  RefreshSingleFlight,
  type WardenToken,
  type WardenSessionFields,
  type WardenJwtOptions,
  type WardenCredentialsOptions,
} from "./nextauth.js";
export {
  authorize,
  authorizeMany,
  requireAllowed,
  plan,
  type Decision,
  type Question,
  type ResourceLike,
  type SessionLike,
  type PlanResult,
} from "./authorize.js";
export { planToPrismaWhere, type PrismaMapping, type FieldMapping, type PrismaWhere } from "./prisma.js";
export { deniedPlan, type Plan, type Expr, type Operand, type PlanKind, type PlanRequest } from "./plan.js";
export type { paths, components } from "./generated/openapi.js";

import { wardenClient as defaultClient } from "./client.js";
import type { SignedIn as SignedInAnswer } from "./client.js";

/** NextAuth `jwt` callback helper: another provider's ID token for a warden session. */
export function exchangeIdToken(idToken: string): Promise<SignedInAnswer> {
  return defaultClient().exchangeIdToken(idToken);
}
