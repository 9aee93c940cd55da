import { describe, expect, it } from "vitest";
import { LiveList, type Linked } from "../../src/base/live-list.js";

interface Member extends Linked {
  readonly name: string;
}

const member = (name: string): Member => ({ name });
const names = (list: LiveList<Member>): string[] => list.toArray().map((m) => m.name);

describe("LiveList", () => {
  it("keeps members in the order they were added and removes any of them", () => {
    const list = new LiveList<Member>();
    const [a, b, c] = [member("a"), member("b"), member("c")];
    list.add(a);
    list.add(b);
    list.add(c);
    expect(names(list)).toEqual(["a", "b", "c"]);
    list.delete(b);
    expect(names(list)).toEqual(["a", "c"]);
    list.delete(a);
    list.delete(c);
    expect(names(list)).toEqual([]);
    expect(list.size).toBe(0);
  });

  it("ignores removing a member twice, or one cleared, and takes it back afterwards", () => {
    const list = new LiveList<Member>();
    const [a, b] = [member("a"), member("b")];
    list.add(a);
    list.add(b);
    list.delete(a);
    list.delete(a);
    expect(list.size).toBe(1);
    list.clear();
    list.delete(b);
    expect(list.size).toBe(0);
    expect(names(list)).toEqual([]);
    list.add(b);
    list.add(a);
    expect(names(list)).toEqual(["b", "a"]);
  });

  it("gives a copy, so members can be removed while going through it", () => {
    const list = new LiveList<Member>();
    for (const name of ["a", "b", "c"]) list.add(member(name));
    const seen: string[] = [];
    for (const m of list.toArray()) {
      list.delete(m);
      seen.push(m.name);
    }
    expect(seen).toEqual(["a", "b", "c"]);
    expect(list.size).toBe(0);
  });
});
