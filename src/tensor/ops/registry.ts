/**
 * Every op with a hand-written backward registers its name here when its module loads. The
 * gradient test iterates over this list and fails for a name that has no finite-difference case,
 * so an op cannot be added without a gradient check. Composites (mean, linear, tokenLogProbs)
 * have no backward of their own and are not listed.
 */
const ops = new Set<string>();

export function registerOp(name: string): string {
  ops.add(name);
  return name;
}

export function listOps(): string[] {
  return [...ops].sort();
}
