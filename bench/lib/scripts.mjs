// The worker script every workload runs, on both runtimes.
export const COUNTER_SCRIPT = `
export class Counter {
  constructor(state) { this.state = state; }
  async fetch() {
    const n = ((await this.state.storage.get("n")) ?? 0) + 1;
    await this.state.storage.put("n", n);
    return new Response(String(n));
  }
}
export default {
  fetch(request, env) {
    return env.COUNTER.get(env.COUNTER.idFromName("a")).fetch(request);
  },
};
`;

export const counterOptions = () => ({
  modules: true,
  script: COUNTER_SCRIPT,
  durableObjects: { COUNTER: "Counter" },
});
