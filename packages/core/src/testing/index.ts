export { createEmulatorKit, json } from './emulator'
export type { EmulatorHandle, EmulatorKitOptions, EmulatorLimits, Fault, FaultPlan, LoggedRequest } from './emulator'
