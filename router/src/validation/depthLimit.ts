import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { measureOperation, type DepthIgnore } from "../limits/measureOperation.js";

/** `extensions.validationErrorCode` of a depth rejection (Apollo forces `code: GRAPHQL_VALIDATION_FAILED`). */
export const DEPTH_LIMIT_EXCEEDED = "DEPTH_LIMIT_EXCEEDED";

export interface DepthLimitRuleOptions {
  /** Deepest field nesting allowed in an operation; root fields are depth 0. @default 12 */
  maxDepth?: number;
  /** Field names (string, RegExp or predicate) whose subtrees are not counted. Introspection fields never are. @default [] */
  ignore?: readonly DepthIgnore[];
}

/**
 * Rejects operations nested deeper than `maxDepth`, one error per operation, for `validate()` callers (schema
 * checks of client operations). It counts depth the way graphql-depth-limit does (root fields 0, `__` fields and
 * ignored fields not counted), but measures each fragment once: graphql-depth-limit re-walks every spread, which
 * is exponential on fragment bombs and overflows the stack on fragment cycles. The router itself checks depth
 * with the other operation limits, before validation (see `plugins/operationLimits.ts`).
 */
export function depthLimitRule({ maxDepth = 12, ignore = [] }: DepthLimitRuleOptions = {}): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const document = context.getDocument();
    const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
    for (const operation of document.definitions) {
      if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
      const single: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
      const { depth } = measureOperation(single, { ignore });
      if (depth > maxDepth) context.reportError(depthLimitExceeded(operation, depth, maxDepth));
    }
    return {};
  };
}

function depthLimitExceeded(operation: OperationDefinitionNode, measured: number, max: number): GraphQLError {
  const name = operation.name?.value;
  return new GraphQLError(`${name ? `Operation "${name}"` : "The operation"} is nested deeper than the maximum depth of ${max}.`, {
    nodes: [operation],
    extensions: { validationErrorCode: DEPTH_LIMIT_EXCEEDED, depth: { measured, max } },
  });
}
