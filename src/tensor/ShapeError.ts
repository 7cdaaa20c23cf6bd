import { GenrmError } from "../errors.js";

/**
 * Shapes that cannot go together (a matmul's inner dimensions, a bias of the wrong width). The
 * message always names the op and every shape involved, so a mismatch deep in a model points at
 * the layer that caused it.
 */
export class ShapeError extends GenrmError {
  constructor(op: string, problem: string, shapes: Record<string, readonly number[]>) {
    const listed = Object.entries(shapes)
      .map(([name, s]) => `${name} ${formatShape(s)}`)
      .join(", ");
    super("GENRM_INPUT", `${op}: ${problem} (${listed})`);
  }
}

export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(", ")})`;
}
