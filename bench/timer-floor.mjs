// The floor the in-process bulk benchmark cannot go under: concurrent chains of setTimeout(5),
// each followed by a fixed amount of synchronous work (what one request costs the shared thread),
// and nothing else. Prints the mean period a chain sees: the latency an emulator "at 5 ms" delivers.
//   node bench/timer-floor.mjs
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const spin = (us) => {
  const until = performance.now() + us / 1000
  while (performance.now() < until);
}

async function meanPeriod(chains, latencyMs, workUs, durationMs = 5000) {
  const end = performance.now() + durationMs
  let rounds = 0
  await Promise.all(
    Array.from({ length: chains }, async () => {
      while (performance.now() < end) {
        await sleep(latencyMs)
        spin(workUs)
        rounds++
      }
    }),
  )
  return (durationMs * chains) / rounds
}

// The bulk run keeps about 16 requests in flight (Adapty 8, Altcraft 4, CleverTap 3, Batch 1–2).
for (const [chains, workUs] of [[1, 0], [16, 0], [16, 50], [16, 100]]) {
  const period = await meanPeriod(chains, 5, workUs)
  console.log(`${String(chains).padStart(2)} chains of setTimeout(5), ${String(workUs).padStart(3)} µs of work after each: mean period ${period.toFixed(2)} ms (${(period / 5).toFixed(2)}×)`)
}
