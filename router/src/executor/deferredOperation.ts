import { DEFER_DIRECTIVE } from "@commerce/analysis";
import {
  Kind,
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from "graphql";

/**
 * Operations with `@defer`, prepared for planning and execution. The planner numbers the blocks it defers by the
 * `@defer` labels, and one label stands for one block: a fragment spread twice (two places, so two blocks) or two
 * fragments the client gave the same label would share one block, and one of them would never be delivered. So
 * the operation's fragment spreads are inlined (as graphql-js collects fields, so the response is unchanged) and
 * every `@defer` gets a label of its own, `<n>` or `<n>:<the client's label>`; payloads report the client's label.
 */

const DEFER = DEFER_DIRECTIVE.name;

/** Whether the document uses `@defer` anywhere (cached per document). */
export function hasDefer(document: DocumentNode): boolean {
  let known = usesDefer.get(document);
  if (known === undefined) {
    known = document.definitions.some(
      (definition) =>
        (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) &&
        selectionsUseDefer(definition.selectionSet),
    );
    usesDefer.set(document, known);
  }
  return known;
}

const usesDefer = new WeakMap<DocumentNode, boolean>();

function selectionsUseDefer(set: SelectionSetNode): boolean {
  return set.selections.some(
    (selection) =>
      (selection.kind !== Kind.FIELD && selection.directives?.some((directive) => directive.name.value === DEFER)) ||
      (selection.kind !== Kind.FRAGMENT_SPREAD && selectionsUseDefer(selection.selectionSet ?? EMPTY)),
  );
}

const EMPTY: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [] };

/**
 * The `@defer`s of the document that may defer for these variables (`if` absent, true, or a variable that is not
 * false, given or by default): a request with one needs a client that accepts incremental delivery.
 */
export function maybeDefers(document: DocumentNode, variables: Readonly<Record<string, unknown>> | undefined): boolean {
  if (!hasDefer(document)) return false;
  let conditions = deferConditions.get(document);
  if (!conditions) {
    conditions = [];
    const defaults = new Map<string, boolean>();
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      for (const variable of definition.variableDefinitions ?? []) {
        if (variable.defaultValue?.kind === Kind.BOOLEAN)
          defaults.set(variable.variable.name.value, variable.defaultValue.value);
      }
    }
    const collect = (set: SelectionSetNode): void => {
      for (const selection of set.selections) {
        const directive =
          selection.kind === Kind.FIELD ? undefined : selection.directives?.find((d) => d.name.value === DEFER);
        if (directive) {
          const condition = directive.arguments?.find((argument) => argument.name.value === "if")?.value;
          conditions!.push(
            condition === undefined
              ? true
              : condition.kind === Kind.BOOLEAN
                ? condition.value
                : condition.kind === Kind.VARIABLE
                  ? { name: condition.name.value, byDefault: defaults.get(condition.name.value) }
                  : true,
          );
        }
        if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) collect(selection.selectionSet);
      }
    };
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION)
        collect(definition.selectionSet);
    }
    deferConditions.set(document, conditions);
  }
  return conditions.some((condition) =>
    typeof condition === "boolean" ? condition : (variables?.[condition.name] ?? condition.byDefault) !== false,
  );
}

/** Each `@defer`'s `if`: a literal, or a variable and its default. */
const deferConditions = new WeakMap<DocumentNode, (boolean | { name: string; byDefault: boolean | undefined })[]>();

/**
 * The operation named `operationName` (or the only one) with its fragment spreads inlined and each `@defer`
 * labelled on its own; undefined when the document has no `@defer` (it is then planned as it is). Cached per
 * document and operation name.
 */
export function deferredOperation(document: DocumentNode, operationName: string | undefined): DocumentNode | undefined {
  if (!hasDefer(document)) return undefined;
  let byName = prepared.get(document);
  if (!byName) prepared.set(document, (byName = new Map()));
  const key = operationName ?? "";
  let result = byName.get(key);
  if (!result) {
    result = prepare(document, operationName);
    byName.set(key, result);
  }
  return result;
}

const prepared = new WeakMap<DocumentNode, Map<string, DocumentNode>>();

function prepare(document: DocumentNode, operationName: string | undefined): DocumentNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (
      definition.kind === Kind.OPERATION_DEFINITION &&
      (operationName === undefined || definition.name?.value === operationName)
    )
      operation ??= definition;
  }
  // Validation (known operation and fragments, no cycles) ran before: Apollo only executes valid documents.
  if (!operation) throw new Error(`Unknown operation ${operationName ?? "(anonymous)"}`);
  let count = 0;
  const inline = (set: SelectionSetNode): SelectionSetNode => ({
    ...set,
    selections: set.selections.map((selection): SelectionNode => {
      if (selection.kind === Kind.FIELD)
        return selection.selectionSet ? { ...selection, selectionSet: inline(selection.selectionSet) } : selection;
      const directives = selection.directives?.map((directive) =>
        directive.name.value === DEFER ? relabel(directive, count++) : directive,
      );
      if (selection.kind === Kind.INLINE_FRAGMENT)
        return { ...selection, ...(directives ? { directives } : {}), selectionSet: inline(selection.selectionSet) };
      const fragment = fragments.get(selection.name.value);
      if (!fragment) throw new Error(`Unknown fragment ${selection.name.value}`);
      return {
        kind: Kind.INLINE_FRAGMENT,
        typeCondition: fragment.typeCondition,
        ...(directives ? { directives } : {}),
        selectionSet: inline(fragment.selectionSet),
      };
    }),
  });
  return { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet: inline(operation.selectionSet) }] };
}

function relabel(directive: DirectiveNode, index: number): DirectiveNode {
  const given = directive.arguments?.find((argument) => argument.name.value === "label")?.value;
  const label = given?.kind === Kind.STRING ? `${index}:${given.value}` : String(index);
  const rest = (directive.arguments ?? []).filter((argument) => argument.name.value !== "label");
  const argument: ArgumentNode = {
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: "label" },
    value: { kind: Kind.STRING, value: label },
  };
  return { ...directive, arguments: [argument, ...rest] };
}

/** The label the client gave a `@defer` (undefined when it gave none), from the label `deferredOperation` assigned. */
export function clientLabel(label: string): string | undefined {
  const separator = label.indexOf(":");
  return separator < 0 ? undefined : label.slice(separator + 1);
}
