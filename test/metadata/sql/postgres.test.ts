import { describe } from 'vitest'
import { createTestDatabase, serverAvailable } from '../../support/databases.js'
import { describeMetadataStoreConformance } from '../conformance/index.js'
import { sqlStoreFactory } from './sql-store-factory.js'

describe.skipIf(!(await serverAvailable('postgresql')))('postgresql backend', () => {
  describeMetadataStoreConformance(
    'postgresql',
    sqlStoreFactory(() => createTestDatabase('postgresql')),
  )
})
