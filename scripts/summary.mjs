// Prints the one line CI reads, from vitest's JSON report, and fails when tests failed or none ran.
import { readFileSync } from 'node:fs'

const file = process.argv[2] ?? '.vitest-report.json'
let report
try {
  report = JSON.parse(readFileSync(file, 'utf8'))
} catch {
  console.log('0 passed, 1 failed')
  process.exit(1)
}
const failed = report.numFailedTests + (report.numFailedTestSuites ?? 0) - (report.testResults ?? []).filter((s) => s.status === 'failed' && s.assertionResults?.some((a) => a.status === 'failed')).length
console.log(`${report.numPassedTests} passed, ${Math.max(failed, report.numFailedTests)} failed`)
process.exit(report.success && report.numPassedTests > 0 ? 0 : 1)
