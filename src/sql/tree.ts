// Tokens grouped by their brackets: the translator rewrites calls, paths and casts on this tree, so an argument
// list or a subquery is always one node, and everything else stays token for token.
import type { Token } from './tokenize.js';

export interface Group {
  kind: 'group';
  open: Token;
  children: SqlNode[];
  /** Missing when the input ends before the bracket closes. */
  close?: Token;
}

export type SqlNode = Token | Group;

const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

export interface Tree {
  nodes: SqlNode[];
  /** Closing brackets without an opening one, and opening ones never closed. */
  unbalanced: Token[];
  /** The first bracket nested deeper than MAX_NESTING, if any: the tree must then not be walked. */
  tooDeep?: Token;
}

/**
 * Brackets nested deeper than this are refused: the translator walks the tree recursively, and `validate`
 * runs on fork pull requests, so a file of a few thousand '(' must be an error, not a stack overflow.
 * Real models nest a few levels (a deep CASE or subquery chain, a dozen).
 */
export const MAX_NESTING = 200;

export function buildTree(tokens: Token[]): Tree {
  const root: SqlNode[] = [];
  const stack: Group[] = [];
  const unbalanced: Token[] = [];
  let tooDeep: Token | undefined;
  const top = (): SqlNode[] => (stack.length ? stack[stack.length - 1].children : root);
  for (const t of tokens) {
    if (t.kind === 'op' && CLOSERS[t.text]) {
      if (stack.length >= MAX_NESTING) tooDeep ??= t;
      const g: Group = { kind: 'group', open: t, children: [] };
      top().push(g);
      stack.push(g);
    } else if (t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) {
      const g = stack[stack.length - 1];
      if (g && CLOSERS[g.open.text] === t.text) {
        g.close = t;
        stack.pop();
      } else {
        unbalanced.push(t);
        top().push(t);
      }
    } else {
      top().push(t);
    }
  }
  unbalanced.push(...stack.map((g) => g.open));
  return { nodes: root, unbalanced, ...(tooDeep ? { tooDeep } : {}) };
}

export const isGroup = (n: SqlNode | undefined): n is Group => n !== undefined && n.kind === 'group';
export const isToken = (n: SqlNode | undefined): n is Token => n !== undefined && n.kind !== 'group';
export const isTrivia = (n: SqlNode | undefined): boolean => isToken(n) && (n.kind === 'ws' || n.kind === 'comment');
export const isWord = (n: SqlNode | undefined, ...words: string[]): n is Token =>
  isToken(n) && n.kind === 'word' && (words.length === 0 || words.includes(n.text.toUpperCase()));
/** A bare or quoted identifier. */
export const isName = (n: SqlNode | undefined): n is Token => isToken(n) && (n.kind === 'word' || n.kind === 'qident');
export const isOp = (n: SqlNode | undefined, op: string): n is Token => isToken(n) && n.kind === 'op' && n.text === op;
export const isParen = (n: SqlNode | undefined): n is Group => isGroup(n) && n.open.text === '(';
export const isBracket = (n: SqlNode | undefined): n is Group => isGroup(n) && n.open.text === '[';

/** Index of the first non-trivia node at or after i (nodes.length when none). */
export function nextSignificant(nodes: SqlNode[], i: number): number {
  while (i < nodes.length && isTrivia(nodes[i])) i++;
  return i;
}

/** Index of the last non-trivia node before i (-1 when none). */
export function previousSignificant(nodes: SqlNode[], i: number): number {
  let j = i - 1;
  while (j >= 0 && isTrivia(nodes[j])) j--;
  return j;
}

export function firstToken(n: SqlNode): Token {
  return isGroup(n) ? n.open : n;
}

/** The original text of nodes. */
export function sourceText(nodes: SqlNode | SqlNode[]): string {
  const list = Array.isArray(nodes) ? nodes : [nodes];
  return list.map((n) => (isGroup(n) ? n.open.text + sourceText(n.children) + (n.close?.text ?? '') : n.text)).join('');
}

/** Splits nodes at every top-level separator token (a comma by default). */
export function splitNodes(nodes: SqlNode[], separator = ','): SqlNode[][] {
  const parts: SqlNode[][] = [[]];
  for (const n of nodes) {
    if (isOp(n, separator)) parts.push([]);
    else parts[parts.length - 1].push(n);
  }
  return parts;
}

/** Nodes without leading and trailing trivia. */
export function trimNodes(nodes: SqlNode[]): SqlNode[] {
  let a = 0;
  let b = nodes.length;
  while (a < b && isTrivia(nodes[a])) a++;
  while (b > a && isTrivia(nodes[b - 1])) b--;
  return nodes.slice(a, b);
}
