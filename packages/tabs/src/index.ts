export type {
  BroadcastChannelConstructor,
  BroadcastChannelLike,
  LockManagerLike,
  TabsOptions,
} from './options'
export type { PageLifecycle, PageSignal } from './page-lifecycle'
export { tabs } from './tabs'
