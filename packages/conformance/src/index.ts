export { startContractServer } from './contract/contract-server'
export type { TransportContractOptions } from './contract/describe-contract'
export { describeTransportContract } from './contract/describe-contract'
export type {
  ContractReceived,
  ContractServer,
  MountedScenario,
  TransportCapabilities,
} from './contract/types'
