export type { RedisCommandOptions, RedisLogClient, RedisLogConnection } from './client'
export type { RedisLog, RedisLogOptions } from './redis-log'
export { redisLog } from './redis-log'
