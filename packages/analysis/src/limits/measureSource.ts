import { Lexer, Source, TokenKind } from "graphql";

/** What the lexer sees of a GraphQL source before anything parses it. */
export interface SourceMeasurements {
  /** Lexical tokens (comments excluded), as graphql's `parse(source, { maxTokens })` counts them. */
  tokens: number;
  /** Deepest nesting of `{`, `[` and `(`: how deep the recursive-descent parser will recurse. */
  nesting: number;
}

const OPENING = new Set<TokenKind>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING = new Set<TokenKind>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/**
 * Counts tokens and bracket nesting in one linear pass of graphql's own lexer, without building an AST, so a
 * hostile document can be refused before the (recursive) parser runs. Lexing stops at the first lexical error;
 * the parser then reports that error itself. With `stopAfter`, counting stops once both counts pass it.
 */
export function measureSource(
  source: string,
  { stopAfter = Number.POSITIVE_INFINITY }: { stopAfter?: number } = {},
): SourceMeasurements {
  const lexer = new Lexer(new Source(source));
  let tokens = 0;
  let depth = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens += 1;
      if (OPENING.has(token.kind)) {
        depth += 1;
        if (depth > nesting) nesting = depth;
      } else if (CLOSING.has(token.kind)) {
        depth = Math.max(0, depth - 1);
      }
      if (tokens > stopAfter && nesting > stopAfter) break;
    }
  } catch {
    // A lexical error: what was counted so far stands; parsing will report the error.
  }
  return { tokens, nesting };
}
