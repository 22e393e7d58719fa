import depthLimit from "graphql-depth-limit";
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";

/** `extensions.validationErrorCode` of a depth rejection (Apollo forces `code: GRAPHQL_VALIDATION_FAILED`). */
export const DEPTH_LIMIT_EXCEEDED = "DEPTH_LIMIT_EXCEEDED";

export interface DepthLimitRuleOptions {
  /** Deepest field nesting allowed in an operation; root fields are depth 0. @default 12 */
  maxDepth?: number;
  /** Field names (string, RegExp or predicate) whose subtrees are not counted. Introspection fields never are. @default [] */
  ignore?: depthLimit.Options["ignore"];
}

/**
 * Rejects operations nested deeper than `maxDepth`, one error per operation. Built on graphql-depth-limit,
 * which stops walking at `maxDepth + 1`, so the error gives the limit rather than the full depth.
 */
export function depthLimitRule({ maxDepth = 12, ignore = [] }: DepthLimitRuleOptions = {}): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const document = context.getDocument();
    const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
    // graphql-depth-limit recurses through spreads without a guard: a cycle overflows the stack and an unknown
    // fragment throws. graphql's own rules (NoFragmentCycles, KnownFragmentNames) report those documents.
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (!spreadsAreWellFormed(operations, fragments)) return {};

    for (const operation of operations) {
      let exceeded = false;
      const single: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
      depthLimit(maxDepth, { ignore })({
        getDocument: () => single,
        reportError: () => {
          exceeded = true;
        },
      });
      if (exceeded) context.reportError(depthLimitExceeded(operation, maxDepth));
    }
    return {};
  };
}

function depthLimitExceeded(operation: OperationDefinitionNode, max: number): GraphQLError {
  const name = operation.name?.value;
  return new GraphQLError(`${name ? `Operation "${name}"` : "The operation"} is nested deeper than the maximum depth of ${max}.`, {
    nodes: [operation],
    extensions: { validationErrorCode: DEPTH_LIMIT_EXCEEDED, depth: { max } },
  });
}

/** True when every spread reachable from an operation names a defined fragment and none reaches itself. */
function spreadsAreWellFormed(operations: readonly OperationDefinitionNode[], fragments: readonly FragmentDefinitionNode[]): boolean {
  const spreads = new Map(fragments.map((f) => [f.name.value, spreadNames(f.selectionSet)]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string): boolean => {
    const seen = state.get(name);
    if (seen === "done") return true;
    if (seen === "visiting") return false;
    const next = spreads.get(name);
    if (!next) return false;
    state.set(name, "visiting");
    for (const child of next) if (!visit(child)) return false;
    state.set(name, "done");
    return true;
  };
  return operations.every((operation) => [...spreadNames(operation.selectionSet)].every(visit));
}

function spreadNames(selectionSet: SelectionSetNode): Set<string> {
  const names = new Set<string>();
  const stack = [selectionSet];
  for (let set = stack.pop(); set; set = stack.pop()) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) names.add(selection.name.value);
      else if (selection.selectionSet) stack.push(selection.selectionSet);
    }
  }
  return names;
}
