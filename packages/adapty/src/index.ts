export { adapty } from './provider'
export type { AdaptyOptions } from './provider'
// Separate module: bundlers drop the client for eraser-only users.
export { createAdaptyClient } from './client'
export type {
  AccessLevel,
  AdaptyCallOptions,
  AdaptyClient,
  AdaptyDeleteResult,
  AdaptyIdentity,
  AdaptyPlatform,
  CustomAttribute,
  InstallationMeta,
  NonSubscription,
  Offer,
  Profile,
  ProfileRequest,
  Subscription,
} from './client'
