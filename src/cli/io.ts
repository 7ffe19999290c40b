// Where a command writes (stdout, stderr) and the environment it reads: the real ones from the command line,
// others in tests.
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** On a terminal: writes without a newline, so progress is redrawn in place. */
  rewrite?: (text: string) => void;
}
