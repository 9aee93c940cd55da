/** What a member of a LiveList carries: its links, set by the list. */
export interface Linked {
  prev?: Linked | undefined;
  next?: Linked | undefined;
}

/**
 * A set of short-lived members, in the order they were added, kept as a
 * doubly linked list through the members themselves. Adding and removing
 * are a few pointer writes, where a Set of fresh objects pays an identity
 * hash and a rehash of its table every few operations (about 100 ns per
 * add and delete on Node 20): this is for paths run once per call.
 */
export class LiveList<T extends Linked> {
  /** The sentinel: `head.next` is the first member, `head.prev` the last. */
  readonly #head: Linked = {};
  #size = 0;

  constructor() {
    this.#head.prev = this.#head;
    this.#head.next = this.#head;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds `member` at the end (it must not be in a list). */
  add(member: T): void {
    const last = this.#head.prev!;
    member.prev = last;
    member.next = this.#head;
    last.next = member;
    this.#head.prev = member;
    this.#size++;
  }

  /** Removes `member`; nothing when it is not in the list (already removed, or cleared). */
  delete(member: T): void {
    const { prev, next } = member;
    if (prev === undefined || next === undefined) return;
    prev.next = next;
    next.prev = prev;
    member.prev = undefined;
    member.next = undefined;
    this.#size--;
  }

  /** The members now, in order: a copy, so removing them while going through it is safe. */
  toArray(): T[] {
    const members: T[] = [];
    for (let node = this.#head.next!; node !== this.#head; node = node.next!) members.push(node as T);
    return members;
  }

  clear(): void {
    for (const member of this.toArray()) this.delete(member);
  }
}
