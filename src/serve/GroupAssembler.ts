/**
 * Server-side group assembly. RL trainers now send one rollout per request, as soon as it is
 * generated (OpenRLHF since its PR #1152, verl's reward loop, slime's remote_rm), so a group-relative
 * reward never sees a rollout's siblings in its own request. Members that share a key (the prompt,
 * plus a group id where the client sends one) are held here until `size` have arrived, or
 * `timeoutMs` after the first one, and are then judged together; each waiting request gets its own
 * member's result.
 *
 * Memory is bounded: at most `size` members per group and `maxOpenGroups` groups. A new group past
 * that bound closes the oldest open group early (judged as the partial group it is) rather than
 * refusing the request: a refused rollout would cost the trainer its reward, a partial group only
 * some of the group's signal, and the result says which it was.
 *
 * A member whose request is aborted (deadline, client gone) before its group closes leaves the group
 * and no longer counts. Once a group is closed its judging stops only when every member's request has
 * gone: the others still want their rewards.
 */
import { AbortedError } from "../errors.js";

/** Why a group was closed: all members arrived, or it stopped waiting for the rest. */
export type GroupCloseReason = "full" | "timeout" | "evicted" | "draining";

/** Closed groups by outcome: every way a group can close, and "abandoned" (all members left). */
export type GroupOutcome = GroupCloseReason | "abandoned";

export interface ClosedGroup<T> {
  members: T[];
  reason: GroupCloseReason;
  /** Aborts when every member's request has been aborted. */
  signal: AbortSignal;
}

export interface GroupAssemblerOptions<T, R> {
  /** Members that close a group. */
  size: number;
  /** From the first member's arrival. */
  timeoutMs: number;
  maxOpenGroups: number;
  /** Judges a closed group: one result per member, in the order given. */
  judge: (group: ClosedGroup<T>) => Promise<R[]>;
  /** Metrics. */
  onOpen?: () => void;
  onClose?: (outcome: GroupOutcome, members: number) => void;
}

interface Member<T, R> {
  value: T;
  signal: AbortSignal;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
  onAbort: () => void;
}

interface OpenGroup<T, R> {
  key: string;
  members: Member<T, R>[];
  timer: NodeJS.Timeout;
}

export class GroupAssembler<T, R> {
  readonly #options: GroupAssemblerOptions<T, R>;
  /** Insertion order is opening order, so the first entry is the oldest group. */
  readonly #open = new Map<string, OpenGroup<T, R>>();

  constructor(options: GroupAssemblerOptions<T, R>) {
    this.#options = options;
  }

  /** Groups waiting for members. */
  get openGroups(): number {
    return this.#open.size;
  }

  /** Requests' members held in open groups. */
  get waitingMembers(): number {
    let n = 0;
    for (const g of this.#open.values()) n += g.members.length;
    return n;
  }

  /** Resolves with this member's result once its group has been judged. */
  join(key: string, value: T, signal: AbortSignal): Promise<R> {
    if (signal.aborted) return Promise.reject(new AbortedError(signal.reason));
    let group = this.#open.get(key);
    if (!group) {
      if (this.#open.size >= this.#options.maxOpenGroups) {
        const oldest = this.#open.values().next().value;
        if (oldest) this.#close(oldest, "evicted");
      }
      const opened: OpenGroup<T, R> = {
        key,
        members: [],
        timer: setTimeout(() => this.#close(opened, "timeout"), this.#options.timeoutMs),
      };
      group = opened;
      this.#open.set(key, group);
      this.#options.onOpen?.();
    }
    const target = group;
    const result = new Promise<R>((resolve, reject) => {
      const member: Member<T, R> = {
        value,
        signal,
        resolve,
        reject,
        onAbort: () => {
          // Still waiting: it leaves the group. Once judged, its result simply goes unread.
          const i = target.members.indexOf(member);
          if (this.#open.get(target.key) !== target || i < 0) return;
          target.members.splice(i, 1);
          reject(new AbortedError(signal.reason));
          if (target.members.length === 0) {
            clearTimeout(target.timer);
            this.#open.delete(target.key);
            this.#options.onClose?.("abandoned", 0);
          }
        },
      };
      signal.addEventListener("abort", member.onAbort, { once: true });
      target.members.push(member);
    });
    if (target.members.length >= this.#options.size) this.#close(target, "full");
    return result;
  }

  /** Closes every open group now (shutdown: held requests are answered instead of timing out). */
  flush(reason: GroupCloseReason = "draining"): void {
    for (const group of [...this.#open.values()]) this.#close(group, reason);
  }

  #close(group: OpenGroup<T, R>, reason: GroupCloseReason): void {
    if (this.#open.get(group.key) !== group) return;
    this.#open.delete(group.key);
    clearTimeout(group.timer);
    const members = group.members;
    this.#options.onClose?.(reason, members.length);
    if (members.length === 0) return;
    const judging = new AbortController();
    let gone = 0;
    const onGone = (signal: AbortSignal) => () => {
      if (++gone === members.length) judging.abort(signal.reason);
    };
    const listeners = members.map((m) => {
      m.signal.removeEventListener("abort", m.onAbort);
      const listener = onGone(m.signal);
      if (m.signal.aborted) listener();
      else m.signal.addEventListener("abort", listener, { once: true });
      return listener;
    });
    Promise.resolve()
      .then(() =>
        this.#options.judge({ members: members.map((m) => m.value), reason, signal: judging.signal }),
      )
      .then(
        (results) => {
          for (const [i, m] of members.entries()) m.resolve(results[i]!);
        },
        (error) => {
          for (const m of members) m.reject(error);
        },
      )
      .finally(() => {
        for (const [i, m] of members.entries()) m.signal.removeEventListener("abort", listeners[i]!);
      });
  }
}
