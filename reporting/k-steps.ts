/**
 * Env steps as every report writes them, in thousands ("182k"): a budget of 300,000 and a run at
 * 299,600 read alike, which is the precision a learning curve's x-axis has.
 */
export function kSteps(v: number | null, none = "never"): string {
  return v === null ? none : `${Math.round(v / 1000)}k`;
}

/**
 * When one run crossed a level: its env steps, or, for a run that has not and is still short of
 * its budget, how far it has got ("120k so far"), since it has not "never" reached it yet.
 */
export function crossingSteps(crossed: number | null, reached: number, budget: number): string {
  return crossed === null && reached < budget ? `${kSteps(reached)} so far` : kSteps(crossed);
}
