export { createEmulatorKit, json } from './emulator'
export type { EmulatorHandle, EmulatorKitOptions, EmulatorRequest, EmulatorLimits, Fault, FaultPlan, HeaderInit, LoggedRequest } from './emulator'
export { describeProviderConformance, providerConformanceChecks, runProviderConformance } from './conformance'
export type { ConformanceCheck, ConformanceOptions, ConformanceResult, ProviderOverrides } from './conformance'
