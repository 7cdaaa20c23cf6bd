/**
 * Finds stop strings in generated text without re-detokenizing the whole sample at every token.
 *
 * A stop string that first appears after token t must end inside the text of token t, so it lies
 * within the last `maxStopLength` characters. Those characters come from at most
 * `4 * maxStopLength + 4` tokens (byte-level tokenizers can spend up to 4 tokens on one character),
 * so detokenizing that window at each step is enough; the full text is built once, at the end.
 */
import type { LlamaModel, Token } from "node-llama-cpp";

export class StopStringMatcher {
  readonly #stops: string[];
  readonly #window: number;
  readonly #model: LlamaModel;

  constructor(model: LlamaModel, stops: readonly string[]) {
    this.#model = model;
    this.#stops = stops.filter((s) => s.length > 0);
    const longest = Math.max(0, ...this.#stops.map((s) => s.length));
    this.#window = 4 * longest + 4;
  }

  get active(): boolean {
    return this.#stops.length > 0;
  }

  /** Whether some stop string occurs in the text of `tokens`, checking only its recent end. */
  matchesTail(tokens: readonly Token[]): boolean {
    if (this.#stops.length === 0) return false;
    const tail = this.#model.detokenize(tokens.slice(-this.#window), false);
    return this.#stops.some((s) => tail.includes(s));
  }

  /** `text` cut before the earliest stop string, or unchanged when none occurs. */
  cut(text: string): { text: string; stopped: boolean } {
    let at = -1;
    for (const s of this.#stops) {
      const i = text.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    return at < 0 ? { text, stopped: false } : { text: text.slice(0, at), stopped: true };
  }
}
