// The assoc configuration tests start from: the small fixture, all phenotypes and covariates.
import * as path from 'node:path';
import type { AssocConfig } from '../../src/pipeline/assoc-run.js';
import { fixture, tmpDir } from './helpers.js';

const A = (f: string) => fixture('assoc', f);

export function baseConfig(over: Partial<AssocConfig> = {}): AssocConfig {
  return {
    gen: [A('small.gen')],
    bgen: [],
    biallelicOnly: false,
    sample: A('small.sample'),
    pheno: A('small.pheno'),
    covar: A('small.covar'),
    out: path.join(tmpDir('golden'), 'out'),
    compress: 'none',
    threads: 2,
    chunkSize: 1 << 16,
    filters: { minInfo: 0, maxInfo: Infinity, minMaf: 0 },
    regions: [],
    digits: 7,
    memoryMB: 64,
    progress: false,
    log: () => {},
    ...over,
  };
}
