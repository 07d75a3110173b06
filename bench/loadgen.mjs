// HTTP load from a second process: autocannon (npm) drives keep-alive connections, and this
// script records every response time so that p95 is exact (autocannon's summary stops at
// p90 and p97.5).
//
//   node bench/loadgen.mjs BASE_URL PATHS_JSON CONNECTIONS AMOUNT
// prints one JSON object: {requests, seconds, rps, p50, p95, p99, max, errors, non2xx}.
import autocannon from "autocannon";

const [base, pathsJson, connections, amount] = process.argv.slice(2);
if (!base || !pathsJson || !connections || !amount) {
  console.error("usage: node bench/loadgen.mjs BASE_URL PATHS_JSON CONNECTIONS AMOUNT");
  process.exit(2);
}
const paths = JSON.parse(pathsJson);
let next = 0;
const times = [];
const started = process.hrtime.bigint();
let last = started;

const instance = autocannon({
  url: base,
  connections: Number(connections),
  amount: Number(amount),
  requests: [
    {
      setupRequest: (request) => {
        request.path = paths[next++ % paths.length];
        return request;
      },
    },
  ],
});
instance.on("response", (_client, _status, _bytes, responseTime) => {
  times.push(responseTime);
  last = process.hrtime.bigint();
});
instance.on("done", (result) => {
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  // NOTE: our own clock, first request to last response: autocannon's `duration` and its
  // "done" both wait for its once-a-second ticker.
  const seconds = Number(last - started) / 1e9;
  const doneSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    JSON.stringify({
      requests: times.length,
      seconds,
      done_seconds: doneSeconds,
      rps: times.length / seconds,
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      max: times[times.length - 1],
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
    }) + "\n",
  );
});
