import type { z } from "zod";

/**
 * zod issues as one line a client can act on: `action.1: Invalid input: expected number, received
 * string`. A union's bare "Invalid input" is replaced by its first branch's issues, which name the
 * field and the type that was expected.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const flat = issues.flatMap((i) =>
    i.code === "invalid_union" && i.errors[0]?.length ? i.errors[0].map((e) => ({ ...e, path: [...i.path, ...e.path] })) : [i],
  );
  const text = flat
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message))
    .join("; ");
  return flat.length > 5 ? `${text}; and ${flat.length - 5} more` : text;
}
