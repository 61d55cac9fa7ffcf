// The one line CI reads, from vitest's JSON report: "N passed, N failed".
// A suite that failed to load (no tests ran in it) counts as a failure; so does a missing report.
import { readFileSync } from 'node:fs'

let report
try {
  report = JSON.parse(readFileSync(process.argv[2] ?? '.vitest-report.json', 'utf8'))
} catch {
  console.log('0 passed, 1 failed')
  process.exit(1)
}
const brokenSuites = (report.testResults ?? []).filter((suite) => suite.status === 'failed' && !suite.assertionResults?.length).length
const failed = report.numFailedTests + brokenSuites
console.log(`${report.numPassedTests} passed, ${failed} failed`)
process.exit(failed === 0 && report.numPassedTests > 0 ? 0 : 1)
