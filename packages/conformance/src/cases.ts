export { contractCasesFor, transportContractCases } from './contract/contract-cases'
export { contractRecords, contractViolations } from './contract/records'
export { runContractCase } from './contract/run-case'
export type {
  ContractAbort,
  ContractCase,
  ContractChunk,
  ContractRecord,
  ContractScenario,
  SinkRecord,
} from './contract/types'
