export {
  WardenClient,
  wardenClient,
  TOKEN_EXCHANGE_GRANT,
  ID_TOKEN_TYPE,
  clientAddress,
  CLIENT_KEY_HEADER,
  CLIENT_IP_HEADER,
  type WardenClientOptions,
  type CallOptions,
  type HeaderSource,
  type SignedIn,
  type Authorization,
  type AuthorizeRequest,
  type Schemas,
  type PolicyVersionList,
  type PolicyVersionInfo,
  type PolicyVersionDetail,
  type PolicyDiff,
  type PublishPolicies,
  type RollbackPolicies,
  type PublishOutcome,
  type ImpactReport,
} from "./client.js";
export {
  WardenError,
  WardenHttpError,
  type ErrorReason,
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
  type AddressOf,
  type WardenToken,
  type WardenSessionFields,
  type WardenJwtOptions,
  type WardenCredentialsOptions,
} from "./nextauth.js";
export { wardenAuthHandler, withWardenRotation, rotationContext, type RotationContext } from "./context.js";
export { refreshDue, refreshMargin } from "./refresh.js";
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
export { deniedPlan, type Plan, type Expr, type Operand, type PlanKind, type PlanRequest, type PlanSql, type PlanSqlRequest, type ColumnMapping } from "./plan.js";
export type { paths, components } from "./generated/openapi.js";

import { wardenClient as defaultClient } from "./client.js";
import type { SignedIn as SignedInAnswer } from "./client.js";

// Server-only pieces that load next-auth at run time are in subpaths: `@warden/next/server`
// (getWardenToken) and `@warden/next/middleware` (refreshSessionCookie).

/** NextAuth `jwt` callback helper: another provider's ID token for a warden session. */
export function exchangeIdToken(idToken: string): Promise<SignedInAnswer> {
  return defaultClient().exchangeIdToken(idToken);
}
