/**
 * Branded primitives and the flow records that several modules share. Module-specific records live
 * in each module's own `types.ts`.
 */

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Stable id of a preference pair (from the source data, or a content hash when it has none). */
export type PairId = Brand<string, "PairId">;
/** Identity of a model: file content hash + name for GGUF, base URL + model name for HTTP. */
export type ModelId = Brand<string, "ModelId">;
/** sha256 (hex, first 16 chars) of a prompt template's content. */
export type TemplateHash = Brand<string, "TemplateHash">;
export type TokenId = Brand<number, "TokenId">;

export type Role = "system" | "user" | "assistant";

export interface ChatMessage {
  role: Role;
  content: string;
}

/** Which slot the human-preferred ("first") response was shown in. */
export type Slot = "A" | "B";
