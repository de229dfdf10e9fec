export { workspaceSources } from '@lifeline/testkit/workspace-sources'
