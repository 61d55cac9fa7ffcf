import { createProviderContext, ErasureError, type EraseContext, type Identifier, type ProviderResponse } from '@erasekit/core'
import { adapty, adaptyApi, adaptyError, adaptyRequest, checkIdentifier, deleteOne, type AdaptyOptions } from './provider'

/** Adapty profile object (v2 GET/POST/PATCH `data`). v1 names offer keys `offer_category`/`offer_type`/`offer_id`. */
export interface Profile {
  app_id: string
  profile_id: string
  customer_user_id: string | null
  total_revenue_usd: number
  segment_hash: string
  /** Milliseconds; Adapty uses it to resolve races. */
  timestamp: number
  custom_attributes: CustomAttribute[]
  access_levels: AccessLevel[]
  subscriptions: Subscription[]
  non_subscriptions: NonSubscription[]
}

/** ≤ 30 per profile; key ≤ 30 chars `[A-Za-z0-9._-]`. In requests a `null` or empty value removes the attribute. */
export interface CustomAttribute {
  key: string
  value: string | number
}

export interface Offer {
  category: string
  type: string
  id: string | null
}

/** Datetimes are ISO 8601 strings. */
export interface AccessLevel {
  access_level_id: string
  store: string
  store_product_id: string
  store_base_plan_id: string | null
  store_transaction_id: string
  store_original_transaction_id: string
  offer: Offer | null
  starts_at: string | null
  purchased_at: string
  originally_purchased_at: string
  expires_at: string | null
  renewal_cancelled_at: string | null
  billing_issue_detected_at: string | null
  is_in_grace_period: boolean
  cancellation_reason: string | null
}

export interface Subscription extends Omit<AccessLevel, 'access_level_id' | 'starts_at'> {
  environment: 'Sandbox' | 'Production'
}

export interface NonSubscription {
  purchase_id: string
  store: string
  store_product_id: string
  store_base_plan_id: string | null
  store_transaction_id: string
  store_original_transaction_id: string
  purchased_at: string
  environment: 'Sandbox' | 'Production'
  is_refund: boolean
  is_consumable: boolean
}

export type AdaptyPlatform = 'iOS' | 'macOS' | 'iPadOS' | 'visionOS' | 'Android' | 'web'

export interface InstallationMeta {
  /** UUID; required whenever installation_meta is sent. */
  device_id: string
  device?: string | undefined
  locale?: string | undefined
  os?: string | undefined
  platform?: AdaptyPlatform | undefined
  timezone?: string | undefined
  user_agent?: string | undefined
  app_build?: string | undefined
  app_version?: string | undefined
  adapty_sdk_version?: string | undefined
  idfa?: string | undefined
  idfv?: string | undefined
  advertising_id?: string | undefined
  android_id?: string | undefined
  android_app_set_id?: string | undefined
}

/** Body of create (POST) and update (PATCH). All fields optional (the prose docs; the spec marks installation_meta required). */
export interface ProfileRequest {
  first_name?: string | undefined
  last_name?: string | undefined
  gender?: 'f' | 'm' | 'o' | undefined
  email?: string | undefined
  phone_number?: string | undefined
  /** `YYYY-MM-DD` */
  birthday?: string | undefined
  /** ISO 3166 alpha-2 */
  ip_country?: string | undefined
  ip_v4_address?: string | undefined
  store_country?: string | undefined
  store?: 'app_store' | 'play_store' | 'stripe' | 'adapty' | 'paddle' | undefined
  store_account_token?: string | undefined
  att_status?: 0 | 1 | 2 | 3 | undefined
  analytics_disabled?: boolean | undefined
  custom_attributes?: { key: string; value: string | number | null }[] | undefined
  installation_meta?: InstallationMeta | undefined
}

/** Exactly one of Adapty's profile id (UUID) or your customer user id. */
export type AdaptyIdentity = { profileId: string; customerUserId?: undefined } | { customerUserId: string; profileId?: undefined }

export interface AdaptyCallOptions {
  signal?: AbortSignal | undefined
}

export interface AdaptyDeleteResult {
  status: 'deleted' | 'not_found'
  requestId?: string
  /** Set when the client was created with `verify: true` and the read-back confirmed the deletion. */
  verified?: boolean
}

export interface AdaptyClient {
  getProfile(identity: AdaptyIdentity, options?: AdaptyCallOptions): Promise<Profile>
  /** Only a customer user id: a new profile. With a profileId as well: attaches the customer user id to that profile. */
  createProfile(identity: { customerUserId: string; profileId?: string }, body?: ProfileRequest, options?: AdaptyCallOptions): Promise<Profile>
  updateProfile(identity: AdaptyIdentity, body: ProfileRequest, options?: AdaptyCallOptions): Promise<Profile>
  deleteProfile(identity: AdaptyIdentity, options?: AdaptyCallOptions): Promise<AdaptyDeleteResult>
}

/**
 * A typed client for Adapty's server-side profile API, on the same pipeline as the provider
 * (retry, timeout, redaction, same request building). Errors throw `ErasureError`.
 */
export function createAdaptyClient(options: AdaptyOptions): AdaptyClient {
  const provider = adapty(options)
  const api = adaptyApi(options)

  async function call<T>(
    identity: { profileId?: string; customerUserId?: string },
    callOptions: AdaptyCallOptions | undefined,
    run: (ctx: EraseContext, identifiers: Identifier[]) => Promise<T>,
    create = false,
    body?: ProfileRequest,
  ): Promise<T> {
    const identifiers = toIdentifiers(identity, create)
    // The profile's contact data too: Adapty may quote a refused value in its error.
    const personal = PERSONAL.map((key) => body?.[key]).filter((value) => typeof value === 'string') as string[]
    const ctx = createProviderContext(provider, { signal: callOptions?.signal, identifiers: [...identifiers.map(({ value }) => value), ...personal] })
    return run(ctx, identifiers)
  }

  const profile = (ctx: EraseContext) => (response: ProviderResponse): Profile => {
    const data = (response.data as { data?: { profile_id?: unknown } | null } | null | undefined)?.data
    // A profile names itself: a 2xx without one (a proxy's page, another API's answer) is no profile.
    if (response.status >= 200 && response.status < 300 && typeof data?.profile_id === 'string') return data as Profile
    throw adaptyError(ctx, response)
  }

  return {
    getProfile: (identity, o) => call(identity, o, (ctx, ids) => adaptyRequest(ctx, api, 'GET', ids, profile(ctx))),
    createProfile: (identity, body = {}, o) => call(identity, o, (ctx, ids) => adaptyRequest(ctx, api, 'POST', ids, profile(ctx), body), true, body),
    updateProfile: (identity, body, o) => call(identity, o, (ctx, ids) => adaptyRequest(ctx, api, 'PATCH', ids, profile(ctx), body), false, body),
    deleteProfile: (identity, o) =>
      call(identity, o, async (ctx, [id]) => {
        const { status, requestId, verified, error } = await deleteOne(ctx, api, id!, options.verify)
        // deleteOne only fails with an error (and never answers 'accepted': Adapty deletes synchronously).
        if (error) throw error
        return { status: status as AdaptyDeleteResult['status'], ...(requestId === undefined ? {} : { requestId }), ...(verified === undefined ? {} : { verified }) }
      }),
  }
}

/**
 * Profile fields redacted from errors like the identity. Not names or custom attributes: they are
 * words, matched inside Adapty's own (a last name "File" in profile_does_not_exist).
 */
const PERSONAL = ['email', 'phone_number', 'birthday', 'ip_v4_address', 'store_account_token'] as const

function toIdentifiers(identity: { profileId?: string; customerUserId?: string } | undefined, create: boolean): Identifier[] {
  const { profileId, customerUserId } = identity ?? {}
  const identifiers: Identifier[] = []
  if (profileId !== undefined) identifiers.push({ kind: 'profile_id', value: profileId })
  if (customerUserId !== undefined) identifiers.push({ kind: 'customer_user_id', value: customerUserId })
  // Create needs the customer user id (a profile id only adds "attach to this profile"); the rest take exactly one.
  const valid = create ? customerUserId !== undefined : identifiers.length === 1
  if (!valid) {
    const expected = create ? 'expected customerUserId (and optionally profileId)' : 'expected exactly one of profileId, customerUserId'
    throw new ErasureError('invalid_subject', `identity: ${expected}`, { provider: 'adapty' })
  }
  return identifiers.map(checkIdentifier)
}
