/**
 * Env steps as every report writes them, in thousands ("182k"): a budget of 300,000 and a run at
 * 299,600 read alike, which is the precision a learning curve's x-axis has.
 */
export function kSteps(v: number | null, none = "never"): string {
  return v === null ? none : `${Math.round(v / 1000)}k`;
}
