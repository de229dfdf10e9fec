export type {
  RedisCommandOptions,
  RedisLogClient,
  RedisLogCluster,
  RedisLogClusterConnection,
  RedisLogConnection,
  RedisLogMessageListener,
} from './client'
export type { RedisLog, RedisLogOptions } from './redis-log'
export { redisLog } from './redis-log'
